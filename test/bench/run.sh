#!/usr/bin/env bash
# kafka-backup throughput and memory benchmark (npm run bench). Not a test: npm test never runs it.
#
#   npm run bench [-- OPTIONS]          or  bash test/bench/run.sh [OPTIONS]
#     --size-mb N          data set per topic in MiB of 1 KiB records (default 1024 = 1 GiB)
#     --partitions LIST    partition layouts, comma-separated (default 1,8)
#     --payload LIST       random (ProducerPerformance's own payload) and/or text (compressible
#                          JSON-like lines via --payload-file), comma-separated (default random)
#     --warmup-mb N        first push N MiB through the fresh broker with the perf tools, not
#                          measured, so its JIT warm-up is not charged to the first step (default 64)
#     --flat-pct N         also back up and restore N% of the data, to compare peak RSS (default
#                          25; 0 skips the memory-flatness runs)
#     --producer-prop K=V  an extra ProducerPerformance property, repeatable, e.g. batch.size=1048576
#                          (default: Kafka's producer defaults plus acks=all linger.ms=5). It also
#                          shapes the loaded topic's batches, which backup and restore copy.
#     --results FILE       JSON lines results file (default /tmp/kafka-backup-bench-<time>.jsonl);
#                          the Markdown report is written next to it as <FILE minus .jsonl>.md
#     --port N             broker port (default: a free one; the controller uses N+1)
#     --cpu-prof           run kafka-backup under node --cpu-prof; profiles and their self-time
#                          summaries go to <results>-profiles/ (slows kafka-backup down a little)
#     --keep               keep the run directory (broker data, backups, logs) afterwards
#   Env: KB_BENCH_SIZE_MB, KB_BENCH_PARTITIONS, KB_BENCH_PAYLOAD, KB_BENCH_FLAT_PCT,
#   KB_BENCH_WARMUP_MB, KB_BENCH_RESULTS set the same defaults. KB_BENCH_KAFKA_JVM_OPTS and
#   KB_BENCH_TOOL_JVM_OPTS replace the JVM options of the broker and of the Kafka perf tools
#   (defaults: those of kafka-server-start.sh and the kafka-*-perf-test.sh scripts, full JIT).
#   KB_KAFKA_VERSION picks the Kafka jars, as in test/infra/kafka.sh.
#
# For each payload and partition layout, on one fresh broker started here (stopped on exit):
#   1. ProducerPerformance loads the topic (acks=all, linger.ms=5): the producer baseline;
#   2. ConsumerPerformance reads it all: the consumer baseline;
#   3. kafka-backup backup (zstd level 1, local directory), then restore into a new topic;
#   4. the same backup and restore on a topic of --flat-pct of the size (memory flatness).
# Every command is timed wall-clock (spawn to exit) with its peak RSS (VmHWM); see
# docs/benchmarks.md for how to read the tables.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

log() { printf 'bench: %s\n' "$*" >&2; }
die() { printf 'bench: ERROR: %s\n' "$*" >&2; exit 1; }
usage() { awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "${BASH_SOURCE[0]}" >&2; exit 2; }

SIZE_MB="${KB_BENCH_SIZE_MB:-1024}"
PARTITIONS="${KB_BENCH_PARTITIONS:-1,8}"
PAYLOADS="${KB_BENCH_PAYLOAD:-random}"
FLAT_PCT="${KB_BENCH_FLAT_PCT:-25}"
WARMUP_MB="${KB_BENCH_WARMUP_MB:-64}"
RESULTS="${KB_BENCH_RESULTS:-/tmp/kafka-backup-bench-$(date -u +%Y%m%d-%H%M%S).jsonl}"
PORT="" CPU_PROF=0 KEEP=0 PRODUCER_PROPS=(acks=all linger.ms=5)
while [ $# -gt 0 ]; do
  case "$1" in
    --size-mb) SIZE_MB="${2:?}"; shift 2;;
    --partitions) PARTITIONS="${2:?}"; shift 2;;
    --payload) PAYLOADS="${2:?}"; shift 2;;
    --flat-pct) FLAT_PCT="${2:?}"; shift 2;;
    --warmup-mb) WARMUP_MB="${2:?}"; shift 2;;
    --producer-prop) PRODUCER_PROPS+=("${2:?}"); shift 2;;
    --results) RESULTS="${2:?}"; shift 2;;
    --port) PORT="${2:?}"; shift 2;;
    --cpu-prof) CPU_PROF=1; shift;;
    --keep) KEEP=1; shift;;
    -h|--help) usage;;
    *) die "unknown argument '$1' (--help lists the options)";;
  esac
done
is_int() { case "$1" in ''|*[!0-9]*) return 1;; esac; }
is_int "$SIZE_MB" && [ "$SIZE_MB" -ge 1 ] || die "--size-mb must be a positive integer"
is_int "$FLAT_PCT" && [ "$FLAT_PCT" -lt 100 ] || die "--flat-pct must be 0..99"
is_int "$WARMUP_MB" || die "--warmup-mb must be an integer"
IFS=, read -r -a PARTITION_LIST <<<"$PARTITIONS"
for p in "${PARTITION_LIST[@]}"; do is_int "$p" && [ "$p" -ge 1 ] || die "--partitions: '$p' is not a partition count"; done
IFS=, read -r -a PAYLOAD_LIST <<<"$PAYLOADS"
for p in "${PRODUCER_PROPS[@]}"; do case "$p" in ?*=*) ;; *) die "--producer-prop: '$p' is not key=value";; esac; done
for p in "${PAYLOAD_LIST[@]}"; do case "$p" in random|text) ;; *) die "--payload: '$p' is not random or text";; esac; done
case "$RESULTS" in *.jsonl) ;; *) die "--results must end in .jsonl";; esac

RECORD_BYTES=1024
RECORDS=$(( SIZE_MB * 1024 * 1024 / RECORD_BYTES ))
FLAT_RECORDS=$(( RECORDS * FLAT_PCT / 100 ))
KAFKA_VERSION="${KB_KAFKA_VERSION:-4.3.1}"
# kafka-server-start.sh's heap and kafka-run-class.sh's performance options (full JIT), so the
# broker is not the C1-only test broker; the perf tools get their scripts' -Xmx512M.
JVM_PERF="-server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true"
export KB_KAFKA_JVM_OPTS="${KB_BENCH_KAFKA_JVM_OPTS:-"-Xms1G -Xmx1G $JVM_PERF"}"
TOOL_JVM="${KB_BENCH_TOOL_JVM_OPTS:-"-Xmx512M $JVM_PERF"}"
# Kafka 4 renamed the perf tools' flags; 3.x only knows the old ones.
case "$KAFKA_VERSION" in
  3.*) NUM_FLAG=--messages PROPS_FLAG=--producer-props;;
  *) NUM_FLAG=--num-records PROPS_FLAG=--command-property;;
esac

RUN_ID="$(date -u +%Y%m%dT%H%M%SZ)"
RUN_DIR="$(mktemp -d "${TMPDIR:-/tmp}/kafka-backup-bench.XXXXXX")"
LOGS="$RUN_DIR/logs"
APP="$RUN_DIR/app"
cleanup() {
  KB_RUN_DIR="$RUN_DIR" bash test/infra/kafka.sh stop >/dev/null 2>&1 || true
  if [ "$KEEP" = 1 ]; then log "run directory kept: $RUN_DIR"; else rm -rf "$RUN_DIR"; fi
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

bash test/infra/setup.sh >&2
# The build (npm run build's tsc) goes to a private copy, not dist/: a rebuild of dist/ by someone
# else during a long run must not swap the code being measured. The copy resolves packages
# through a node_modules link and is ESM through its package.json, like the repo.
mkdir -p "$APP/bin"
npx tsc -p tsconfig.json --outDir "$APP/dist" >&2 || die "build failed (npx tsc -p tsconfig.json)"
cp bin/kafka-backup.js "$APP/bin/" && cp package.json "$APP/" && ln -s "$PWD/node_modules" "$APP/node_modules"
NODE="$(command -v node)"
BENCH=(node "$APP/dist/test/bench/main.js")
PROFILES="${RESULTS%.jsonl}-profiles"
mkdir -p "$LOGS" "$(dirname "$RESULTS")"
[ "$CPU_PROF" = 1 ] && mkdir -p "$PROFILES"

free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{const p=s.address().port;s.close(()=>console.log(p))})'; }
port_taken() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
if [ -z "$PORT" ]; then
  for _ in 1 2 3 4 5; do
    p="$(free_port)"
    if ! port_taken "$((p + 1))"; then PORT="$p"; break; fi
  done
  [ -n "$PORT" ] || die "no free port pair found"
fi
BOOT="$(KB_RUN_DIR="$RUN_DIR" bash test/infra/kafka.sh start --port "$PORT" --fresh)"
log "broker $BOOT (run dir $RUN_DIR), $SIZE_MB MiB = $RECORDS records per topic"

# A measured Kafka perf tool: `env` and kafka.sh both exec, so the measured pid is the JVM.
perf_tool() { printf '%s\0' env "KB_TOOL_JVM_OPTS=$TOOL_JVM" bash test/infra/kafka.sh tool "$@"; }
admin() { bash test/infra/kafka.sh tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$BOOT" "$@" >/dev/null; }

"${BENCH[@]}" meta --results "$RESULTS" --run "$RUN_ID" --size-mb "$SIZE_MB" --partitions "$PARTITIONS" \
  --payloads "$PAYLOADS" --flat-pct "$FLAT_PCT" --record-bytes "$RECORD_BYTES" --kafka-version "$KAFKA_VERSION" \
  --compression "zstd level 1" --producer-props "${PRODUCER_PROPS[*]}" --broker-jvm="$KB_KAFKA_JVM_OPTS" --tool-jvm="$TOOL_JVM"

# step OP PARTITIONS PAYLOAD SIZE_PCT RECORDS NAME -- COMMAND...: one measured command.
step() {
  local op="$1" parts="$2" payload="$3" pct="$4" records="$5" name="$6"; shift 7
  "${BENCH[@]}" step --results "$RESULTS" --run "$RUN_ID" --op "$op" --partitions "$parts" --payload "$payload" \
    --size-pct "$pct" --records "$records" --record-bytes "$RECORD_BYTES" --log-prefix "$LOGS/$name" -- "$@"
}

# kafka_backup NAME backup|restore CONFIG: the command line of one measured kafka-backup run.
kafka_backup_cmd() {
  local name="$1" verb="$2" config="$3" prof=()
  [ "$CPU_PROF" = 1 ] && prof=(--cpu-prof --cpu-prof-dir "$PROFILES" --cpu-prof-name "$name.cpuprofile")
  printf '%s\0' "$NODE" "${prof[@]+"${prof[@]}"}" "$APP/bin/kafka-backup.js" "$verb" --config "$config" --json
}

load_topic() { # TOPIC PARTITIONS PAYLOAD PCT RECORDS: create, then fill it with ProducerPerformance (measured)
  local topic="$1" parts="$2" payload="$3" pct="$4" records="$5" source=(--record-size "$RECORD_BYTES") cmd
  admin --create --topic "$topic" --partitions "$parts" --replication-factor 1
  [ "$payload" = text ] && source=(--payload-file "$RUN_DIR/payload.txt")
  mapfile -d '' -t cmd < <(perf_tool org.apache.kafka.tools.ProducerPerformance --bootstrap-server "$BOOT" \
    --topic "$topic" --num-records "$records" "${source[@]}" --throughput -1 "$PROPS_FLAG" "${PRODUCER_PROPS[@]}")
  step producer-perf "$parts" "$payload" "$pct" "$records" "$topic.producer-perf" -- "${cmd[@]}"
}

backup_and_restore() { # TOPIC PARTITIONS PAYLOAD PCT RECORDS
  local topic="$1" parts="$2" payload="$3" pct="$4" records="$5" cmd
  cat >"$RUN_DIR/$topic.backup.yaml" <<EOF
mode: backup
backup_id: $topic
source:
  bootstrap_servers: "$BOOT"
  topics: { include: ["$topic"] }
storage: { backend: filesystem, path: "$RUN_DIR/backups" }
backup: { compression: zstd, compression_level: 1 }
EOF
  cat >"$RUN_DIR/$topic.restore.yaml" <<EOF
mode: restore
backup_id: $topic
target: { bootstrap_servers: "$BOOT" }
storage: { backend: filesystem, path: "$RUN_DIR/backups" }
restore: { topic_mapping: { "$topic": "$topic-restored" } }
EOF
  mapfile -d '' -t cmd < <(kafka_backup_cmd "$topic.backup" backup "$RUN_DIR/$topic.backup.yaml")
  step backup "$parts" "$payload" "$pct" "$records" "$topic.backup" -- "${cmd[@]}"
  mapfile -d '' -t cmd < <(kafka_backup_cmd "$topic.restore" restore "$RUN_DIR/$topic.restore.yaml")
  step restore "$parts" "$payload" "$pct" "$records" "$topic.restore" -- "${cmd[@]}"
}

if [ "$WARMUP_MB" -gt 0 ]; then
  warm=$(( WARMUP_MB * 1024 * 1024 / RECORD_BYTES ))
  log "warm-up: $WARMUP_MB MiB through the broker (not measured)"
  admin --create --topic bench-warmup --partitions 1 --replication-factor 1
  mapfile -d '' -t cmd < <(perf_tool org.apache.kafka.tools.ProducerPerformance --bootstrap-server "$BOOT" \
    --topic bench-warmup --num-records "$warm" --record-size "$RECORD_BYTES" --throughput -1 "$PROPS_FLAG" "${PRODUCER_PROPS[@]}")
  "${cmd[@]}" >"$LOGS/warmup.producer.log" 2>&1 || die "warm-up produce failed: $LOGS/warmup.producer.log"
  mapfile -d '' -t cmd < <(perf_tool org.apache.kafka.tools.ConsumerPerformance --bootstrap-server "$BOOT" \
    --topic bench-warmup "$NUM_FLAG" "$warm" --timeout 60000)
  "${cmd[@]}" >"$LOGS/warmup.consumer.log" 2>&1 || die "warm-up consume failed: $LOGS/warmup.consumer.log"
  admin --delete --topic bench-warmup
fi

for payload in "${PAYLOAD_LIST[@]}"; do
  [ "$payload" = text ] && "${BENCH[@]}" payload --file "$RUN_DIR/payload.txt" --count 2000 --size "$RECORD_BYTES"
  for parts in "${PARTITION_LIST[@]}"; do
    topic="bench-$payload-p$parts"
    log "--- $topic: $RECORDS records"
    load_topic "$topic" "$parts" "$payload" 100 "$RECORDS"
    mapfile -d '' -t cmd < <(perf_tool org.apache.kafka.tools.ConsumerPerformance --bootstrap-server "$BOOT" \
      --topic "$topic" "$NUM_FLAG" "$RECORDS" --timeout 60000)
    step consumer-perf "$parts" "$payload" 100 "$RECORDS" "$topic.consumer-perf" -- "${cmd[@]}"
    backup_and_restore "$topic" "$parts" "$payload" 100 "$RECORDS"
    topics=("$topic" "$topic-restored")
    if [ "$FLAT_PCT" -gt 0 ] && [ "$FLAT_RECORDS" -gt 0 ]; then
      small="$topic-$FLAT_PCT"
      log "--- $small: $FLAT_RECORDS records (memory flatness)"
      load_topic "$small" "$parts" "$payload" "$FLAT_PCT" "$FLAT_RECORDS"
      backup_and_restore "$small" "$parts" "$payload" "$FLAT_PCT" "$FLAT_RECORDS"
      topics+=("$small" "$small-restored")
    fi
    # Free the disk before the next layout: the data was measured, nothing reads it again.
    for t in "${topics[@]}"; do admin --delete --topic "$t"; done
    rm -rf "$RUN_DIR/backups"
  done
done

REPORT="${RESULTS%.jsonl}.md"
"${BENCH[@]}" report --results "$RESULTS" --run "$RUN_ID" | tee "$REPORT"
if [ "$CPU_PROF" = 1 ]; then
  for f in "$PROFILES"/*.cpuprofile; do "${BENCH[@]}" cpu-top --top 25 "$f" >"${f%.cpuprofile}.top.txt"; done
  log "CPU profiles and self-time summaries (*.top.txt): $PROFILES"
fi
log "results: $RESULTS (JSON lines), report: $REPORT"
