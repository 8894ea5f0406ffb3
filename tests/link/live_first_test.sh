#!/usr/bin/env bash
# Live results overtake a back-fill, and every result is still stored exactly once. The real agent
# (80 tcp probes at 100 ms) streams to the real collector; the collector stops for 20 s (the agent
# spools a backlog of well over 8 batches, more while its backoff brings it back), then restarts with
# a slowed store (--debug-ingest-delay: one batch per commit, 300 ms apart). While the backlog is
# being stored, results stamped after the agent reconnected are already in the store: the store is
# polled and must show a moment where such a result is stored and the backlog is not complete yet.
# (A live batch waits only for the back-fill batches the collector received before it: at most 7 in
# flight when it was sent, and those sent while it waited for the spool's flush.)
# Afterwards the agent stops with a drain, and compare_results.py finds every logged result stored
# once and nothing else.
source "$(dirname "$0")/lib.sh"
agent=$bin/slamon-agent
"$collector" --help | grep -q -- '--debug-ingest-delay' || { echo "SKIP: this collector has no --debug-ingest-delay"; exit 77; }

closed=$(free_port)  # nothing listens there: the probes are down at once
probes=""
for i in $(seq 80); do
  probes+="      - {id: web.p$i, type: tcp, agent: a1, target: \"127.0.0.1:$closed\", interval: 100ms, timeout: 50ms}"$'\n'
done
write_catalogue "${probes%$'\n'}"
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

now_ms() { date +%s%3N; }
# Rows of a1 stamped before and after T (ms), "BEFORE AFTER".
rows_around() {
  sqlite3 "$tmp/store.db" "PRAGMA busy_timeout = 2000; SELECT
    (SELECT count(*) FROM results r JOIN agents a ON a.id = r.agent_id WHERE a.name = 'a1' AND r.ts_ms < $1),
    (SELECT count(*) FROM results r JOIN agents a ON a.id = r.agent_id WHERE a.name = 'a1' AND r.ts_ms >= $1)" |
    tr '|' ' ' | tail -n 1
}

start_collector "$tmp/collector.log"
"$agent" --config "$tmp/agent.yaml" --drain-timeout 60s 2>"$tmp/agent.log" &
agent_pid=$!
pids+=("$agent_pid")
wait_log "$tmp/collector.log" "agent 'a1' from .*: connected" 10
sleep 2
stop_collector
echo "collector away for 20 s"
sleep 20
start_collector "$tmp/collector2.log" --debug-ingest-delay 300ms
wait_log "$tmp/collector2.log" "agent 'a1' from .*: connected" 40
connected_ms=$(now_ms)
for _ in $(seq 50); do [ "$(grep -c 'connected to collector' "$tmp/agent.log")" -ge 2 ] && break; sleep 0.1; done
backlog=$(grep 'connected to collector' "$tmp/agent.log" | tail -n 1 | grep -o 'backlog [0-9]* entries' | grep -o '[0-9]*')
echo "the agent reconnected with a backlog of $backlog entries"
[ "${backlog:-0}" -ge 14000 ] || fail "a backlog of ${backlog:-?} entries is too small for this test (at least 14000: 14 batches)"

# Poll until a result stamped after the reconnection (+ 200 ms: the collector logs it after sending the
# Welcome, and this script sees it up to 100 ms later; such a result started, so was committed, after
# the Welcome) is stored while results from before are still missing.
overtaken=""
for _ in $(seq 300); do
  read -r before after < <(rows_around $((connected_ms + 200)))
  if [ "${after:-0}" -gt 0 ]; then
    overtaken="$before $after"
    break
  fi
  sleep 0.1
done
[ -n "$overtaken" ] || fail "no result stamped after the reconnection was stored within 30 s"
read -r before_then after_then <<<"$overtaken"

kill -TERM "$agent_pid"
rc=0
for _ in $(seq 900); do kill -0 "$agent_pid" 2>/dev/null || break; sleep 0.1; done
wait "$agent_pid" || rc=$?
[ "$rc" = 0 ] || fail "the agent exited $rc"
stop_collector

# Everything stamped before the reconnection + 200 ms was in the spool then; the store had only part of it.
logged_before=$(python3 - "$tmp/results.jsonl" $((connected_ms + 200)) <<'PY'
import datetime, json, sys
t = int(sys.argv[2])
n = 0
for line in open(sys.argv[1]):
    ts = datetime.datetime.fromisoformat(json.loads(line)["ts"].replace("Z", "+00:00")).timestamp() * 1000
    n += ts < t
print(n)
PY
)
echo "when the first live result was stored: $before_then of $logged_before earlier results stored, $after_then later ones"
# (A margin of a batch: without live-first, the results of one spool flush may straddle a batch's end.)
[ "$before_then" -le $((logged_before - 1000)) ] ||
  fail "the live results waited for the backlog ($before_then of $logged_before stored before them)"
"$bin/slamon" export --db "$tmp/store.db" --output "$tmp/export.jsonl" || fail "slamon export failed"
python3 "$src/tests/reliability/compare_results.py" "$tmp/export.jsonl" "$tmp/results.jsonl" ||
  fail "not every logged result is stored exactly once"
grep -q "stored above: " "$tmp/agent.log" || fail "the agent does not log what the collector holds above its mark"
echo "live_first_test: ok (a live result stored with $before_then of $logged_before backlog results; all stored once)"
