#!/usr/bin/env bash
# The real agent against the real collector: slamon-agent --config streams its results over TLS; the
# collector is killed with -9 while the agent runs (the agent spools), restarted, and the agent stopped
# with a drain: every result in the agent's results_log is in the store exactly once, and nothing else.
# Skipped (77) with an agent that has no agent.yaml mode yet.
source "$(dirname "$0")/lib.sh"
agent=$bin/slamon-agent
[ -x "$agent" ] && "$agent" --help 2>/dev/null | grep -q -- '--config' ||
  { echo "SKIP: this slamon-agent has no --config (agent.yaml) mode"; exit 77; }
"$agent" --help | grep -q -- '--drain-timeout' || { echo "SKIP: this slamon-agent has no --drain-timeout"; exit 77; }

# A TCP listener for the probes that should be up (the others probe a closed port: down results).
up_port=$(free_port)
down_port=$(free_port)
python3 -c "import socket,time
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('127.0.0.1', $up_port)); s.listen(128)
time.sleep(120)" &
pids+=("$!")
write_catalogue "      - {id: web.up1, type: tcp, agent: a1, target: \"127.0.0.1:$up_port\", interval: 1s, timeout: 500ms}
      - {id: web.up2, type: tcp, agent: a1, target: \"127.0.0.1:$up_port\", interval: 1s, timeout: 500ms}
      - {id: web.down, type: tcp, agent: a1, target: \"127.0.0.1:$down_port\", interval: 1s, timeout: 500ms}"
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
results_log: results.jsonl
YAML

start_collector "$tmp/collector.log"
"$agent" --config "$tmp/agent.yaml" --drain-timeout 15s 2>"$tmp/agent.log" &
agent_pid=$!
pids+=("$agent_pid")
wait_log "$tmp/collector.log" "agent 'a1' from .*: connected" 10
sleep 4
kill -9 "$col_pid"
wait "$col_pid" 2>/dev/null || true
sleep 3  # the agent probes and spools while the collector is away
start_collector "$tmp/collector2.log"
wait_log "$tmp/collector2.log" "agent 'a1' from .*: connected" 20
sleep 3
kill -TERM "$agent_pid"
rc=0
for _ in $(seq 250); do kill -0 "$agent_pid" 2>/dev/null || break; sleep 0.1; done
wait "$agent_pid" || rc=$?
[ "$rc" = 0 ] || fail "the agent exited $rc"
stop_collector

logged=$(wc -l < "$tmp/results.jsonl")
[ "$logged" -ge 20 ] || fail "only $logged results in the agent's log"
# The agent's log and the store, as sorted "probe ts_ms" lines: equal means each result stored once.
python3 - "$tmp/results.jsonl" > "$tmp/logged.txt" <<'PY'
import json, sys, datetime
for line in open(sys.argv[1]):
    r = json.loads(line)
    t = datetime.datetime.strptime(r["ts"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc)
    print(r["probe"], int(t.timestamp() * 1000 + 0.5))
PY
sort -o "$tmp/logged.txt" "$tmp/logged.txt"
sql "SELECT p.name || ' ' || r.ts_ms FROM results r JOIN probes p ON p.id = r.probe_id JOIN agents a ON a.id = r.agent_id
     WHERE a.name = 'a1'" | sort > "$tmp/stored.txt"
diff "$tmp/logged.txt" "$tmp/stored.txt" > "$tmp/diff.txt" ||
  fail "the store differs from the agent's log ($logged logged, $(wc -l < "$tmp/stored.txt") stored): $(head -5 "$tmp/diff.txt")"
[ "$(sql "SELECT count(*) FROM agent_status WHERE name = 'a1' AND connected = 0 AND assignment_version != ''")" = 1 ] ||
  fail "a1's record: $(sql 'SELECT * FROM agent_status')"
echo "agent_test: ok ($logged results, each stored once, across a kill -9 of the collector)"
