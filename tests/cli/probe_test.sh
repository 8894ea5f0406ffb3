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

# expect_usage MESSAGE CMD...: CMD is a usage error: exit 2, MESSAGE (a fixed string) on stderr,
# nothing on stdout (no result printed, nothing probed).
expect_usage() {
  local msg=$1; shift
  expect_rc 2 "$@"
  grep -qF -- "$msg" "$work/err" || { cat "$work/err" >&2; fail "$*: stderr lacks '$msg'"; }
  [ ! -s "$work/out" ] || { cat "$work/out" >&2; fail "$*: printed a result for a usage error"; }
}

# --help and --version exit 0; CLI11's own exit codes never leak out (105, 106, 109...): 0, 1 or 2
expect_rc 0 "$BIN/slamon" --help
expect_rc 0 "$BIN/slamon" --version
expect_rc 0 "$BIN/slamon" probe --help
grep -q -- "--catalogue" "$work/out" || fail "probe --help does not mention --catalogue"
expect_rc 0 "$BIN/slamon" probe icmp --help
grep -q -- "--targets-file" "$work/out" || fail "probe icmp --help does not mention --targets-file"
expect_rc 0 "$BIN/slamon" probe tcp --help
expect_usage "A subcommand is required" "$BIN/slamon"
expect_usage "The following argument was not expected: --bogus" "$BIN/slamon" probe --bogus
expect_usage "The following argument was not expected: --bogus" "$BIN/slamon" check catalogue.yaml --bogus
expect_usage "The following argument was not expected: --min" "$BIN/slamon" probe icmp 127.0.0.1 --min 3
expect_usage "--count" "$BIN/slamon" probe icmp 127.0.0.1 --count x
expect_usage "--count: 1 required INT:INT in [1 - 100] missing" "$BIN/slamon" probe icmp 127.0.0.1 --count
expect_usage "targets is required" "$BIN/slamon" probe tcp
expect_usage "no target" "$BIN/slamon" probe icmp
expect_usage "give a probe type" "$BIN/slamon" probe

# Input that cannot be probed is a usage error (exit 2) naming the option, not a down result
expect_usage "--count: Value 0 not in range 1 to 100" "$BIN/slamon" probe icmp 127.0.0.1 --count 0
expect_usage "--count: Value 101 not in range 1 to 100" "$BIN/slamon" probe icmp 127.0.0.1 --count 101
expect_usage "--size: Value 65508 not in range 0 to 65000" "$BIN/slamon" probe icmp 127.0.0.1 --size 65508
expect_usage "--size: Value 70000 not in range 0 to 65000" "$BIN/slamon" probe icmp 127.0.0.1 --size 70000
expect_usage "--size: Value -1 not in range 0 to 65000" "$BIN/slamon" probe icmp 127.0.0.1 --size -1
expect_usage "--rate: -1 is not in 0 to 1000000000" "$BIN/slamon" probe icmp 127.0.0.1 --rate -1
expect_usage "--rate: 'nan' is not a finite number" "$BIN/slamon" probe icmp 127.0.0.1 --rate nan
expect_usage "--rate: 'NaN' is not a finite number" "$BIN/slamon" probe icmp 127.0.0.1 --rate NaN
expect_usage "--rate: 'inf' is not a finite number" "$BIN/slamon" probe icmp 127.0.0.1 --rate inf
expect_usage "--parallel: Value 0 not in range 1 to 1000000" "$BIN/slamon" probe icmp 127.0.0.1 --parallel 0
expect_usage "--parallel" "$BIN/slamon" probe icmp 127.0.0.1 --parallel -1
expect_usage "--timeout: 0s is not in 1ms to 1h" "$BIN/slamon" probe icmp 127.0.0.1 --timeout 0s
expect_usage "--timeout: '5' is not a duration" "$BIN/slamon" probe icmp 127.0.0.1 --timeout 5
expect_usage "--timeout: 2h is not in 1ms to 1h" "$BIN/slamon" probe icmp 127.0.0.1 --timeout 2h
expect_usage "--spacing: '-1s' is not a duration" "$BIN/slamon" probe icmp 127.0.0.1 --spacing -1s
expect_usage "--icmp-rate: 'nan' is not a finite number" "$BIN/slamon" probe --icmp-rate nan --catalogue x --agent y
expect_usage "--icmp-rate: -5 is not in 0 to 1000000000" "$BIN/slamon" probe --icmp-rate -5 --catalogue x --agent y
expect_usage "'not a host!' is not an IP address or a host name" "$BIN/slamon" probe icmp 127.0.0.1 'not a host!'
expect_usage "'127.0.0.256' is not an IP address or a host name" "$BIN/slamon" probe icmp 127.0.0.256
expect_usage "is not HOST:PORT" "$BIN/slamon" probe tcp not-a-target
expect_usage "'127.0.0.1:70000' is not HOST:PORT" "$BIN/slamon" probe tcp 127.0.0.1:70000
expect_usage "'a b:22' is not HOST:PORT" "$BIN/slamon" probe tcp 'a b:22'
expect_usage "--timeout: 0ms is not in 1ms to 1h" "$BIN/slamon" probe tcp 127.0.0.1:22 --timeout 0ms
expect_usage "--port: Value 70000 not in range 1 to 65535" "$BIN/slamon" probe snmp --community c --port 70000 127.0.0.1 1.3.6.1.2.1.1.5.0
expect_usage "--port: Value 0 not in range 1 to 65535" "$BIN/slamon" probe snmp --community c --port 0 127.0.0.1 1.3.6.1.2.1.1.5.0
expect_usage "--retries: Value -1 not in range 0 to 10" "$BIN/slamon" probe snmp --community c --retries -1 127.0.0.1 1.3.6.1.2.1.1.5.0
expect_usage "--retries: Value 11 not in range 0 to 10" "$BIN/slamon" probe snmp --community c --retries 11 127.0.0.1 1.3.6.1.2.1.1.5.0
expect_usage "--max-repetitions: Value 0 not in range 1 to 1000" "$BIN/slamon" probe snmp --community c --walk --max-repetitions 0 127.0.0.1 1.3.6.1.2.1.1
expect_usage "--min-rows: Value -1 not in range 0 to 1000000" "$BIN/slamon" probe snmp --community c --walk --min-rows -1 127.0.0.1 1.3.6.1.2.1.1
expect_usage "--min: 'nan' is not a finite number" "$BIN/slamon" probe snmp --community c --min nan 127.0.0.1 1.3.6.1.2.1.1.3.0
expect_usage "--max: 'inf' is not a finite number" "$BIN/slamon" probe snmp --community c --max inf 127.0.0.1 1.3.6.1.2.1.1.3.0
expect_usage "--timeout: '1x' is not a duration" "$BIN/slamon" probe snmp --community c --timeout 1x 127.0.0.1 1.3.6.1.2.1.1.5.0
expect_usage "'bad host' is not an IP address or a host name" "$BIN/slamon" probe snmp --community c 'bad host' 1.3.6.1.2.1.1.5.0
expect_usage "--cert-min-days: Value -1 not in range 0 to 100000" "$BIN/slamon" probe http http://127.0.0.1/ --cert-min-days -1
expect_usage "--timeout: '1x' is not a duration" "$BIN/slamon" probe http http://127.0.0.1/ --timeout 1x
expect_usage "bad --degraded-if" "$BIN/slamon" probe http http://127.0.0.1/ --degraded-if latency_ms=nan

# Garbage lines in a targets file: exit 2, every bad line named FILE:LINE, nothing probed
printf '127.0.0.1\nnot a host!\n10.0.0.1 # router\n\n# a comment\n127.0.0.256\n::1\nbad\001host\n  localhost  \r\n' >"$work/bad-targets"
expect_usage "$work/bad-targets:2: error: 'not a host!' is not an IP address or a host name" \
  "$BIN/slamon" probe icmp --targets-file "$work/bad-targets" --count 1
grep -qF "$work/bad-targets:3: error: '10.0.0.1 # router' is not an IP address or a host name" "$work/err" || fail "bad-targets line 3: $(cat "$work/err")"
grep -qF "$work/bad-targets:6: error: '127.0.0.256' is not an IP address or a host name" "$work/err" || fail "bad-targets line 6: $(cat "$work/err")"
grep -qF "$work/bad-targets:8: error: 'bad\x01host' is not an IP address or a host name" "$work/err" || fail "bad-targets line 8: $(cat "$work/err")"
[ "$(wc -l <"$work/err")" = 4 ] || fail "bad-targets: expected exactly 4 errors: $(cat "$work/err")"
python3 -c "
for i in range(30): print('bad target %d' % i)" >"$work/many-bad"
expect_usage "$work/many-bad: ... and 10 more bad lines" "$BIN/slamon" probe icmp --targets-file "$work/many-bad"

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

# slamon-agent: exit 0 for --help, 2 for every usage error (never CLI11's own codes)
expect_rc 0 "$BIN/slamon-agent" --help
expect_usage "--catalogue is required" "$BIN/slamon-agent" --agent a --results-file "$work/r.jsonl"
expect_usage "The following argument was not expected: --bogus" "$BIN/slamon-agent" --catalogue c --agent a --results-file "$work/r.jsonl" --bogus
expect_usage "--icmp-rate: 'nan' is not a number from 0 to 1e9" "$BIN/slamon-agent" --catalogue "$work/catalogue.yaml" --agent test-agent --results-file "$work/r.jsonl" --icmp-rate nan
expect_usage "--icmp-rate: '-1' is not a number from 0 to 1e9" "$BIN/slamon-agent" --catalogue "$work/catalogue.yaml" --agent test-agent --results-file "$work/r.jsonl" --icmp-rate -1
expect_usage "--snmp-idle-sessions" "$BIN/slamon-agent" --catalogue "$work/catalogue.yaml" --agent test-agent --results-file "$work/r.jsonl" --snmp-idle-sessions -1
expect_usage "--snmp-idle-sessions: Value 1000001 not in range 0 to 1000000" "$BIN/slamon-agent" --catalogue "$work/catalogue.yaml" --agent test-agent --results-file "$work/r.jsonl" --snmp-idle-sessions 1000001
expect_usage "--duration: '0s' is not a duration longer than zero" "$BIN/slamon-agent" --catalogue "$work/catalogue.yaml" --agent test-agent --results-file "$work/r.jsonl" --duration 0s
[ ! -e "$work/r.jsonl" ] || fail "slamon-agent created its results file on a usage error"

# slamon-agent: on schedule for a while, then SIGTERM
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
