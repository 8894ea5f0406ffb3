#!/usr/bin/env bash
# Script test of slamon-agent under SIGHUP and SIGUSR1: it keeps running (HUP: a log line, the catalogue
# stays as loaded; USR1: its statistics in the log), and at the end every run is in the results file.
# Traffic goes to a closed loopback port only.
set -euo pipefail
BIN=${SLAMON_BIN_DIR:?}
work=$(mktemp -d)
agent=
cleanup() {
  [ -n "$agent" ] && kill "$agent" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; [ -f "$work/err" ] && cat "$work/err" >&2; exit 1; }

closed_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
{
  echo "version: 1"
  echo "agents:"
  echo "  - name: sig-agent"
  echo "    token_sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
  echo "cis:"
  echo "  - id: lo"
  echo "    type: host"
  echo "    probes:"
  for i in $(seq 10); do
    echo "      - {id: lo.p$i, type: tcp, agent: sig-agent, target: \"127.0.0.1:$closed_port\", interval: 1s, timeout: 500ms}"
  done
} >"$work/catalogue.yaml"

"$BIN/slamon-agent" --catalogue "$work/catalogue.yaml" --agent sig-agent --results-file "$work/r.jsonl" \
  --duration 4s --log-level info 2>"$work/err" &
agent=$!
for _ in $(seq 100); do [ -s "$work/r.jsonl" ] && break; sleep 0.05; done
[ -s "$work/r.jsonl" ] || fail "no results within 5 s"
kill -HUP "$agent"
sleep 0.5
kill -0 "$agent" 2>/dev/null || fail "slamon-agent died of SIGHUP"
kill -USR1 "$agent"
sleep 0.5
kill -0 "$agent" 2>/dev/null || fail "slamon-agent died of SIGUSR1"
before=$(wc -l <"$work/r.jsonl")
set +e
wait "$agent"
rc=$?
set -e
agent=
[ "$rc" = 0 ] || fail "slamon-agent exited $rc"
grep -q "SIGHUP" "$work/err" || fail "no log line for SIGHUP"
grep -q "SIGUSR1: .* runs started" "$work/err" || fail "no statistics for SIGUSR1"
# Every run's result is in the file: as many lines as results written, all whole, nothing cancelled.
python3 - "$work/r.jsonl" "$work/err" "$before" <<'PY' || fail "results: $(cat "$work/r.jsonl")"
import json, re, sys, collections
text = open(sys.argv[1]).read()
assert text.endswith("\n")
lines = [json.loads(l) for l in text.splitlines()]
log = open(sys.argv[2]).read()
m = re.findall(r"(\d+) runs started, (\d+) results, (\d+) written to .*, (\d+) dropped, (\d+) not written, (\d+) cancelled", log)
assert m, log
started, results, written, dropped, unwritten, cancelled = map(int, m[-1])
assert written == len(lines) == results, (written, len(lines), results)
assert dropped == 0 and unwritten == 0, (dropped, unwritten)
assert started == results + cancelled, (started, results, cancelled)
assert len(lines) > int(sys.argv[3]), "no results after the signals"
by = collections.Counter(r["probe"] for r in lines)
assert len(by) == 10 and all(3 <= n <= 5 for n in by.values()), by
PY
echo "agent_signals_test: all passed"
