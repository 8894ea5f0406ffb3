#!/usr/bin/env bash
# `slamon check`: exit codes, the summary, JSON output, errors on stderr (one per line, every one),
# --agent-config cross-checks, and --help. Runs the real binary (SLAMON_BIN_DIR).
set -euo pipefail
bin="${SLAMON_BIN_DIR:?}/slamon"
src="${SLAMON_SOURCE_DIR:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# 1. The example catalogue: exit 0, the summary on stdout, nothing on stderr.
"$bin" check "$src/config/example.yaml" >"$tmp/out" 2>"$tmp/err" || fail "example: exit $?"
[ ! -s "$tmp/err" ] || fail "example: stderr not empty: $(cat "$tmp/err")"
grep -q ': OK$' "$tmp/out" || fail "example: no OK line"
grep -Eq '^  agents: +1$' "$tmp/out" || fail "example: agents count"
grep -Eq '^  CIs: +4$' "$tmp/out" || fail "example: CI count"
grep -Eq '^  probes: +6 \(http 1, icmp 1, snmp 2, tcp 2\)$' "$tmp/out" || fail "example: probes by type"
grep -Eq '^  services: +3 \(business 1, application 1, infrastructure 1, network 0\)$' "$tmp/out" || fail "services"
grep -Eq '^  SLAs: +1$' "$tmp/out" || fail "example: SLAs"
grep -Eq '^  agreements: +1 \(ola 0, uc 1\)$' "$tmp/out" || fail "example: agreements"
grep -Eq '^  maintenance windows: +2 \(recurring 1, one-off 1\)$' "$tmp/out" || fail "example: maintenance"

# 2. The demo catalogue is valid too.
"$bin" check "$src/config/demo.yaml" >/dev/null || fail "demo catalogue"

# 3. JSON summary.
"$bin" check "$src/config/example.yaml" --format json >"$tmp/json" || fail "json: exit $?"
python3 - "$tmp/json" <<'PY' || fail "json summary"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["ok"] is True, d
s = d["summary"]
assert s["agents"] == 1 and s["cis"] == 4 and s["slas"] == 1, s
assert s["probes"] == {"total": 6, "http": 1, "icmp": 1, "snmp": 2, "tcp": 2}, s["probes"]
assert s["maintenance"]["recurring"] == 1 and s["maintenance"]["one_off"] == 1, s
PY

# 4. A catalogue with several errors: exit 1, every error on stderr as FILE:LINE:COL, nothing on stdout.
mkdir -p "$tmp/cat/secrets"
cat >"$tmp/cat/bad.yaml" <<'YAML'
version: 1
agents: [{name: a1}]
cis:
  - id: c1
    probes:
      - {type: icmp, agent: a2, target: 192.0.2.1, intervall: 10s}
      - {type: snmp, agent: a1, target: 192.0.2.1, community: TopSecretCommunity, get: [{oid: 1.3}], port: 99999}
services:
  - {id: s1, children: [c1, s2]}
  - {id: s2, children: [s1]}
YAML
set +e
"$bin" check "$tmp/cat/bad.yaml" >"$tmp/out" 2>"$tmp/err"
rc=$?
set -e
[ "$rc" -eq 1 ] || fail "bad: exit $rc, want 1"
[ ! -s "$tmp/out" ] || fail "bad: stdout not empty"
grep -q "bad.yaml:6:29: error: probe c1.icmp: agent: unknown agent 'a2'; did you mean 'a1'?" "$tmp/err" || fail "bad: agent error: $(cat "$tmp/err")"
grep -q "bad.yaml:6:52: error: probe c1.icmp: unknown key 'intervall'; did you mean 'interval'?" "$tmp/err" || fail "bad: unknown key"
grep -q "bad.yaml:7:108: error: probe c1.snmp: port must be between 1 and 65535" "$tmp/err" || fail "bad: port"
grep -q "cycle in the service graph: s1 -> s2 -> s1" "$tmp/err" || fail "bad: cycle"
grep -q '^4 errors$' "$tmp/err" || fail "bad: error count line: $(cat "$tmp/err")"
! grep -q TopSecretCommunity "$tmp/err" || fail "bad: a secret was printed"

# 5. JSON errors: exit 1, an errors array with file/line/col/object/message.
set +e
"$bin" check "$tmp/cat/bad.yaml" --format json >"$tmp/json" 2>/dev/null
rc=$?
set -e
[ "$rc" -eq 1 ] || fail "bad json: exit $rc"
python3 - "$tmp/json" <<'PY' || fail "json errors"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["ok"] is False
e = d["errors"]
assert len(e) == 4, e
assert e[0]["line"] == 6 and e[0]["col"] == 29 and e[0]["object"] == "probe c1.icmp", e[0]
assert all("TopSecretCommunity" not in x["message"] for x in e)
PY

# 6. --agent-config: the example agent matches; a wrong token or unknown agent is an error.
"$bin" check "$src/config/example.yaml" --agent-config "$src/config/agent.yaml" >"$tmp/out" || fail "agent config"
grep -q 'agent.yaml: OK (agent dc1-agent-01, collector collector.example.com:7443)' "$tmp/out" || fail "agent line"
printf 'wrong-token\n' >"$tmp/cat/agent.token"
printf 'pem\n' >"$tmp/cat/ca.pem"
printf 'collector: 127.0.0.1:7443\nname: dc1-agent-01\ntoken_file: agent.token\ntls: {ca_file: ca.pem}\n' >"$tmp/cat/agent.yaml"
set +e
"$bin" check "$src/config/example.yaml" --agent-config "$tmp/cat/agent.yaml" 2>"$tmp/err" >/dev/null
rc=$?
set -e
[ "$rc" -eq 1 ] || fail "wrong token: exit $rc"
grep -q 'does not match token_sha256' "$tmp/err" || fail "wrong token message"
! grep -q wrong-token "$tmp/err" || fail "the token was printed"

# 7. A missing file, a bad --format, and --help.
set +e
"$bin" check "$tmp/none.yaml" 2>"$tmp/err"; rc=$?
"$bin" check "$src/config/example.yaml" --format xml >/dev/null 2>&1; rc2=$?
set -e
[ "$rc" -eq 1 ] || fail "missing file: exit $rc"
grep -q "none.yaml: error: cannot read the catalogue file" "$tmp/err" || fail "missing file message"
[ "$rc2" -ne 0 ] || fail "--format xml accepted"
"$bin" check --help >"$tmp/help" || fail "--help exit"
grep -q -- '--agent-config' "$tmp/help" && grep -q -- '--format' "$tmp/help" && grep -q 'Exit status' "$tmp/help" \
  || fail "--help content"

# 8. The real reason a catalogue cannot be read: a directory, a FIFO (at once, never blocking).
set +e
"$bin" check "$tmp" 2>"$tmp/err"; rc=$?
set -e
[ "$rc" -eq 1 ] || fail "directory: exit $rc"
grep -q "error: cannot read the catalogue file: is a directory" "$tmp/err" || fail "directory message: $(cat "$tmp/err")"
mkfifo "$tmp/fifo.yaml"
set +e
timeout 10 "$bin" check "$tmp/fifo.yaml" 2>"$tmp/err"; rc=$?
set -e
[ "$rc" -eq 1 ] || fail "FIFO: exit $rc (124 = it hung)"
grep -q "cannot read the catalogue file: is a FIFO" "$tmp/err" || fail "FIFO message: $(cat "$tmp/err")"
truncate -s 3G "$tmp/huge.yaml"  # sparse: past 2^31 bytes (and so possibly lines), refused by size unread
set +e
timeout 10 "$bin" check "$tmp/huge.yaml" 2>"$tmp/err"; rc=$?
set -e
[ "$rc" -eq 1 ] || fail "huge: exit $rc"
grep -q "cannot read the catalogue file: is larger than 64 MiB" "$tmp/err" || fail "huge message: $(cat "$tmp/err")"

# 9. A service chain 50,000 deep (generated here) is checked without a stack overflow.
python3 - "$tmp/deep.yaml" <<'PY'
import sys
n = 50000
with open(sys.argv[1], "w") as f:
    f.write("version: 1\ncis: [{id: c}]\nservices:\n")
    for i in range(n):
        f.write("  - {id: s%d, children: [%s]}\n" % (i, "s%d" % (i + 1) if i + 1 < n else "c"))
PY
"$bin" check "$tmp/deep.yaml" >"$tmp/out" 2>"$tmp/err" || fail "deep chain: exit $?: $(head -3 "$tmp/err")"
grep -Eq '^  services: +50000 ' "$tmp/out" || fail "deep chain summary: $(cat "$tmp/out")"

# 10. JSON output is valid UTF-8 whatever the input (an invalid byte in a file name becomes U+FFFD),
# and one error per line in text even when a message holds a line break.
bad=$'\xff-catalogue.yaml'
printf 'version: 1\ncis: [{id: "x", bad: 1}]\n' >"$tmp/$bad"
set +e
"$bin" check "$tmp/$bad" --format json >"$tmp/json" 2>/dev/null; rc=$?
set -e
[ "$rc" -eq 1 ] || fail "invalid UTF-8 name: exit $rc"
python3 - "$tmp/json" <<'PY' || fail "JSON is not valid UTF-8: $(od -c "$tmp/json" | head -3)"
import json, sys
d = json.loads(open(sys.argv[1], "rb").read().decode("utf-8"))  # strict: raises on invalid UTF-8
assert d["ok"] is False and "\ufffd-catalogue.yaml" in d["catalogue"], d
assert d["errors"][0]["file"].endswith("\ufffd-catalogue.yaml"), d
PY
printf 'version: 1\nagents: [{name: a1}]\ncis:\n  - id: c\n    probes:\n      - {type: tcp, agent: a1, target: "h:1", expect: {banner_regex: "(a\\nb"}}\n' >"$tmp/nl.yaml"
set +e
"$bin" check "$tmp/nl.yaml" 2>"$tmp/err"; rc=$?
set -e
[ "$rc" -eq 1 ] || fail "newline message: exit $rc"
[ "$(wc -l <"$tmp/err")" -eq 2 ] || fail "an error broke over lines: $(cat "$tmp/err")"
grep -q 'nl.yaml:6:.*(a\\nb' "$tmp/err" || fail "escaped newline: $(cat "$tmp/err")"

# 11. A password in a URL is masked in text and JSON.
printf 'version: 1\nagents: [{name: a1}]\ncis:\n  - id: c\n    probes:\n      - {type: http, agent: a1, url: "ftp://admin:Pa55wordXY@files/"}\n' >"$tmp/url.yaml"
set +e
"$bin" check "$tmp/url.yaml" 2>"$tmp/err"; "$bin" check "$tmp/url.yaml" --format json >"$tmp/json"
set -e
! grep -q Pa55wordXY "$tmp/err" "$tmp/json" || fail "a URL password was printed"
grep -q "ftp://admin:\*\*\*@files/" "$tmp/err" || fail "masked URL: $(cat "$tmp/err")"
# 12. --collector-config: alone it checks the catalogue it names; with a CATALOGUE it must be that one;
#     its errors are in the catalogue's form.
mkdir -p "$tmp/coll/tls"
printf 'pem\n' >"$tmp/coll/tls/collector.pem"
printf 'key\n' >"$tmp/coll/tls/collector.key"
printf 'catalogue: %s\ntls: {cert_file: tls/collector.pem, key_file: tls/collector.key}\nstore: s.db\nretention: 90d\n' \
  "$src/config/example.yaml" >"$tmp/coll/collector.yaml"
"$bin" check --collector-config "$tmp/coll/collector.yaml" >"$tmp/out" || fail "collector config alone: $(cat "$tmp/out")"
grep -q "example.yaml: OK" "$tmp/out" || fail "collector config: the catalogue it names was not checked"
grep -q "collector.yaml: OK (listen 0.0.0.0:7443, store sqlite $tmp/coll/s.db, retention 90d, clock skew limit 2s, http 127.0.0.1:8080 without a token)" "$tmp/out" \
  || fail "collector config line: $(cat "$tmp/out")"
"$bin" check "$src/config/example.yaml" --collector-config "$tmp/coll/collector.yaml" --format json >"$tmp/json" \
  || fail "collector config json"
python3 - "$tmp/json" <<'PY' || fail "collector config json content"
import json, sys
d = json.load(open(sys.argv[1]))
c = d["collector_config"]
assert d["ok"] and c["listen"] == "0.0.0.0:7443" and c["store"].startswith("sqlite ") and c["retention_ms"] == 90 * 86400000, d
assert c["http_listen"] == "127.0.0.1:8080" and not c["http_read_token"] and not c["http_tls"], c
PY
set +e
"$bin" check "$src/config/demo.yaml" --collector-config "$tmp/coll/collector.yaml" 2>"$tmp/err" >/dev/null; rc=$?
set -e
[ "$rc" -eq 1 ] || fail "another catalogue than the collector's: exit $rc"
grep -q "collector config: it serves the catalogue .*example.yaml, not .*demo.yaml" "$tmp/err" || fail "mismatch message: $(cat "$tmp/err")"
printf 'catalogue: %s\nlisten: 7443\ntls: {cert_file: tls/none.pem, key_file: tls/collector.key}\n' \
  "$src/config/example.yaml" >"$tmp/coll/bad.yaml"
set +e
"$bin" check --collector-config "$tmp/coll/bad.yaml" 2>"$tmp/err" >/dev/null; rc=$?
set -e
[ "$rc" -eq 1 ] || fail "bad collector config: exit $rc"
grep -q "bad.yaml:2:9: error: collector config: listen must be host:port" "$tmp/err" || fail "listen error: $(cat "$tmp/err")"
grep -q "bad.yaml:3:18: error: collector config: cannot read tls.cert_file 'tls/none.pem'" "$tmp/err" || fail "cert error: $(cat "$tmp/err")"
# http: a non-loopback listen address without a read token is an error, at its place.
printf 'catalogue: %s\ntls: {cert_file: tls/collector.pem, key_file: tls/collector.key}\nhttp:\n  listen: 0.0.0.0:8080\n' \
  "$src/config/example.yaml" >"$tmp/coll/open.yaml"
set +e
"$bin" check --collector-config "$tmp/coll/open.yaml" 2>"$tmp/err" >/dev/null; rc=$?
set -e
[ "$rc" -eq 1 ] || fail "http on 0.0.0.0 without a token: exit $rc"
grep -q "open.yaml:4:11: error: collector config: http.listen 0.0.0.0:8080 is not a loopback address: set http.read_token_sha256" "$tmp/err" \
  || fail "http listen error: $(cat "$tmp/err")"
set +e
"$bin" check 2>"$tmp/err" >/dev/null; rc=$?
set -e
[ "$rc" -ne 0 ] || fail "no catalogue and no collector config accepted"
grep -q -- "--collector-config" "$tmp/help" || fail "--help lacks --collector-config"

echo "check_test: all passed"
