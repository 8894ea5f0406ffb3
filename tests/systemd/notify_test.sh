#!/usr/bin/env bash
# Type=notify without systemd: the test owns the NOTIFY_SOCKET (a python3 datagram socket that writes
# each message to a file) and starts the real collector and agent under it with WATCHDOG_USEC=2s.
# The collector sends READY=1 once listening, WATCHDOG=1 from its io loop (at least two within 6 s of
# READY), RELOADING=1 then READY=1 around a SIGHUP reload, STOPPING=1 after SIGTERM. The agent (run
# with WATCHDOG_PID set to its own pid) sends READY=1, WATCHDOG=1 and STOPPING=1 likewise. Without
# NOTIFY_SOCKET both run as before (the other tests). docs/operations.md.
source "$(dirname "$0")/../link/lib.sh"
agent=$bin/slamon-agent

# listen NAME: a datagram socket $tmp/NAME.sock; each message becomes one line of $tmp/NAME.msgs
# ("SECONDS MESSAGE", the message's lines joined by spaces). Ends by itself after 120 s.
listen() {
  python3 - "$tmp/$1.sock" "$tmp/$1.msgs" <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(1.0)
end = time.monotonic() + 120
with open(sys.argv[2], "a", buffering=1) as out:
    while time.monotonic() < end:
        try:
            data = s.recv(4096)
        except socket.timeout:
            continue
        out.write("%.3f %s\n" % (time.monotonic(), data.decode(errors="replace").replace("\n", " ")))
PY
  pids+=("$!")
  for _ in $(seq 50); do [ -S "$tmp/$1.sock" ] && return 0; sleep 0.1; done
  fail "the notify socket $tmp/$1.sock did not appear"
}

# wait_msg NAME REGEX [SECONDS] [AFTER_LINE]: waits until a message after line AFTER_LINE of
# $tmp/NAME.msgs matches REGEX; prints its line number.
wait_msg() {
  local n=$(( ${3:-10} * 10 )) after=${4:-0} line
  for _ in $(seq "$n"); do
    line=$(awk -v a="$after" -v re="$2" 'NR > a && $0 ~ re { print NR; exit }' "$tmp/$1.msgs" 2>/dev/null || true)
    [ -n "$line" ] && { echo "$line"; return 0; }
    sleep 0.1
  done
  fail "$1: no notification matching '$2' within ${3:-10} s: $(cat "$tmp/$1.msgs" 2>/dev/null)"
}

# watchdogs_after NAME LINE: the WATCHDOG=1 messages within 6 s after the message on LINE, at least 2 (pinged
# every second; the margin is for a loaded machine: the test checks the pinging, not its rate).
watchdogs_after() {
  sleep 6.5
  local count
  count=$(awk -v l="$2" 'NR == l { t = $1 } NR > l && t && $1 <= t + 6 && /(^| )WATCHDOG=1( |$)/ { n++ } END { print n + 0 }' \
          "$tmp/$1.msgs")
  [ "$count" -ge 2 ] || fail "$1: $count WATCHDOG=1 within 6 s of READY=1 (WATCHDOG_USEC=2000000), not 2 or more: $(cat "$tmp/$1.msgs")"
  echo "$1: $count WATCHDOG=1 within 6 s of READY=1"
}

# ---- the collector ----
listen col
NOTIFY_SOCKET=$tmp/col.sock WATCHDOG_USEC=2000000 "$collector" --config "$tmp/collector.yaml" 2>"$tmp/collector.log" &
col_pid=$!
pids+=("$col_pid")
ready=$(wait_msg col '(^| )READY=1( |$)')
grep -q 'listening on' "$tmp/collector.log" || fail "READY=1 before the collector listens"
grep -q "READY=1 STATUS=serving 3 agents, 4 probes on 127.0.0.1:$port; http 127.0.0.1:$http_port" "$tmp/col.msgs" ||
  fail "the collector's READY=1 lacks its STATUS: $(cat "$tmp/col.msgs")"
watchdogs_after col "$ready"

kill -HUP "$col_pid"
reloading=$(wait_msg col '(^| )RELOADING=1 MONOTONIC_USEC=[0-9]+ ' 10 "$ready")
wait_msg col '(^| )READY=1( |$)' 10 "$reloading" > /dev/null
wait_log "$tmp/collector.log" 'catalogue reloaded'

stop_collector
wait_msg col '(^| )STOPPING=1( |$)' 1 > /dev/null
echo "collector: READY=1, WATCHDOG=1, RELOADING=1 + READY=1 on SIGHUP, STOPPING=1 on SIGTERM"

# ---- the agent, against a collector without a notify socket ----
start_collector "$tmp/collector2.log"
printf 'tok-a1' > "$tmp/a1.token"
chmod 600 "$tmp/a1.token"
cat > "$tmp/agent.yaml" <<YAML
collector: 127.0.0.1:$port
name: a1
token_file: a1.token
tls:
  ca_file: tls/ca.pem
  server_name: localhost
spool_dir: spool
state_dir: astate
YAML
listen agent
# WATCHDOG_PID: the agent's own pid (exec keeps the shell's), as systemd sets it.
NOTIFY_SOCKET=$tmp/agent.sock WATCHDOG_USEC=2000000 \
  sh -c 'WATCHDOG_PID=$$ exec "$0" "$@"' "$agent" --config "$tmp/agent.yaml" 2>"$tmp/agent.log" &
agent_pid=$!
pids+=("$agent_pid")
ready=$(wait_msg agent '(^| )READY=1( |$)')
grep -q "READY=1 STATUS=probing; results to collector 127.0.0.1:$port" "$tmp/agent.msgs" ||
  fail "the agent's READY=1 lacks its STATUS: $(cat "$tmp/agent.msgs")"
watchdogs_after agent "$ready"
kill -TERM "$agent_pid"
for _ in $(seq 150); do kill -0 "$agent_pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$agent_pid" 2>/dev/null && fail "the agent did not stop within 15 s of SIGTERM"
rc=0; wait "$agent_pid" || rc=$?
[ "$rc" = 0 ] || fail "the agent exited $rc after SIGTERM"
wait_msg agent '(^| )STOPPING=1 STATUS=stopping \(SIGTERM\)' 1 > /dev/null
echo "agent: READY=1, WATCHDOG=1, STOPPING=1 on SIGTERM"

# A WATCHDOG_PID of another process: the watchdog is not this agent's, no WATCHDOG=1.
: > "$tmp/agent.msgs"
NOTIFY_SOCKET=$tmp/agent.sock WATCHDOG_USEC=2000000 WATCHDOG_PID=1 "$agent" --config "$tmp/agent.yaml" --duration 3s \
  2>"$tmp/agent2.log" || fail "the agent with --duration 3s failed: $(cat "$tmp/agent2.log")"
wait_msg agent '(^| )STOPPING=1( |$)' 2 > /dev/null
! grep -q 'WATCHDOG=1' "$tmp/agent.msgs" || fail "WATCHDOG=1 with WATCHDOG_PID of another process: $(cat "$tmp/agent.msgs")"
stop_collector
echo "OK"
