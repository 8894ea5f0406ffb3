#!/usr/bin/env bash
# Footprint benchmark (issue 3, benchmark 4): one slamon-agent with 10,000 probes at 60 s intervals, a
# quarter each of ICMP, TCP, plain HTTP and SNMP v2c, all against local targets, must stay under 50 MB
# resident, under 5 % of one core in steady state, with a scheduling lag p99 under 50 ms. HTTPS is
# measured apart: a second run where the 2,500 HTTP probes are HTTPS ones (verified with the peer's CA).
#
# Peers (all started here, all stopped on exit):
#   nginx (tests/probes/peers/https_peer.sh) on 127.0.0.1: the HTTP(S) probes, and the TCP probes
#     connect to its plain port;
#   snmpd in its own network namespace (leftover TCP connections on the loopback slow snmpd down),
#     joined to this one by a veth link whose only addresses are private ones (10.77.0.0/24, checked
#     unused first); it answers on SNMP_ADDRESSES addresses there, the SNMP probes spread over them;
#   ICMP: one 127.a.b.c loopback address per probe (the kernel answers).
# The agent runs for DURATION seconds (the first interval is start-up; the rest is steady state); its
# CPU (utime+stime) and memory (VmRSS, VmHWM) are sampled from /proc every 2 s, with nginx's and snmpd's
# CPU for context. bench/footprint_analyse.py then checks the results file (one result per probe per
# planned start, statuses) and computes the lag of every run from its start time and its phase.
#
# Mode "link" (issue 13) is "plain" with the agent in agent.yaml mode: a real slamon-collector on
# loopback (TLS, certificates from scripts/make-certs.sh, a fresh store) serves it the same catalogue,
# the agent spools every result (SQLite WAL) and streams it; its results_log is what is analysed, and
# the collector's CPU and RSS are printed beside the agent's.
#
#   bench/footprint.sh [--modes "plain https link"] [--duration SECONDS] [--hosts N] [--keep DIR]
#                      [--agent-args "ARGS"]   (extra slamon-agent options, for A/B runs)
#   env: SLAMON_BUILD_DIR (build), SNMP_ADDRESSES (50)
# Needs root (network namespace, raw ICMP socket), nginx, snmpd, snmpget, python3. Raises the open-file
# limit (ulimit -n) to 16384 (or the hard limit), and says so.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(dirname "$here")
build=${SLAMON_BUILD_DIR:-$src/build}
modes="plain https"
duration=330
hosts=2500
keep=""
agent_args=""
while [ $# -gt 0 ]; do
  case $1 in
    --modes) modes=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --hosts) hosts=$2; shift 2 ;;
    --keep) keep=$2; shift 2 ;;
    --agent-args) agent_args=$2; shift 2 ;;
    *) echo "usage: $0 [--modes \"plain https\"] [--duration SECONDS] [--hosts N] [--keep DIR] [--agent-args ARGS]" >&2; exit 2 ;;
  esac
done
snmp_addresses=${SNMP_ADDRESSES:-50}
agent_bin=$build/bin/slamon-agent
[ -x "$agent_bin" ] || { echo "footprint: build slamon-agent first ($agent_bin)" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "footprint: needs root (network namespace for snmpd, raw ICMP socket)" >&2; exit 2; }
for t in nginx snmpd snmpget ip python3; do
  command -v "$t" >/dev/null || { echo "footprint: $t is missing (scripts/setup.sh)" >&2; exit 2; }
done
[ "$duration" -ge 140 ] || { echo "footprint: --duration must be at least 140 s (one interval of start-up, one of steady state)" >&2; exit 2; }

work=$(mktemp -d)
ns=slamon-fp-$$
veth_host=fph$$
veth_ns=fpn$$
net=10.77.0
agent_pid=""
snmpd_pid=""
collector_pid=""
cleanup() {
  [ -n "$agent_pid" ] && kill "$agent_pid" 2>/dev/null && wait "$agent_pid" 2>/dev/null || true
  [ -n "$collector_pid" ] && kill -9 "$collector_pid" 2>/dev/null && wait "$collector_pid" 2>/dev/null || true
  if [ -n "$snmpd_pid" ]; then
    kill "$snmpd_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$snmpd_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$snmpd_pid" 2>/dev/null || true
  fi
  bash "$src/tests/probes/peers/https_peer.sh" stop "$work/nginx" || true
  ip netns del "$ns" 2>/dev/null || true   # takes its end of the veth link, and so the link, with it
  ip link del "$veth_host" 2>/dev/null || true
  if [ -n "$keep" ]; then mkdir -p "$keep" && cp -r "$work"/. "$keep"/ && echo "footprint: kept in $keep"; fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Namespaces left by an earlier run that died (slamon-fp-PID whose PID is gone).
for old in $(ip netns list | grep -oE '^slamon-fp-[0-9]+' || true); do
  [ -d "/proc/${old##*-}" ] || ip netns del "$old" 2>/dev/null || true
done

# --- limits -----------------------------------------------------------------------------------------
want_files=16384
hard=$(ulimit -Hn)
[ "$hard" != unlimited ] && [ "$hard" -lt "$want_files" ] && want_files=$hard
ulimit -n "$want_files"
echo "footprint: open-file limit raised to $(ulimit -n) (ulimit -n) for the agent and its peers"

# --- peers ------------------------------------------------------------------------------------------
free_range() {  # a base with $1 consecutive free TCP ports on 127.0.0.1
  python3 - "$1" <<'PY'
import random, socket, sys
n = int(sys.argv[1])
for _ in range(200):
    b = random.randint(20000, 59000)
    ok = True
    for p in range(b, b + n):
        s = socket.socket()
        try: s.bind(("127.0.0.1", p))
        except OSError: ok = False
        finally: s.close()
    if ok: print(b); sys.exit(0)
sys.exit(1)
PY
}
mkdir -p "$work/nginx"
base=$(free_range 5)
bash "$src/tests/probes/peers/https_peer.sh" start "$work/nginx" "$base"
nginx_master=$(cat "$work/nginx/nginx.pid")

# snmpd in its own namespace, reached over a veth link with private addresses only.
if ip -4 addr show | grep -q "inet $net\." || [ -n "$(ip -4 route show "$net.0/24")" ]; then
  echo "footprint: $net.0/24 is already used on this host; cannot place the snmpd namespace there" >&2
  exit 2
fi
ip netns add "$ns"
ip link add "$veth_host" type veth peer name "$veth_ns" netns "$ns"
ip addr add "$net.1/24" dev "$veth_host"
ip link set "$veth_host" up
ip -n "$ns" link set lo up
ip -n "$ns" link set "$veth_ns" up
listen=""
snmp_list=""
for i in $(seq 2 $((snmp_addresses + 1))); do
  ip -n "$ns" addr add "$net.$i/24" dev "$veth_ns"
  listen="$listen${listen:+,}udp:$net.$i:161"
  snmp_list="$snmp_list${snmp_list:+,}$net.$i"
done
community="fp-$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')"
mkdir -p "$work/snmpd/persist"
{
  echo "rocommunity $community $net.1"
  echo "sysName footprint-peer"
  echo "sysContact ops@example.test"
  echo "sysLocation slamon footprint bench"
  for n in $(seq 1 40); do echo "override .1.3.6.1.4.1.99999.1.1.$n integer $((n * 10))"; done
} > "$work/snmpd/snmpd.conf"
SNMP_PERSISTENT_DIR=$work/snmpd/persist MIBS="" ip netns exec "$ns" \
  snmpd -C -c "$work/snmpd/snmpd.conf" -p "$work/snmpd/snmpd.pid" -Lf "$work/snmpd/snmpd.log" "$listen"
for _ in $(seq 1 50); do [ -s "$work/snmpd/snmpd.pid" ] && break; sleep 0.1; done
snmpd_pid=$(cat "$work/snmpd/snmpd.pid" 2>/dev/null || true)
[ -n "$snmpd_pid" ] || { echo "footprint: snmpd did not start" >&2; cat "$work/snmpd/snmpd.log" >&2; exit 1; }
ready=""
for _ in $(seq 1 50); do
  if SNMP_PERSISTENT_DIR=$work/snmpd/client MIBS="" snmpget -v2c -c "$community" -r 0 -t 0.2 -On \
      "udp:$net.$((snmp_addresses + 1)):161" .1.3.6.1.2.1.1.5.0 >/dev/null 2>&1; then ready=1; break; fi
  sleep 0.1
done
[ -n "$ready" ] || { echo "footprint: snmpd does not answer in $ns" >&2; cat "$work/snmpd/snmpd.log" >&2; exit 1; }
echo "footprint: nginx on 127.0.0.1:$base (https $((base + 1))), snmpd in namespace $ns on $snmp_addresses addresses $net.2-$((snmp_addresses + 1)), $hosts hosts x 4 probes"

ticks=$(getconf CLK_TCK)
cpu_ticks() {  # utime+stime of the processes given, in clock ticks (0 for a process that is gone)
  local sum=0 p v
  for p in "$@"; do
    v=$(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null || echo 0)
    sum=$((sum + v))
  done
  echo "$sum"
}
nginx_pids() { echo "$nginx_master" $(pgrep -P "$nginx_master" || true); }

# --- one run ----------------------------------------------------------------------------------------
status=0
for mode in $modes; do
  run=$work/run-$mode
  mkdir -p "$run/state"
  https_args=()
  [ "$mode" = https ] && https_args=(--https --ca-file "$work/nginx/ca.crt")
  python3 "$here/gen_footprint_catalogue.py" --out "$run" --hosts "$hosts" --http-port "$base" "${https_args[@]}" \
    --snmp-addresses "$snmp_list" --snmp-port 161 --community "$community"
  echo
  echo "footprint ($mode${agent_args:+, agent $agent_args}): $(date -u +%FT%TZ), load average before: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
  if [ "$mode" = link ]; then
    # The collector, on a free loopback port, with a fresh store; the agent in agent.yaml mode.
    "$src/scripts/make-certs.sh" "$run/tls" >/dev/null
    head -c 32 /dev/urandom | base64 | tr -d '\n' >"$run/token"
    chmod 600 "$run/token"
    sha=$(sha256sum <"$run/token" | cut -d' ' -f1)
    sed -i "s/^  - {name: footprint-agent, /  - {name: footprint-agent, token_sha256: $sha, /" "$run/catalogue.yaml"
    link_port=$(free_range 2)  # and link_port + 1: the collector's HTTP listener
    mkdir -p "$run/collector" "$run/spool"
    printf 'catalogue: %s\nlisten: 127.0.0.1:%s\ntls:\n  cert_file: %s\n  key_file: %s\nstore: %s\nstate_dir: %s\nlog_level: info\nhttp:\n  listen: 127.0.0.1:%s\n' \
      "$run/catalogue.yaml" "$link_port" "$run/tls/collector.pem" "$run/tls/collector.key" "$run/collector/store.db" \
      "$run/collector" "$((link_port + 1))" >"$run/collector.yaml"
    printf 'collector: 127.0.0.1:%s\nname: footprint-agent\ntoken_file: %s\ntls:\n  ca_file: %s\nspool_dir: %s\nstate_dir: %s\nresults_log: %s\nlog_level: info\n' \
      "$link_port" "$run/token" "$run/tls/ca.pem" "$run/spool" "$run/state" "$run/results.jsonl" >"$run/agent.yaml"
    "$build/bin/slamon-collector" --config "$run/collector.yaml" 2>"$run/collector.log" &
    collector_pid=$!
    for _ in $(seq 1 200); do grep -q "listening on" "$run/collector.log" && break; sleep 0.1; done
    grep -q "listening on" "$run/collector.log" || { echo "footprint: the collector did not start" >&2; tail "$run/collector.log" >&2; exit 1; }
    c_ticks0=$(cpu_ticks "$collector_pid")
  fi
  start_ms=$(date +%s%3N)
  if [ "$mode" = link ]; then
    "$agent_bin" --config "$run/agent.yaml" --duration "${duration}s" $agent_args 2>"$run/agent.log" &
  else
    "$agent_bin" --catalogue "$run/catalogue.yaml" --agent footprint-agent --results-file "$run/results.jsonl" \
      --state-dir "$run/state" --duration "${duration}s" --log-level info $agent_args 2>"$run/agent.log" &
  fi
  agent_pid=$!
  : > "$run/samples"
  while kill -0 "$agent_pid" 2>/dev/null; do
    now=$(date +%s%3N)
    a_ticks=$(awk '{ print $14 + $15 }' "/proc/$agent_pid/stat" 2>/dev/null) || break
    mem=$(awk '/^VmRSS:/ { r = $2 } /^VmHWM:/ { h = $2 } /^Threads:/ { t = $2 } END { print r, h, t }' \
      "/proc/$agent_pid/status" 2>/dev/null) || break
    [ -n "$a_ticks" ] && [ -n "$mem" ] && echo "$now $a_ticks $mem $(cpu_ticks $(nginx_pids)) $(cpu_ticks "$snmpd_pid")" >> "$run/samples"
    sleep 2
  done
  rc=0
  wait "$agent_pid" || rc=$?
  agent_pid=""
  stop_ms=$(date +%s%3N)
  echo "footprint ($mode): agent exited with $rc; load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
  [ "$rc" = 0 ] || { status=1; tail -20 "$run/agent.log" >&2; }
  if [ "$mode" = link ]; then
    c_ticks1=$(cpu_ticks "$collector_pid")
    c_rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$collector_pid/status")
    kill "$collector_pid" 2>/dev/null || true
    wait "$collector_pid" 2>/dev/null || true
    collector_pid=""
    stored=$("$build/bin/slamon" export --db "$run/collector/store.db" 2>/dev/null | wc -l || echo "?")
    echo "footprint (link): collector CPU $(python3 -c "print('%.2f' % (100.0*($c_ticks1-$c_ticks0)/$ticks/(($stop_ms-$start_ms)/1000)))") % of one core over the whole run, RSS $((c_rss / 1024)) MB; results logged $(wc -l <"$run/results.jsonl"), stored $stored; spool $(du -sh "$run/spool" | cut -f1)"
  fi
  python3 "$here/footprint_analyse.py" --results "$run/results.jsonl" --samples "$run/samples" --log "$run/agent.log" \
    --start-ms "$start_ms" --stop-ms $((start_ms + duration * 1000)) --probes $((hosts * 4)) --ticks "$ticks" --label "$mode" || status=1
done
exit $status
