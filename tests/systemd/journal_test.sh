#!/usr/bin/env bash
# Log lines for the journal: with JOURNAL_STREAM naming stderr's device and inode (as systemd sets it
# for a service whose stderr is the journal), the collector's and the agent's lines have no timestamp
# and start with a `<N>` syslog priority (<6> info, <3> error) and the logger's name; with a
# JOURNAL_STREAM naming another file (a service whose stderr was redirected), the usual timestamped
# lines. docs/operations.md.
source "$(dirname "$0")/../link/lib.sh"
agent=$bin/slamon-agent

# journal_stream FILE: JOURNAL_STREAM's value for FILE ("DEVICE:INODE", decimal).
journal_stream() { stat -c '%d:%i' "$1"; }

# The collector: info lines at start and stop (--duration), as <6>.
: > "$tmp/col.log"
JOURNAL_STREAM=$(journal_stream "$tmp/col.log") timeout 30 "$collector" --config "$tmp/collector.yaml" --duration 1s \
  2>>"$tmp/col.log" || fail "the collector failed: $(cat "$tmp/col.log")"
grep -qE "^<6>\[collector\] listening on 127\.0\.0\.1:$port \(TLS\)" "$tmp/col.log" ||
  fail "no '<6>[collector] listening on' line: $(cat "$tmp/col.log")"
grep -qE '^<6>\[collector\] stopped$' "$tmp/col.log" || fail "no '<6>[collector] stopped' line: $(cat "$tmp/col.log")"
bad=$(grep -vE '^<[0-7]>\[[a-z.]+\] ' "$tmp/col.log" || true)
[ -z "$bad" ] || fail "collector lines without a <N>[logger] prefix (or with a timestamp): $bad"

# An error line: a catalogue with an error refuses to start, as <3>.
cp "$tmp/cat.yaml" "$tmp/good-cat.yaml"
printf 'version: 1\nagents:\n  - {name: a1, bogus: 1}\n' > "$tmp/cat.yaml"
: > "$tmp/col-bad.log"
rc=0; JOURNAL_STREAM=$(journal_stream "$tmp/col-bad.log") timeout 30 "$collector" --config "$tmp/collector.yaml" \
  2>>"$tmp/col-bad.log" || rc=$?
[ "$rc" = 1 ] || fail "an invalid catalogue: exit $rc, not 1"
grep -qE '^<3>\[collector\] .*cat\.yaml: [0-9]+ error\(s\) in the catalogue; refusing to start$' "$tmp/col-bad.log" ||
  fail "no '<3>[collector] ... refusing to start' line: $(cat "$tmp/col-bad.log")"
cp "$tmp/good-cat.yaml" "$tmp/cat.yaml"

# The agent (local mode, one probe for a second): <6>[agent] lines.
: > "$tmp/agent.log"
JOURNAL_STREAM=$(journal_stream "$tmp/agent.log") timeout 30 "$agent" --catalogue "$tmp/cat.yaml" --agent a1 \
  --results-file "$tmp/results.jsonl" --duration 1s 2>>"$tmp/agent.log" || fail "the agent failed: $(cat "$tmp/agent.log")"
grep -qE '^<6>\[agent\] a1: [0-9]+ probes from ' "$tmp/agent.log" || fail "no '<6>[agent] a1: N probes' line: $(cat "$tmp/agent.log")"
bad=$(grep -vE '^<[0-7]>\[[a-z.]+\] ' "$tmp/agent.log" || true)
[ -z "$bad" ] || fail "agent lines without a <N>[logger] prefix (or with a timestamp): $bad"

# JOURNAL_STREAM naming another file: stderr is not the journal, the usual lines.
: > "$tmp/other"
: > "$tmp/agent-plain.log"
JOURNAL_STREAM=$(journal_stream "$tmp/other") timeout 30 "$agent" --catalogue "$tmp/cat.yaml" --agent a1 \
  --results-file "$tmp/results.jsonl" --duration 1s 2>>"$tmp/agent-plain.log" || fail "the agent failed"
grep -qE '^\[[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:.]+\] \[agent\] \[info\] a1: [0-9]+ probes from ' "$tmp/agent-plain.log" ||
  fail "JOURNAL_STREAM of another file: not the usual timestamped line: $(cat "$tmp/agent-plain.log")"
! grep -q '^<[0-7]>' "$tmp/agent-plain.log" || fail "a <N> prefix although stderr is not the journal"
echo OK
