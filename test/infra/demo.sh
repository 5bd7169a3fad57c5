#!/usr/bin/env bash
# The main job, end to end, on a fresh machine (`npm run demo`): install what is missing, build,
# start a local Kafka broker, put sample data in it, back it up to a local directory, restore it
# into a new topic, show `status`, and check with kcat (an independent client) that the restored
# topic holds exactly the source's records. Stops the broker at the end; the backup stays in
# $KB_DEMO_DIR (default /tmp/kafka-backup-demo).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

# The demo needs Kafka and kcat only: skip building the object-store emulators the tests use.
KB_SKIP_STORES=1 bash test/infra/setup.sh
npm run --silent build

DEMO="${KB_DEMO_DIR:-/tmp/kafka-backup-demo}"
rm -rf "$DEMO" && mkdir -p "$DEMO"
PORT="${KB_DEMO_PORT:-29192}"
stop() { KB_RUN_DIR="$DEMO/run" bash test/infra/kafka.sh stop >/dev/null 2>&1 || true; }
trap stop EXIT
BROKER="$(KB_RUN_DIR="$DEMO/run" bash test/infra/kafka.sh start --port "$PORT" --fresh)"
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
kb() { node bin/kafka-backup.js "$@"; }

say "Sample data: topic demo-orders, 3 partitions, 20,000 records with keys and headers"
bash test/infra/kafka.sh tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$BROKER" \
  --create --topic demo-orders --partitions 3 --replication-factor 1 >/dev/null
seq 1 20000 | awk '{ printf "order-%d:{\"id\":%d,\"amount\":%d,\"currency\":\"EUR\"}\n", $1 % 5000, $1, ($1 * 37) % 1000 }' |
  kcat -P -b "$BROKER" -t demo-orders -K: -H source=demo -H schema=v1 -X topic.partitioner=murmur2_random -X linger.ms=10

cat >"$DEMO/demo.yaml" <<YAML
backup_id: demo
source:
  bootstrap_servers: ["$BROKER"]
  topics:
    include: [demo-orders]
target:
  bootstrap_servers: ["$BROKER"]
storage:
  backend: filesystem
  path: $DEMO/backups
backup:
  compression: zstd
  compression_level: 3
restore:
  topic_mapping:
    demo-orders: demo-orders-restored
YAML

say "kafka-backup backup --config $DEMO/demo.yaml"
kb --log-format pretty backup --config "$DEMO/demo.yaml"
say "kafka-backup restore --config $DEMO/demo.yaml"
kb --log-format pretty restore --config "$DEMO/demo.yaml"
say "kafka-backup status --config $DEMO/demo.yaml"
kb status --config "$DEMO/demo.yaml"

say "Checking with kcat: every record (partition, timestamp, key, value, headers) equal in order"
dump() { kcat -C -b "$BROKER" -t "$1" -o beginning -e -q -f '%p\t%o\t%T\t%k\t%s\t%h\n' | sort -t$'\t' -k1,1n -k2,2n | cut -f1,3-; }
dump demo-orders >"$DEMO/source.tsv"
dump demo-orders-restored >"$DEMO/restored.tsv"
if cmp -s "$DEMO/source.tsv" "$DEMO/restored.tsv"; then
  echo "OK: $(wc -l <"$DEMO/source.tsv") records restored byte-exact into demo-orders-restored"
else
  echo "MISMATCH between demo-orders and demo-orders-restored:" >&2
  diff "$DEMO/source.tsv" "$DEMO/restored.tsv" | head -20 >&2
  exit 1
fi
echo "The backup is in $DEMO/backups (try: node bin/kafka-backup.js status --path $DEMO/backups -b demo)"
