#!/usr/bin/env bash
# The JVM side of bin/shoestring: build the job jar when the sources changed, then run the Java
# CLI (run, generate) on a local Flink classpath; also `test` and `demo`, which chain commands.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
JAR="$ROOT/jobs/target/shoestring-jobs.jar"
CLASSPATH_FILE="$ROOT/jobs/target/local-classpath.txt"

log() { printf 'shoestring: %s\n' "$*" >&2; }

ensure_tools() {
  if ! command -v java >/dev/null || ! command -v mvn >/dev/null; then
    log "installing a JDK and Maven (apt-get)"
    apt-get update -qq && apt-get install -y -qq --no-install-recommends openjdk-17-jdk-headless maven >/dev/null
  fi
}

# Rebuild when any source, SQL script or pom is newer than the jar.
build() {
  ensure_tools
  if [[ -f "$JAR" && -f "$CLASSPATH_FILE" ]] && \
     [[ -z "$(find "$ROOT/pom.xml" "$ROOT/jobs" "$ROOT/udfs" "$ROOT/sql" \
                -newer "$JAR" -type f -not -path '*/target/*' -print -quit)" ]]; then
    return
  fi
  log "building the job jar (mvn package)"
  (cd "$ROOT" && mvn -B -q -DskipTests -pl jobs -am package) || { log "build failed"; exit 1; }
}

# For commands that run Flink locally: the Flink profile and plugins (as a Flink process has),
# the local services' S3 keys from the environment (never from a file we ship), and - unless the
# user gave a config file - a generated one pointing checkpoints and savepoints at the local Ceph.
local_flink_env() {
  export FLINK_CONF_DIR="${FLINK_CONF_DIR:-$ROOT/flink-conf/local}"
  export FLINK_PLUGINS_DIR="${FLINK_PLUGINS_DIR:-$ROOT/jobs/target/flink-plugins}"
  local envs
  if envs="$("$ROOT/bin/shoestring" env 2>/dev/null)"; then
    eval "$envs"
  fi
  local a
  for a in "$@"; do
    case "$a" in -c|--config|--config=*) return 0 ;; esac
  done
  if [[ -n "${SHOESTRING_S3_ENDPOINT:-}" && -n "${SHOESTRING_DATA_DIR:-}" && -d "$SHOESTRING_DATA_DIR" ]]; then
    LOCAL_CONFIG="$SHOESTRING_DATA_DIR/shoestring-local.yaml"
    cat >"$LOCAL_CONFIG" <<YAML
# Written by bin/shoestring for the local services; secrets come from the environment.
s3.endpoint: ${SHOESTRING_S3_ENDPOINT}
checkpoints.dir: s3://${SHOESTRING_S3_BUCKET:-shoestring}/checkpoints
savepoints.dir: s3://${SHOESTRING_S3_BUCKET:-shoestring}/savepoints
YAML
  fi
}

java_cli() {
  build
  local sub="$1"; shift
  LOCAL_CONFIG=""
  local_flink_env "$@"
  exec java ${SHOESTRING_JAVA_OPTS:-} \
    -Dlog4j.configurationFile="$ROOT/flink-conf/local/log4j-console.properties" \
    -cp "$JAR:$(cat "$CLASSPATH_FILE")" dev.shoestring.cli.ShoestringCli "$sub" ${LOCAL_CONFIG:+-c "$LOCAL_CONFIG"} "$@"
}

cmd="${1:-help}"
case "$cmd" in
  run|generate|savepoint|replay)
    java_cli "$@"
    ;;
  test)
    # The one test command of the README and of .ci/run: real services, then every test.
    shift
    ensure_tools
    "$ROOT/bin/shoestring" up
    eval "$("$ROOT/bin/shoestring" env)"
    cd "$ROOT" && exec mvn -B verify "$@"
    ;;
  demo)
    # The newcomer's one command: services, build, then live traffic + all jobs + a live view.
    "$ROOT/bin/shoestring" up
    java_cli "$@"
    ;;
  *)
    log "unknown command '$cmd' (see: bin/shoestring help)"
    exit 2
    ;;
esac
