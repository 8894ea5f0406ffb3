#!/usr/bin/env bash
# Script test of slamon-agent writing its results to a real full filesystem (a 64 KiB tmpfs this test
# mounts; needs root, else skipped with exit 77, which CTest counts as a skip): the failure is logged
# once and the recovery once, no torn line is ever left, the backlog is bounded (--max-unwritten) with
# the oldest dropped, and the final counts are true. Traffic goes to a closed loopback port only.
set -euo pipefail
BIN=${SLAMON_BIN_DIR:?}
[ "$(id -u)" = 0 ] || { echo "SKIP: mounting a tmpfs needs root"; exit 77; }
work=$(mktemp -d)
mnt="$work/full"
mkdir "$mnt"
agent=
cleanup() {
  [ -n "$agent" ] && kill "$agent" 2>/dev/null || true
  umount "$mnt" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
mount -t tmpfs -o size=64k tmpfs "$mnt" || { echo "SKIP: cannot mount a tmpfs here"; exit 77; }
fail() { echo "FAIL: $*" >&2; [ -f "$work/err" ] && cat "$work/err" >&2; exit 1; }

closed_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
{
  echo "version: 1"
  echo "agents:"
  echo "  - name: disk-agent"
  echo "    token_sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
  echo "cis:"
  echo "  - id: lo"
  echo "    type: host"
  echo "    probes:"
  for i in $(seq 60); do
    echo "      - {id: lo.p$i, type: tcp, agent: disk-agent, target: \"127.0.0.1:$closed_port\", interval: 1s, timeout: 500ms}"
  done
} >"$work/catalogue.yaml"

# Checks the results file: whole JSON lines only, each result once, as many as the agent says it
# wrote; prints "written dropped unwritten".
check_results() {
  python3 - "$1" "$work/err" <<'PY'
import json, re, sys
text = open(sys.argv[1]).read()
assert text == "" or text.endswith("\n"), "torn last line: %r" % text[-80:]
lines = [json.loads(l) for l in text.splitlines()]
keys = [(r["probe"], r["ts"]) for r in lines]
assert len(set(keys)) == len(keys), "a result written twice"
log = open(sys.argv[2]).read()
m = re.findall(r"(\d+) runs started, (\d+) results, (\d+) written to .*, (\d+) dropped, (\d+) not written", log)
assert m, log
started, results, written, dropped, unwritten = map(int, m[-1])
assert written == len(lines), ("the agent says %d written, the file has %d" % (written, len(lines)))
assert written + dropped + unwritten == results, (written, dropped, unwritten, results)
print(written, dropped, unwritten)
PY
}

fill() {  # leaves `$1` bytes free (in pages) on the tmpfs
  rm -f "$mnt/filler"
  head -c 1M /dev/zero >"$mnt/filler" 2>/dev/null || true
  [ "$1" = 0 ] || truncate -s "-$1" "$mnt/filler"
}

# 1. One page free, then none: a write cut short inside a line; after 2 s the disk has room again.
fill 4096
"$BIN/slamon-agent" --catalogue "$work/catalogue.yaml" --agent disk-agent --results-file "$mnt/r.jsonl" \
  --duration 4500ms --log-level info 2>"$work/err" &
agent=$!
sleep 2.5
grep -q "cannot write" "$work/err" || fail "no log line while writes fail"
tail -c 1 "$mnt/r.jsonl" | od -c | grep -q '\\n' || [ ! -s "$mnt/r.jsonl" ] || fail "torn last line while the disk is full"
rm -f "$mnt/filler"
set +e
wait "$agent"
rc=$?
set -e
agent=
[ "$rc" = 0 ] || fail "slamon-agent exited $rc after the disk had room again"
[ "$(grep -c "cannot write $mnt/r.jsonl: No space left on device" "$work/err")" = 1 ] || fail "the failure is not logged exactly once"
[ "$(grep -c "works again; 0 results dropped while it failed" "$work/err")" = 1 ] || fail "the recovery is not logged exactly once"
read -r written dropped unwritten < <(check_results "$mnt/r.jsonl") || fail "results after recovery"
[ "$dropped" = 0 ] && [ "$unwritten" = 0 ] && [ "$written" -ge 120 ] || fail "after recovery: $written written, $dropped dropped, $unwritten not written"

# 2. Full for good, with a small backlog bound: the oldest are dropped and counted, the summary is
# true, the exit code says results were lost.
rm -f "$mnt/r.jsonl"
fill 0
set +e
"$BIN/slamon-agent" --catalogue "$work/catalogue.yaml" --agent disk-agent --results-file "$mnt/r.jsonl" \
  --duration 2500ms --log-level info --max-unwritten 4KiB 2>"$work/err"
rc=$?
set -e
[ "$rc" = 1 ] || fail "slamon-agent exited $rc with results lost, expected 1"
[ "$(grep -c "cannot write" "$work/err")" = 1 ] || fail "the failure is not logged exactly once"
[ "$(grep -c "dropping the oldest" "$work/err")" = 1 ] || fail "dropping is not logged exactly once"
read -r written dropped unwritten < <(check_results "$mnt/r.jsonl") || fail "results on a full disk"
[ "$written" = 0 ] && [ "$dropped" -gt 0 ] && [ "$unwritten" -gt 0 ] && [ "$unwritten" -le 40 ] ||
  fail "on a full disk: $written written, $dropped dropped, $unwritten not written"
echo "agent_full_disk_test: all passed"
