#!/usr/bin/env bash
# PostgreSQL and Redis on loopback, in a temporary directory, for the device-store
# tests (crates/otpkit-store). Installed by `scripts/prerequisites.sh store`.
#
#   eval "$(scripts/services.sh start)"    start both; prints the exports:
#       OTPKIT_TEST_POSTGRES_URL, OTPKIT_TEST_REDIS_URL, OTPKIT_SERVICES_DIR
#   scripts/services.sh restart postgres|redis    stop and start one again, data kept
#       (the load/fault test does this mid-run)
#   scripts/services.sh stop               stop both and delete the directory
#
# restart and stop find the servers through OTPKIT_SERVICES_DIR. PostgreSQL refuses
# to run as root, so as root it runs as the `postgres` user (runuser). Ports are
# free ones picked at start; nothing listens beyond 127.0.0.1. Redis runs without
# persistence; a restart saves its data to the temporary directory on shutdown
# (SHUTDOWN SAVE) and loads it back. Fails with a clear message if a server
# cannot start.
set -euo pipefail

die() { echo "services: $*" >&2; exit 1; }
log() { echo "services: $*" >&2; }

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

pg_bin() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$d/initdb" ] && { echo "$d"; return; }
  done
  command -v initdb >/dev/null 2>&1 && { dirname "$(command -v initdb)"; return; }
  die "PostgreSQL is not installed (no initdb): run scripts/prerequisites.sh store"
}

as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_start() { # dir
  local dir=$1 bin
  bin=$(pg_bin)
  # shellcheck disable=SC1091
  . "$dir/env.sh"
  if ! as_pg "$bin/pg_ctl" -D "$dir/pg" -l "$dir/pg.log" -w -t 30 \
    -o "-p $PG_PORT -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null; then
    tail -n 20 "$dir/pg.log" >&2 || true
    die "PostgreSQL did not start on 127.0.0.1:$PG_PORT (log above: $dir/pg.log)"
  fi
}

pg_stop() { # dir
  local dir=$1
  [ -d "$dir/pg" ] || return 0
  as_pg "$(pg_bin)/pg_ctl" -D "$dir/pg" -m fast -w -t 30 stop >/dev/null 2>&1 || true
}

redis_start() { # dir
  local dir=$1
  # shellcheck disable=SC1091
  . "$dir/env.sh"
  command -v redis-server >/dev/null || die "redis-server is not installed: run scripts/prerequisites.sh store"
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
    --dir "$dir/redis" --dbfilename dump.rdb --daemonize yes \
    --pidfile "$dir/redis/redis.pid" --logfile "$dir/redis/redis.log" >/dev/null ||
    die "redis-server did not start on 127.0.0.1:$REDIS_PORT"
  local i
  for i in $(seq 1 100); do
    if [ "$(redis-cli -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ]; then return 0; fi
    sleep 0.1
  done
  tail -n 20 "$dir/redis/redis.log" >&2 || true
  die "Redis did not answer on 127.0.0.1:$REDIS_PORT (log above: $dir/redis/redis.log)"
}

redis_stop() { # dir [save]
  local dir=$1 how=${2:-nosave} i
  [ -f "$dir/env.sh" ] || return 0
  # shellcheck disable=SC1091
  . "$dir/env.sh"
  redis-cli -p "$REDIS_PORT" shutdown "$how" >/dev/null 2>&1 || true
  for i in $(seq 1 100); do
    redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 || return 0
    sleep 0.1
  done
  die "Redis on 127.0.0.1:$REDIS_PORT did not stop"
}

services_dir() {
  local dir=${OTPKIT_SERVICES_DIR:-}
  [ -n "$dir" ] && [ -f "$dir/env.sh" ] ||
    die "OTPKIT_SERVICES_DIR is not set to a running services directory (eval \"\$(scripts/services.sh start)\" first)"
  echo "$dir"
}

case ${1:-} in
  start)
    dir=$(mktemp -d /tmp/otpkit-services.XXXXXX)
    mkdir -p "$dir/redis"
    # A start that fails half-way stops what it started and removes the directory.
    trap 'pg_stop "$dir"; redis_stop "$dir" >/dev/null 2>&1; rm -rf "$dir"' EXIT
    cat >"$dir/env.sh" <<EOF
PG_PORT=$(free_port)
REDIS_PORT=$(free_port)
EOF
    # shellcheck disable=SC1091
    . "$dir/env.sh"
    bin=$(pg_bin)
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    if ! as_pg "$bin/initdb" -D "$dir/pg" -A trust -U otpkit -E UTF8 >"$dir/initdb.log" 2>&1; then
      tail -n 20 "$dir/initdb.log" >&2
      die "initdb failed (log above)"
    fi
    pg_start "$dir"
    redis_start "$dir"
    trap - EXIT
    log "PostgreSQL on 127.0.0.1:$PG_PORT, Redis on 127.0.0.1:$REDIS_PORT, in $dir"
    echo "export OTPKIT_SERVICES_DIR=$dir"
    echo "export OTPKIT_TEST_POSTGRES_URL=postgres://otpkit@127.0.0.1:$PG_PORT/postgres"
    echo "export OTPKIT_TEST_REDIS_URL=redis://127.0.0.1:$REDIS_PORT/"
    ;;
  restart)
    dir=$(services_dir)
    case ${2:-} in
      postgres) as_pg "$(pg_bin)/pg_ctl" -D "$dir/pg" -m fast -w -t 30 stop >/dev/null; pg_start "$dir" ;;
      redis) redis_stop "$dir" save; redis_start "$dir" ;;
      *) die "usage: services.sh restart postgres|redis" ;;
    esac
    log "restarted ${2}"
    ;;
  stop)
    dir=$(services_dir)
    pg_stop "$dir"
    redis_stop "$dir"
    rm -rf "$dir"
    log "stopped, $dir removed"
    ;;
  *)
    die "usage: services.sh start | restart postgres|redis | stop"
    ;;
esac
