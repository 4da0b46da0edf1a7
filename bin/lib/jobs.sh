#!/usr/bin/env bash
# The JVM side of bin/shoestring: build the job jar when the sources changed, then run the Java
# CLI (run, generate) on a local Flink classpath; `sql`, the Flink SQL client; `bench`; also `test` and
# `demo`, which chain commands.
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
  shifted_flink_profile
  local a
  for a in "$@"; do
    case "$a" in -c|--config|--config=*) return 0 ;; esac
  done
  if [[ -n "${SHOESTRING_S3_ENDPOINT:-}" && -n "${SHOESTRING_DATA_DIR:-}" && -d "$SHOESTRING_DATA_DIR" ]]; then
    LOCAL_CONFIG="$SHOESTRING_DATA_DIR/shoestring-local.yaml"
    cat >"$LOCAL_CONFIG" <<YAML
# Written by bin/shoestring for the local services; secrets come from the environment.
kafka.bootstrap-servers: ${SHOESTRING_KAFKA}
postgres.url: ${SHOESTRING_PG_URL}
postgres.user: ${SHOESTRING_PG_USER}
clickhouse.url: ${SHOESTRING_CH_URL}
clickhouse.database: ${SHOESTRING_CH_DATABASE}
s3.endpoint: ${SHOESTRING_S3_ENDPOINT}
checkpoints.dir: s3://${SHOESTRING_S3_BUCKET:-shoestring}/checkpoints
savepoints.dir: s3://${SHOESTRING_S3_BUCKET:-shoestring}/savepoints
YAML
  fi
}

# A second instance of the services (SHOESTRING_PORT_OFFSET, see bin/shoestring up) runs its
# local Flink cluster's REST API on 18081 + offset too: flink-conf/local copied into its data
# folder with that port.
shifted_flink_profile() {
  local offset=${SHOESTRING_PORT_OFFSET:-0} conf
  [[ $offset != 0 && $FLINK_CONF_DIR == "$ROOT/flink-conf/local" && -d ${SHOESTRING_DATA_DIR:-} ]] || return 0
  conf=$SHOESTRING_DATA_DIR/flink-conf
  mkdir -p "$conf"
  cp "$ROOT"/flink-conf/local/* "$conf/"
  sed -i "s/^  port: 18081\$/  port: $((18081 + offset))/" "$conf/config.yaml"
  grep -q "^  port: $((18081 + offset))\$" "$conf/config.yaml" || { log "could not set the REST port in $conf"; exit 1; }
  export FLINK_CONF_DIR=$conf
}

SQL_CLASSES="$ROOT/sql-runner/target/classes"
SQL_CLASSPATH_FILE="$ROOT/sql-runner/target/local-classpath.txt"
UDF_JAR="$ROOT/udfs/target/shoestring-udfs.jar"

# The SQL client's classpath (sql-runner) and the UDF jar; rebuilt when their sources changed.
# SHOESTRING_SQL_NO_BUILD=1 skips the check (the tests run this right after `mvn package`).
build_sql() {
  [[ -n "${SHOESTRING_SQL_NO_BUILD:-}" ]] && return
  ensure_tools
  if [[ -f "$UDF_JAR" && -f "$SQL_CLASSPATH_FILE" ]] && \
     [[ -z "$(find "$ROOT/pom.xml" "$ROOT/udfs" "$ROOT/sql-runner" -newer "$SQL_CLASSPATH_FILE" \
                -type f -not -path '*/target/*' -print -quit)" ]]; then
    return
  fi
  log "building the SQL client classpath and UDF jar (mvn package)"
  (cd "$ROOT" && mvn -B -q -DskipTests -pl sql-runner -am package) || { log "build failed"; exit 1; }
}

# `sql [-c FILE] [--set key=value]... [-f SCRIPT]`: the Flink SQL client, embedded, with
# sql/client/00-init.sql and the UDF jar; with -f, non-zero exit if any statement failed.
sql_cli() {
  build_sql
  local envs
  if envs="$("$ROOT/bin/shoestring" env 2>/dev/null)"; then
    eval "$envs"
  fi
  export FLINK_CONF_DIR="${SHOESTRING_SQL_CONF_DIR:-$ROOT/sql-runner/flink-conf}"
  export SHOESTRING_ROOT="$ROOT"
  # The endpoints of `bin/shoestring env` are the defaults; -c FILE and --set (later) win.
  exec java ${SHOESTRING_JAVA_OPTS:-} -cp "$SQL_CLASSES:$(cat "$SQL_CLASSPATH_FILE")" \
    dev.shoestring.sqlrunner.SqlRunner \
    --set "kafka.bootstrap-servers=${SHOESTRING_KAFKA:-127.0.0.1:19092}" \
    --set "kafka.topic=${SHOESTRING_KAFKA_TOPIC:-events}" \
    --set "kafka.dlq-topic=${SHOESTRING_KAFKA_DLQ_TOPIC:-events.dlq}" \
    --set "postgres.url=${SHOESTRING_PG_URL:-jdbc:postgresql://127.0.0.1:15433/shoestring}" \
    --set "postgres.user=${SHOESTRING_PG_USER:-shoestring}" \
    "$@"
}

BENCH_CLASSES="$ROOT/bench/target/classes"
BENCH_CLASSPATH_FILE="$ROOT/bench/target/local-classpath.txt"

# `bench [--quick] [--parts ...] [...]`: bench/ (a module of its own, so the job jar
# stays lean), run on its classpath with the local Flink profile and the S3 plugin of jobs/.
bench_cli() {
  ensure_tools
  if [[ ! -f "$BENCH_CLASSPATH_FILE" || ! -d "$ROOT/jobs/target/flink-plugins" ]] || \
     [[ -n "$(find "$ROOT/pom.xml" "$ROOT/jobs" "$ROOT/bench" "$ROOT/sql" -newer "$BENCH_CLASSPATH_FILE" \
                -type f -not -path '*/target/*' -not -path '*/bench/results/*' -print -quit)" ]]; then
    log "building the bench (mvn package)"
    (cd "$ROOT" && mvn -B -q -DskipTests -pl bench -am package) || { log "build failed"; exit 1; }
  fi
  local envs
  if envs="$("$ROOT/bin/shoestring" env 2>/dev/null)"; then
    eval "$envs"
  fi
  export FLINK_CONF_DIR="${FLINK_CONF_DIR:-$ROOT/flink-conf/local}"
  export FLINK_PLUGINS_DIR="${FLINK_PLUGINS_DIR:-$ROOT/jobs/target/flink-plugins}"
  export SHOESTRING_ROOT="$ROOT"
  exec java ${SHOESTRING_JAVA_OPTS:-} \
    -Dlog4j.configurationFile="$ROOT/flink-conf/local/log4j-console.properties" \
    -cp "$BENCH_CLASSES:$(cat "$BENCH_CLASSPATH_FILE")" dev.shoestring.bench.Bench "$@"
}

java_cli() {
  build
  local sub="$1"; shift
  LOCAL_CONFIG=""
  local_flink_env "$@"
  # The S3 plugin's AWS SDK v1 prints a deprecation notice with a stack trace at every start.
  exec java ${SHOESTRING_JAVA_OPTS:-} -Daws.java.v1.disableDeprecationAnnouncement=true \
    -Dlog4j.configurationFile="$ROOT/flink-conf/local/log4j-console.properties" \
    -cp "$JAR:$(cat "$CLASSPATH_FILE")" dev.shoestring.cli.ShoestringCli "$sub" ${LOCAL_CONFIG:+-c "$LOCAL_CONFIG"} "$@"
}

cmd="${1:-help}"
case "$cmd" in
  help)
    # `bin/shoestring help run` and friends: the command's own usage from the Java CLI.
    shift
    case "${1:-}" in
      run|generate|savepoint|replay|schema|demo) java_cli "$1" --help ;;
      bench) bench_cli --help ;;
      *) log "no help for '${1:-}' (see: bin/shoestring help)"; exit 2 ;;
    esac
    ;;
  run|generate|savepoint|replay|schema)
    java_cli "$@"
    ;;
  sql)
    shift
    sql_cli "$@"
    ;;
  bench)
    shift
    bench_cli "$@"
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
