#!/usr/bin/env bash
# The whole test suite, as CI runs it: install what is missing, build, start a real Kafka broker
# (KRaft, from Maven Central jars) on a free port, run every test file with node's test runner,
# stop the broker. Integration tests find the broker through KB_TEST_BOOTSTRAP; a test that needs
# a service it cannot find fails, it never skips.
#
#   test/run.sh                 everything
#   test/run.sh dist/test/x     only the *.test.js files under these compiled folders (after the build)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash test/infra/setup.sh
npm run --silent build

RUN_DIR="$(mktemp -d "${TMPDIR:-/tmp}/kafka-backup-test.XXXXXX")"
free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{const p=s.address().port;s.close(()=>console.log(p))})'; }
PORT=""
for _ in 1 2 3 4 5; do
  p="$(free_port)"
  # the controller listens on port+1: it must be free too
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$((p + 1))") 2>/dev/null; then PORT="$p"; break; fi
done
[ -n "$PORT" ] || { echo "test/run.sh: no free port pair found" >&2; exit 1; }

stop() {
  KB_RUN_DIR="$RUN_DIR" bash test/infra/kafka.sh stop >/dev/null 2>&1 || true
  rm -rf "$RUN_DIR"
}
trap stop EXIT

export KB_TEST_BOOTSTRAP
KB_TEST_BOOTSTRAP="$(KB_RUN_DIR="$RUN_DIR" bash test/infra/kafka.sh start --port "$PORT" --fresh \
  --prop broker.session.timeout.ms=3000 --prop broker.heartbeat.interval.ms=500 --prop log.cleaner.backoff.ms=500)"
export KB_TEST_RUN_DIR="$RUN_DIR"
echo "test/run.sh: Kafka broker at $KB_TEST_BOOTSTRAP" >&2

# Only *.test.js files: node 20 would run every file under a folder named "test" (helpers,
# suites, benchmarks) if given the folder.
mapfile -t files < <(find "${@:-dist/test}" -name '*.test.js' | sort)
node --test "${files[@]}"
