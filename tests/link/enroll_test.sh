#!/usr/bin/env bash
# Enrollment (docs/operations.md, "Enrollment"), with the real collector and agent: `slamon-collector
# enroll` refuses an agent that has a token in the catalogue (an error naming both places); enrolls e1
# (no token in the catalogue) and prints its token once with an agent.yaml snippet; the file keeps only
# the hash (mode 0600); the running collector reloads it (SIGHUP) and the agent, configured from the
# snippet alone, connects; --list shows e1 active; e1 given a token in the catalogue as well makes the
# reload fail with an error naming both places; --revoke e1 disconnects it (a log line naming it)
# and its reconnections are refused (a log line); --list shows e1 revoked.
source "$(dirname "$0")/lib.sh"
agent=$bin/slamon-agent
enrolled=$tmp/state/enrolled-agents

h1=$(printf tok-a1 | sha256sum | cut -d' ' -f1)
cat > "$tmp/cat.yaml" <<YAML
version: 1
agents:
  - {name: a1, token_sha256: $h1}
  - {name: e1}
cis:
  - id: web
    probes:
      - {id: web.tcp, type: tcp, agent: a1, target: "127.0.0.1:9"}
      - {id: web.e1, type: tcp, agent: e1, target: "127.0.0.1:9", interval: 1s, timeout: 500ms}
YAML
enroll() { timeout 30 "$collector" enroll --config "$tmp/collector.yaml" "$@"; }

# a1 has a token in the catalogue: refused, naming the catalogue's line and the enrolled-agents file.
rc=0; enroll a1 >"$tmp/enroll-a1.out" 2>"$tmp/enroll-a1.log" || rc=$?
[ "$rc" = 1 ] || fail "enroll a1 (token in the catalogue): exit $rc, not 1"
grep -qE "cat\.yaml:3:[0-9]+: error: agent a1: has a token_sha256 in the catalogue; it cannot also be enrolled in $enrolled" \
  "$tmp/enroll-a1.log" || fail "enroll a1: no error naming both places: $(cat "$tmp/enroll-a1.log")"
[ ! -s "$tmp/enroll-a1.out" ] || fail "enroll a1 printed a token although refused"

start_collector "$tmp/collector.log"
enroll e1 --address "127.0.0.1:$port" >"$tmp/enroll.out" 2>"$tmp/enroll.log" || fail "enroll e1 failed: $(cat "$tmp/enroll.log")"
grep -q 'the running collector (pid [0-9]*) reloads' "$tmp/enroll.log" || fail "enroll did not signal the collector: $(cat "$tmp/enroll.log")"
token=$(grep -v '^#' "$tmp/enroll.out" | head -n 1)
[[ "$token" =~ ^[0-9a-f]{64}$ ]] || fail "enroll printed no token: $(cat "$tmp/enroll.out")"
# Only the hash is kept, mode 0600.
grep -q "^e1 active $(printf %s "$token" | sha256sum | cut -d' ' -f1) " "$enrolled" || fail "no hash for e1 in $enrolled: $(cat "$enrolled")"
! grep -q "$token" "$enrolled" || fail "the token itself is in $enrolled"
[ "$(stat -c %a "$enrolled")" = 600 ] || fail "$enrolled has mode $(stat -c %a "$enrolled"), not 600"
wait_log "$tmp/collector.log" 'catalogue reloaded'

# The agent, from the snippet (its spool and state under the test's folder).
mkdir -p "$tmp/e1/secrets" "$tmp/e1/tls"
printf '%s\n' "$token" > "$tmp/e1/secrets/agent.token"
chmod 600 "$tmp/e1/secrets/agent.token"
cp "$tmp/tls/ca.pem" "$tmp/e1/tls/ca.pem"
sed -n '/^# 2\./,$p' "$tmp/enroll.out" | grep -v '^#' > "$tmp/e1/agent.yaml"
printf 'spool_dir: spool\nstate_dir: state\n' >> "$tmp/e1/agent.yaml"
"$agent" --config "$tmp/e1/agent.yaml" 2>"$tmp/agent.log" &
agent_pid=$!
pids+=("$agent_pid")
wait_log "$tmp/collector.log" "agent 'e1' from 127\.0\.0\.1:[0-9]+: connected" 20

enroll --list >"$tmp/list1.out" 2>&1 || fail "enroll --list failed: $(cat "$tmp/list1.out")"
grep -qE '^e1 +active ' "$tmp/list1.out" || fail "--list does not show e1 active: $(cat "$tmp/list1.out")"

# e1 given a token in the catalogue too: the reload is refused with an error naming both places.
cp "$tmp/cat.yaml" "$tmp/cat.good"
sed -i "s/^  - {name: e1}$/  - {name: e1, token_sha256: $h1}/" "$tmp/cat.yaml"
kill -HUP "$col_pid"
wait_log "$tmp/collector.log" "cat\.yaml:4:[0-9]+: error: agent e1: has a token_sha256 in the catalogue and is enrolled in $enrolled" 20
wait_log "$tmp/collector.log" 'keeping the running catalogue' 20
cp "$tmp/cat.good" "$tmp/cat.yaml"

enroll --revoke e1 >"$tmp/revoke.out" 2>&1 || fail "enroll --revoke e1 failed: $(cat "$tmp/revoke.out")"
wait_log "$tmp/collector.log" "agent 'e1' from 127\.0\.0\.1:[0-9]+: closed: its enrollment was revoked" 20
wait_log "$tmp/collector.log" "agent 'e1' from 127\.0\.0\.1:[0-9]+ refused \(UNKNOWN_AGENT_OR_TOKEN\): has no token at the collector" 30
enroll --list >"$tmp/list2.out" 2>&1 || fail "enroll --list failed: $(cat "$tmp/list2.out")"
grep -qE '^e1 +revoked +[0-9T:.-]+Z +[0-9T:.-]+Z$' "$tmp/list2.out" || fail "--list does not show e1 revoked: $(cat "$tmp/list2.out")"
# Revoking again, and enrolling an active agent again, are refused.
rc=0; enroll --revoke e1 >/dev/null 2>&1 || rc=$?
[ "$rc" = 1 ] || fail "revoking e1 twice: exit $rc, not 1"

kill -TERM "$agent_pid"
stop_collector
echo OK
