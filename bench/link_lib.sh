# shellcheck shell=bash
# Shared by bench/ingest_bench.sh and bench/connections_bench.sh: a work folder, certificates, N
# agents with tokens (agents.txt: "NAME TOKEN" lines for bench_ingest), a catalogue with P probes per
# agent, collector.yaml, and helpers to start and stop the real collector. Loopback only; every wait
# is bounded; the EXIT trap kills what this script started and removes the folder (kept with --keep).
set -euo pipefail
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN=${SLAMON_BIN_DIR:-$SRC/build/bin}
work=$(mktemp -d "${TMPDIR:-/tmp}/slamon-linkbench.XXXXXX")
collector_pid=
load_pid=
keep=0
link_cleanup() {
  [ -n "$load_pid" ] && kill -9 "$load_pid" 2>/dev/null || true
  [ -n "$collector_pid" ] && kill -9 "$collector_pid" 2>/dev/null || true
  if [ "$keep" = 1 ]; then echo "work folder kept: $work" >&2; else rm -rf "$work"; fi
}
trap link_cleanup EXIT
log() { echo "[$(date -u +%T)] $*" >&2; }
die() { echo "FAIL: $*" >&2; [ -f "$work/collector.log" ] && tail -n 20 "$work/collector.log" >&2; exit 1; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
for b in slamon-collector bench_ingest; do [ -x "$BIN/$b" ] || die "$BIN/$b is not built (ninja -C build $b)"; done

# link_init AGENTS PROBES_PER_AGENT: certificates, tokens, catalogue, collector.yaml.
link_init() {
  local n=$1 p=$2
  "$SRC/scripts/make-certs.sh" "$work/tls" >/dev/null
  port=$(free_port)
  http_port=$(free_port)  # the collector's HTTP listener: never the default 8080
  python3 - "$work" "$n" "$p" <<'PY'
import hashlib, os, secrets, sys
work, n, p = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
agents = [("bench-a%d" % i, secrets.token_hex(16)) for i in range(1, n + 1)]
with open(os.path.join(work, "agents.txt"), "w") as f:
    for a, t in agents: f.write("%s %s\n" % (a, t))
out = ["version: 1", "agents:"]
for a, t in agents:
    out += ["  - name: %s" % a, "    token_sha256: %s" % hashlib.sha256(t.encode()).hexdigest()]
out += ["services:", "  - id: svc", "    name: Bench service", "    kind: business",
        "    children: [%s]" % ", ".join("ci-" + a for a, _ in agents),
        "slas:", "  - id: svc-sla", "    service: svc", "    target: 99.0", "    period: day", "cis:"]
for a, _ in agents:
    out += ["  - id: ci-%s" % a, "    type: host", "    probes:"]
    for i in range(1, p + 1):
        out.append('      - {id: %s.p%d, type: tcp, agent: %s, target: "127.0.0.1:9", interval: 60s, timeout: 1s}' % (a, i, a))
open(os.path.join(work, "catalogue.yaml"), "w").write("\n".join(out) + "\n")
PY
  cat >"$work/collector.yaml" <<YAML
catalogue: catalogue.yaml
listen: 127.0.0.1:$port
tls:
  cert_file: tls/collector.pem
  key_file: tls/collector.key
store: store.db
state_dir: state
log_level: ${LINKBENCH_LOG_LEVEL:-info}
http:
  listen: 127.0.0.1:$http_port
YAML
  mkdir -p "$work/state"
}

start_collector() {
  local before
  touch "$work/collector.log"
  before=$(grep -c "listening on" "$work/collector.log" || true)
  "$BIN/slamon-collector" --config "$work/collector.yaml" 2>>"$work/collector.log" &
  collector_pid=$!
  for _ in $(seq 600); do
    [ "$(grep -c "listening on" "$work/collector.log" || true)" -gt "$before" ] && return 0
    kill -0 "$collector_pid" 2>/dev/null || die "the collector exited"
    sleep 0.05
  done
  die "the collector does not listen after 30 s"
}
stop_collector() {
  [ -n "$collector_pid" ] || return 0
  kill -TERM "$collector_pid" 2>/dev/null || true
  for _ in $(seq 200); do kill -0 "$collector_pid" 2>/dev/null || break; sleep 0.05; done
  kill -9 "$collector_pid" 2>/dev/null || true
  wait "$collector_pid" 2>/dev/null || true
  collector_pid=
}
# cpu_ticks PID: utime + stime in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
median() { python3 -c 'import sys,statistics; v=[float(x) for x in sys.argv[1:]]; print("%.0f" % statistics.median(v))' "$@"; }
