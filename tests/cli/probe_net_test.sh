#!/usr/bin/env bash
# `slamon probe http` and `slamon probe snmp` against the real peers of the probe tests (nginx with a
# generated CA, snmpd with a v2c community and v3 users), on loopback: exit codes (0 up, 1 not up,
# 2 usage), text and --format jsonl output, values printed by the SNMP command, secrets never printed.
# Every check runs, or the script exits 77 (CTest: skipped) naming what it could not run; a changed
# help text is a failure, never a skip.
set -euo pipefail

BIN=${SLAMON_BIN_DIR:?}/slamon
SRC=${SLAMON_SOURCE_DIR:?}
PEERS=$SRC/tests/probes/peers

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
skips=0
check() {  # check NAME CONDITION...
  local name=$1; shift
  if "$@"; then echo "ok   $name"; else echo "FAIL $name"; fails=$((fails + 1)); fi
}
skip() {  # skip NAME REASON: a check that cannot run here
  echo "SKIP $1: $2"; skips=$((skips + 1))
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
check "http --help exits 0" run 0 "$BIN" probe http --help
check "http --help lists --expect-status --ca-file --insecure --body-contains --format" bash -c 'for o in --expect-status --ca-file --insecure --body-contains --format; do grep -qF -- "$o" <<<"$0" || exit 1; done' "$out"
check "http 200 with the expected body: exit 0" run 0 "$BIN" probe http "$H/" --body-contains "hello slamon"
check "http text output: id and up" has "adhoc.http  up  "
check "http text output: http_status=200" has "http_status=200"
check "http 500 with the default statuses: exit 1" run 1 "$BIN" probe http "$H/status/500"
check "http 500: message names the status and the accepted range" has "status 500 not in 200-399"
check "http 500 listed in --expect-status: exit 0" run 0 "$BIN" probe http "$H/status/500" --expect-status 500,200-204
check "http body containing the forbidden text: exit 1" run 1 "$BIN" probe http "$H/wrong" --body-not-contains maintenance
check "http redirect followed to the final page: exit 0" run 0 "$BIN" probe http "$H/redirect" --follow-redirects --expect-status 200 --body-contains "final page"
check "http --format jsonl --id: exit 0" run 0 "$BIN" probe http "$H/" --format jsonl --id web.http
check "http jsonl line: probe id, status, http_status, latency" json 'r["probe"]=="web.http" and r["status"]=="up" and r["metrics"]["http_status"]==200 and r["latency_ms"]>0'
check "https verified with --ca-file: exit 0" run 0 "$BIN" probe http "$S/" --ca-file "$CA"
check "https: tls_ms measured" has "tls_ms="
check "https without the CA: exit 1" run 1 "$BIN" probe http "$S/"
check "https without the CA: TLS verification failed" has "TLS verification failed"
check "https --insecure: exit 0" run 0 "$BIN" probe http "$S/" --insecure
check "https certificate expiring within --cert-min-days: exit 1" run 1 "$BIN" probe http "https://127.0.0.1:$((hbase + 3))/" --ca-file "$CA" --cert-min-days 7 --format jsonl
check "https expiring certificate: degraded, cert_days_left about 3" json 'r["status"]=="degraded" and 2.9 < r["metrics"]["cert_days_left"] <= 3'
check "https --server-name verifies another name: exit 0" run 0 "$BIN" probe http "https://127.0.0.1:$((hbase + 4))/" --ca-file "$CA" --server-name other.example
check "http --degraded-if latency_ms=0: exit 1" run 1 "$BIN" probe http "$H/" --degraded-if latency_ms=0
check "http --degraded-if: status degraded" has "  degraded  "
check "http ftp:// URL: usage error, exit 2" run 2 "$BIN" probe http "ftp://127.0.0.1/"
check "http --expect-status 2xx: usage error, exit 2" run 2 "$BIN" probe http "$H/" --expect-status 2xx

# Names: in a mount namespace of our own, /etc/hosts maps probe.test to 127.0.0.1 (curl's threaded
# resolver reads it like any name; "localhost" would be answered by curl itself).
printf '127.0.0.1 localhost\n127.0.0.1 probe.test\n' > "$work/hosts"
in_ns() { unshare -m bash -c 'mount --bind "$0" /etc/hosts && exec "${@}"' "$work/hosts" "$@"; }
if [ "$(id -u)" = 0 ]; then
  check "http to a name from /etc/hosts is up" run 0 in_ns "$BIN" probe http "http://probe.test:$hbase/" --format jsonl
  check "http to a name: dns_ms measured" json 'r["status"]=="up" and r["metrics"]["dns_ms"] > 0'
  check "https to a name: the certificate's name verifies" run 0 in_ns "$BIN" probe http "https://probe.test:$((hbase + 1))/" --ca-file "$CA"
  check "snmp to a name from /etc/hosts is up" run 0 in_ns "$BIN" probe snmp --community-file "$work/community" --port "$sport" probe.test 1.3.6.1.2.1.1.5.0
else
  skip "probes to names from /etc/hosts" "a mount namespace needs root"
fi

# ---- snmp ----------------------------------------------------------------------------------------
printf 'wrong-community\n' > "$work/wrong"
printf 'authpass-256\n' > "$work/auth"
printf 'privpass-aes\n' > "$work/priv"
check "snmp --help exits 0" run 0 "$BIN" probe snmp --help
check "snmp --help lists the secret-file, --walk and --security-level options" bash -c 'for o in --community-file --auth-password-file --priv-password-file --walk --security-level; do grep -qF -- "$o" <<<"$0" || exit 1; done' "$out"
check "snmp v2c GET of two OIDs: exit 0" run 0 "$BIN" probe snmp --community-file "$work/community" --port "$sport" 127.0.0.1 1.3.6.1.2.1.1.5.0 1.3.6.1.2.1.1.4.0
check "snmp v2c GET prints sysName" has '1.3.6.1.2.1.1.5.0 = STRING: "peer-1"'
check "snmp v2c GET prints sysContact" has '1.3.6.1.2.1.1.4.0 = STRING: "ops@example.test"'
check "snmp v2c GET: values=2" has "values=2"
check "snmp walk with --min-rows 40 and GETBULK 9: exit 0" run 0 "$BIN" probe snmp --community-file "$work/community" --port "$sport" --walk --min-rows 40 --max-repetitions 9 127.0.0.1 1.3.6.1.4.1.99999.1.1
check "snmp walk prints exactly the 40 rows" test "$(grep -c '^  1\.3\.6\.1\.4\.1\.99999\.1\.1\.' <<<"$out")" = 40
check "snmp walk prints the last row" has "1.3.6.1.4.1.99999.1.1.40 = INTEGER: 400"
check "snmp v1 walk (GETNEXT): exit 0" run 0 "$BIN" probe snmp --version 1 --community-file "$work/community" --port "$sport" --walk 127.0.0.1 1.3.6.1.4.1.99999.1.2
check "snmp --equals not met: exit 1" run 1 "$BIN" probe snmp --community-file "$work/community" --port "$sport" --equals peer-2 127.0.0.1 1.3.6.1.2.1.1.5.0
check "snmp --equals not met: message names got and expected" has '1.3.6.1.2.1.1.5.0: got "peer-1", expected "peer-2"'
check "snmp --max not met: exit 1" run 1 "$BIN" probe snmp --community-file "$work/community" --port "$sport" --max 20 127.0.0.1 1.3.6.1.4.1.99999.1.1.3
check "snmp --max not met: message names got and the limit" has "got 30, expected at most 20"
check "snmp wrong community: exit 1 at the timeout" run 1 "$BIN" probe snmp --community-file "$work/wrong" --port "$sport" --timeout 600ms 127.0.0.1 1.3.6.1.2.1.1.5.0
check "snmp wrong community: no response message" has "no response from 127.0.0.1:$sport"
check "snmp wrong community: the community is never printed" lacks "wrong-community"
check "snmp v3 authPriv GET as jsonl: exit 0" run 0 "$BIN" probe snmp --version 3 --user privuser --security-level authPriv \
  --auth-protocol SHA-256 --auth-password-file "$work/auth" --priv-protocol AES --priv-password-file "$work/priv" \
  --port "$sport" --format jsonl 127.0.0.1 1.3.6.1.2.1.1.5.0
check "snmp v3 jsonl line: up, values=1, adhoc.snmp" json 'r["status"]=="up" and r["metrics"]["values"]==1 and r["probe"]=="adhoc.snmp"'
check "snmp v3: the passwords are never printed" lacks "authpass-256"
check "snmp v3 authNoPriv wrong password: exit 1" run 1 "$BIN" probe snmp --version 3 --user authuser --security-level authNoPriv \
  --auth-protocol SHA --auth-password-file "$work/priv" --port "$sport" 127.0.0.1 1.3.6.1.2.1.1.5.0
check "snmp v3 wrong password: authentication failure, wrong digest" has "authentication failure: wrong digest"
check "snmp v3 authNoPriv without --auth-password-file: exit 2" run 2 "$BIN" probe snmp --version 3 --user privuser --security-level authNoPriv --port "$sport" 127.0.0.1 1.3.6.1.2.1.1.5.0
check "snmp v2c without a community: exit 2" run 2 "$BIN" probe snmp --port "$sport" 127.0.0.1 1.3.6.1.2.1.1.5.0
check "snmp without an OID: exit 2" run 2 "$BIN" probe snmp --community-file "$work/community" 127.0.0.1
check "http without a URL: exit 2" run 2 "$BIN" probe http

echo "$fails failure(s), $skips skipped"
[ "$fails" -eq 0 ] || exit 1
[ "$skips" -eq 0 ] || exit 77
