#!/usr/bin/env bash
# Single-node Apache Kafka (KRaft, combined broker+controller) for tests, run from the
# Maven Central jars fetched by test/infra/setup.sh. No Docker, no Kafka distribution.
#
#   test/infra/kafka.sh start [--dir DIR] [--port N] [--fresh] [--prop key=value]... [--sasl] [--tls CERTDIR]
#       Formats storage (kept across restarts; --fresh wipes it first), starts the node in the
#       background (pid in DIR/kafka.pid, log in DIR/kafka.log), waits for readiness
#       ("Kafka Server started" in the log AND `kcat -L` answering) and prints
#       127.0.0.1:<port> on stdout. Broker listener on <port> (default 19092), controller on
#       <port>+1. If the broker recorded in DIR is already running, prints its address.
#       Client security listeners (inter-broker and controller traffic stay PLAINTEXT):
#         --sasl          SASL_PLAINTEXT on <port>+2: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, users
#                         alice / alice-secret and bob / bob-secret (SCRAM credentials are written
#                         at format time), and StandardAuthorizer with allow.everyone.if.no.acl.found:
#                         only resources with ACLs are restricted, and only for bob (everyone else
#                         the tests connect as is a super user; test/infra/tls/listeners.sh)
#         --tls CERTDIR   SSL on <port>+3 and mutual TLS (ssl.client.auth=required) on <port>+5;
#                         with --sasl also SASL_SSL on <port>+4. CERTDIR is made by
#                         test/infra/tls/gen-certs.sh (broker.keystore.p12, truststore.p12, store.password)
#       Their addresses go to stderr and to DIR/listeners.env as SASL=, SSL=, SASL_SSL=, MTLS= lines.
#   test/infra/kafka.sh stop [--dir DIR]
#       Stops only the recorded pid: SIGTERM (controlled shutdown), SIGKILL after 20 s.
#   test/infra/kafka.sh tool CLASS ARGS...
#       Runs a Kafka tool main class with the cached jars and WARN-to-stderr logging, e.g.
#       test/infra/kafka.sh tool org.apache.kafka.tools.TopicCommand --bootstrap-server 127.0.0.1:19092 --list
#
# Env:
#   KB_RUN_DIR          default run root, DIR defaults to ${KB_RUN_DIR:-/tmp/kafka-backup-test}/kafka
#   KB_KAFKA_VERSION    jar set to use (default 4.3.1); must have been fetched by setup.sh
#   KB_CACHE            jar cache root (default $HOME/.cache/kafka-backup)
#   KB_KAFKA_START_TIMEOUT  readiness timeout in seconds (default 90)
#   KB_KAFKA_JVM_OPTS   replaces the broker JVM options (default: 512 MiB heap, G1, C1 only)
#   KB_TOOL_JVM_OPTS    replaces the tool JVM options (default: 256 MiB heap, C1 only)
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
KAFKA_VERSION="${KB_KAFKA_VERSION:-4.3.1}"
CACHE="${KB_CACHE:-$HOME/.cache/kafka-backup}"
KAFKA_HOME="$CACHE/kafka/$KAFKA_VERSION"
LIBS="$KAFKA_HOME/libs"
DEFAULT_DIR="${KB_RUN_DIR:-/tmp/kafka-backup-test}/kafka"
START_TIMEOUT="${KB_KAFKA_START_TIMEOUT:-90}"
STOP_TIMEOUT=20
# shellcheck source=tls/listeners.sh
. "$SCRIPT_DIR/tls/listeners.sh"

log() { printf 'kafka.sh: %s\n' "$*" >&2; }
die() { printf 'kafka.sh: ERROR: %s\n' "$*" >&2; exit 1; }

usage() {
  sed -n '2,33p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

require_libs() {
  [ -f "$LIBS/.complete" ] || die "Kafka $KAFKA_VERSION jars not found in $LIBS; run test/infra/setup.sh (KB_KAFKA_VERSION=$KAFKA_VERSION)"
  command -v java >/dev/null 2>&1 || die "java not found; run test/infra/setup.sh"
}

# Logging flags: Kafka 4.x uses Log4j 2 (files in the repo); 3.x uses reload4j (log4j 1.2
# syntax), whose config is generated next to the jar cache.
log_flags() { # $1 = broker|tools
  case "$KAFKA_VERSION" in
    3.*)
      local f="$KAFKA_HOME/log4j-$1.properties"
      if [ ! -f "$f" ]; then
        if [ "$1" = broker ]; then
          printf '%s\n' 'log4j.rootLogger=INFO, stdout' \
            'log4j.appender.stdout=org.apache.log4j.ConsoleAppender' \
            'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout' \
            'log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n' > "$f"
        else
          printf '%s\n' 'log4j.rootLogger=WARN, stderr' \
            'log4j.appender.stderr=org.apache.log4j.ConsoleAppender' \
            'log4j.appender.stderr.Target=System.err' \
            'log4j.appender.stderr.layout=org.apache.log4j.PatternLayout' \
            'log4j.appender.stderr.layout.ConversionPattern=[%d] %p %m (%c)%n' > "$f"
        fi
      fi
      printf '%s\n' "-Dlog4j.configuration=file:$f";;
    *)
      if [ "$1" = broker ]; then
        printf '%s\n' "-Dlog4j2.configurationFile=$SCRIPT_DIR/kafka/log4j2.properties"
      else
        printf '%s\n' "-Dlog4j2.configurationFile=$SCRIPT_DIR/kafka/log4j2-tools.properties"
      fi;;
  esac
}

tool_jvm_opts() {
  if [ -n "${KB_TOOL_JVM_OPTS:-}" ]; then
    # shellcheck disable=SC2086
    printf '%s\n' $KB_TOOL_JVM_OPTS
  else
    printf '%s\n' -Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Djava.awt.headless=true
  fi
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

pid_alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }

# The recorded pid is ours only if it is still a java process whose command line names our
# config file (guards against pid reuse after a crash/reboot).
pid_is_our_broker() { # $1 pid, $2 dir
  pid_alive "$1" || return 1
  [ -r "/proc/$1/cmdline" ] || return 0
  tr '\0' ' ' <"/proc/$1/cmdline" | grep -qF -- "$2/server.properties"
}

random_cluster_id() {
  # Same shape as org.apache.kafka.common.Uuid#toString: 16 random bytes, base64url, no padding;
  # Uuid.randomUuid() never returns ids starting with '-', so avoid those too.
  local id
  while :; do
    id="$(head -c16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
    case "$id" in -*) continue;; esac
    printf '%s\n' "$id"; return
  done
}

cmd_start() {
  local dir="$DEFAULT_DIR" port=19092 fresh=0 props=() sasl=0 tls=
  while [ $# -gt 0 ]; do
    case "$1" in
      --dir) dir="${2:?--dir needs a value}"; shift 2;;
      --dir=*) dir="${1#--dir=}"; shift;;
      --port) port="${2:?--port needs a value}"; shift 2;;
      --port=*) port="${1#--port=}"; shift;;
      --fresh) fresh=1; shift;;
      --sasl) sasl=1; shift;;
      --tls) tls="${2:?--tls needs a directory}"; shift 2;;
      --tls=*) tls="${1#--tls=}"; shift;;
      --prop) props+=("${2:?--prop needs key=value}"); shift 2;;
      --prop=*) props+=("${1#--prop=}"); shift;;
      -h|--help) usage;;
      *) die "start: unknown argument '$1'";;
    esac
  done
  case "$port" in ''|*[!0-9]*) die "--port must be a number";; esac
  [ "$port" -ge 1 ] && [ "$port" -le 65534 ] || die "--port out of range"
  local cport=$((port + 1)) addr="127.0.0.1:$port"
  if [ -n "$tls" ]; then
    [ -d "$tls" ] || die "--tls $tls: not a directory"
    tls="$(cd "$tls" && pwd)"
    sec_check_tls_dir "$tls"
  fi
  sec_plan "$port" "$sasl" "$tls"
  { [ "$sasl" = 0 ] && [ -z "$tls" ]; } || [ "$port" -le 65530 ] || die "--port out of range for --sasl/--tls (needs port+5)"
  require_libs
  command -v kcat >/dev/null 2>&1 || die "kcat not found (readiness check); run test/infra/setup.sh"
  mkdir -p "$dir"
  dir="$(cd "$dir" && pwd)"

  if [ -f "$dir/kafka.pid" ]; then
    local old; old="$(cat "$dir/kafka.pid" 2>/dev/null || true)"
    if pid_is_our_broker "$old" "$dir"; then
      local oldport; oldport="$(cat "$dir/port" 2>/dev/null || true)"
      if [ "$oldport" = "$port" ] && ! grep -qxF "listeners=PLAINTEXT://127.0.0.1:$port$SEC_LISTENERS,CONTROLLER://127.0.0.1:$cport" "$dir/server.properties"; then
        die "the broker (pid $old) in $dir runs with other listeners than --sasl/--tls ask for; stop it first"
      fi
      if [ "$oldport" = "$port" ] && kcat -L -b "$addr" -m 2 -J >/dev/null 2>&1; then
        log "already running (pid $old, $dir)"
        [ -s "$dir/listeners.env" ] && sed 's/^/kafka.sh: /' "$dir/listeners.env" >&2
        printf '%s\n' "$addr"; return 0
      fi
      die "a broker (pid $old, port ${oldport:-?}) is already running with dir $dir; stop it first"
    fi
    rm -f "$dir/kafka.pid"
  fi
  port_in_use "$port" && die "port $port (broker) is already in use on 127.0.0.1"
  port_in_use "$cport" && die "port $cport (controller) is already in use on 127.0.0.1"
  local sp
  for sp in "${SEC_PORTS[@]+"${SEC_PORTS[@]}"}"; do
    port_in_use "${sp% *}" && die "port ${sp% *} (${sp#* }) is already in use on 127.0.0.1"
  done
  rm -f "$dir/listeners.env"

  if [ "$fresh" = 1 ]; then
    rm -rf "$dir/data" "$dir/cluster.id"
  fi
  # A data dir formatted by another Kafka line/cluster id is not reusable: keep id with data.
  if [ ! -s "$dir/cluster.id" ] || [ ! -d "$dir/data" ]; then
    rm -rf "$dir/data"
    random_cluster_id > "$dir/cluster.id"
  fi
  local cid; cid="$(cat "$dir/cluster.id")"

  cat > "$dir/server.properties" <<EOF
# generated by test/infra/kafka.sh start (Kafka $KAFKA_VERSION) - do not edit, regenerated on start
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$cport
listeners=PLAINTEXT://127.0.0.1:$port$SEC_LISTENERS,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port$SEC_LISTENERS,CONTROLLER://127.0.0.1:$cport
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT$SEC_PROTOMAP
log.dirs=$dir/data
num.partitions=1
default.replication.factor=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
num.network.threads=2
num.io.threads=2
log.cleaner.dedupe.buffer.size=1048577
log.cleaner.backoff.ms=1000
EOF
  sec_props "$sasl" "$tls" >> "$dir/server.properties"
  local p
  for p in "${props[@]+"${props[@]}"}"; do
    case "$p" in *=*) printf '%s\n' "$p" >> "$dir/server.properties";; *) die "--prop needs key=value, got '$p'";; esac
  done
  printf '%s\n' "$port" > "$dir/port"

  local tool_log; mapfile -t tool_log < <(log_flags tools)
  local tool_opts; mapfile -t tool_opts < <(tool_jvm_opts)
  # SCRAM credentials can only be added when format really formats; data formatted earlier without
  # them gets them through ConfigCommand once the broker is up (scram_later).
  local scram=() scram_later=0
  if [ "$sasl" = 1 ] && [ ! -f "$dir/data/$SEC_SCRAM_MARKER" ]; then
    if [ -f "$dir/data/meta.properties" ]; then scram_later=1; else mapfile -t scram < <(sec_scram_format_args); fi
  fi
  if ! java "${tool_opts[@]}" "${tool_log[@]}" -cp "$LIBS/*" kafka.tools.StorageTool format \
        -t "$cid" -c "$dir/server.properties" --ignore-formatted "${scram[@]+"${scram[@]}"}" >"$dir/format.log" 2>&1; then
    cat "$dir/format.log" >&2
    die "StorageTool format failed (log above, config $dir/server.properties)"
  fi
  if [ "${#scram[@]}" -gt 0 ]; then : > "$dir/data/$SEC_SCRAM_MARKER"; fi

  local broker_log; mapfile -t broker_log < <(log_flags broker)
  local jvm
  if [ -n "${KB_KAFKA_JVM_OPTS:-}" ]; then
    # shellcheck disable=SC2206
    jvm=($KB_KAFKA_JVM_OPTS)
  else
    jvm=(-Xms256m -Xmx512m -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20
         -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent
         -XX:TieredStopAtLevel=1 -Djava.awt.headless=true)
  fi
  [ -f "$dir/kafka.log" ] && mv -f "$dir/kafka.log" "$dir/kafka.log.1"
  local t0; t0=$(date +%s%N)
  # setsid: own session, so the broker outlives the calling shell and is not hit by its
  # process-group signals; stop it with `kafka.sh stop`.
  setsid java "${jvm[@]}" "${broker_log[@]}" -cp "$LIBS/*" kafka.Kafka "$dir/server.properties" \
    </dev/null >"$dir/kafka.log" 2>&1 &
  local pid=$!
  printf '%s\n' "$pid" > "$dir/kafka.pid"

  local deadline=$(( $(date +%s) + START_TIMEOUT )) started=0
  while :; do
    if ! pid_alive "$pid"; then
      local rc=0; wait "$pid" 2>/dev/null || rc=$?
      rm -f "$dir/kafka.pid"
      log "broker exited during startup (exit $rc); last lines of $dir/kafka.log:"
      tail -n 60 "$dir/kafka.log" >&2 || true
      exit 1
    fi
    if [ "$started" = 0 ] && grep -q 'Kafka Server started' "$dir/kafka.log" 2>/dev/null; then
      started=1
    fi
    if [ "$started" = 1 ] && kcat -L -b "$addr" -m 2 -J >/dev/null 2>&1; then
      break
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      log "broker not ready after ${START_TIMEOUT}s (pid $pid); last lines of $dir/kafka.log:"
      tail -n 60 "$dir/kafka.log" >&2 || true
      stop_pid "$pid" "$dir" || true
      exit 1
    fi
    sleep 0.25
  done
  if [ "$scram_later" = 1 ]; then
    sec_upsert_scram "$addr" || { stop_pid "$pid" "$dir" || true; die "adding SCRAM credentials failed"; }
    : > "$dir/data/$SEC_SCRAM_MARKER"
  fi
  if ! sec_check "$tls"; then
    tail -n 30 "$dir/kafka.log" >&2 || true
    stop_pid "$pid" "$dir" || true
    die "a security listener is not usable (config $dir/server.properties)"
  fi
  if [ "${#SEC_ENV[@]}" -gt 0 ]; then
    printf '%s\n' "${SEC_ENV[@]}" > "$dir/listeners.env"
    sed 's/^/kafka.sh: /' "$dir/listeners.env" >&2
  fi
  local ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  log "Kafka $KAFKA_VERSION ready on $addr in ${ms} ms (pid $pid, dir $dir)"
  printf '%s\n' "$addr"
}

stop_pid() { # $1 pid, $2 dir
  local pid="$1" i
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < STOP_TIMEOUT * 4; i++)); do
    pid_alive "$pid" || break
    sleep 0.25
  done
  if pid_alive "$pid"; then
    log "pid $pid still alive after ${STOP_TIMEOUT}s; SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    for ((i = 0; i < 40; i++)); do pid_alive "$pid" || break; sleep 0.25; done
  fi
  # reap if it is our child (only when called from start)
  wait "$pid" 2>/dev/null || true
  rm -f "$2/kafka.pid"
  ! pid_alive "$pid"
}

cmd_stop() {
  local dir="$DEFAULT_DIR"
  while [ $# -gt 0 ]; do
    case "$1" in
      --dir) dir="${2:?--dir needs a value}"; shift 2;;
      --dir=*) dir="${1#--dir=}"; shift;;
      -h|--help) usage;;
      *) die "stop: unknown argument '$1'";;
    esac
  done
  if [ ! -f "$dir/kafka.pid" ]; then
    log "no broker recorded in $dir (nothing to stop)"
    return 0
  fi
  dir="$(cd "$dir" && pwd)"
  local pid; pid="$(cat "$dir/kafka.pid" 2>/dev/null || true)"
  if ! pid_is_our_broker "$pid" "$dir"; then
    log "recorded pid ${pid:-?} is not running (stale pid file removed)"
    rm -f "$dir/kafka.pid"
    return 0
  fi
  local t0; t0=$(date +%s%N)
  stop_pid "$pid" "$dir" || die "could not stop pid $pid"
  log "stopped pid $pid in $(( ($(date +%s%N) - t0) / 1000000 )) ms"
}

cmd_tool() {
  [ $# -ge 1 ] || die "tool: need a main class, e.g. org.apache.kafka.tools.TopicCommand"
  require_libs
  local cls="$1"; shift
  local tool_log; mapfile -t tool_log < <(log_flags tools)
  local tool_opts; mapfile -t tool_opts < <(tool_jvm_opts)
  exec java "${tool_opts[@]}" "${tool_log[@]}" -cp "$LIBS/*" "$cls" "$@"
}

[ $# -ge 1 ] || usage
sub="$1"; shift
case "$sub" in
  start) cmd_start "$@";;
  stop) cmd_stop "$@";;
  tool) cmd_tool "$@";;
  -h|--help|help) usage;;
  *) die "unknown subcommand '$sub' (start|stop|tool)";;
esac
