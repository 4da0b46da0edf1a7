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
  (cd "$ROOT" && mvn -B -q -DskipTests package) || { log "build failed"; exit 1; }
}

java_cli() {
  build
  exec java ${SHOESTRING_JAVA_OPTS:-} \
    -Dlog4j.configurationFile="$ROOT/flink-conf/local/log4j-console.properties" \
    -cp "$JAR:$(cat "$CLASSPATH_FILE")" dev.shoestring.cli.ShoestringCli "$@"
}

cmd="${1:-help}"
case "$cmd" in
  run|generate)
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
    shift
    "$ROOT/bin/shoestring" up
    build
    "$ROOT/bin/shoestring" generate "$@"
    "$ROOT/bin/shoestring" run --bounded
    log "current state in Postgres:"
    eval "$("$ROOT/bin/shoestring" env)"
    psql -h 127.0.0.1 -p "${SHOESTRING_PG_PORT:-15433}" -U shoestring -d shoestring -c \
      "SELECT 'orders' AS table, count(*) AS rows FROM orders
       UNION ALL SELECT 'agents', count(*) FROM agents
       UNION ALL SELECT 'metrics_current', count(*) FROM metrics_current"
    psql -h 127.0.0.1 -p "${SHOESTRING_PG_PORT:-15433}" -U shoestring -d shoestring -c \
      "SELECT tenant_id, status, count(*) AS orders, sum(amount) AS amount FROM orders GROUP BY 1, 2 ORDER BY 1, 2"
    ;;
  *)
    log "unknown command '$cmd' (see: bin/shoestring help)"
    exit 2
    ;;
esac
