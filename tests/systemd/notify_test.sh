#!/usr/bin/env bash
# Type=notify without systemd: the test owns the NOTIFY_SOCKET (a python3 datagram socket that writes
# each message to a file) and starts the real collector and agent under it with WATCHDOG_USEC=2s.
# The collector sends READY=1 once listening, WATCHDOG=1 from its io loop (at least two within 6 s of
# READY), RELOADING=1 then READY=1 around a SIGHUP reload, STOPPING=1 after SIGTERM. The agent (run
# with WATCHDOG_PID set to its own pid) sends READY=1, WATCHDOG=1 and STOPPING=1 likewise. Without
# NOTIFY_SOCKET both run as before (the other tests). docs/operations.md.
source "$(dirname "$0")/../link/lib.sh"
agent=$bin/slamon-agent

source "$(dirname "$0")/notify_lib.sh"

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
