#!/usr/bin/env bash
# `slamon probe http` and `slamon probe snmp` against the real peers of the probe tests (nginx with a
# generated CA, snmpd with a v2c community and v3 users), on loopback: exit codes (0 up, 1 not up,
# 2 usage), text and --format jsonl output, values printed by the SNMP command, secrets never printed.
set -euo pipefail

BIN=${SLAMON_BIN_DIR:?}/slamon
SRC=${SLAMON_SOURCE_DIR:?}
PEERS=$SRC/tests/probes/peers

if ! "$BIN" probe http --help 2>/dev/null | grep -q -- --expect-status; then
  echo "SKIP: this build's 'slamon probe' does not dispatch to the http/snmp subcommands yet"
  exit 0
fi

work=$(mktemp -d)
cleanup() {
  bash "$PEERS/https_peer.sh" stop "$work/https" || true
  bash "$PEERS/snmpd_peer.sh" stop "$work/snmpd" || true
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/https" "$work/snmpd"

# A base port with COUNT consecutive free TCP and UDP ports on 127.0.0.1.
free_ports() {
  python3 - "$1" <<'PY'
import random, socket, sys
count = int(sys.argv[1])
for _ in range(200):
    base = random.randint(20000, 59000)
    ok = True
    for p in range(base, base + count):
        for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
            s = socket.socket(socket.AF_INET, kind)
            try:
                s.bind(("127.0.0.1", p))
            except OSError:
                ok = False
            finally:
                s.close()
    if ok:
        print(base)
        sys.exit(0)
sys.exit(1)
PY
}

fails=0
check() {  # check NAME CONDITION...
  local name=$1; shift
  if "$@"; then echo "ok   $name"; else echo "FAIL $name"; fails=$((fails + 1)); fi
}
run() {  # run EXPECTED_RC CMD...: output in $out, exit code compared
  local want=$1; shift
  set +e
  out=$("$@" 2>&1)
  rc=$?
  set -e
  [ "$rc" = "$want" ] || { echo "  exit $rc, wanted $want: $*"; echo "$out" | sed 's/^/  | /'; return 1; }
}
has() { grep -qF -- "$1" <<<"$out"; }
lacks() { ! grep -qF -- "$1" <<<"$out"; }
json() {  # json PYTHON_EXPR: evaluated with r = the single JSONL line of $out
  python3 -c "import json,sys; lines=sys.stdin.read().splitlines(); assert len(lines)==1, lines; r=json.loads(lines[0]); sys.exit(0 if ($1) else 1)" <<<"$out"
}

hbase=$(free_ports 5)
bash "$PEERS/https_peer.sh" start "$work/https" "$hbase"
sport=$(free_ports 1)
bash "$PEERS/snmpd_peer.sh" start "$work/snmpd" "$sport"
printf 'public-test\n' > "$work/community"
H=http://127.0.0.1:$hbase
S="https://127.0.0.1:$((hbase + 1))"
CA=$work/https/ca.crt

# ---- http ----------------------------------------------------------------------------------------
check "http --help" run 0 "$BIN" probe http --help
check "http --help lists options" bash -c 'for o in --expect-status --ca-file --insecure --body-contains --format; do grep -qF -- "$o" <<<"$0" || exit 1; done' "$out"
check "http up" run 0 "$BIN" probe http "$H/" --body-contains "hello slamon"
check "http up text" has "adhoc.http  up  "
check "http up metrics" has "http_status=200"
check "http wrong status" run 1 "$BIN" probe http "$H/status/500"
check "http wrong status message" has "status 500 not in 200-399"
check "http expected status" run 0 "$BIN" probe http "$H/status/500" --expect-status 500,200-204
check "http wrong body" run 1 "$BIN" probe http "$H/wrong" --body-not-contains maintenance
check "http redirect followed" run 0 "$BIN" probe http "$H/redirect" --follow-redirects --expect-status 200 --body-contains "final page"
check "http jsonl" run 0 "$BIN" probe http "$H/" --format jsonl --id web.http
check "http jsonl fields" json 'r["probe"]=="web.http" and r["status"]=="up" and r["metrics"]["http_status"]==200 and r["latency_ms"]>0'
check "https verified with the CA" run 0 "$BIN" probe http "$S/" --ca-file "$CA"
check "https tls metric" has "tls_ms="
check "https without the CA" run 1 "$BIN" probe http "$S/"
check "https without the CA message" has "TLS verification failed"
check "https insecure" run 0 "$BIN" probe http "$S/" --insecure
check "https expiring" run 1 "$BIN" probe http "https://127.0.0.1:$((hbase + 3))/" --ca-file "$CA" --cert-min-days 7 --format jsonl
check "https expiring degraded" json 'r["status"]=="degraded" and 2.9 < r["metrics"]["cert_days_left"] <= 3'
check "https server name" run 0 "$BIN" probe http "https://127.0.0.1:$((hbase + 4))/" --ca-file "$CA" --server-name other.example
check "http degraded-if" run 1 "$BIN" probe http "$H/" --degraded-if latency_ms=0
check "http degraded-if message" has "  degraded  "
check "http bad url" run 2 "$BIN" probe http "ftp://127.0.0.1/"
check "http bad status list" run 2 "$BIN" probe http "$H/" --expect-status 2xx

# Names: in a mount namespace of our own, /etc/hosts maps probe.test to 127.0.0.1 (curl's threaded
# resolver reads it like any name; "localhost" would be answered by curl itself).
printf '127.0.0.1 localhost\n127.0.0.1 probe.test\n' > "$work/hosts"
in_ns() { unshare -m bash -c 'mount --bind "$0" /etc/hosts && exec "${@}"' "$work/hosts" "$@"; }
check "http by name" run 0 in_ns "$BIN" probe http "http://probe.test:$hbase/" --format jsonl
check "http by name: dns_ms measured" json 'r["status"]=="up" and r["metrics"]["dns_ms"] > 0'
check "https by name (certificate name)" run 0 in_ns "$BIN" probe http "https://probe.test:$((hbase + 1))/" --ca-file "$CA"
check "snmp by name" run 0 in_ns "$BIN" probe snmp --community-file "$work/community" --port "$sport" probe.test 1.3.6.1.2.1.1.5.0

# ---- snmp ----------------------------------------------------------------------------------------
printf 'wrong-community\n' > "$work/wrong"
printf 'authpass-256\n' > "$work/auth"
printf 'privpass-aes\n' > "$work/priv"
check "snmp --help" run 0 "$BIN" probe snmp --help
check "snmp --help lists options" bash -c 'for o in --community-file --auth-password-file --priv-password-file --walk --security-level; do grep -qF -- "$o" <<<"$0" || exit 1; done' "$out"
check "snmp v2c get" run 0 "$BIN" probe snmp --community-file "$work/community" --port "$sport" 127.0.0.1 1.3.6.1.2.1.1.5.0 1.3.6.1.2.1.1.4.0
check "snmp v2c values printed" has '1.3.6.1.2.1.1.5.0 = STRING: "peer-1"'
check "snmp v2c values printed (2)" has '1.3.6.1.2.1.1.4.0 = STRING: "ops@example.test"'
check "snmp v2c values metric" has "values=2"
check "snmp walk" run 0 "$BIN" probe snmp --community-file "$work/community" --port "$sport" --walk --min-rows 40 --max-repetitions 9 127.0.0.1 1.3.6.1.4.1.99999.1.1
check "snmp walk rows" test "$(grep -c '^  1\.3\.6\.1\.4\.1\.99999\.1\.1\.' <<<"$out")" = 40
check "snmp walk last row" has "1.3.6.1.4.1.99999.1.1.40 = INTEGER: 400"
check "snmp v1 walk" run 0 "$BIN" probe snmp --version 1 --community-file "$work/community" --port "$sport" --walk 127.0.0.1 1.3.6.1.4.1.99999.1.2
check "snmp expectation not met" run 1 "$BIN" probe snmp --community-file "$work/community" --port "$sport" --equals peer-2 127.0.0.1 1.3.6.1.2.1.1.5.0
check "snmp expectation message" has '1.3.6.1.2.1.1.5.0: got "peer-1", expected "peer-2"'
check "snmp numeric expectation" run 1 "$BIN" probe snmp --community-file "$work/community" --port "$sport" --max 20 127.0.0.1 1.3.6.1.4.1.99999.1.1.3
check "snmp numeric expectation message" has "got 30, expected at most 20"
check "snmp wrong community" run 1 "$BIN" probe snmp --community-file "$work/wrong" --port "$sport" --timeout 600ms 127.0.0.1 1.3.6.1.2.1.1.5.0
check "snmp wrong community message" has "no response from 127.0.0.1:$sport"
check "snmp community never printed" lacks "wrong-community"
check "snmp v3 authPriv jsonl" run 0 "$BIN" probe snmp --version 3 --user privuser --security-level authPriv \
  --auth-protocol SHA-256 --auth-password-file "$work/auth" --priv-protocol AES --priv-password-file "$work/priv" \
  --port "$sport" --format jsonl 127.0.0.1 1.3.6.1.2.1.1.5.0
check "snmp v3 jsonl fields" json 'r["status"]=="up" and r["metrics"]["values"]==1 and r["probe"]=="adhoc.snmp"'
check "snmp v3 passwords never printed" lacks "authpass-256"
check "snmp v3 wrong password" run 1 "$BIN" probe snmp --version 3 --user authuser --security-level authNoPriv \
  --auth-protocol SHA --auth-password-file "$work/priv" --port "$sport" 127.0.0.1 1.3.6.1.2.1.1.5.0
check "snmp v3 wrong password message" has "authentication failure: wrong digest"
check "snmp v3 needs a password file" run 2 "$BIN" probe snmp --version 3 --user privuser --security-level authNoPriv --port "$sport" 127.0.0.1 1.3.6.1.2.1.1.5.0
check "snmp v2c needs a community" run 2 "$BIN" probe snmp --port "$sport" 127.0.0.1 1.3.6.1.2.1.1.5.0
check "snmp needs an OID" run 2 "$BIN" probe snmp --community-file "$work/community" 127.0.0.1
check "http needs a URL" run 2 "$BIN" probe http

echo "$fails failure(s)"
[ "$fails" -eq 0 ]
