#!/usr/bin/env bash
# slamon-collector --dry-run: loads the catalogue and prints each agent's share; refuses a bad one.
set -euo pipefail
bin=$SLAMON_BIN_DIR/slamon-collector
src=$SLAMON_SOURCE_DIR
fail() { echo "FAIL: $*" >&2; exit 1; }

out=$("$bin" --catalogue "$src/config/example.yaml" --dry-run 2>&1) || fail "dry run of the example failed: $out"
grep -q 'dc1-agent-01: 6 probe(s) (http 1, icmp 1, snmp 2, tcp 2)' <<<"$out" || fail "assignment line missing: $out"

tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
printf 'version: 1\nagents:\n  - name: a\n    bogus: 1\n' > "$tmp/bad.yaml"
if out=$("$bin" --catalogue "$tmp/bad.yaml" --dry-run 2>&1); then fail "bad catalogue accepted"; fi
grep -q "bad.yaml:4:5: error: agent a: unknown key 'bogus'" <<<"$out" || fail "error not reported: $out"
"$bin" --help | grep -q -- '--dry-run' || fail "--help lacks --dry-run"
echo "collector_test: ok"
