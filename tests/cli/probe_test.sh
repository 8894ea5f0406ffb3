#!/usr/bin/env bash
# Script test of `slamon probe` (icmp, tcp, catalogue mode, formats, exit codes) and of slamon-agent
# (schedule from a catalogue, results JSONL, --duration, SIGTERM). Traffic goes to loopback only.
set -euo pipefail
BIN=${SLAMON_BIN_DIR:?}
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
expect_rc() {  # expect_rc WANT CMD...: runs CMD, output in $work/out, fails unless the exit code is WANT
  local want=$1; shift
  set +e
  "$@" >"$work/out" 2>"$work/err"
  local rc=$?
  set -e
  [ "$rc" = "$want" ] || { cat "$work/out" "$work/err" >&2; fail "$* exited $rc, expected $want"; }
}

# A TCP listener with a banner, and a port where nothing listens.
python3 - "$work" <<'PY' &
import socket, sys, threading, time
work = sys.argv[1]
closed = socket.socket(); closed.bind(("127.0.0.1", 0)); closed_port = closed.getsockname()[1]; closed.close()
srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", 0)); srv.listen(64); srv.settimeout(0.5)
open(work + "/ports", "w").write("%d %d\n" % (srv.getsockname()[1], closed_port))
end = time.time() + 120
conns = []
while time.time() < end:
    try:
        c, _ = srv.accept()
    except socket.timeout:
        continue
    c.sendall(b"SSH-2.0-OpenSSH_9.2 test\r\n"); conns.append(c)
PY
pids+=($!)
for _ in $(seq 100); do [ -s "$work/ports" ] && break; sleep 0.05; done
read -r open_port closed_port <"$work/ports"

# --help and usage errors
expect_rc 0 "$BIN/slamon" probe --help
grep -q -- "--catalogue" "$work/out" || fail "probe --help does not mention --catalogue"
expect_rc 0 "$BIN/slamon" probe icmp --help
grep -q -- "--targets-file" "$work/out" || fail "probe icmp --help does not mention --targets-file"
expect_rc 0 "$BIN/slamon" probe tcp --help
expect_rc 2 "$BIN/slamon" probe icmp
expect_rc 2 "$BIN/slamon" probe icmp 127.0.0.1 --count 0
expect_rc 2 "$BIN/slamon" probe tcp not-a-target
expect_rc 2 "$BIN/slamon" probe

# ICMP to loopback: text and JSONL
expect_rc 0 "$BIN/slamon" probe icmp 127.0.0.1 --count 2 --spacing 10ms
grep -q "^127.0.0.1  up  " "$work/out" || fail "icmp text output: $(cat "$work/out")"
grep -q "received=2" "$work/out" || fail "icmp: not 2 replies"
expect_rc 0 "$BIN/slamon" probe icmp 127.0.0.1 127.0.0.2 --count 1 --format jsonl
[ "$(wc -l <"$work/out")" = 2 ] || fail "icmp jsonl: expected 2 lines"
python3 - "$work/out" <<'PY' || fail "icmp jsonl lines are not results"
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    assert r["status"] == "up" and r["metrics"]["loss_percent"] == 0 and r["latency_ms"] >= 0, r
    assert list(r)[:3] == ["probe", "ts", "status"], r
PY

# A sweep from a targets file: a summary
python3 -c "
for i in range(1500): print('127.0.%d.%d' % (i // 250, i % 250 + 1))
print('# a comment'); print('')" >"$work/targets"
expect_rc 0 "$BIN/slamon" probe icmp --targets-file "$work/targets" --count 1 --rate 0
grep -q "^1500 probes: 1500 up, 0 degraded, 0 down, 0 unknown" "$work/out" || fail "sweep summary: $(cat "$work/out")"
grep -q "1500 sent, 1500 received, 0% loss" "$work/out" || fail "sweep loss: $(cat "$work/out")"

# TCP: open with a banner, wrong banner, refused
expect_rc 0 "$BIN/slamon" probe tcp "127.0.0.1:$open_port" --banner-contains SSH-2.0
grep -q "  up  " "$work/out" || fail "tcp up: $(cat "$work/out")"
expect_rc 1 "$BIN/slamon" probe tcp "127.0.0.1:$open_port" --banner-regex '^220 ' --timeout 500ms
grep -q "banner did not match" "$work/out" || fail "tcp banner mismatch: $(cat "$work/out")"
expect_rc 1 "$BIN/slamon" probe tcp "127.0.0.1:$closed_port" --format jsonl
grep -q '"status":"down"' "$work/out" && grep -q "Connection refused" "$work/out" || fail "tcp refused: $(cat "$work/out")"

# Catalogue mode
cat >"$work/catalogue.yaml" <<YAML
version: 1
agents:
  - name: test-agent
    token_sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
cis:
  - id: lo
    type: host
    probes:
      - {type: icmp, agent: test-agent, target: 127.0.0.1, count: 2, spacing: 10ms, interval: 1s, timeout: 500ms}
      - {id: lo.ssh, type: tcp, agent: test-agent, target: "127.0.0.1:$open_port", interval: 1s, timeout: 500ms, expect: {banner_contains: OpenSSH}}
      - {id: lo.closed, type: tcp, agent: test-agent, target: "127.0.0.1:$closed_port", interval: 1s, timeout: 500ms}
YAML
expect_rc 0 "$BIN/slamon" probe --catalogue "$work/catalogue.yaml" --probe lo.icmp --probe lo.ssh
grep -q "^lo.icmp  up" "$work/out" && grep -q "^lo.ssh  up" "$work/out" || fail "catalogue probes: $(cat "$work/out")"
expect_rc 1 "$BIN/slamon" probe --catalogue "$work/catalogue.yaml" --agent test-agent --format jsonl
[ "$(wc -l <"$work/out")" = 3 ] || fail "catalogue --agent: expected 3 results"
grep -q '"probe":"lo.closed".*"status":"down"' "$work/out" || fail "lo.closed not down"
grep -q '"agent":"test-agent"' "$work/out" || fail "results lack the agent"
expect_rc 2 "$BIN/slamon" probe --catalogue "$work/catalogue.yaml" --probe no.such
expect_rc 2 "$BIN/slamon" probe --catalogue "$work/catalogue.yaml" --agent nobody

# slamon-agent: on schedule for a while, then SIGTERM
expect_rc 0 "$BIN/slamon-agent" --help
expect_rc 2 "$BIN/slamon-agent" --catalogue "$work/catalogue.yaml" --agent nobody --results-file "$work/r.jsonl"
expect_rc 0 "$BIN/slamon-agent" --catalogue "$work/catalogue.yaml" --agent test-agent --results-file "$work/r.jsonl" --duration 3500ms --log-level warn
python3 - "$work/r.jsonl" <<'PY' || fail "agent results: $(cat "$work/r.jsonl")"
import json, sys, collections
lines = [json.loads(l) for l in open(sys.argv[1])]
by = collections.defaultdict(list)
for r in lines: by[r["probe"]].append(r)
assert set(by) == {"lo.icmp", "lo.ssh", "lo.closed"}, by.keys()
for p, rs in by.items():
    assert 3 <= len(rs) <= 4, (p, len(rs))          # 1 s interval over 3.5 s
assert all(r["status"] == "up" for r in by["lo.icmp"] + by["lo.ssh"])
assert all(r["status"] == "down" for r in by["lo.closed"])
PY
"$BIN/slamon-agent" --catalogue "$work/catalogue.yaml" --agent test-agent --results-file "$work/r2.jsonl" --log-level warn &
agent=$!
pids+=($agent)
sleep 1.5
kill -TERM "$agent"
set +e
wait "$agent"
rc=$?
set -e
[ "$rc" = 0 ] || fail "slamon-agent exited $rc after SIGTERM"
[ -s "$work/r2.jsonl" ] || fail "no results before SIGTERM"
echo "probe_test: all passed"
