# Helpers of the link tests (sourced): a temporary folder with certificates, a catalogue of two agents
# (a1: web.tcp, web.tcp2; a2: db.tcp), a collector.yaml on a free loopback port, and functions to
# start and stop the real collector and to drive link_client. Everything is bounded in time and
# cleaned up by the EXIT trap.
set -euo pipefail
bin=${SLAMON_BIN_DIR:?SLAMON_BIN_DIR: the folder of slamon-collector and link_client}
src=${SLAMON_SOURCE_DIR:?SLAMON_SOURCE_DIR: the source tree}
collector=$bin/slamon-collector
client=$bin/link_client
command -v sqlite3 >/dev/null || { echo "SKIP: sqlite3 is not installed (scripts/setup.sh)"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: python3 is not installed (scripts/setup.sh)"; exit 77; }

tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*" >&2
  for f in "$tmp"/*.log; do [ -e "$f" ] && { echo "--- $f" >&2; tail -n 40 "$f" >&2; }; done
  echo "FAIL: $*" >&2  # again, below the logs
  exit 1
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# write_catalogue [EXTRA_A1_PROBE_YAML [no-a2]]: the catalogue: a1 (web.tcp, web.tcp2, and the extra probe
# line when given), a2 (db.tcp, unless no-a2), a3 (mail.tcp); tokens tok-NAME.
write_catalogue() {
  local h1 h2 h3
  h1=$(printf tok-a1 | sha256sum | cut -d' ' -f1)
  h2=$(printf tok-a2 | sha256sum | cut -d' ' -f1)
  h3=$(printf tok-a3 | sha256sum | cut -d' ' -f1)
  {
    printf 'version: 1\nagents:\n  - {name: a1, token_sha256: %s}\n  - {name: a3, token_sha256: %s}\n' "$h1" "$h3"
    [ "${2:-}" = no-a2 ] || printf '  - {name: a2, token_sha256: %s}\n' "$h2"
    printf 'cis:\n  - id: web\n    probes:\n'
    printf '      - {id: web.tcp, type: tcp, agent: a1, target: "127.0.0.1:9"}\n'
    printf '      - {id: web.tcp2, type: tcp, agent: a1, target: "127.0.0.1:10"}\n'
    [ -z "${1:-}" ] || printf '%s\n' "$1"
    printf '  - id: mail\n    probes:\n      - {id: mail.tcp, type: tcp, agent: a3, target: "127.0.0.1:25"}\n'
    [ "${2:-}" = no-a2 ] || printf '  - id: db\n    probes:\n      - {id: db.tcp, type: tcp, agent: a2, target: "127.0.0.1:11"}\n'
  } > "$tmp/cat.yaml"
}

"$src/scripts/make-certs.sh" "$tmp/tls" a1 a2 >/dev/null
write_catalogue
port=$(free_port)
http_port=$(free_port)  # the HTTP listener (API, metrics): a free port, never the default 8080
# write_config [EXTRA_TLS_KEY_LINE]
write_config() {
  cat > "$tmp/collector.yaml" <<YAML
catalogue: cat.yaml
listen: 127.0.0.1:$port
tls:
  cert_file: tls/collector.pem
  key_file: tls/collector.key
${1:-}
store: store.db
state_dir: state
clock_skew_limit: 2s
http:
  listen: 127.0.0.1:$http_port
YAML
}
write_config

col_pid=
# start_collector LOG [FLAGS...]: starts it in the background and waits until it listens.
start_collector() {
  local log=$1; shift
  "$collector" --config "$tmp/collector.yaml" "$@" 2>"$log" &
  col_pid=$!
  pids+=("$col_pid")
  for _ in $(seq 100); do
    grep -q 'listening on' "$log" && return 0
    kill -0 "$col_pid" 2>/dev/null || fail "the collector exited at start: $(cat "$log")"
    sleep 0.1
  done
  fail "the collector did not listen within 10 s"
}

# stop_collector: SIGTERM, then waits (bounded) for exit 0.
stop_collector() {
  kill -TERM "$col_pid"
  for _ in $(seq 150); do
    kill -0 "$col_pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -0 "$col_pid" 2>/dev/null && fail "the collector did not stop within 15 s of SIGTERM"
  local rc=0
  wait "$col_pid" || rc=$?
  [ "$rc" = 0 ] || fail "the collector exited $rc after SIGTERM"
}

# lc AGENT [link_client args and steps...]: link_client as AGENT (token tok-AGENT), bounded to 60 s.
lc() {
  local agent=$1; shift
  timeout 60 "$client" --connect "127.0.0.1:$port" --ca "$tmp/tls/ca.pem" --agent "$agent" --token "tok-$agent" "$@"
}

# wait_log LOG REGEX [SECONDS]: waits until LOG has a line matching REGEX.
wait_log() {
  local n=$(( ${3:-10} * 10 ))
  for _ in $(seq "$n"); do
    grep -qE "$2" "$1" && return 0
    sleep 0.1
  done
  fail "no line matching '$2' in $1 within ${3:-10} s"
}

# sql QUERY: runs it on the store.
sql() { sqlite3 "$tmp/store.db" "$1"; }
