#!/usr/bin/env bash
# A test that cannot run here is counted as skipped (exit 77, CTest's SKIP_RETURN_CODE), never as
# passed: the probes' root-only doctest cases run as an unprivileged user, and probe_net_test.sh run
# against a `slamon` whose help text lacks the options it checks (a failure, not a skip).
set -euo pipefail
BIN=${SLAMON_BIN_DIR:?}
SRC=${SLAMON_SOURCE_DIR:?}
fail() { echo "FAIL: $*" >&2; exit 1; }
if [ "$(id -u)" != 0 ]; then
  echo "SKIP: dropping to an unprivileged user needs root"
  exit 77
fi
work=$(mktemp -d)
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT

# The root-only cases (doctest suite "root"), run as nobody: each says SKIPPED, the executable exits 77.
set +e
setpriv --reuid=65534 --regid=65534 --clear-groups env HOME=/ \
  "$BIN/slamon_probes_tests" --force-colors=0 --test-suite=root >"$work/out" 2>&1
rc=$?
set -e
[ "$rc" = 77 ] || { cat "$work/out" >&2; fail "root-only probe cases as nobody exited $rc, expected 77 (skipped)"; }
# At least the cases that need network namespaces (tcp, icmp x3, icmp and snmp behind local routes);
# the ICMP ones that need only a socket skip too where ping_group_range leaves nobody out.
[ "$(grep -c '^SKIPPED: ' "$work/out")" -ge 6 ] || { cat "$work/out" >&2; fail "expected at least 6 SKIPPED cases"; }
grep -q "SKIPPED: tcp: a connect that gets no answer is down at the timeout: needs root" "$work/out" ||
  fail "the tcp case does not say why it skipped"

# ...and the other cases never skip: the CTest entry without the root suite lists none of them.
"$BIN/slamon_probes_tests" --list-test-cases --test-suite=root >"$work/root-cases"
"$BIN/slamon_probes_tests" --list-test-cases --test-suite-exclude=root >"$work/other-cases"
grep -q "namespace responder" "$work/root-cases" || fail "the namespace responder case is not in the root suite"
! grep -q "namespace responder" "$work/other-cases" || fail "the namespace responder case is outside the root suite"

# probe_net_test.sh against a slamon whose help text lacks --expect-status: it fails (exit 1); it
# exited 0 with "SKIP" before.
mkdir -p "$work/bin"
printf '#!/bin/sh\necho "Usage: slamon probe http URL [--old-option]"\nexit 0\n' >"$work/bin/slamon"
chmod +x "$work/bin/slamon"
set +e
SLAMON_BIN_DIR=$work/bin SLAMON_SOURCE_DIR=$SRC bash "$SRC/tests/cli/probe_net_test.sh" >"$work/net" 2>&1
rc=$?
set -e
[ "$rc" = 1 ] || { cat "$work/net" >&2; fail "probe_net_test.sh with a changed help text exited $rc, expected 1"; }
grep -q "^FAIL http --help lists" "$work/net" || { cat "$work/net" >&2; fail "probe_net_test.sh did not name the help check"; }
echo "skips_test: all passed"
