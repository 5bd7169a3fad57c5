#!/usr/bin/env bash
# Idempotent installer for the kafka-backup test infrastructure.
#
#   test/infra/setup.sh
#
# Safe to run repeatedly; when everything is present it only does a few stat() calls.
#   1. kcat (Debian package) - apt-get update only when the package is not known / install failed
#      (also java 17, maven, openssl and keytool if missing)
#   2. Kafka jars from Maven Central via test/infra/kafka/pom.xml into
#      ${KB_CACHE:-$HOME/.cache/kafka-backup}/kafka/<KB_KAFKA_VERSION>/libs   (outside the repo)
#      A marker file (libs/.complete) is written only after a successful fetch, so a
#      half-finished download is redone.
#   3. npm ci when node_modules is missing or package-lock.json is newer than
#      node_modules/.package-lock.json
#
# Env: KB_KAFKA_VERSION (default 4.3.1; 3.9.x uses the pom's kafka39 profile), KB_CACHE,
#      KB_MVN_ARGS (extra mvn arguments, e.g. -Dmaven.repo.local=...).
# Progress goes to stderr. Exits non-zero with a message on failure.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
KAFKA_VERSION="${KB_KAFKA_VERSION:-4.3.1}"
CACHE="${KB_CACHE:-$HOME/.cache/kafka-backup}"
KAFKA_HOME="$CACHE/kafka/$KAFKA_VERSION"
LIBS="$KAFKA_HOME/libs"
MARKER="$LIBS/.complete"
POM="$REPO_ROOT/test/infra/kafka/pom.xml"
DEP_PLUGIN="org.apache.maven.plugins:maven-dependency-plugin:3.8.1"

log() { printf 'setup: %s\n' "$*" >&2; }
die() { printf 'setup: ERROR: %s\n' "$*" >&2; exit 1; }

APT_UPDATED=0
apt_update() {
  if [ "$APT_UPDATED" = 0 ]; then
    log "apt-get update"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 || die "apt-get update failed"
    APT_UPDATED=1
  fi
}

# apt_install PKG...: installs, running apt-get update first only if a package has no
# install candidate, and once more (after update) if the first install attempt fails.
apt_install() {
  command -v apt-get >/dev/null 2>&1 || die "apt-get not found; install $* by hand"
  local p
  for p in "$@"; do
    # capture first: `apt-cache ... | grep -q` under pipefail fails on SIGPIPE
    local pol
    pol="$(apt-cache policy "$p" 2>/dev/null || true)"
    if ! grep -q 'Candidate: [0-9]' <<<"$pol"; then
      apt_update
      break
    fi
  done
  log "apt-get install -y $*"
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2; then
    if [ "$APT_UPDATED" = 0 ]; then
      apt_update
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2 || die "apt-get install $* failed"
    else
      die "apt-get install $* failed"
    fi
  fi
}

# --- 1. system tools -----------------------------------------------------------------
if command -v kcat >/dev/null 2>&1; then
  log "kcat present ($(command -v kcat))"
else
  apt_install kcat
  command -v kcat >/dev/null 2>&1 || die "kcat still missing after apt-get install"
fi

if ! command -v java >/dev/null 2>&1; then
  apt_install openjdk-17-jre-headless
fi
java_major="$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')"
case "$java_major" in
  1.*|9|1[0-6]) die "Java 17+ required for Kafka 4.x (found java.specification.version=$java_major)";;
esac

# openssl and keytool (part of the JDK) make the test broker's throwaway certificates
# (test/infra/tls/gen-certs.sh).
command -v openssl >/dev/null 2>&1 || apt_install openssl
command -v keytool >/dev/null 2>&1 || apt_install openjdk-17-jre-headless
command -v keytool >/dev/null 2>&1 || die "keytool still missing (it comes with the JDK: openjdk-17-jre-headless)"

# --- 2. Kafka jars -------------------------------------------------------------------
if [ -f "$MARKER" ]; then
  log "kafka $KAFKA_VERSION jars present ($LIBS)"
else
  if ! command -v mvn >/dev/null 2>&1; then
    apt_install maven
  fi
  [ -f "$POM" ] || die "missing $POM"
  profile=()
  case "$KAFKA_VERSION" in
    3.*) profile=(-Pkafka39);;
  esac
  log "fetching kafka $KAFKA_VERSION jars into $LIBS (mvn copy-dependencies)"
  rm -rf "$LIBS"
  mkdir -p "$LIBS"
  start=$(date +%s)
  mvn_log="$(mktemp)"
  if ! mvn -B -q -Dstyle.color=never -f "$POM" "${profile[@]}" "-Dkafka.version=$KAFKA_VERSION" \
        ${KB_MVN_ARGS:-} "$DEP_PLUGIN:copy-dependencies" \
        -DincludeScope=runtime -DoutputDirectory="$LIBS" >"$mvn_log" 2>&1; then
    sed 's/\x1b\[[0-9;]*m//g' "$mvn_log" | tail -n 40 >&2
    rm -f "$mvn_log"
    rm -rf "$LIBS"
    die "mvn copy-dependencies failed for kafka $KAFKA_VERSION (does org.apache.kafka:kafka_2.13:$KAFKA_VERSION exist on Maven Central?)"
  fi
  rm -f "$mvn_log"
  # sanity: broker + tools + a log binding must be there
  for j in "kafka_2.13-$KAFKA_VERSION.jar" "kafka-tools-$KAFKA_VERSION.jar" "kafka-clients-$KAFKA_VERSION.jar"; do
    [ -f "$LIBS/$j" ] || die "mvn finished but $LIBS/$j is missing"
  done
  printf 'kafka=%s\nfetched=%s\njars=%s\n' "$KAFKA_VERSION" "$(date -u +%FT%TZ)" \
    "$(find "$LIBS" -name '*.jar' | wc -l)" > "$MARKER"
  log "kafka $KAFKA_VERSION jars fetched in $(( $(date +%s) - start ))s ($(du -sh "$LIBS" | cut -f1))"
fi

# --- 3. node modules -----------------------------------------------------------------
if [ -f "$REPO_ROOT/package-lock.json" ]; then
  if [ ! -d "$REPO_ROOT/node_modules" ] || [ ! -f "$REPO_ROOT/node_modules/.package-lock.json" ] \
     || [ "$REPO_ROOT/package-lock.json" -nt "$REPO_ROOT/node_modules/.package-lock.json" ]; then
    command -v npm >/dev/null 2>&1 || die "npm not found"
    log "npm ci"
    (cd "$REPO_ROOT" && npm ci --no-audit --no-fund >&2) || die "npm ci failed"
  else
    log "node_modules up to date"
  fi
else
  log "no package-lock.json; skipping npm ci"
fi

# --- 4. independent checker (test/infra/checker): Python venv with confluent-kafka --------
# Outside the repo: ${KB_CACHE:-$HOME/.cache/kafka-backup}/venv. The venv keeps a copy of the
# requirements it was built from (.requirements.txt, written only after pip succeeded); when that
# copy equals test/infra/checker/requirements.txt and the venv's python runs, nothing is done.
CHECKER_REQ="$REPO_ROOT/test/infra/checker/requirements.txt"
CHECKER_VENV="$CACHE/venv"
if [ -f "$CHECKER_REQ" ]; then
  if [ -x "$CHECKER_VENV/bin/python" ] && cmp -s "$CHECKER_REQ" "$CHECKER_VENV/.requirements.txt"; then
    log "checker venv up to date ($CHECKER_VENV)"
  else
    command -v python3 >/dev/null 2>&1 || apt_install python3 python3-venv
    log "creating checker venv $CHECKER_VENV ($(tr '\n' ' ' < "$CHECKER_REQ"))"
    rm -rf "$CHECKER_VENV"
    if ! python3 -m venv "$CHECKER_VENV" >&2; then
      apt_install python3-venv
      rm -rf "$CHECKER_VENV"
      python3 -m venv "$CHECKER_VENV" >&2 || die "python3 -m venv $CHECKER_VENV failed"
    fi
    "$CHECKER_VENV/bin/pip" install -q --disable-pip-version-check -r "$CHECKER_REQ" >&2 \
      || { rm -rf "$CHECKER_VENV"; die "pip install -r $CHECKER_REQ failed"; }
    cp "$CHECKER_REQ" "$CHECKER_VENV/.requirements.txt"
  fi
fi
# --- end of 4 ------------------------------------------------------------------------------

# --- 5. object-store emulators + toxiproxy (for test/infra/stores.sh) ----------------------
# Go servers built with `go install` (module proxy) into ${KB_CACHE:-$HOME/.cache/kafka-backup}/bin.
# Each binary has a marker bin/.<name>.version holding the module@version it was built from; a
# binary whose marker matches is not rebuilt. Builds go to a temp dir first, so an interrupted
# build never leaves a binary behind. GOMODCACHE/GOCACHE stay at go's defaults (outside the repo).
# Azurite (Azure Blob) is the npm devDependency azurite@3.35.0, installed by step 3.
# MinIO: the Go proxy refuses RELEASE.2025-10-15T17-29-55Z (and its pseudo-version) with
# "403 not available"; it serves only the final master commit (repo archived 2026-02), pinned here.
# KB_SKIP_STORES=1 skips this step (the first build costs ~10+ min on 2 busy cores, see docs/testing.md).
STORES_BIN="$CACHE/bin"
STORES_GO_TOOLS=(
  "minio github.com/minio/minio@v0.0.0-20260212201848-7aac2a2c5b7c"
  "fake-gcs-server github.com/fsouza/fake-gcs-server@v1.55.1"
  "toxiproxy-server github.com/Shopify/toxiproxy/v2/cmd/server@v2.12.0"
)
stores_go_install() { # NAME MODULE@VERSION
  local name="$1" pkg="$2" marker="$STORES_BIN/.$1.version" tmp start built
  if [ -x "$STORES_BIN/$name" ] && [ "$(cat "$marker" 2>/dev/null)" = "$pkg" ]; then
    log "$name present ($pkg)"
    return
  fi
  command -v go >/dev/null 2>&1 || die "go not found (needed to build $name); install Go >= 1.25"
  mkdir -p "$STORES_BIN"
  tmp="$(mktemp -d "$STORES_BIN/.build.XXXXXX")"
  log "go install $pkg -> $STORES_BIN/$name"
  start=$(date +%s)
  if ! GOBIN="$tmp" GOTOOLCHAIN=local CGO_ENABLED=0 go install "$pkg" >&2; then
    rm -rf "$tmp"
    die "go install $pkg failed"
  fi
  built="$(find "$tmp" -maxdepth 1 -type f -perm -u+x | head -n 1)"
  [ -n "$built" ] || { rm -rf "$tmp"; die "go install $pkg produced no binary"; }
  mv -f "$built" "$STORES_BIN/$name"
  rm -rf "$tmp"
  printf '%s\n' "$pkg" > "$marker"
  log "$name built in $(( $(date +%s) - start ))s ($(du -sh "$STORES_BIN/$name" | cut -f1))"
}
if [ "${KB_SKIP_STORES:-0}" = 1 ]; then
  log "KB_SKIP_STORES=1: object-store emulators not checked"
else
  command -v curl >/dev/null 2>&1 || apt_install curl
  for t in "${STORES_GO_TOOLS[@]}"; do
    stores_go_install "${t%% *}" "${t#* }"
  done
  [ -x "$REPO_ROOT/node_modules/.bin/azurite-blob" ] || log "WARNING: node_modules/.bin/azurite-blob missing (npm ci)"
fi
# --- end of 5 ------------------------------------------------------------------------------

log "done"
