# A throwaway PostgreSQL 15 for the tests: initdb + pg_ctl from /usr/lib/postgresql/15/bin in a
# temporary folder owned by the `postgres` user (the tests run as root; PostgreSQL refuses root),
# listening on 127.0.0.1 only, on a free port, its unix socket in the folder, trust auth for local
# loopback connections. Never skipped: missing binaries are a failure that names scripts/setup.sh.
#
# Two uses:
#   source tests/lib/pg.sh; pg_start        a script test's own server: sets PG_URL (database
#                                           postgres, user postgres), stopped and removed on EXIT
#   bash tests/lib/pg.sh start|stop DIR     the CTest fixture (pg.start / pg.stop, FIXTURES_SETUP /
#                                           FIXTURES_CLEANUP `pg`): one server for every PG unit test;
#                                           DIR/url holds its URL, which they read through
#                                           SLAMON_PG_URL_FILE (tests/collector/store/pg_test_server.h)
# pg_createdb NAME makes a database of its own for one test and prints its URL; pg_server_stop_in and
# pg_server_start_in restart a script test's own server (tests/reliability/pg_restart_test.sh). The tests' server runs
# with fsync=off (nothing to survive there); PG_FSYNC=on for a benchmark's.

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}

pg_fail() {
  echo "pg.sh: $*" >&2
  return 1
}

# Starts a server in DIR (made if needed, chowned to postgres); writes DIR/url.
pg_start_in() {
  local dir=$1
  [ -x "$PG_BIN/initdb" ] && [ -x "$PG_BIN/pg_ctl" ] ||
    { pg_fail "no PostgreSQL 15 in $PG_BIN (initdb, pg_ctl): run scripts/setup.sh (package postgresql-15)"; return 1; }
  id postgres >/dev/null 2>&1 || { pg_fail "no 'postgres' user: run scripts/setup.sh (package postgresql-15)"; return 1; }
  mkdir -p "$dir"
  chown postgres: "$dir"
  chmod 700 "$dir"
  local as=(runuser -u postgres --)
  [ "$(id -un)" = postgres ] && as=()
  "${as[@]}" "$PG_BIN/initdb" -D "$dir/data" -U postgres --auth=trust --no-sync -E UTF8 --locale=C >"$dir/initdb.log" 2>&1 ||
    { cat "$dir/initdb.log" >&2; pg_fail "initdb failed in $dir"; return 1; }
  local port i
  for i in 1 2 3 4 5; do
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    echo "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=${PG_FSYNC:-off} -c max_connections=200" >"$dir/options"
    if "${as[@]}" "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 -o "$(cat "$dir/options")" start >/dev/null 2>&1; then
      echo "postgresql://postgres@127.0.0.1:$port/postgres" >"$dir/url"
      chmod 644 "$dir/url"
      chmod 711 "$dir"
      return 0
    fi
  done
  cat "$dir/server.log" >&2
  pg_fail "pg_ctl could not start a server in $dir"
}

pg_stop_in() {
  local dir=$1
  if [ -d "$dir/data" ]; then
    local as=(runuser -u postgres --)
    [ "$(id -un)" = postgres ] && as=()
    "${as[@]}" "$PG_BIN/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}

# pg_server_stop_in DIR MODE / pg_server_start_in DIR: stops the server of DIR (pg_ctl -m fast or
# immediate: a crash, recovered at the next start) and starts it again on the same port and options.
pg_server_stop_in() {
  local as=(runuser -u postgres --)
  [ "$(id -un)" = postgres ] && as=()
  "${as[@]}" "$PG_BIN/pg_ctl" -D "$1/data" -m "$2" -w -t 30 stop >/dev/null || { pg_fail "pg_ctl stop -m $2 failed in $1"; return 1; }
}
pg_server_start_in() {
  local as=(runuser -u postgres --)
  [ "$(id -un)" = postgres ] && as=()
  "${as[@]}" "$PG_BIN/pg_ctl" -D "$1/data" -l "$1/server.log" -w -t 30 -o "$(cat "$1/options")" start >/dev/null ||
    { tail -n 20 "$1/server.log" >&2; pg_fail "pg_ctl start failed in $1"; return 1; }
}

# A script test's own server, stopped and removed when the script exits (its EXIT trap is chained).
pg_start() {
  PG_DIR=$(mktemp -d /tmp/slamon-pg-XXXXXX)
  local prev
  prev=$(trap -p EXIT | sed -E "s/^trap -- '(.*)' EXIT$/\1/")
  # shellcheck disable=SC2064
  trap "pg_stop_in '$PG_DIR'; $prev" EXIT
  pg_start_in "$PG_DIR" || exit 1
  PG_URL=$(cat "$PG_DIR/url")
  export PG_URL
}

# A new empty database NAME on the server of PG_URL (or $2); prints its URL.
pg_createdb() {
  local name=$1 url=${2:-$PG_URL}
  "$PG_BIN/psql" -q -v ON_ERROR_STOP=1 "$url" -c "CREATE DATABASE \"$name\"" >/dev/null || { pg_fail "cannot create database $name"; return 1; }
  echo "${url%/*}/$name"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  case "${1:-}" in
    start) pg_stop_in "$2"; pg_start_in "$2" ;;
    stop) pg_stop_in "$2" ;;
    *) echo "usage: pg.sh start|stop DIR" >&2; exit 2 ;;
  esac
fi
