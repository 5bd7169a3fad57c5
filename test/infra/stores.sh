#!/usr/bin/env bash
# Object-store emulators (and toxiproxy) for the storage-backend tests, started from the binaries
# that test/infra/setup.sh installs. No Docker. Everything binds to 127.0.0.1 on free ports.
#
#   test/infra/stores.sh start [--dir DIR] [--only s3,azure,gcs,toxiproxy]
#       Starts the named services (default: all four) in the background, waits until each answers
#       (timeout KB_STORES_START_TIMEOUT, default 60 s) and writes DIR/stores.env with shell
#       exports for every service running in DIR; the same lines go to stdout, so
#       `eval "$(test/infra/stores.sh start)"` works. A service already running in DIR is kept.
#         s3         MinIO       KB_TEST_S3_ENDPOINT, KB_TEST_S3_ACCESS_KEY, KB_TEST_S3_SECRET_KEY,
#                                KB_TEST_S3_REGION              (data in DIR/minio)
#         azure      Azurite     KB_TEST_AZURE_CONNECTION_STRING, KB_TEST_AZURE_ENDPOINT
#                                (blob service only, account devstoreaccount1, data in DIR/azurite)
#         gcs        fake-gcs-server  KB_TEST_GCS_ENDPOINT      (in-memory backend)
#         toxiproxy  toxiproxy-server KB_TEST_TOXIPROXY         (HTTP API; no proxies defined)
#       Per service: DIR/<name>.pid, DIR/<name>.port, DIR/<name>.env, log DIR/<name>.log.
#   test/infra/stores.sh stop [--dir DIR] [--only ...]
#       Stops only the recorded pids (SIGTERM, SIGKILL after 10 s) and rewrites DIR/stores.env
#       (removed when nothing is left running).
#       Data directories are kept; `rm -rf DIR` after stop for a clean slate.
#
# Env: KB_RUN_DIR (DIR defaults to ${KB_RUN_DIR:-/tmp/kafka-backup-test}/stores),
#      KB_CACHE (binaries in ${KB_CACHE:-$HOME/.cache/kafka-backup}/bin), KB_STORES_START_TIMEOUT.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BIN="${KB_CACHE:-$HOME/.cache/kafka-backup}/bin"
AZURITE="$REPO_ROOT/node_modules/.bin/azurite-blob"
DEFAULT_DIR="${KB_RUN_DIR:-/tmp/kafka-backup-test}/stores"
START_TIMEOUT="${KB_STORES_START_TIMEOUT:-60}"
STOP_TIMEOUT=10
ALL=(s3 azure gcs toxiproxy)
S3_USER=minioadmin
S3_SECRET=minioadmin
# Azurite's well-known development account (public, documented in Azurite's README).
AZ_ACCOUNT=devstoreaccount1
AZ_KEY='Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='

log() { printf 'stores.sh: %s\n' "$*" >&2; }
die() { printf 'stores.sh: ERROR: %s\n' "$*" >&2; exit 1; }
usage() { sed -n '2,24p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }

# A zombie (exited child not yet reaped) still answers kill -0: read its state instead.
pid_alive() {
  [ -n "$1" ] && kill -0 "$1" 2>/dev/null || return 1
  local st; st="$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$1/status" 2>/dev/null || true)"
  [ "$st" != Z ]
}

# The pid recorded for a service is ours only while its command line names the service's program
# and its port (guards against pid reuse).
pid_is_ours() { # $1 pid, $2 service, $3 port
  pid_alive "$1" || return 1
  [ -r "/proc/$1/cmdline" ] || return 0
  local cmd; cmd="$(tr '\0' ' ' <"/proc/$1/cmdline")"
  [[ "$cmd" == *"$(program "$2")"* && "$cmd" == *"$3"* ]]
}

program() {
  case "$1" in
    s3) echo minio;; azure) echo azurite-blob;; gcs) echo fake-gcs-server;; toxiproxy) echo toxiproxy-server;;
  esac
}

# free_ports N: N distinct ports that were free a moment ago (all held open together, then released).
free_ports() {
  node -e 'const net=require("net");const n=+process.argv[1];const ss=[];let k=0;
    for(let i=0;i<n;i++){const s=net.createServer();ss.push(s);s.listen(0,"127.0.0.1",()=>{if(++k===n){
      console.log(ss.map(x=>x.address().port).join(" "));ss.forEach(x=>x.close());}});}' "$1"
}

require_program() { # $1 service
  local p
  if [ "$1" = azure ]; then p="$AZURITE"; else p="$BIN/$(program "$1")"; fi
  [ -x "$p" ] || die "$p not found; run test/infra/setup.sh"
}

# launch SERVICE DIR PORT [PORT2]: starts the server in its own session (it outlives this shell;
# stop it with `stores.sh stop`), records its pid and port. MinIO also binds a console on PORT2.
launch() {
  local svc="$1" dir="$2" port="$3" port2="${4:-}" out="$2/$1.log"
  [ -f "$out" ] && mv -f "$out" "$out.1"
  case "$svc" in
    s3)
      mkdir -p "$dir/minio"
      MINIO_ROOT_USER="$S3_USER" MINIO_ROOT_PASSWORD="$S3_SECRET" MINIO_BROWSER=off MINIO_UPDATE=off \
        setsid "$BIN/minio" server --quiet --address "127.0.0.1:$port" \
        --console-address "127.0.0.1:${port2:?}" "$dir/minio" </dev/null >"$out" 2>&1 &;;
    azure)
      mkdir -p "$dir/azurite"
      setsid "$AZURITE" --blobHost 127.0.0.1 --blobPort "$port" --location "$dir/azurite" \
        --silent --loose --skipApiVersionCheck --disableTelemetry </dev/null >"$out" 2>&1 &;;
    gcs)
      setsid "$BIN/fake-gcs-server" -scheme http -host 127.0.0.1 -port "$port" \
        -external-url "http://127.0.0.1:$port" -backend memory -log-level warn </dev/null >"$out" 2>&1 &;;
    toxiproxy)
      LOG_LEVEL=warn setsid "$BIN/toxiproxy-server" -host 127.0.0.1 -port "$port" </dev/null >"$out" 2>&1 &;;
  esac
  printf '%s\n' "$!" > "$dir/$svc.pid"
  printf '%s\n' "$port" > "$dir/$svc.port"
}

# ready SERVICE PORT: 0 once the server answers its readiness request.
ready() {
  local url code
  case "$1" in
    s3) curl -sf -m 2 -o /dev/null "http://127.0.0.1:$2/minio/health/live";;
    gcs) curl -sf -m 2 -o /dev/null "http://127.0.0.1:$2/storage/v1/b";;
    toxiproxy) curl -sf -m 2 -o /dev/null "http://127.0.0.1:$2/version";;
    azure)
      # TCP accept, then any HTTP answer (an unauthenticated list is refused with 403: fine).
      (exec 3<>"/dev/tcp/127.0.0.1/$2") 2>/dev/null || return 1
      url="http://127.0.0.1:$2/$AZ_ACCOUNT?comp=list"
      code="$(curl -s -m 2 -o /dev/null -w '%{http_code}' "$url" || true)"
      [ -n "$code" ] && [ "$code" != 000 ];;
  esac
}

env_lines() { # $1 service, $2 port
  local u="http://127.0.0.1:$2"
  case "$1" in
    s3) printf "export KB_TEST_S3_ENDPOINT=%s\nexport KB_TEST_S3_ACCESS_KEY=%s\nexport KB_TEST_S3_SECRET_KEY=%s\nexport KB_TEST_S3_REGION=us-east-1\n" \
          "$u" "$S3_USER" "$S3_SECRET";;
    azure)
      printf "export KB_TEST_AZURE_CONNECTION_STRING='%s'\nexport KB_TEST_AZURE_ENDPOINT=%s\n" \
        "DefaultEndpointsProtocol=http;AccountName=$AZ_ACCOUNT;AccountKey=$AZ_KEY;BlobEndpoint=$u/$AZ_ACCOUNT;" \
        "$u/$AZ_ACCOUNT";;
    gcs) printf 'export KB_TEST_GCS_ENDPOINT=%s\n' "$u";;
    toxiproxy) printf 'export KB_TEST_TOXIPROXY=%s\n' "$u";;
  esac
}

stop_service() { # $1 service, $2 dir; returns 1 if the process survived SIGKILL
  local svc="$1" dir="$2" pid port i
  pid="$(cat "$dir/$svc.pid" 2>/dev/null || true)"
  port="$(cat "$dir/$svc.port" 2>/dev/null || true)"
  if [ -n "$pid" ] && pid_is_ours "$pid" "$svc" "$port"; then
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < STOP_TIMEOUT * 10; i++)); do pid_alive "$pid" || break; sleep 0.1; done
    if pid_alive "$pid"; then
      log "$svc (pid $pid) still alive after ${STOP_TIMEOUT}s; SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      for ((i = 0; i < 50; i++)); do pid_alive "$pid" || break; sleep 0.1; done
    fi
    wait "$pid" 2>/dev/null || true
    pid_alive "$pid" && return 1
    log "$svc stopped (pid $pid)"
  elif [ -n "$pid" ]; then
    log "$svc: recorded pid $pid is not running (stale files removed)"
  fi
  rm -f "$dir/$svc.pid" "$dir/$svc.port" "$dir/$svc.env"
}

write_env() { # $1 dir: stores.env = the env lines of every service running in DIR
  local svc
  : > "$1/stores.env.tmp"
  for svc in "${ALL[@]}"; do
    [ -f "$1/$svc.env" ] && cat "$1/$svc.env" >> "$1/stores.env.tmp"
  done
  mv -f "$1/stores.env.tmp" "$1/stores.env"
}

parse_dir_only() { # sets DIR and ONLY from the arguments
  DIR="$DEFAULT_DIR"; ONLY=("${ALL[@]}")
  while [ $# -gt 0 ]; do
    case "$1" in
      --dir) DIR="${2:?--dir needs a value}"; shift 2;;
      --dir=*) DIR="${1#--dir=}"; shift;;
      --only) IFS=, read -r -a ONLY <<<"${2:?--only needs a value}"; shift 2;;
      --only=*) IFS=, read -r -a ONLY <<<"${1#--only=}"; shift;;
      -h|--help) usage;;
      *) die "unknown argument '$1'";;
    esac
  done
  local s
  for s in "${ONLY[@]}"; do
    case "$s" in s3|azure|gcs|toxiproxy) ;; *) die "unknown service '$s' (s3, azure, gcs, toxiproxy)";; esac
  done
}

cmd_start() {
  parse_dir_only "$@"
  mkdir -p "$DIR"; DIR="$(cd "$DIR" && pwd)"
  command -v curl >/dev/null 2>&1 || die "curl not found; run test/infra/setup.sh"
  local svc pid port todo=()
  for svc in "${ONLY[@]}"; do
    require_program "$svc"
    pid="$(cat "$DIR/$svc.pid" 2>/dev/null || true)"
    port="$(cat "$DIR/$svc.port" 2>/dev/null || true)"
    if [ -n "$pid" ] && pid_is_ours "$pid" "$svc" "$port" && ready "$svc" "$port"; then
      log "$svc already running (pid $pid, port $port)"
      continue
    fi
    stop_service "$svc" "$DIR" || die "could not stop the old $svc (pid $pid)"
    todo+=("$svc")
  done

  # Launch everything first, then wait: the servers start in parallel. A server that dies during
  # startup (e.g. its port was taken between free_port and bind) is relaunched on a new port, twice.
  declare -A tries=() started=()
  local ports=() i=0
  [ "${#todo[@]}" -gt 0 ] && read -r -a ports <<<"$(free_ports $(( ${#todo[@]} + 1 )))"
  for svc in "${todo[@]}"; do
    started[$svc]=$(date +%s%N); tries[$svc]=1
    launch "$svc" "$DIR" "${ports[$i]}" "${ports[-1]}"; i=$(( i + 1 ))
  done
  local deadline=$(( $(date +%s) + START_TIMEOUT )) pending=("${todo[@]}") left failed=0
  while [ "${#pending[@]}" -gt 0 ]; do
    left=()
    for svc in "${pending[@]}"; do
      pid="$(cat "$DIR/$svc.pid")"; port="$(cat "$DIR/$svc.port")"
      if ! pid_alive "$pid"; then
        wait "$pid" 2>/dev/null || true
        if [ "${tries[$svc]}" -lt 3 ]; then
          log "$svc exited during startup on port $port; retrying on another port"
          tries[$svc]=$(( tries[$svc] + 1 )); started[$svc]=$(date +%s%N)
          read -r -a ports <<<"$(free_ports 2)"
          launch "$svc" "$DIR" "${ports[0]}" "${ports[1]}"; left+=("$svc"); continue
        fi
        log "$svc exited during startup; last lines of $DIR/$svc.log:"; tail -n 30 "$DIR/$svc.log" >&2 || true
        rm -f "$DIR/$svc.pid" "$DIR/$svc.port"; failed=1; continue
      fi
      if ready "$svc" "$port"; then
        env_lines "$svc" "$port" > "$DIR/$svc.env"
        log "$svc ready on 127.0.0.1:$port in $(( ($(date +%s%N) - started[$svc]) / 1000000 )) ms (pid $pid)"
      else
        left+=("$svc")
      fi
    done
    pending=("${left[@]}")
    [ "${#pending[@]}" -eq 0 ] && break
    if [ "$(date +%s)" -ge "$deadline" ]; then
      for svc in "${pending[@]}"; do
        log "$svc not ready after ${START_TIMEOUT}s; last lines of $DIR/$svc.log:"; tail -n 30 "$DIR/$svc.log" >&2 || true
        stop_service "$svc" "$DIR" || true
      done
      failed=1; break
    fi
    sleep 0.2
  done
  if [ "$failed" = 1 ]; then
    for svc in "${todo[@]}"; do stop_service "$svc" "$DIR" || true; done
    write_env "$DIR"
    die "not all services started (servers this call started were stopped)"
  fi
  write_env "$DIR"
  log "environment in $DIR/stores.env"
  cat "$DIR/stores.env"
}

cmd_stop() {
  parse_dir_only "$@"
  [ -d "$DIR" ] || { log "no run dir $DIR (nothing to stop)"; return 0; }
  local svc rc=0
  for svc in "${ONLY[@]}"; do
    if [ -f "$DIR/$svc.pid" ]; then stop_service "$svc" "$DIR" || { log "$svc survived SIGKILL"; rc=1; }; fi
  done
  write_env "$DIR"
  [ -s "$DIR/stores.env" ] || rm -f "$DIR/stores.env"
  return "$rc"
}

case "${1:-}" in
  start) shift; cmd_start "$@";;
  stop) shift; cmd_stop "$@";;
  *) usage;;
esac
