#!/usr/bin/env bash
# The whole test suite, as CI runs it: install what is missing, build, start a real Kafka broker
# (KRaft, from Maven Central jars) on a free port, run every test file with node's test runner,
# stop the broker. Integration tests find the broker through KB_TEST_BOOTSTRAP; a test that needs
# a service it cannot find fails, it never skips. The broker also has secured listeners
# (kafka.sh --sasl --tls, certificates made per run by test/infra/tls/gen-certs.sh):
# KB_TEST_SASL_BOOTSTRAP, KB_TEST_SSL_BOOTSTRAP, KB_TEST_SASL_SSL_BOOTSTRAP, KB_TEST_MTLS_BOOTSTRAP,
# and KB_TEST_TLS_DIR (CA, client certificate and keys). Object-store emulators run beside it
# (test/infra/stores.sh): KB_TEST_S3_*, KB_TEST_AZURE_*, KB_TEST_GCS_ENDPOINT, KB_TEST_TOXIPROXY.
#
#   test/run.sh                 everything
#   test/run.sh dist/test/x     only the *.test.js files under these compiled folders (after the build)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash test/infra/setup.sh
RUN_DIR="$(mktemp -d "${TMPDIR:-/tmp}/kafka-backup-test.XXXXXX")"
stop() {
  KB_RUN_DIR="$RUN_DIR" bash test/infra/kafka.sh stop >/dev/null 2>&1 || true
  bash test/infra/stores.sh stop --dir "$RUN_DIR/stores" >/dev/null 2>&1 || true
  rm -rf "$RUN_DIR"
}
trap stop EXIT

# The certificates (~1 s, mostly keytool's JVM) are made while tsc runs.
bash test/infra/tls/gen-certs.sh "$RUN_DIR/tls" 2>"$RUN_DIR/gen-certs.log" &
certs_pid=$!
npm run --silent build
wait "$certs_pid" || { cat "$RUN_DIR/gen-certs.log" >&2; echo "test/run.sh: gen-certs.sh failed" >&2; exit 1; }

# A run of 6 consecutive ports that can all be bound now (broker, controller, 4 secured
# listeners), below the kernel's ephemeral range so no outgoing connection holds one of them.
port_run() {
  node -e '
    const net = require("net");
    const tryBase = (left) => {
      const base = 20000 + Math.floor(Math.random() * 12000);
      const servers = [];
      const next = (i) => {
        if (i === 6) { servers.forEach((s) => s.close()); console.log(base); return; }
        const s = net.createServer().once("error", () => { servers.forEach((x) => x.close()); left > 0 ? tryBase(left - 1) : process.exit(1); })
          .listen(base + i, "127.0.0.1", () => { servers.push(s); next(i + 1); });
      };
      next(0);
    };
    tryBase(50);'
}

export KB_TEST_BOOTSTRAP=""
for attempt in 1 2 3; do
  PORT="$(port_run)" || { echo "test/run.sh: no free run of 6 ports found" >&2; exit 1; }
  if KB_TEST_BOOTSTRAP="$(KB_RUN_DIR="$RUN_DIR" bash test/infra/kafka.sh start --port "$PORT" --fresh \
    --sasl --tls "$RUN_DIR/tls" \
    --prop broker.session.timeout.ms=3000 --prop broker.heartbeat.interval.ms=500 --prop log.cleaner.backoff.ms=500)"; then
    break
  fi
  echo "test/run.sh: broker start failed (attempt $attempt); trying other ports" >&2
  KB_RUN_DIR="$RUN_DIR" bash test/infra/kafka.sh stop >/dev/null 2>&1 || true
done
[ -n "$KB_TEST_BOOTSTRAP" ] || { echo "test/run.sh: the Kafka broker did not start" >&2; exit 1; }
export KB_TEST_RUN_DIR="$RUN_DIR" KB_TEST_TLS_DIR="$RUN_DIR/tls"
# kafka.sh writes the secured listeners as SASL=, SSL=, SASL_SSL=, MTLS= lines.
while IFS='=' read -r name addr; do
  case "$name" in SASL|SSL|SASL_SSL|MTLS) export "KB_TEST_${name}_BOOTSTRAP=$addr";; esac
done < "$RUN_DIR/kafka/listeners.env"
echo "test/run.sh: Kafka broker at $KB_TEST_BOOTSTRAP (SASL $KB_TEST_SASL_BOOTSTRAP, SSL $KB_TEST_SSL_BOOTSTRAP," \
  "SASL_SSL $KB_TEST_SASL_SSL_BOOTSTRAP, mTLS $KB_TEST_MTLS_BOOTSTRAP)" >&2

# Object stores (MinIO, Azurite, fake-gcs-server, toxiproxy) for the storage-backend suites:
# stores.sh writes KB_TEST_S3_*, KB_TEST_AZURE_*, KB_TEST_GCS_ENDPOINT and KB_TEST_TOXIPROXY.
bash test/infra/stores.sh start --dir "$RUN_DIR/stores" >/dev/null
set -a
# shellcheck disable=SC1091
. "$RUN_DIR/stores/stores.env"
set +a
echo "test/run.sh: object stores S3 $KB_TEST_S3_ENDPOINT, Azure $KB_TEST_AZURE_ENDPOINT, GCS $KB_TEST_GCS_ENDPOINT" >&2

# Only *.test.js files: node 20 would run every file under a folder named "test" (helpers,
# suites, benchmarks) if given the folder.
mapfile -t files < <(find "${@:-dist/test}" -name '*.test.js' | sort)
node --test "${files[@]}"
