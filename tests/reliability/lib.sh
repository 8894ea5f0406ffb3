# Shared by the reliability tests (tests/reliability/*_test.sh): a work folder, certificates and
# tokens for N agents, a catalogue, collector.yaml and one agent.yaml per agent, and helpers to start,
# kill and restart the real binaries. Everything listens on loopback ports chosen free; every wait is
# bounded; the EXIT trap kills what is left and removes the folder (kept with SLAMON_KEEP=1).
set -euo pipefail
BIN=${SLAMON_BIN_DIR:?}
SRC=${SLAMON_SOURCE_DIR:?}
work=$(mktemp -d "${TMPDIR:-/tmp}/slamon-rel.XXXXXX")
declare -A agent_pid=()
collector_pid=
rel_cleanup() {
  local rc=$?
  [ -n "$collector_pid" ] && kill -9 "$collector_pid" 2>/dev/null || true
  for p in "${agent_pid[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  if [ "$rc" != 0 ] || [ "${SLAMON_KEEP:-0}" = 1 ]; then
    echo "reliability: work folder kept: $work" >&2
  else
    rm -rf "$work"
  fi
}
trap rel_cleanup EXIT

fail() {
  echo "FAIL: $*" >&2
  for f in "$work"/collector.log "$work"/agents/*/agent.log; do
    [ -f "$f" ] && { echo "--- tail of $f" >&2; tail -n 25 "$f" >&2; }
  done
  exit 1
}
log() { echo "[$(date -u +%T)] $*" >&2; }

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# rel_init AGENT...: certificates (a CA, the collector's, one per agent), tokens, folders.
rel_init() {
  agents=("$@")
  "$SRC/scripts/make-certs.sh" "$work/tls" "${agents[@]}" >/dev/null
  port=$(free_port)
  http_port=$(free_port)  # the collector's HTTP listener: never the default 8080
  closed_port=$(free_port)  # nothing listens there: tcp probes to it are down at once
  mkdir -p "$work/agents"
  for a in "${agents[@]}"; do
    mkdir -p "$work/agents/$a"
    head -c 32 /dev/urandom | base64 | tr -d '\n' >"$work/agents/$a/token"
    chmod 600 "$work/agents/$a/token"
  done
}

token_sha() { sha256sum <"$work/agents/$1/token" | cut -d' ' -f1; }

# write_catalogue PROBES_PER_AGENT INTERVAL [TIMEOUT]: tcp probes to a closed loopback port.
write_catalogue() {
  local n=$1 interval=$2 timeout=${3:-100ms}
  {
    echo "version: 1"
    echo "agents:"
    for a in "${agents[@]}"; do
      echo "  - name: $a"
      echo "    token_sha256: $(token_sha "$a")"
    done
    echo "services:"
    echo "  - id: svc"
    echo "    name: Reliability service"
    echo "    kind: business"
    echo "    children: [$(IFS=,; echo "${agents[*]/#/ci-}" | sed 's/,/, /g')]"
    echo "slas:"
    echo "  - id: svc-sla"
    echo "    service: svc"
    echo "    target: 99.0"
    echo "    period: day"
    echo "cis:"
    for a in "${agents[@]}"; do
      echo "  - id: ci-$a"
      echo "    type: host"
      echo "    probes:"
      for i in $(seq "$n"); do
        echo "      - {id: $a.p$i, type: tcp, agent: $a, target: \"127.0.0.1:$closed_port\", interval: $interval, timeout: $timeout}"
      done
    done
  } >"$work/catalogue.yaml"
}

write_collector_config() {
  cat >"$work/collector.yaml" <<YAML
catalogue: catalogue.yaml
listen: 127.0.0.1:$port
tls:
  cert_file: tls/collector.pem
  key_file: tls/collector.key
store: store.db
state_dir: state
log_level: info
http:
  listen: 127.0.0.1:$http_port
YAML
  mkdir -p "$work/state"
}

# write_agent_config AGENT [EXTRA_YAML_LINES]
write_agent_config() {
  local a=$1
  cat >"$work/agents/$a/agent.yaml" <<YAML
collector: 127.0.0.1:$port
name: $a
token_file: token
tls:
  ca_file: ../../tls/ca.pem
spool_dir: spool
state_dir: state
results_log: results.jsonl
log_level: info
${2:-}
YAML
  mkdir -p "$work/agents/$a/spool" "$work/agents/$a/state"
}

# wait_listening N: until the collector's log has its Nth "listening on" line (no probe connection,
# which the collector would log as a failed handshake).
wait_listening() {
  for _ in $(seq 200); do
    [ "$(grep -c "listening on" "$work/collector.log" 2>/dev/null || true)" -ge "$1" ] && return 0
    kill -0 "$collector_pid" 2>/dev/null || fail "the collector exited"
    sleep 0.05
  done
  fail "the collector does not listen on 127.0.0.1:$port after 10 s"
}

start_collector() {
  local before
  before=$(grep -c "listening on" "$work/collector.log" 2>/dev/null || true)
  "$BIN/slamon-collector" --config "$work/collector.yaml" "$@" 2>>"$work/collector.log" &
  collector_pid=$!
  wait_listening $((before + 1))
}

kill9_collector() {
  kill -9 "$collector_pid" 2>/dev/null || true
  wait "$collector_pid" 2>/dev/null || true
  collector_pid=
}

stop_collector() {
  kill -TERM "$collector_pid" 2>/dev/null || true
  local rc=0
  wait "$collector_pid" || rc=$?
  collector_pid=
  [ "$rc" = 0 ] || fail "the collector exited $rc on SIGTERM"
}

start_agent() {
  local a=$1
  shift
  "$BIN/slamon-agent" --config "$work/agents/$a/agent.yaml" "$@" 2>>"$work/agents/$a/agent.log" &
  agent_pid[$a]=$!
}

kill9_agent() {
  local a=$1
  kill -9 "${agent_pid[$a]}" 2>/dev/null || true
  wait "${agent_pid[$a]}" 2>/dev/null || true
  unset "agent_pid[$a]"
}

# stop_agent AGENT: SIGTERM; the agent stops probing, sends its backlog (--drain-timeout) and exits.
stop_agent() {
  local a=$1 rc=0
  kill -TERM "${agent_pid[$a]}" 2>/dev/null || true
  wait "${agent_pid[$a]}" || rc=$?
  unset "agent_pid[$a]"
  [ "$rc" = 0 ] || fail "agent $a exited $rc on SIGTERM"
}

export_store() {
  "$BIN/slamon" export --db "$work/store.db" --output "$1" || fail "slamon export failed"
}

logs() { for a in "${agents[@]}"; do echo "$work/agents/$a/results.jsonl"; done; }
logged_count() { cat $(logs) 2>/dev/null | wc -l; }
