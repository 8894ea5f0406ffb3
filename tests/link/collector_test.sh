#!/usr/bin/env bash
# The collector over real TLS with a real SQLite store: the happy path (welcome with the assignment,
# batches stored exactly once, a resent batch adds nothing, a batch above the mark is stored as a range
# and acknowledged with it, the back-fill below it skips what it holds), and every bad
# client refused with a log line naming the peer, the agent and the reason, while a good agent keeps
# streaming; a second connection of an agent replaces the first; clock skew from heartbeats; the
# shutdown (SIGTERM: SHUTTING_DOWN, the agents recorded as disconnected, exit 0).
source "$(dirname "$0")/lib.sh"
log=$tmp/collector.log
start_collector "$log" --frame-timeout 2s --idle-timeout 3s --hello-timeout 2s --heartbeat-interval 1s

# ---- the happy path ----
out=$(lc a1 --epoch 5 --first-seq 1 --last-seq 24 hello batch:1:10:web.tcp,web.tcp2) || fail "happy path: $out"
grep -qE '^welcome epoch=5 committed_seq=0 assignment=[0-9a-f]{64} probes=2$' <<<"$out" || fail "welcome: $out"
grep -q '^ack epoch=5 committed_seq=10$' <<<"$out" || fail "ack of 1..10: $out"
[ "$(sql 'SELECT count(*) FROM results')" = 10 ] || fail "10 rows expected, $(sql 'SELECT count(*) FROM results')"
wait_log "$log" "agent 'a1' from 127\.0\.0\.1:[0-9]+: connected: resumes epoch 5 after 0"
# The same batch again, in a new session that claims the assignment it was given: no new rows.
version=$(sed -n 's/^welcome .*assignment=\([0-9a-f]*\).*/\1/p' <<<"$out")
out=$(lc a1 --epoch 5 --first-seq 1 --last-seq 24 --assignment-version "$version" hello batch:1:10:web.tcp,web.tcp2) ||
  fail "resend: $out"
grep -q '^welcome epoch=5 committed_seq=10 assignment=none probes=0$' <<<"$out" || fail "welcome after 10: $out"
grep -q '^ack epoch=5 committed_seq=10$' <<<"$out" || fail "ack of the resend: $out"
[ "$(sql 'SELECT count(*) FROM results')" = 10 ] || fail "a resent batch added rows"
wait_log "$log" "agent 'a1' from .*: batch 1\.\.10 of epoch 5 was entirely a resend: 10 entries stored already ignored"
# Live results before the back-fill (a3): 20..24 while the mark is 0 is stored, as a range above it.
a3_ts=$(( $(date +%s%3N) - 7200000 ))  # the same stamps in both sessions: the same runs
out=$(lc a3 --epoch 5 --first-seq 1 --last-seq 24 --base-ts "$a3_ts" hello batch:20:5:mail.tcp) || fail "live first: $out"
grep -q '^ack epoch=5 committed_seq=0 stored=20\.\.24$' <<<"$out" || fail "ack with the range: $out"
[ "$(sql "SELECT count(*) FROM results r JOIN agents a ON a.id = r.agent_id WHERE a.name = 'a3'")" = 5 ] ||
  fail "a batch above the mark was not stored"
# The next session is told what is stored; the back-fill 1..24 adds only 1..19, and the mark takes the range.
out=$(lc a3 --epoch 5 --first-seq 1 --last-seq 24 --base-ts "$a3_ts" hello batch:1:24:mail.tcp) || fail "back-fill: $out"
grep -qE '^welcome epoch=5 committed_seq=0 assignment=[0-9a-f]{64} probes=1 stored=20\.\.24$' <<<"$out" || fail "welcome with the range: $out"
grep -q '^ack epoch=5 committed_seq=24$' <<<"$out" || fail "ack of the back-fill: $out"
wait_log "$log" "agent 'a3' from .*: batch 1\.\.24 of epoch 5 was partly a resend: 5 entries stored already ignored"
[ "$(sql "SELECT count(*) FROM results r JOIN agents a ON a.id = r.agent_id WHERE a.name = 'a3'")" = 24 ] ||
  fail "the back-fill: $(sql "SELECT count(*) FROM results r JOIN agents a ON a.id = r.agent_id WHERE a.name = 'a3'") rows, not 24"
[ "$(sql 'SELECT count(*) FROM stored_ranges')" = 0 ] || fail "the range was not merged into the mark"

# ---- a good agent streams while bad clients come and go ----
lc a2 --epoch 7 --window 4 hello stream:1:20000:250:db.tcp sleep:1500 stream:20001:20000:250:db.tcp sleep:1500 \
  stream:40001:20000:250:db.tcp sleep:1500 stream:60001:20000:250:db.tcp > "$tmp/good.out" 2>&1 &
good=$!
pids+=("$good")

# No TLS at all.
"$client" --connect "127.0.0.1:$port" --no-tls raw:200 read:3000 >/dev/null || true
wait_log "$log" "127\.0\.0\.1:[0-9]+: TLS handshake failed: .*\(not a TLS client\?\)"
# A wrong token: refused, logged with the agent and peer, never the token.
out=$(lc a1 --token tok-wrong --epoch 5 hello) && fail "a wrong token was welcomed: $out"
grep -q '^refusal reason=UNKNOWN_AGENT_OR_TOKEN' <<<"$out" || fail "wrong token: $out"
wait_log "$log" "agent 'a1' from 127\.0\.0\.1:[0-9]+ refused \(UNKNOWN_AGENT_OR_TOKEN\): presented a wrong token"
grep -q 'tok-wrong' "$log" && fail "the token reached the log"
# An unknown agent.
out=$(lc zz --epoch 5 hello) && fail "an unknown agent was welcomed: $out"
grep -q '^refusal reason=UNKNOWN_AGENT_OR_TOKEN' <<<"$out" || fail "unknown agent: $out"
wait_log "$log" "agent 'zz' from .* refused \(UNKNOWN_AGENT_OR_TOKEN\): is not in the catalogue"
# Another protocol version.
out=$(lc a1 --protocol 99 --epoch 5 hello) && fail "protocol 99 was welcomed: $out"
grep -q '^refusal reason=BAD_PROTOCOL_VERSION' <<<"$out" || fail "bad protocol: $out"
wait_log "$log" "agent 'a1' from .* refused \(BAD_PROTOCOL_VERSION\): speaks protocol version 99"
# No hello at all after the handshake.
out=$(lc a1 read:5000) || true
grep -q '^closed$' <<<"$out" || fail "a client without a hello was not closed: $out"
wait_log "$log" "127\.0\.0\.1:[0-9]+: closed: no hello within 2s of the TLS handshake"
# A garbage frame after the hello.
out=$(lc a1 --epoch 5 --first-seq 1 --last-seq 24 hello garbage:50 expect:refusal) || fail "garbage: $out"
grep -q '^refusal reason=MALFORMED detail=a frame of 50 bytes that is not an AgentMessage' <<<"$out" || fail "garbage: $out"
wait_log "$log" "agent 'a1' from .* refused \(MALFORMED\): a frame of 50 bytes that is not an AgentMessage"
# An oversized frame header.
out=$(lc a1 --epoch 5 --first-seq 1 --last-seq 24 hello oversized expect:refusal) || fail "oversized: $out"
grep -q '^refusal reason=MALFORMED' <<<"$out" || fail "oversized: $out"
wait_log "$log" "agent 'a1' from .* refused \(MALFORMED\): a frame header announced 4294967280 bytes, more than the 4194304 byte limit"
# A batch of another epoch.
out=$(lc a1 --epoch 5 --first-seq 1 --last-seq 24 hello epoch-batch:6:11:1:web.tcp) || true
grep -q '^refusal reason=MALFORMED detail=agent .a1. sent a batch of epoch 6 in a session of epoch 5$' <<<"$out" || fail "epoch: $out"
wait_log "$log" "refused \(MALFORMED\): sent a batch of epoch 6 in a session of epoch 5"
# A slow loris: one byte a second of a 100-byte frame; closed after the 2 s frame deadline.
out=$(lc a1 --epoch 5 --first-seq 1 --last-seq 24 hello loris:500) || true
grep -qE '^loris closed after [0-9]+ ms$' <<<"$out" || fail "slow loris not closed: $out"
ms=$(sed -n 's/^loris closed after \([0-9]*\) ms$/\1/p' <<<"$out")
[ "$ms" -ge 1500 ] && [ "$ms" -le 8000 ] || fail "slow loris closed after $ms ms, not after the 2 s frame deadline"
wait_log "$log" "agent 'a1' from .*: closed: a frame started \([0-9]+ bytes received\) and not completed within 2s \(slow loris\?\)"
# Silent after the hello: closed after the idle deadline (3 s).
out=$(lc a1 --epoch 5 --first-seq 1 --last-seq 24 hello expect:closed:10000) || fail "idle: $out"
wait_log "$log" "agent 'a1' from .*: closed: no message for 3s"
# Another agent's probe, and results an hour in the future (stamped base + 2 h, base = now - 1 h): refused one by one; the rest is stored.
out=$(lc a1 --epoch 5 --first-seq 1 --last-seq 24 hello batch:11:6:web.tcp,db.tcp batch:17:2:web.tcp:7200000 \
  batch:19:2:web.tcp2) || fail "refused entries: $out"
grep -q '^ack epoch=5 committed_seq=16$' <<<"$out" || fail "the batch with another agent's probe was not acknowledged: $out"
grep -q '^ack epoch=5 committed_seq=18$' <<<"$out" || fail "the batch from the future was not acknowledged: $out"
grep -q '^ack epoch=5 committed_seq=20$' <<<"$out" || fail "the next batch was not acknowledged: $out"
wait_log "$log" "agent 'a1' from .*: batch 11\.\.16 of epoch 5: refused 3 of 6 entries \(3 for probes not assigned to it\); probes 'db.tcp'"
wait_log "$log" "agent 'a1' from .*: batch 17\.\.18 of epoch 5: refused 2 of 2 entries \(2 stamped more than 2000 ms in the future\)"
a1_rows=$(sql "SELECT count(*) FROM results r JOIN agents a ON a.id = r.agent_id WHERE a.name = 'a1'")
[ "$a1_rows" = 15 ] || fail "a1 should have 10 + 3 + 2 rows, has $a1_rows"
[ "$(sql "SELECT count(*) FROM results r JOIN probes p ON p.id = r.probe_id JOIN agents a ON a.id = r.agent_id WHERE a.name = 'a1' AND p.name = 'db.tcp'")" = 0 ] ||
  fail "a1's results for db.tcp were stored"
[ "$(sql 'SELECT committed_seq FROM marks m JOIN agents a ON a.id = m.agent_id WHERE a.name = '"'a1'"' AND epoch = 5')" = 20 ] ||
  fail "a1's mark is not 20"
# A replayed old sequence: ignored, logged.
out=$(lc a1 --epoch 5 --first-seq 1 --last-seq 24 hello batch:3:4:web.tcp) || fail "replay: $out"
grep -q '^ack epoch=5 committed_seq=20$' <<<"$out" || fail "replay: $out"
wait_log "$log" "batch 3\.\.6 of epoch 5 was entirely a resend: 4 entries stored already ignored"
[ "$(sql "SELECT count(*) FROM results r JOIN agents a ON a.id = r.agent_id WHERE a.name = 'a1'")" = 15 ] || fail "a replay added rows"

# Clock skew from heartbeats: warned once per crossing.
out=$(lc a1 --epoch 5 --first-seq 1 --last-seq 24 hello heartbeat:-10000 sleep:300 heartbeat:-10000 sleep:300 heartbeat \
  sleep:300) || fail "heartbeats: $out"
wait_log "$log" "agent 'a1' from .*: clock offset (99[0-9][0-9]|100[0-9][0-9]) ms is past the clock skew limit of 2000 ms"
[ "$(grep -c 'is past the clock skew limit' "$log")" = 1 ] || fail "the skew warning is not once per crossing"
wait_log "$log" "agent 'a1' from .*: clock offset -?[0-9]+ ms is back within the clock skew limit"
# The collector's heartbeats echo the agent's clock.
grep -q '^heartbeat clock_ms=[0-9]* echo_clock_ms=[1-9]' <(lc a1 --epoch 5 --first-seq 1 --last-seq 24 hello heartbeat \
  expect:heartbeat:3000) || fail "no heartbeat with an echo"

# A second connection of a1 replaces the first.
lc a1 --epoch 5 --first-seq 1 --last-seq 24 hello heartbeat expect:refusal:8000 > "$tmp/first.out" 2>&1 &
first=$!
pids+=("$first")
sleep 0.5
out=$(lc a1 --epoch 5 --first-seq 1 --last-seq 24 hello) || fail "second connection: $out"
wait "$first" || fail "the first connection was not refused: $(cat "$tmp/first.out")"
grep -q '^refusal reason=UNSPECIFIED detail=a newer connection of this agent replaced this one' "$tmp/first.out" ||
  fail "first connection: $(cat "$tmp/first.out")"
wait_log "$log" "agent 'a1' from 127\.0\.0\.1:[0-9]+: connected again from 127\.0\.0\.1:[0-9]+; closing the older session"

# The good agent got through all of it.
wait "$good" || fail "the good agent's stream failed: $(tail -5 "$tmp/good.out")"
grep -q '^streamed 60001..80000$' "$tmp/good.out" || fail "the good agent did not finish: $(tail -5 "$tmp/good.out")"
a2_rows=$(sql "SELECT count(*), count(DISTINCT seq), max(seq) FROM results r JOIN agents a ON a.id = r.agent_id WHERE a.name = 'a2'")
[ "$a2_rows" = "80000|80000|80000" ] || fail "a2's rows: $a2_rows"

# ---- shutdown: a connected agent hears SHUTTING_DOWN; the agents are recorded as disconnected ----
lc a2 --epoch 7 --first-seq 1 --last-seq 80000 hello keepalive:20000 > "$tmp/last.out" 2>&1 &
last=$!
pids+=("$last")
wait_log "$log" "agent 'a2' from .*: connected: resumes epoch 7 after 80000"
sleep 6  # the agent records are written every 5 s
[ "$(sql "SELECT connected FROM agent_status WHERE name = 'a2'")" = 1 ] || fail "a2 not recorded as connected"
stop_collector
wait "$last" || fail "no refusal at shutdown: $(cat "$tmp/last.out")"
grep -q '^refusal reason=SHUTTING_DOWN' "$tmp/last.out" || fail "shutdown: $(cat "$tmp/last.out")"
[ "$(sql "SELECT count(*) FROM agent_status WHERE connected = 1")" = 0 ] || fail "agents still recorded as connected"
[ "$(sql "SELECT committed_seq FROM agent_status WHERE name = 'a2'")" = 80000 ] || fail "a2's record: $(sql 'SELECT * FROM agent_status')"
grep -q 'stopped' "$log" || fail "no 'stopped' line"
echo "collector_test: ok"
