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
#     --storage LIST       where backup and restore store, comma-separated (default filesystem):
#                          filesystem (a directory in the run dir; always first in the list, it is
#                          the reference) and s3 (MinIO, started by test/infra/stores.sh in the run
#                          dir and stopped on exit). Each storage gets the same backup and restore
#                          of the same topic; with s3, each layout also gets the large-segment memory
#                          step: backup with segment_max_bytes 512MiB, multipart_part_size 5MiB and
#                          max_concurrent_uploads 2, to every storage in the list.
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
#   KB_BENCH_WARMUP_MB, KB_BENCH_STORAGE, KB_BENCH_RESULTS set the same defaults.
#   KB_BENCH_KAFKA_JVM_OPTS and KB_BENCH_TOOL_JVM_OPTS replace the JVM options of the broker and
#   of the Kafka perf tools (defaults: those of kafka-server-start.sh and the
#   kafka-*-perf-test.sh scripts, full JIT).
#   KB_KAFKA_VERSION picks the Kafka jars, as in test/infra/kafka.sh.
#
# For each payload and partition layout, on one fresh broker started here (stopped on exit):
#   1. ProducerPerformance loads the topic (acks=all, linger.ms=5): the producer baseline;
#   2. ConsumerPerformance reads it all: the consumer baseline;
#   3. kafka-backup backup (zstd level 1, local directory), then restore into a new topic;
#      then the same for every other --storage, on the same topic;
#   4. with s3 in --storage: the large-segment backup to every storage (memory);
#   5. the same backup and restore on a topic of --flat-pct of the size (memory flatness,
#      filesystem only).
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
STORAGES="${KB_BENCH_STORAGE:-filesystem}"
RESULTS="${KB_BENCH_RESULTS:-/tmp/kafka-backup-bench-$(date -u +%Y%m%d-%H%M%S).jsonl}"
PORT="" CPU_PROF=0 KEEP=0 PRODUCER_PROPS=(acks=all linger.ms=5)
while [ $# -gt 0 ]; do
  case "$1" in
    --size-mb) SIZE_MB="${2:?}"; shift 2;;
    --partitions) PARTITIONS="${2:?}"; shift 2;;
    --payload) PAYLOADS="${2:?}"; shift 2;;
    --flat-pct) FLAT_PCT="${2:?}"; shift 2;;
    --warmup-mb) WARMUP_MB="${2:?}"; shift 2;;
    --storage) STORAGES="${2:?}"; shift 2;;
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
IFS=, read -r -a STORAGE_LIST <<<"$STORAGES"
for s in "${STORAGE_LIST[@]}"; do case "$s" in filesystem|s3) ;; *) die "--storage: '$s' is not filesystem or s3";; esac; done
[ "${STORAGE_LIST[0]:-}" = filesystem ] || die "--storage: the list must start with filesystem (the reference the others are compared with)"
WITH_S3=0 LARGE_SEGMENT_META=()
for s in "${STORAGE_LIST[@]}"; do [ "$s" = s3 ] && WITH_S3=1; done
# The large-segment memory step: segments far larger than the part size, so a writer that held a
# whole segment would show it; the S3 writer's bound is about part size × (uploads + 1) each.
MIB=$(( 1024 * 1024 ))
LARGE_SEGMENT_BYTES=$(( 512 * MIB )) LARGE_PART_BYTES=$(( 5 * MIB )) LARGE_UPLOADS=2
[ "$WITH_S3" = 1 ] && LARGE_SEGMENT_META=(--large-segment "$LARGE_SEGMENT_BYTES,$LARGE_PART_BYTES,$LARGE_PART_BYTES,$LARGE_UPLOADS")

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
STORES="$RUN_DIR/stores"
BUCKET=kafka-backup-bench
cleanup() {
  KB_RUN_DIR="$RUN_DIR" bash test/infra/kafka.sh stop >/dev/null 2>&1 || true
  if [ -d "$STORES" ]; then bash test/infra/stores.sh stop --dir "$STORES" --only s3 >/dev/null 2>&1 || true; fi
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
if [ "$WITH_S3" = 1 ]; then
  # MinIO's data directory is in the run dir, on the same disk as the filesystem backups.
  bash test/infra/stores.sh start --dir "$STORES" --only s3 >/dev/null || die "MinIO did not start (test/infra/stores.sh)"
  # shellcheck disable=SC1091
  . "$STORES/stores.env"
  "${BENCH[@]}" s3-bucket --name "$BUCKET"
  log "MinIO $KB_TEST_S3_ENDPOINT, bucket $BUCKET"
fi

# A measured Kafka perf tool: `env` and kafka.sh both exec, so the measured pid is the JVM.
perf_tool() { printf '%s\0' env "KB_TOOL_JVM_OPTS=$TOOL_JVM" bash test/infra/kafka.sh tool "$@"; }
admin() { bash test/infra/kafka.sh tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$BOOT" "$@" >/dev/null; }

"${BENCH[@]}" meta --results "$RESULTS" --run "$RUN_ID" --size-mb "$SIZE_MB" --partitions "$PARTITIONS" \
  --payloads "$PAYLOADS" --flat-pct "$FLAT_PCT" --record-bytes "$RECORD_BYTES" --kafka-version "$KAFKA_VERSION" \
  --compression "zstd level 1" --producer-props "${PRODUCER_PROPS[*]}" --broker-jvm="$KB_KAFKA_JVM_OPTS" --tool-jvm="$TOOL_JVM" \
  --storages "$STORAGES" "${LARGE_SEGMENT_META[@]+"${LARGE_SEGMENT_META[@]}"}"

# step OP PARTITIONS PAYLOAD SIZE_PCT RECORDS NAME [STEP OPTIONS...] -- COMMAND...: one measured
# command; STEP OPTIONS (--storage, --variant, --largest-in) go to main.ts's step.
step() {
  local op="$1" parts="$2" payload="$3" pct="$4" records="$5" name="$6" extra=(); shift 6
  while [ "$1" != -- ]; do extra+=("$1"); shift; done; shift
  "${BENCH[@]}" step --results "$RESULTS" --run "$RUN_ID" --op "$op" --partitions "$parts" --payload "$payload" \
    --size-pct "$pct" --records "$records" --record-bytes "$RECORD_BYTES" --log-prefix "$LOGS/$name" \
    "${extra[@]+"${extra[@]}"}" -- "$@"
}

# storage_yaml STORAGE [EXTRA]: the inline storage section of a config; EXTRA is more s3 keys.
storage_yaml() {
  case "$1" in
    filesystem) printf '{ backend: filesystem, path: "%s" }' "$RUN_DIR/backups";;
    s3) printf '{ backend: s3, bucket: %s, prefix: bench, endpoint: "%s", path_style: true, region: %s, access_key_id: "%s", secret_access_key: "%s"%s }' \
          "$BUCKET" "$KB_TEST_S3_ENDPOINT" "$KB_TEST_S3_REGION" "$KB_TEST_S3_ACCESS_KEY" "$KB_TEST_S3_SECRET_KEY" "${2:+, $2}";;
  esac
}
# backup_location STORAGE BACKUP_ID: where a backup's objects are, for main.ts's --largest-in.
backup_location() {
  case "$1" in filesystem) echo "$RUN_DIR/backups/$2";; s3) echo "s3://$BUCKET/bench/$2/";; esac
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

# backup_and_restore TOPIC PARTITIONS PAYLOAD PCT RECORDS [STORAGE]: restores into TOPIC-restored
# (filesystem: the names of runs before --storage) or TOPIC-restored-STORAGE.
backup_and_restore() {
  local topic="$1" parts="$2" payload="$3" pct="$4" records="$5" storage="${6:-filesystem}" cmd name restored opts=()
  name="$topic" restored="$topic-restored"
  if [ "$storage" != filesystem ]; then name="$topic.$storage" restored="$topic-restored-$storage" opts=(--storage "$storage"); fi
  cat >"$RUN_DIR/$name.backup.yaml" <<EOF
mode: backup
backup_id: $topic
source:
  bootstrap_servers: "$BOOT"
  topics: { include: ["$topic"] }
storage: $(storage_yaml "$storage")
backup: { compression: zstd, compression_level: 1 }
EOF
  cat >"$RUN_DIR/$name.restore.yaml" <<EOF
mode: restore
backup_id: $topic
target: { bootstrap_servers: "$BOOT" }
storage: $(storage_yaml "$storage")
restore: { topic_mapping: { "$topic": "$restored" } }
EOF
  mapfile -d '' -t cmd < <(kafka_backup_cmd "$name.backup" backup "$RUN_DIR/$name.backup.yaml")
  step backup "$parts" "$payload" "$pct" "$records" "$name.backup" "${opts[@]+"${opts[@]}"}" -- "${cmd[@]}"
  mapfile -d '' -t cmd < <(kafka_backup_cmd "$name.restore" restore "$RUN_DIR/$name.restore.yaml")
  step restore "$parts" "$payload" "$pct" "$records" "$name.restore" "${opts[@]+"${opts[@]}"}" -- "${cmd[@]}"
}

# large_segment_backup TOPIC PARTITIONS PAYLOAD RECORDS STORAGE: the memory step. Same data and
# compression as the throughput backup; only the segment size (and on s3 the part size and
# upload concurrency) differ. Not restored: it measures the writer's memory.
large_segment_backup() {
  local topic="$1" parts="$2" payload="$3" records="$4" storage="$5" id="$1-large-segment" cmd extra=""
  [ "$storage" = s3 ] && extra="multipart_threshold: $LARGE_PART_BYTES, multipart_part_size: $LARGE_PART_BYTES, max_concurrent_uploads: $LARGE_UPLOADS"
  cat >"$RUN_DIR/$id.$storage.backup.yaml" <<EOF
mode: backup
backup_id: $id
source:
  bootstrap_servers: "$BOOT"
  topics: { include: ["$topic"] }
storage: $(storage_yaml "$storage" "$extra")
backup: { compression: zstd, compression_level: 1, segment_max_bytes: $LARGE_SEGMENT_BYTES }
EOF
  mapfile -d '' -t cmd < <(kafka_backup_cmd "$id.$storage.backup" backup "$RUN_DIR/$id.$storage.backup.yaml")
  step backup "$parts" "$payload" 100 "$records" "$id.$storage.backup" --storage "$storage" --variant large-segment \
    --largest-in "$(backup_location "$storage" "$id")" -- "${cmd[@]}"
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
    topics=("$topic")
    for storage in "${STORAGE_LIST[@]}"; do
      backup_and_restore "$topic" "$parts" "$payload" 100 "$RECORDS" "$storage"
      if [ "$storage" = filesystem ]; then topics+=("$topic-restored"); else topics+=("$topic-restored-$storage"); fi
    done
    if [ "$WITH_S3" = 1 ]; then
      log "--- $topic: large-segment backup (memory) to ${STORAGE_LIST[*]}"
      for storage in "${STORAGE_LIST[@]}"; do large_segment_backup "$topic" "$parts" "$payload" "$RECORDS" "$storage"; done
    fi
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
    if [ "$WITH_S3" = 1 ]; then "${BENCH[@]}" s3-bucket --name "$BUCKET"; fi
  done
done

REPORT="${RESULTS%.jsonl}.md"
"${BENCH[@]}" report --results "$RESULTS" --run "$RUN_ID" | tee "$REPORT"
if [ "$CPU_PROF" = 1 ]; then
  for f in "$PROFILES"/*.cpuprofile; do "${BENCH[@]}" cpu-top --top 25 "$f" >"${f%.cpuprofile}.top.txt"; done
  log "CPU profiles and self-time summaries (*.top.txt): $PROFILES"
fi
log "results: $RESULTS (JSON lines), report: $REPORT"
