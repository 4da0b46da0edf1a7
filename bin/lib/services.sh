#!/usr/bin/env bash
# Local services for Shoestring: `bin/shoestring up | down | status | env`.
#
# Starts real servers on 127.0.0.1, on non-default ports, with all their files under one folder
# (${SHOESTRING_DATA_DIR:-<repo>/.shoestring}):
#   kafka       Kafka 4.1.1 KRaft broker+controller, its own JVM, jars fetched from Maven Central
#   postgres    PostgreSQL from Debian, a cluster of our own run by the `postgres` user
#   clickhouse  ClickHouse 18.16 from Debian, our own config
#   ceph        Ceph 16 mon + memstore OSD + radosgw, for S3 (checkpoints, savepoints)
# Missing Debian packages are installed (we are root on dev machines and CI). `up` is idempotent:
# a service whose pid file points at our live process is left alone; a port held by anything
# else is an error naming the port. Sourced by bin/shoestring, which sets ROOT.

set -euo pipefail

# ---------------------------------------------------------------------------------------------
# Endpoints. Other code (jobs, tests, docs) relies on these values for the default instance.
# A second, independent instance (e.g. for tests that stop services) adds SHOESTRING_PORT_OFFSET
# to every port and lives in its own SHOESTRING_DATA_DIR; the data folder remembers its offset
# (svc_ports), since Ceph's monitor map and Kafka's metadata keep the ports they were made with.
readonly BASE_KAFKA_PORT=19092
readonly BASE_KAFKA_CONTROLLER_PORT=19093
readonly BASE_PG_PORT=15433
readonly BASE_CH_HTTP_PORT=18123
readonly BASE_CH_TCP_PORT=19000
readonly BASE_CH_INTERSERVER_PORT=19009
readonly BASE_CEPH_MON_PORT=16789
readonly BASE_CEPH_BIND_PORT_MIN=16800   # OSD messenger ports (Ceph's default range is 6800-7300)
readonly BASE_CEPH_BIND_PORT_MAX=16899
readonly BASE_RGW_PORT=17480
readonly BASE_FLINK_REST_PORT=18081 # flink-conf/local; bin/lib/jobs.sh shifts it for `run` and `demo`
readonly SINGLE_PORTS=(KAFKA_PORT KAFKA_CONTROLLER_PORT PG_PORT CH_HTTP_PORT CH_TCP_PORT CH_INTERSERVER_PORT
  CEPH_MON_PORT RGW_PORT FLINK_REST_PORT)

readonly KAFKA_VERSION=4.1.1
readonly KAFKA_TOPICS=(events events.dlq)
readonly KAFKA_TOPIC_PARTITIONS=4
readonly PG_DB=shoestring PG_USER=shoestring
readonly CH_DB=shoestring
readonly S3_BUCKET=shoestring S3_REGION=us-east-1
# shellcheck disable=SC2034
readonly CEPH_MEMSTORE_BYTES=$((4 * 1024 * 1024 * 1024))   # capacity RGW sees; RAM is used on demand

readonly ALL_SERVICES=(kafka postgres clickhouse ceph)

# ---------------------------------------------------------------------------------------------
# Output and timing helpers.
say()  { printf '==> %s\n' "$*"; }
note() { printf '    %s\n' "$*"; }
warn() { printf 'shoestring: warning: %s\n' "$*" >&2; }
die()  { printf 'shoestring: error: %s\n' "$*" >&2; exit 1; }

# Microseconds since the epoch, from bash itself (no `date`/`bc` needed on a bare machine).
now_us() { local t=${EPOCHREALTIME//[.,]/}; printf '%s' "$t"; }
elapsed() { local us=$(( $(now_us) - $1 )); printf '%d.%ds' $((us / 1000000)) $(((us % 1000000) / 100000)); }

# A start that failed: say why, show the end of the service's logs, stop.
fail_start() {
  local svc=$1 why=$2; shift 2
  printf 'shoestring: error: %s: %s\n' "$svc" "$why" >&2
  local log
  for log in "$@"; do
    [[ -s $log ]] || continue
    printf -- '----- last lines of %s -----\n' "$log" >&2
    tail -n 40 "$log" >&2
  done
  exit 1
}

# ---------------------------------------------------------------------------------------------
# Processes and ports.

# Alive and not a zombie (a daemon that died while `up` is still its parent stays a zombie,
# and kill -0 would call it alive).
pid_alive() {
  local pid=${1:-} stat
  [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
  stat=$(<"/proc/$pid/stat") 2>/dev/null || return 1
  stat=${stat##*) }
  [[ ${stat%% *} != Z ]]
}

# Prints the pid recorded in FILE if that process is alive and its command line contains
# PATTERN (guards against a stale pid file whose number now belongs to something else).
pidfile_pid() {
  local file=$1 pattern=$2 pid cmdline
  [[ -s $file ]] || return 1
  read -r pid <"$file" || [[ -n ${pid:-} ]] || return 1
  pid_alive "$pid" || return 1
  cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
  [[ $cmdline == *"$pattern"* ]] || return 1
  printf '%s' "$pid"
}

port_open() { timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }

# Before starting a service: its port must be free. Anything listening there is not ours
# (ours would have been found through its pid file), so we stop rather than fight over it.
require_free_port() {
  local svc=$1 port=$2 who=""
  port_open "$port" || return 0
  if command -v ss >/dev/null; then
    who=$(ss -Hltnp "sport = :$port" 2>/dev/null | sed -n 's/.*users:((\(.*\)))/\1/p' | head -n 1)
  fi
  die "$svc: port $port on 127.0.0.1 is already in use by another process${who:+ ($who)}," \
    "not by this project's $svc under $DATA. Stop that process, or run 'bin/shoestring down' in" \
    "the checkout that started it."
}

# Runs a long-lived program in the background, detached: its own session (Ctrl-C in the
# terminal, or the end of the calling job, does not reach it), stdin closed, output appended to
# LOG, and fd 9 (our lock) not inherited. The pid written is the program's own (exec).
spawn() {
  local pidfile=$1 log=$2; shift 2
  # A pid file left by a machine that went down without `down` names a dead (or reused) pid:
  # callers wait for the file to be written, so it must not exist before the child writes it.
  rm -f "$pidfile"
  # shellcheck disable=SC2016 # expanded by the inner bash
  setsid bash -c 'echo $$ >"$0"; exec "$@"' "$pidfile" "$@" </dev/null >>"$log" 2>&1 9>&- &
}

# Polls CHECK... every 0.2 s for up to TIMEOUT seconds. Returns 0 when it succeeds, 1 on
# timeout, 2 as soon as PID (if given) is gone.
wait_until() {
  local timeout=$1 pid=$2; shift 2
  local deadline=$(($(now_us) + timeout * 1000000))
  while true; do
    if "$@"; then return 0; fi
    if [[ -n $pid ]] && ! pid_alive "$pid"; then return 2; fi
    (($(now_us) < deadline)) || return 1
    sleep 0.2
  done
}

# Stops PID with SIGNAL (TERM by default), waits up to GRACE seconds, then kills it.
# Returns 0 after a clean exit, 1 if it had to be killed.
stop_pid() {
  local name=$1 pid=$2 grace=${3:-30} sig=${4:-TERM} i
  pid_alive "$pid" || return 0
  kill "-$sig" "$pid" 2>/dev/null || true
  for ((i = 0; i < grace * 10; i++)); do
    pid_alive "$pid" || return 0
    sleep 0.1
  done
  [[ $sig == KILL ]] || warn "$name (pid $pid) did not stop within ${grace}s; killing it"
  kill -KILL "$pid" 2>/dev/null || true
  for ((i = 0; i < 100; i++)); do
    pid_alive "$pid" || break
    sleep 0.1
  done
  return 1
}

# Fills @NAME@ placeholders of a template from the shell variables of the same name.
render() {
  local template=$1 out=$2 text name
  text=$(<"$template")
  for name in DATA KAFKA_PORT KAFKA_CONTROLLER_PORT CH_HTTP_PORT CH_TCP_PORT CH_INTERSERVER_PORT CH_DB \
    CH_JOB_PASSWORD_SHA256 CEPH_MON_PORT CEPH_BIND_PORT_MIN CEPH_BIND_PORT_MAX RGW_PORT CEPH_FSID CEPH_MEMSTORE_BYTES; do
    text=${text//@$name@/${!name:-}}
  done
  if [[ $text =~ @[A-Z_]+@ ]]; then die "render: $template: no value for ${BASH_REMATCH[0]}"; fi
  printf '%s\n' "$text" >"$out.tmp" && mv -f "$out.tmp" "$out"
}

# ---------------------------------------------------------------------------------------------
# Debian packages. Each service names what it lacks; one apt-get installs all of it.

MISSING_PKGS=()
need_pkg() {
  local p
  for p in "$@"; do
    [[ " ${MISSING_PKGS[*]} " == *" $p "* ]] || MISSING_PKGS+=("$p")
  done
}

install_missing_packages() {
  ((${#MISSING_PKGS[@]})) || return 0
  ((EUID == 0)) || die "missing Debian packages: ${MISSING_PKGS[*]}. Install them" \
    "(sudo apt-get install --no-install-recommends ${MISSING_PKGS[*]}) or run as root."
  command -v apt-get >/dev/null || die "missing packages ${MISSING_PKGS[*]}, and no apt-get here"
  local t0 log=$DATA/apt.log updated=0
  t0=$(now_us)
  say "installing Debian packages: ${MISSING_PKGS[*]} (log: $log)"
  export DEBIAN_FRONTEND=noninteractive
  local wait_lock=(-o DPkg::Lock::Timeout=300)
  local install=(apt-get -y -q --no-install-recommends "${wait_lock[@]}"
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold install)
  # A fresh machine has no package lists at all: fetch them first. Otherwise try with the lists
  # we have, and refresh them only if that fails (they may be stale).
  if ! compgen -G '/var/lib/apt/lists/*Packages*' >/dev/null; then
    apt-get -q "${wait_lock[@]}" update >>"$log" 2>&1 || fail_start apt "apt-get update failed" "$log"
    updated=1
  fi
  if ! "${install[@]}" "${MISSING_PKGS[@]}" >>"$log" 2>&1; then
    ((updated)) && fail_start apt "apt-get install ${MISSING_PKGS[*]} failed" "$log"
    apt-get -q "${wait_lock[@]}" update >>"$log" 2>&1 || fail_start apt "apt-get update failed" "$log"
    "${install[@]}" "${MISSING_PKGS[@]}" >>"$log" 2>&1 ||
      fail_start apt "apt-get install ${MISSING_PKGS[*]} failed" "$log"
  fi
  note "installed in $(elapsed "$t0")"
  MISSING_PKGS=()
}

# ---------------------------------------------------------------------------------------------
# Kafka

kafka_paths() {
  KAFKA_DIR=$DATA/kafka
  KAFKA_LIB=$KAFKA_DIR/lib
  KAFKA_PROPS=$KAFKA_DIR/server.properties
  KAFKA_PIDFILE=$KAFKA_DIR/kafka.pid
  KAFKA_LOG=$KAFKA_DIR/kafka.log
  KAFKA_STDOUT=$KAFKA_DIR/stdout.log
}
kafka_pid() { pidfile_pid "$KAFKA_PIDFILE" "kafka.Kafka $KAFKA_PROPS"; }
kafka_endpoint() { echo "127.0.0.1:$KAFKA_PORT (topics: ${KAFKA_TOPICS[*]})"; }

kafka_check_packages() {
  command -v java >/dev/null || need_pkg default-jre-headless
  # Maven is needed only to fetch the jars the first time.
  [[ -f $KAFKA_LIB/kafka_2.13-$KAFKA_VERSION.jar ]] || command -v mvn >/dev/null || need_pkg maven
}

kafka_check_ports() {
  kafka_pid >/dev/null && return 0
  require_free_port kafka "$KAFKA_PORT"
  require_free_port kafka "$KAFKA_CONTROLLER_PORT"
}

# The jars come from services/kafka/pom.xml; refetched when that file changes.
kafka_fetch_jars() {
  local pom=$ROOT/services/kafka/pom.xml stamp want t0
  stamp=$KAFKA_LIB/.pom.sha256
  want=$(sha256sum "$pom" | cut -d' ' -f1)
  if [[ -f $KAFKA_LIB/kafka_2.13-$KAFKA_VERSION.jar && -f $stamp && $(<"$stamp") == "$want" ]]; then
    return 0
  fi
  t0=$(now_us)
  say "kafka: fetching Kafka $KAFKA_VERSION jars with Maven (once)"
  rm -rf "$KAFKA_LIB.tmp"
  mvn -q -B -Dstyle.color=never -f "$pom" dependency:copy-dependencies \
    -DoutputDirectory="$KAFKA_LIB.tmp" >"$KAFKA_DIR/mvn.log" 2>&1 ||
    fail_start kafka "fetching the jars with Maven failed" "$KAFKA_DIR/mvn.log"
  echo "$want" >"$KAFKA_LIB.tmp/.pom.sha256"
  rm -rf "$KAFKA_LIB"
  mv "$KAFKA_LIB.tmp" "$KAFKA_LIB"
  note "jars in $(elapsed "$t0") ($(du -sh "$KAFKA_LIB" | cut -f1))"
}

# Short-lived Kafka tools (storage format, topics) log warnings to stderr only, never into the
# broker's log file.
kafka_tool() {
  java -Xmx256m -Dlog4j2.configurationFile="$ROOT/services/kafka/tools-log4j2.properties" \
    -cp "$KAFKA_LIB/*" "$@"
}

# Starts the broker without waiting for it (the JVM takes a few seconds; the other services
# start meanwhile). kafka_wait finishes the job.
kafka_start() {
  mkdir -p "$KAFKA_DIR/data"
  KAFKA_T0=$(now_us)
  if KAFKA_PID=$(kafka_pid); then
    KAFKA_WAS_RUNNING=1
    return 0
  fi
  KAFKA_WAS_RUNNING=0
  kafka_fetch_jars
  render "$ROOT/services/kafka/server.properties.in" "$KAFKA_PROPS"
  render "$ROOT/services/kafka/log4j2.properties.in" "$KAFKA_DIR/log4j2.properties"
  # Format the log directory once, with a cluster id kept in the data folder.
  if [[ ! -f $KAFKA_DIR/data/meta.properties ]]; then
    [[ -s $KAFKA_DIR/cluster.id ]] || kafka_tool kafka.tools.StorageTool random-uuid >"$KAFKA_DIR/cluster.id"
    kafka_tool kafka.tools.StorageTool format --ignore-formatted -t "$(<"$KAFKA_DIR/cluster.id")" \
      -c "$KAFKA_PROPS" >>"$KAFKA_STDOUT" 2>&1 ||
      fail_start kafka "formatting the storage failed" "$KAFKA_STDOUT"
  fi
  KAFKA_T0=$(now_us)
  say "kafka: starting broker on 127.0.0.1:$KAFKA_PORT"
  spawn "$KAFKA_PIDFILE" "$KAFKA_STDOUT" java -Xms256m -Xmx512m -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
    -Djava.awt.headless=true -Dlog4j2.configurationFile="$KAFKA_DIR/log4j2.properties" \
    -Dkafka.logs.dir="$KAFKA_DIR" -cp "$KAFKA_LIB/*" kafka.Kafka "$KAFKA_PROPS"
  local i
  for ((i = 0; i < 50; i++)); do [[ -s $KAFKA_PIDFILE ]] && break; sleep 0.02; done
  read -r KAFKA_PID <"$KAFKA_PIDFILE"
}

kafka_wait() {
  local rc=0 existing t pids=() p
  wait_until 90 "$KAFKA_PID" port_open "$KAFKA_PORT" || rc=$?
  ((rc == 0)) || fail_start kafka "$( ((rc == 2)) && echo "the broker exited" || echo "not listening after 90 s")" \
    "$KAFKA_STDOUT" "$KAFKA_LOG"
  # The listener opens a moment before the broker serves metadata; the admin client retries.
  existing=$(kafka_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "127.0.0.1:$KAFKA_PORT" --list 2>&1) ||
    fail_start kafka "listing topics failed: $existing" "$KAFKA_LOG"
  # One JVM per topic to create; they run side by side.
  for t in "${KAFKA_TOPICS[@]}"; do
    grep -qxF -- "$t" <<<"$existing" && continue
    kafka_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "127.0.0.1:$KAFKA_PORT" \
      --create --if-not-exists --topic "$t" --partitions "$KAFKA_TOPIC_PARTITIONS" \
      --replication-factor 1 >"$KAFKA_DIR/create-$t.log" 2>&1 &
    pids+=("$!:$t")
  done
  for p in "${pids[@]}"; do
    wait "${p%%:*}" || fail_start kafka "creating topic ${p#*:} failed" "$KAFKA_DIR/create-${p#*:}.log"
    note "kafka: created topic ${p#*:} ($KAFKA_TOPIC_PARTITIONS partitions)"
  done
  if ((KAFKA_WAS_RUNNING)); then
    note "kafka: already running (pid $KAFKA_PID), topics checked in $(elapsed "$KAFKA_T0")"
  else
    note "kafka: ready in $(elapsed "$KAFKA_T0") (pid $KAFKA_PID)"
  fi
}

kafka_stop() {
  local pid
  pid=$(kafka_pid) || return 0
  say "kafka: stopping (pid $pid)"
  stop_pid kafka "$pid" 60 || true
  rm -f "$KAFKA_PIDFILE"
}

# ---------------------------------------------------------------------------------------------
# PostgreSQL

pg_paths() {
  PG_DIR=$DATA/postgres
  PG_DATA=$PG_DIR/data
  PG_SOCK=$PG_DIR/run
  PG_LOG=$PG_DIR/postgres.log         # the server's own log, written by the postgres user
  PG_SETUP_LOG=$PG_DIR/setup.log      # output of initdb and pg_ctl
}
pg_pid() { pidfile_pid "$PG_DATA/postmaster.pid" "$PG_DATA"; }
pg_endpoint() { echo "jdbc:postgresql://127.0.0.1:$PG_PORT/$PG_DB (user $PG_USER, no password)"; }

# The binaries of the cluster's own major version if it exists, else the newest installed.
pg_find_bin() {
  PG_BIN=""
  if [[ -s $PG_DATA/PG_VERSION && -x /usr/lib/postgresql/$(<"$PG_DATA/PG_VERSION")/bin/postgres ]]; then
    PG_BIN=/usr/lib/postgresql/$(<"$PG_DATA/PG_VERSION")/bin
    return 0
  fi
  local d
  d=$(compgen -G '/usr/lib/postgresql/*/bin/initdb' | sort -V | tail -n 1) || true
  [[ -n $d ]] && PG_BIN=${d%/initdb}
  [[ -n $PG_BIN ]]
}

pg_check_packages() { pg_find_bin || need_pkg postgresql; }
pg_check_ports() { pg_pid >/dev/null || require_free_port postgres "$PG_PORT"; }

# PostgreSQL refuses to run as root: as root we run it as the `postgres` user (from cwd / so
# its tools never complain about an unreadable working directory).
as_pg() {
  if ((EUID == 0)); then
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

# The `postgres` user must be able to traverse every folder above its cluster. A clone under
# /root (mode 700) is not: grant search permission (o+x: enter, not list) where it is missing.
pg_make_reachable() {
  ((EUID == 0)) || return 0
  local path="" part parts
  IFS=/ read -ra parts <<<"${PG_DIR#/}"
  for part in "${parts[@]}"; do
    path+=/$part
    [[ -d $path ]] || break
    if ! runuser -u postgres -- test -x "$path" 2>/dev/null; then
      chmod o+x "$path"
      note "postgres: made $path traversable (o+x) so the postgres user can reach its cluster"
    fi
  done
}

pg_psql() {
  as_pg "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCK" -p "$PG_PORT" -U postgres -d postgres "$@"
}

pg_up() {
  local t0 pid
  t0=$(now_us)
  pg_find_bin || die "postgres: no PostgreSQL binaries under /usr/lib/postgresql"
  mkdir -p "$PG_DIR"
  if ((EUID == 0)); then
    chown postgres:postgres "$PG_DIR"
    chmod 700 "$PG_DIR"
    pg_make_reachable
  fi
  if pid=$(pg_pid); then
    pg_setup
    note "postgres: already running (pid $pid), checked in $(elapsed "$t0")"
    return 0
  fi
  as_pg mkdir -p "$PG_SOCK"
  if [[ ! -s $PG_DATA/PG_VERSION ]]; then
    say "postgres: creating cluster in $PG_DATA"
    as_pg rm -rf "$PG_DATA"   # a half-made cluster from an interrupted first run
    as_pg "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --auth=trust --encoding=UTF8 --no-locale \
      >>"$PG_SETUP_LOG" 2>&1 || fail_start postgres "initdb failed" "$PG_SETUP_LOG"
    t0=$(now_us)
  fi
  # Our access rules, re-applied at each start so an edit of the template takes effect.
  as_pg tee "$PG_DATA/pg_hba.conf" <"$ROOT/services/postgres/pg_hba.conf" >/dev/null
  say "postgres: starting on 127.0.0.1:$PG_PORT"
  # Port, address and socket folder are given at each start, so the cluster follows the data
  # folder if it moves. setsid: Ctrl-C in this terminal must not reach the server.
  local runas=()
  ((EUID != 0)) || runas=(runuser -u postgres --)
  (cd / && setsid -w "${runas[@]}" "$PG_BIN/pg_ctl" start -D "$PG_DATA" -l "$PG_LOG" -w -t 60 -s \
    -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -k '$PG_SOCK'" </dev/null >>"$PG_SETUP_LOG" 2>&1 9>&-) ||
    fail_start postgres "the server did not start" "$PG_SETUP_LOG" "$PG_LOG"
  pg_setup
  pid=$(pg_pid) || fail_start postgres "the server exited after starting" "$PG_LOG"
  note "postgres: ready in $(elapsed "$t0") (pid $pid)"
}

# Role and database, idempotently; then the least-privilege roles (sql/postgres/roles.sql):
# $PG_USER owns the database and applies the DDL, shoestring_job may only write the state tables.
# Local logins are trusted on loopback (services/postgres/pg_hba.conf), so no password is set.
pg_setup() {
  if [[ $(pg_psql -tAc "SELECT 1 FROM pg_roles WHERE rolname = '$PG_USER'") != 1 ]]; then
    pg_psql -c "CREATE ROLE $PG_USER LOGIN CREATEDB"
  fi
  if [[ $(pg_psql -tAc "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'") != 1 ]]; then
    pg_psql -c "CREATE DATABASE $PG_DB OWNER $PG_USER"
    note "postgres: created database $PG_DB owned by $PG_USER"
  fi
  pg_psql -d "$PG_DB" -c 'SET client_min_messages = warning' -f - <"$ROOT/sql/postgres/roles.sql" >/dev/null
}

pg_stop() {
  local pid
  pid=$(pg_pid) || return 0
  say "postgres: stopping (pid $pid)"
  # SIGINT is PostgreSQL's "fast" shutdown (SIGTERM would wait for every client to leave).
  stop_pid postgres "$pid" 60 INT || true
}

# ---------------------------------------------------------------------------------------------
# ClickHouse

ch_paths() {
  CH_DIR=$DATA/clickhouse
  CH_PIDFILE=$CH_DIR/clickhouse.pid
  CH_LOG=$CH_DIR/log/clickhouse-server.log
  CH_ERRLOG=$CH_DIR/log/clickhouse-server.err.log
  CH_STDOUT=$CH_DIR/log/stdout.log
  CH_JOBENV=$CH_DIR/job.env
}
ch_pid() { pidfile_pid "$CH_PIDFILE" "$CH_DIR/config.xml"; }
ch_endpoint() { echo "http://127.0.0.1:$CH_HTTP_PORT (native tcp 127.0.0.1:$CH_TCP_PORT, database $CH_DB, user default)"; }

ch_find_bin() {
  CH_BIN=""
  local b
  for b in /usr/bin/clickhouse-server /usr/sbin/clickhouse-server; do
    [[ -x $b ]] && { CH_BIN=$b; return 0; }
  done
  return 1
}
ch_check_packages() {
  ch_find_bin || need_pkg clickhouse-server
  command -v clickhouse-client >/dev/null || need_pkg clickhouse-client
  command -v curl >/dev/null || need_pkg curl
}
ch_check_ports() {
  ch_pid >/dev/null && return 0
  require_free_port clickhouse "$CH_HTTP_PORT"
  require_free_port clickhouse "$CH_TCP_PORT"
  require_free_port clickhouse "$CH_INTERSERVER_PORT"
}

ch_ping() { [[ $(curl -s --max-time 2 "http://127.0.0.1:$CH_HTTP_PORT/ping" 2>/dev/null) == Ok.* ]]; }

# The job user's password: made on the first `up` (job.env, mode 600, never in the repo); only
# its SHA-256 goes into users.xml. Sets CH_JOB_PASSWORD_SHA256 for render.
ch_job_password() {
  local SHOESTRING_CH_JOB_PASSWORD=""
  if [[ ! -s $CH_JOBENV ]]; then
    (
      umask 077
      printf 'SHOESTRING_CH_JOB_PASSWORD=%s\n' "$(random_chars 32 'A-Za-z0-9')" >"$CH_JOBENV.tmp"
      mv "$CH_JOBENV.tmp" "$CH_JOBENV"
    )
  fi
  chmod 600 "$CH_JOBENV"
  # shellcheck source=/dev/null
  source "$CH_JOBENV"
  CH_JOB_PASSWORD_SHA256=$(printf '%s' "$SHOESTRING_CH_JOB_PASSWORD" | sha256sum)
  CH_JOB_PASSWORD_SHA256=${CH_JOB_PASSWORD_SHA256%% *}
}

# users.xml at every `up`: a running server picks up a changed file within seconds.
ch_render_users() {
  ch_job_password
  render "$ROOT/services/clickhouse/users.xml.in" "$CH_DIR/users.xml"
}
ch_query() {
  curl -sS --fail-with-body --max-time 30 "http://127.0.0.1:$CH_HTTP_PORT/" --data-binary "$1"
}

ch_up() {
  local t0 pid rc=0 out
  t0=$(now_us)
  if pid=$(ch_pid); then
    ch_ping || fail_start clickhouse "running (pid $pid) but /ping does not answer" "$CH_ERRLOG" "$CH_STDOUT"
    ch_render_users
    out=$(ch_query "CREATE DATABASE IF NOT EXISTS $CH_DB" 2>&1) || fail_start clickhouse "$out" "$CH_ERRLOG"
    note "clickhouse: already running (pid $pid), checked in $(elapsed "$t0")"
    return 0
  fi
  ch_find_bin || die "clickhouse: clickhouse-server not found"
  mkdir -p "$CH_DIR"/{data,tmp,user_files,format_schemas,log}
  render "$ROOT/services/clickhouse/config.xml.in" "$CH_DIR/config.xml"
  ch_render_users
  say "clickhouse: starting on 127.0.0.1:$CH_HTTP_PORT"
  # Debian's package does not start a service; we run the server in the foreground ourselves.
  spawn "$CH_PIDFILE" "$CH_STDOUT" "$CH_BIN" --config-file="$CH_DIR/config.xml"
  local i
  for ((i = 0; i < 50; i++)); do [[ -s $CH_PIDFILE ]] && break; sleep 0.02; done
  read -r pid <"$CH_PIDFILE"
  wait_until 60 "$pid" ch_ping || rc=$?
  ((rc == 0)) || fail_start clickhouse "$( ((rc == 2)) && echo "the server exited" || echo "/ping not answering after 60 s")" \
    "$CH_STDOUT" "$CH_ERRLOG" "$CH_LOG"
  out=$(ch_query "CREATE DATABASE IF NOT EXISTS $CH_DB" 2>&1) || fail_start clickhouse "$out" "$CH_ERRLOG"
  note "clickhouse: ready in $(elapsed "$t0") (pid $pid)"
}

ch_stop() {
  local pid
  pid=$(ch_pid) || return 0
  say "clickhouse: stopping (pid $pid)"
  stop_pid clickhouse "$pid" 60 || true
  rm -f "$CH_PIDFILE"
}

# ---------------------------------------------------------------------------------------------
# Ceph: one mon, one memstore OSD, radosgw. No mgr (saves ~300 MB; RGW does not need it).

ceph_paths() {
  CEPH_DIR=$DATA/ceph
  CEPH_CONF=$CEPH_DIR/ceph.conf
  CEPH_RUN=$CEPH_DIR/run
  CEPH_LOGDIR=$CEPH_DIR/log
  CEPH_S3ENV=$CEPH_DIR/s3.env
  OSD_DIR=$CEPH_DIR/osd/0
}
# The daemons are started as `<binary> -c <our conf> ...`: that string identifies ours.
mon_pid() { pidfile_pid "$CEPH_RUN/mon.a.pid" "ceph-mon -c $CEPH_CONF"; }
osd_pid() { pidfile_pid "$CEPH_RUN/osd.0.pid" "ceph-osd -c $CEPH_CONF"; }
rgw_pid() { pidfile_pid "$CEPH_RUN/client.rgw.a.pid" "radosgw -c $CEPH_CONF"; }
ceph_endpoint() { echo "http://127.0.0.1:$RGW_PORT (S3, bucket $S3_BUCKET, keys in ${CEPH_S3ENV})"; }

ceph_check_packages() {
  local b
  for b in ceph-mon ceph-osd radosgw ceph monmaptool radosgw-admin; do
    command -v "$b" >/dev/null && continue
    case $b in
      ceph-mon | monmaptool) need_pkg ceph-mon ;;
      ceph-osd) need_pkg ceph-osd ;;
      radosgw | radosgw-admin) need_pkg radosgw ;;
      ceph) need_pkg ceph-common ;;
    esac
  done
  command -v curl >/dev/null || need_pkg curl
}
ceph_check_ports() {
  mon_pid >/dev/null || require_free_port "ceph (mon)" "$CEPH_MON_PORT"
  rgw_pid >/dev/null || require_free_port "ceph (radosgw)" "$RGW_PORT"
}

ceph_cli() { timeout 60 ceph -c "$CEPH_CONF" --connect-timeout 30 "$@"; }
rgw_admin() { timeout 60 radosgw-admin -c "$CEPH_CONF" "$@"; }

# Ceph daemons fork into the background themselves and write their pid files.
ceph_daemon() { "$@" </dev/null >>"$CEPH_LOGDIR/daemons.out" 2>&1 9>&-; }

ceph_render_conf() {
  mkdir -p "$CEPH_DIR" "$CEPH_RUN" "$CEPH_LOGDIR" "$CEPH_DIR/rgw"
  [[ -s $CEPH_DIR/fsid ]] || cat /proc/sys/kernel/random/uuid >"$CEPH_DIR/fsid"
  CEPH_FSID=$(<"$CEPH_DIR/fsid")
  render "$ROOT/services/ceph/ceph.conf.in" "$CEPH_CONF"
}

mon_answers() { timeout 10 ceph -c "$CEPH_CONF" --connect-timeout 3 -s >/dev/null 2>&1; }
osd_is_up() { ceph_cli osd stat -f json 2>/dev/null | grep -q '"num_up_osds":1'; }
rgw_answers() { [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$RGW_PORT/") =~ ^[2-4] ]]; }

ceph_up() {
  local t0 pid rc=0 uuid was_running=1
  t0=$(now_us)
  ceph_render_conf

  # memstore keeps objects in RAM and writes them to disk only on a clean stop (`down` leaves a
  # marker). An OSD that was killed, or a machine that restarted, lost them; the mon still
  # believes in the pools, and radosgw would hang on them. Start over, keeping the S3 keys.
  if [[ -f $OSD_DIR/.shoestring-osd && ! -f $OSD_DIR/.clean-stop ]] && ! osd_pid >/dev/null; then
    warn "ceph: the OSD was not stopped cleanly (killed, or the machine restarted), so its in-memory" \
      "store is gone: re-creating the Ceph cluster. S3 objects are lost; the S3 keys are kept."
    # Nothing left worth a graceful stop (radosgw would hang on the missing OSD).
    local p
    for p in "$(rgw_pid)" "$(mon_pid)"; do [[ -z $p ]] || stop_pid ceph "$p" 0 KILL || true; done
    rm -rf "$CEPH_DIR/mon" "$CEPH_DIR/osd" "$CEPH_DIR/fsid" "$CEPH_DIR/osd-uuid" "$CEPH_DIR/monmap" "$CEPH_RUN"
    ceph_render_conf
  fi

  # Monitor.
  if ! pid=$(mon_pid); then
    was_running=0
    if [[ ! -f $CEPH_DIR/mon/a/.shoestring-mon ]]; then
      say "ceph: creating monitor"
      rm -rf "$CEPH_DIR/mon/a"
      mkdir -p "$CEPH_DIR/mon/a"
      monmaptool --create --clobber --fsid "$CEPH_FSID" --addv a "[v2:127.0.0.1:$CEPH_MON_PORT]" \
        "$CEPH_DIR/monmap" >>"$CEPH_LOGDIR/setup.log" 2>&1 || fail_start ceph "monmaptool failed" "$CEPH_LOGDIR/setup.log"
      ceph-mon -c "$CEPH_CONF" -i a --mkfs --monmap "$CEPH_DIR/monmap" >>"$CEPH_LOGDIR/setup.log" 2>&1 ||
        fail_start ceph "ceph-mon --mkfs failed" "$CEPH_LOGDIR/setup.log" "$CEPH_LOGDIR/mon.a.log"
      touch "$CEPH_DIR/mon/a/.shoestring-mon"
    fi
    say "ceph: starting mon on 127.0.0.1:$CEPH_MON_PORT"
    ceph_daemon ceph-mon -c "$CEPH_CONF" -i a ||
      fail_start ceph "ceph-mon did not start" "$CEPH_LOGDIR/daemons.out" "$CEPH_LOGDIR/mon.a.log"
  fi
  wait_until 30 "" mon_answers ||
    fail_start ceph "the monitor does not answer" "$CEPH_LOGDIR/mon.a.log"

  # OSD.
  if ! pid=$(osd_pid); then
    was_running=0
    if [[ ! -f $OSD_DIR/.shoestring-osd ]]; then
      say "ceph: creating memstore OSD"
      rm -rf "$OSD_DIR"
      mkdir -p "$OSD_DIR"
      # The uuid is kept so that a first run interrupted after `osd new` can repeat it: the same
      # uuid and id are accepted again. (`osd purge` would be the other way, but it is a mgr
      # command and we run no mgr: it would hang.)
      [[ -s $CEPH_DIR/osd-uuid ]] || cat /proc/sys/kernel/random/uuid >"$CEPH_DIR/osd-uuid"
      uuid=$(<"$CEPH_DIR/osd-uuid")
      ceph_cli osd new "$uuid" 0 >>"$CEPH_LOGDIR/setup.log" 2>&1 ||
        fail_start ceph "ceph osd new failed" "$CEPH_LOGDIR/setup.log"
      ceph-osd -c "$CEPH_CONF" -i 0 --mkfs --osd-uuid "$uuid" >>"$CEPH_LOGDIR/setup.log" 2>&1 ||
        fail_start ceph "ceph-osd --mkfs failed" "$CEPH_LOGDIR/setup.log" "$CEPH_LOGDIR/osd.0.log"
      touch "$OSD_DIR/.shoestring-osd"
    fi
    rm -f "$OSD_DIR/.clean-stop"
    say "ceph: starting osd"
    ceph_daemon ceph-osd -c "$CEPH_CONF" -i 0 ||
      fail_start ceph "ceph-osd did not start" "$CEPH_LOGDIR/daemons.out" "$CEPH_LOGDIR/osd.0.log"
  fi
  rc=0
  wait_until 60 "" osd_is_up || rc=$?
  ((rc == 0)) || fail_start ceph "the OSD is not up after 60 s" "$CEPH_LOGDIR/osd.0.log"

  # radosgw.
  if ! pid=$(rgw_pid); then
    was_running=0
    say "ceph: starting radosgw on 127.0.0.1:$RGW_PORT"
    ceph_daemon radosgw -c "$CEPH_CONF" -n client.rgw.a ||
      fail_start ceph "radosgw did not start" "$CEPH_LOGDIR/daemons.out" "$CEPH_LOGDIR/client.rgw.a.log"
    for ((rc = 0; rc < 50; rc++)); do [[ -s $CEPH_RUN/client.rgw.a.pid ]] && break; sleep 0.1; done
  fi
  read -r pid 2>/dev/null <"$CEPH_RUN/client.rgw.a.pid" || pid=""
  rc=0
  wait_until 90 "$pid" rgw_answers || rc=$?
  ((rc == 0)) || fail_start ceph "$( ((rc == 2)) && echo "radosgw exited" || echo "radosgw not answering after 90 s")" \
    "$CEPH_LOGDIR/client.rgw.a.log"

  ceph_s3_setup
  if ((was_running)); then
    note "ceph: already running, checked in $(elapsed "$t0")"
  else
    note "ceph: S3 ready in $(elapsed "$t0") (mon $(mon_pid), osd $(osd_pid), radosgw $(rgw_pid))"
  fi
}

# Random letters and digits, without a pipe that could die of SIGPIPE under pipefail.
random_chars() {
  local n=$1 set=$2 s
  s=$(head -c 4096 /dev/urandom | LC_ALL=C tr -dc "$set")
  printf '%s' "${s:0:n}"
}

# S3 user with keys made on the first `up` (kept in s3.env, mode 600, never in the repo) and
# the bucket. curl signs the requests (SigV4); RGW needs the payload-hash header to be present.
ceph_s3_setup() {
  if [[ ! -s $CEPH_S3ENV ]]; then
    (
      umask 077
      printf 'SHOESTRING_S3_ACCESS_KEY=%s\nSHOESTRING_S3_SECRET_KEY=%s\n' \
        "$(random_chars 20 'A-Z0-9')" "$(random_chars 40 'A-Za-z0-9')" >"$CEPH_S3ENV.tmp"
      mv "$CEPH_S3ENV.tmp" "$CEPH_S3ENV"
    )
    note "ceph: generated S3 keys in $CEPH_S3ENV"
  fi
  chmod 600 "$CEPH_S3ENV"
  local SHOESTRING_S3_ACCESS_KEY SHOESTRING_S3_SECRET_KEY info code
  # shellcheck source=/dev/null
  source "$CEPH_S3ENV"
  info=$(rgw_admin user info --uid=shoestring 2>/dev/null) || info=""
  if [[ -z $info ]]; then
    rgw_admin user create --uid=shoestring --display-name="Shoestring local" \
      --access-key="$SHOESTRING_S3_ACCESS_KEY" --secret-key="$SHOESTRING_S3_SECRET_KEY" \
      >>"$CEPH_LOGDIR/setup.log" 2>&1 || fail_start ceph "radosgw-admin user create failed" "$CEPH_LOGDIR/setup.log"
    note "ceph: created S3 user shoestring"
  elif [[ $info != *"\"$SHOESTRING_S3_ACCESS_KEY\""* ]]; then
    rgw_admin key create --uid=shoestring --key-type=s3 --access-key="$SHOESTRING_S3_ACCESS_KEY" \
      --secret-key="$SHOESTRING_S3_SECRET_KEY" >>"$CEPH_LOGDIR/setup.log" 2>&1 ||
      fail_start ceph "radosgw-admin key create failed" "$CEPH_LOGDIR/setup.log"
  fi
  code=$(s3_curl -o /dev/null -w '%{http_code}' -I "http://127.0.0.1:$RGW_PORT/$S3_BUCKET") || code=000
  if [[ $code == 404 ]]; then
    code=$(s3_curl -o "$CEPH_LOGDIR/create-bucket.out" -w '%{http_code}' -X PUT "http://127.0.0.1:$RGW_PORT/$S3_BUCKET") || code=000
    [[ $code == 200 ]] || fail_start ceph "creating bucket $S3_BUCKET: HTTP $code" "$CEPH_LOGDIR/create-bucket.out"
    note "ceph: created bucket $S3_BUCKET"
  elif [[ $code != 200 ]]; then
    fail_start ceph "checking bucket $S3_BUCKET: HTTP $code" "$CEPH_LOGDIR/client.rgw.a.log"
  fi
}

# curl with SigV4 and the keys from s3.env; the keys go through stdin, not the command line.
s3_curl() {
  local SHOESTRING_S3_ACCESS_KEY SHOESTRING_S3_SECRET_KEY
  # shellcheck source=/dev/null
  source "$CEPH_S3ENV"
  curl -sS --max-time 30 --aws-sigv4 "aws:amz:$S3_REGION:s3" -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" \
    --config - "$@" <<<"user = \"$SHOESTRING_S3_ACCESS_KEY:$SHOESTRING_S3_SECRET_KEY\""
}

ceph_stop() {
  local pid grace=30
  # Without its OSD, radosgw hangs in shutdown: no point in waiting long for it then.
  osd_pid >/dev/null || grace=3
  if pid=$(rgw_pid); then
    say "ceph: stopping radosgw (pid $pid)"
    stop_pid radosgw "$pid" "$grace" || true
  fi
  if pid=$(osd_pid); then
    say "ceph: stopping osd (pid $pid)"
    # Only a clean exit has written the memstore contents to disk; remember that it did.
    if stop_pid ceph-osd "$pid" 120; then
      touch "$OSD_DIR/.clean-stop"
    else
      warn "ceph: the OSD had to be killed; its objects will be lost at the next up"
    fi
  fi
  if pid=$(mon_pid); then
    say "ceph: stopping mon (pid $pid)"
    stop_pid ceph-mon "$pid" 30 || true
  fi
}

# Status of the three daemons as one service.
ceph_state() {
  local m o r
  m=$(mon_pid) || m=""
  o=$(osd_pid) || o=""
  r=$(rgw_pid) || r=""
  if [[ -n $m && -n $o && -n $r ]]; then
    echo "running|pids $m,$o,$r"
  elif [[ -z $m && -z $o && -z $r ]]; then
    echo "stopped|"
  else
    echo "partial|mon ${m:-down}, osd ${o:-down}, radosgw ${r:-down}"
  fi
}

# ---------------------------------------------------------------------------------------------
# Commands

svc_setup_paths() {
  DATA=${SHOESTRING_DATA_DIR:-$ROOT/.shoestring}
  DATA=$(realpath -m -- "$DATA")
  svc_ports
  kafka_paths
  pg_paths
  ch_paths
  ceph_paths
}

# Every port of this instance: the base port plus PORT_OFFSET, which is SHOESTRING_PORT_OFFSET,
# else the offset the data folder was set up with (written at its first `up`), else 0. A folder
# cannot change its offset: Ceph's monitor map holds the mon's port.
svc_ports() {
  local want=${SHOESTRING_PORT_OFFSET:-} had="" n base
  if [[ -s $DATA/port-offset ]]; then
    had=$(<"$DATA/port-offset")
  elif [[ -d $DATA/kafka || -d $DATA/postgres || -d $DATA/clickhouse || -d $DATA/ceph ]]; then
    had=0 # set up before port offsets existed
  fi
  if [[ -n $want ]]; then
    [[ $want =~ ^[0-9]{1,5}$ ]] || die "SHOESTRING_PORT_OFFSET must be a whole number >= 0, not '$want'"
    want=$((10#$want))
    [[ -z $had || $had == "$want" ]] || die "the data folder $DATA belongs to an instance with" \
      "SHOESTRING_PORT_OFFSET=$had, not $want: use that offset, or another SHOESTRING_DATA_DIR"
  fi
  PORT_OFFSET=${want:-${had:-0}}
  for n in "${SINGLE_PORTS[@]}" CEPH_BIND_PORT_MIN CEPH_BIND_PORT_MAX; do
    base=BASE_$n
    printf -v "$n" '%d' $((${!base} + PORT_OFFSET))
  done
  ((PORT_OFFSET == 0)) && return 0
  # Shifted ports must be valid and must not meet the default instance's (which may be running).
  local -A taken=()
  for n in "${SINGLE_PORTS[@]}"; do base=BASE_$n; taken[${!base}]=1; done
  for ((n = BASE_CEPH_BIND_PORT_MIN; n <= BASE_CEPH_BIND_PORT_MAX; n++)); do taken[$n]=1; done
  local mine=()
  for n in "${SINGLE_PORTS[@]}"; do mine+=("${!n}"); done
  for ((n = CEPH_BIND_PORT_MIN; n <= CEPH_BIND_PORT_MAX; n++)); do mine+=("$n"); done
  for n in "${mine[@]}"; do
    ((n <= 65535)) || die "SHOESTRING_PORT_OFFSET=$PORT_OFFSET puts port $n above 65535 (the highest offset is" \
      "$((65535 - BASE_KAFKA_CONTROLLER_PORT)))"
    [[ -z ${taken[$n]:-} ]] || die "SHOESTRING_PORT_OFFSET=$PORT_OFFSET puts port $n on a port of the default" \
      "instance; pick another offset (e.g. 1000)"
  done
}

# Serialises concurrent up/down runs on the same data folder.
svc_lock() {
  mkdir -p "$DATA"
  [[ -f $DATA/.shoestring-data ]] ||
    echo "Data of the local services of bin/shoestring. Safe to delete with: bin/shoestring down --purge" \
      >"$DATA/.shoestring-data"
  exec 9>"$DATA/.lock"
  if ! flock -n 9; then
    say "waiting for another bin/shoestring up/down on $DATA"
    flock -w 600 9 || die "could not lock $DATA/.lock"
  fi
}

# Parses [service...] and --no-<service> into SELECTED, in start order.
svc_select() {
  local chosen=() skip=() a s
  for a in "$@"; do
    case $a in
      --no-*) skip+=("${a#--no-}") ;;
      kafka | postgres | clickhouse | ceph) chosen+=("$a") ;;
      pg | postgresql) chosen+=(postgres) ;;
      ch) chosen+=(clickhouse) ;;
      s3 | rgw) chosen+=(ceph) ;;
      *) die "unknown service or option '$a' (services: ${ALL_SERVICES[*]})" ;;
    esac
  done
  ((${#chosen[@]})) || chosen=("${ALL_SERVICES[@]}")
  SELECTED=()
  for s in "${ALL_SERVICES[@]}"; do
    if [[ " ${chosen[*]} " == *" $s "* && " ${skip[*]-} " != *" $s "* ]]; then SELECTED+=("$s"); fi
  done
}

cmd_up() {
  local services t0 s
  svc_select "$@"
  services=("${SELECTED[@]}")
  ((${#services[@]})) || die "no service selected"
  t0=$(now_us)
  svc_lock
  [[ -s $DATA/port-offset ]] || echo "$PORT_OFFSET" >"$DATA/port-offset"
  say "starting ${services[*]} (data in $DATA$( ((PORT_OFFSET == 0)) || echo ", ports +$PORT_OFFSET"))"

  # Everything that can fail early fails before anything starts: packages, then ports.
  for s in "${services[@]}"; do
    case $s in
      kafka) kafka_check_packages ;; postgres) pg_check_packages ;;
      clickhouse) ch_check_packages ;; ceph) ceph_check_packages ;;
    esac
  done
  install_missing_packages
  for s in "${services[@]}"; do
    case $s in
      kafka) kafka_check_ports ;; postgres) pg_check_ports ;;
      clickhouse) ch_check_ports ;; ceph) ceph_check_ports ;;
    esac
  done

  # Kafka's JVM boots while the others start; it is waited for last. Ceph (the slowest, ~15 s
  # the first time) bootstraps in a background subshell meanwhile, its output held until the end.
  local want=" ${services[*]} " ceph_job="" ceph_out=$DATA/ceph-up.out
  if [[ $want == *" kafka "* ]]; then kafka_start; fi
  if [[ $want == *" postgres "* ]]; then pg_up; fi
  if [[ $want == *" clickhouse "* ]]; then ch_up; fi
  if [[ $want == *" ceph "* ]]; then
    if [[ $want == *" kafka "* ]]; then
      (ceph_up) >"$ceph_out" 2>&1 &
      ceph_job=$!
    else
      ceph_up
    fi
  fi
  if [[ $want == *" kafka "* ]]; then kafka_wait; fi
  if [[ -n $ceph_job ]]; then
    local rc=0
    wait "$ceph_job" || rc=$?
    cat "$ceph_out"
    rm -f "$ceph_out"
    ((rc == 0)) || exit "$rc"
  fi

  say "ready in $(elapsed "$t0")"
  cmd_status
  echo
  echo "Environment for jobs and tests:  eval \"\$(bin/shoestring env)\""
}

cmd_down() {
  local purge=0 a services=()
  for a in "$@"; do
    case $a in
      --purge) purge=1 ;;
      *) services+=("$a") ;;
    esac
  done
  ((purge == 0 || ${#services[@]} == 0)) || die "--purge stops and deletes everything; give no services with it"
  if [[ ! -d $DATA ]]; then
    say "nothing to stop: $DATA does not exist"
    return 0
  fi
  svc_select "${services[@]}"
  services=("${SELECTED[@]}")
  svc_lock
  local i
  # Reverse start order.
  for ((i = ${#services[@]} - 1; i >= 0; i--)); do
    case ${services[i]} in
      kafka) kafka_stop ;; postgres) pg_stop ;; clickhouse) ch_stop ;; ceph) ceph_stop ;;
    esac
  done
  if ((purge)); then
    # Only a folder we made (it has our marker) is deleted, never the repo or $HOME by mistake.
    [[ -f $DATA/.shoestring-data && $DATA != / && $DATA != "$ROOT" ]] ||
      die "refusing to delete $DATA: it is not a bin/shoestring data folder"
    exec 9>&-
    rm -rf -- "$DATA"
    say "deleted $DATA"
  else
    say "stopped (data kept in $DATA)"
  fi
}

cmd_status() {
  local state pid detail
  printf '%-11s %-8s %-18s %s\n' SERVICE STATE PID ENDPOINT
  if pid=$(kafka_pid); then state=running; else state=stopped pid=""; fi
  printf '%-11s %-8s %-18s %s\n' kafka "$state" "$pid" "$(kafka_endpoint)"
  if pid=$(pg_pid); then state=running; else state=stopped pid=""; fi
  printf '%-11s %-8s %-18s %s\n' postgres "$state" "$pid" "$(pg_endpoint)"
  if pid=$(ch_pid); then state=running; else state=stopped pid=""; fi
  printf '%-11s %-8s %-18s %s\n' clickhouse "$state" "$pid" "$(ch_endpoint)"
  detail=$(ceph_state)
  state=${detail%%|*}
  detail=${detail#*|}
  if [[ $state == partial ]]; then
    printf '%-11s %-8s %-18s %s\n' ceph "$state" "" "$(ceph_endpoint); $detail"
  else
    printf '%-11s %-8s %-18s %s\n' ceph "$state" "${detail#pids }" "$(ceph_endpoint)"
  fi
  printf 'data folder: %s\n' "$DATA"
  ((PORT_OFFSET == 0)) || printf 'port offset: %s (SHOESTRING_PORT_OFFSET; every port above is base + offset)\n' "$PORT_OFFSET"
}

# `export` lines for jobs, tests and a developer's shell: eval "$(bin/shoestring env)".
cmd_env() {
  local SHOESTRING_S3_ACCESS_KEY="" SHOESTRING_S3_SECRET_KEY="" SHOESTRING_CH_JOB_PASSWORD=""
  # shellcheck source=/dev/null
  [[ -r $CH_JOBENV ]] && source "$CH_JOBENV"
  if [[ -r $CEPH_S3ENV ]]; then
    # shellcheck source=/dev/null
    source "$CEPH_S3ENV"
  else
    warn "no S3 keys yet ($CEPH_S3ENV is made by 'bin/shoestring up'); SHOESTRING_S3_*_KEY are empty"
  fi
  local kv
  for kv in \
    "SHOESTRING_DATA_DIR=$DATA" \
    "SHOESTRING_PORT_OFFSET=$PORT_OFFSET" \
    "SHOESTRING_KAFKA=127.0.0.1:$KAFKA_PORT" \
    "SHOESTRING_KAFKA_TOPIC=${KAFKA_TOPICS[0]}" \
    "SHOESTRING_KAFKA_DLQ_TOPIC=${KAFKA_TOPICS[1]}" \
    "SHOESTRING_PG_URL=jdbc:postgresql://127.0.0.1:$PG_PORT/$PG_DB" \
    "SHOESTRING_PG_USER=$PG_USER" \
    "SHOESTRING_PG_JOB_USER=shoestring_job" \
    "SHOESTRING_CH_URL=http://127.0.0.1:$CH_HTTP_PORT" \
    "SHOESTRING_CH_DATABASE=$CH_DB" \
    "SHOESTRING_CH_USER=default" \
    "SHOESTRING_CH_JOB_USER=shoestring_job" \
    "SHOESTRING_CH_JOB_PASSWORD=$SHOESTRING_CH_JOB_PASSWORD" \
    "SHOESTRING_S3_ENDPOINT=http://127.0.0.1:$RGW_PORT" \
    "SHOESTRING_S3_REGION=$S3_REGION" \
    "SHOESTRING_S3_BUCKET=$S3_BUCKET" \
    "SHOESTRING_S3_ACCESS_KEY=$SHOESTRING_S3_ACCESS_KEY" \
    "SHOESTRING_S3_SECRET_KEY=$SHOESTRING_S3_SECRET_KEY"; do
    printf 'export %s=%q\n' "${kv%%=*}" "${kv#*=}"
  done
}

services_usage() {
  cat <<EOF
Local services (all on 127.0.0.1, data in \${SHOESTRING_DATA_DIR:-<repo>/.shoestring}; a second
instance: another SHOESTRING_DATA_DIR and SHOESTRING_PORT_OFFSET=N, added to every port):
  up [service...] [--no-SERVICE]   start (idempotent); services: ${ALL_SERVICES[*]}
  down [service...] [--purge]      stop (all by default); --purge also deletes the data folder
  status                           each service running/stopped, with its endpoint
  env                              'export KEY=VALUE' lines: eval "\$(bin/shoestring env)"
EOF
}

services_main() {
  local cmd=$1
  shift
  svc_setup_paths
  case $cmd in
    up) cmd_up "$@" ;;
    down) cmd_down "$@" ;;
    status) cmd_status ;;
    env) cmd_env ;;
    *) die "services: unknown command $cmd" ;;
  esac
}
