#!/usr/bin/env bash
# Starting and reloading: an invalid catalogue at start (every error, "refusing to start", exit 1), a
# bad collector.yaml (FILE:LINE:COL, exit 2), an unreachable PostgreSQL store (exit 1, its URL without the password), `reload` with no collector
# (exit 1, also with a stale pid file); SIGHUP with an invalid catalogue (errors logged, the running
# one kept, still serving); `slamon-collector reload` with a changed catalogue: the connected agent gets
# an AssignmentUpdate (accepted, then a refused one logged), a removed agent's session is closed.
source "$(dirname "$0")/lib.sh"

# ---- start-up errors ----
good_cat=$(cat "$tmp/cat.yaml")
printf 'version: 1\nagents:\n  - name: a1\n    bogus: 1\n  - name: a2\n    token_sha256: xyz\n' > "$tmp/cat.yaml"
rc=0; out=$("$collector" --config "$tmp/collector.yaml" 2>&1) || rc=$?
[ "$rc" = 1 ] || fail "an invalid catalogue at start: exit $rc, not 1: $out"
grep -q "cat.yaml:4:5: error: agent a1: unknown key 'bogus'" <<<"$out" || fail "first error missing: $out"
[ "$(grep -c 'cat.yaml:[0-9]*:[0-9]*: error' <<<"$out")" -ge 2 ] || fail "not every error printed: $out"
grep -q 'refusing to start' <<<"$out" || fail "no 'refusing to start': $out"
printf '%s\n' "$good_cat" > "$tmp/cat.yaml"

cp "$tmp/collector.yaml" "$tmp/good.yaml"
printf 'log_levle: info\n' >> "$tmp/collector.yaml"
rc=0; out=$("$collector" --config "$tmp/collector.yaml" 2>&1) || rc=$?
[ "$rc" = 2 ] || fail "a bad collector.yaml: exit $rc, not 2: $out"
grep -qE "collector.yaml:[0-9]+:1: error: collector config: unknown key 'log_levle'; did you mean 'log_level'\?" <<<"$out" ||
  fail "config error: $out"
cp "$tmp/good.yaml" "$tmp/collector.yaml"
rc=0; out=$("$collector" --config "$tmp/collector.yaml" --store postgresql://slamon:s3cret@127.0.0.1:1/slamon 2>&1) || rc=$?
[ "$rc" = 1 ] && grep -q 'cannot open the store postgresql://slamon:\*\*\*@127.0.0.1:1/slamon: .*cannot connect' <<<"$out" ||
  fail "an unreachable postgresql store: exit $rc: $out"
! grep -q s3cret <<<"$out" || fail "the collector logged the store's password: $out"
rc=0; out=$("$collector" --config "$tmp/collector.yaml" --bogus 2>&1) || rc=$?
[ "$rc" = 2 ] || fail "an unknown flag: exit $rc, not 2"
# A certificate that is not one, a key that does not match it: exit 2, the file named.
echo garbage > "$tmp/bad.pem"
sed 's|cert_file: tls/collector.pem|cert_file: bad.pem|' "$tmp/good.yaml" > "$tmp/collector.yaml"
rc=0; out=$("$collector" --config "$tmp/collector.yaml" 2>&1) || rc=$?
[ "$rc" = 2 ] && grep -q "cannot use tls.cert_file $tmp/bad.pem" <<<"$out" || fail "a bad certificate: exit $rc: $out"
sed 's|key_file: tls/collector.key|key_file: tls/agent-a1.key|' "$tmp/good.yaml" > "$tmp/collector.yaml"
rc=0; out=$("$collector" --config "$tmp/collector.yaml" 2>&1) || rc=$?
[ "$rc" = 2 ] && grep -q "cannot use tls.key_file $tmp/tls/agent-a1.key: key values mismatch" <<<"$out" ||
  fail "a key of another certificate: exit $rc: $out"
cp "$tmp/good.yaml" "$tmp/collector.yaml"
"$collector" --help | grep -q -- '--duration' || fail "--help lacks --duration"
"$collector" reload --help | grep -q -- '--config' || fail "reload --help lacks --config"

# reload with no collector: no pid file, then a stale one (nobody holds its lock).
rc=0; out=$("$collector" reload --config "$tmp/collector.yaml" 2>&1) || rc=$?
[ "$rc" = 1 ] && grep -q 'no collector running' <<<"$out" || fail "reload without a collector: exit $rc: $out"
mkdir -p "$tmp/state" && echo $$ > "$tmp/state/collector.pid"
rc=0; out=$("$collector" reload --config "$tmp/collector.yaml" 2>&1) || rc=$?
[ "$rc" = 1 ] && grep -q 'no collector running' <<<"$out" || fail "reload with a stale pid file: exit $rc: $out"

# --duration ends it by itself, exit 0.
rc=0; timeout 20 "$collector" --config "$tmp/collector.yaml" --duration 1s 2>"$tmp/duration.log" || rc=$?
[ "$rc" = 0 ] || fail "--duration 1s: exit $rc"
grep -q 'stopping (--duration 1s reached)' "$tmp/duration.log" || fail "--duration: $(cat "$tmp/duration.log")"
[ ! -e "$tmp/state/collector.pid" ] || fail "the pid file is left behind"

# ---- reloads ----
log=$tmp/collector.log
start_collector "$log"
# A second collector with the same state_dir refuses to start.
rc=0; out=$("$collector" --config "$tmp/collector.yaml" --listen 127.0.0.1:"$(free_port)" 2>&1) || rc=$?
[ "$rc" = 1 ] && grep -q 'another collector is running' <<<"$out" || fail "a second collector: exit $rc: $out"

lc a1 --epoch 2 hello expect:assignment:30000 reply:accept expect:assignment:30000 reply:refuse keepalive:3000 \
  > "$tmp/a1.out" 2>&1 &
a1=$!
pids+=("$a1")
lc a2 --epoch 2 hello keepalive:30000 > "$tmp/a2.out" 2>&1 &
a2=$!
pids+=("$a2")
wait_log "$log" "agent 'a1' from .*: connected"
wait_log "$log" "agent 'a2' from .*: connected"

# An invalid catalogue: every error logged, the running one kept, agents still welcomed.
printf 'version: 1\nagents:\n  - name: a1\n    bogus: 1\n' > "$tmp/cat.yaml"
kill -HUP "$col_pid"
wait_log "$log" "cat.yaml:4:5: error: agent a1: unknown key 'bogus'"
wait_log "$log" "1 error\(s\) in the new catalogue; keeping the running catalogue"
out=$(lc a3 --epoch 9 hello) || fail "not serving after an invalid reload: $out"
grep -q '^welcome epoch=9 .* probes=1$' <<<"$out" || fail "welcome after an invalid reload: $out"

# A changed probe for a1, a2 removed: `slamon-collector reload`.
write_catalogue '      - {id: web.tcp3, type: tcp, agent: a1, target: "127.0.0.1:12"}' no-a2
out=$("$collector" reload --config "$tmp/collector.yaml") || fail "reload: $out"
grep -q "SIGHUP sent to pid $col_pid" <<<"$out" || fail "reload output: $out"
wait_log "$log" "catalogue reloaded: 2 agents, 4 probes"
wait_log "$log" "agent 'a1' from .*: sent assignment update [0-9a-f]{12} \(3 probes\)"
wait_log "$log" "agent 'a1' from .*: runs assignment [0-9a-f]{12}"
wait_log "$log" "agent 'a2' from .*: closed: no longer in the catalogue"
wait "$a2" || fail "a2 not refused: $(cat "$tmp/a2.out")"
grep -q '^refusal reason=UNKNOWN_AGENT_OR_TOKEN detail=this agent is no longer' "$tmp/a2.out" || fail "a2: $(cat "$tmp/a2.out")"
grep -q '^assignment version=[0-9a-f]* probes=3 ids=web.tcp,web.tcp2,web.tcp3$' "$tmp/a1.out" ||
  fail "a1 got no update: $(cat "$tmp/a1.out")"

# Back to two probes: a1 refuses this one; logged, and it keeps running the previous one.
write_catalogue "" no-a2
kill -HUP "$col_pid"
wait_log "$log" "agent 'a1' from .*: refused assignment [0-9a-f]{12}: link_client was told to refuse it; it keeps running its previous assignment [0-9a-f]{12}"
wait "$a1" || fail "a1: $(cat "$tmp/a1.out")"
[ "$(grep -c '^assignment ' "$tmp/a1.out")" = 2 ] || fail "a1 should have two updates: $(cat "$tmp/a1.out")"
stop_collector
echo "reload_test: ok"
