#!/usr/bin/env bash
# The files `slamon probe` reads (--community-file, --auth-password-file, --targets-file) go through
# the catalogue's checks (common/small_file.h): a FIFO never hangs, /dev/zero and a 1 GB file are
# refused by kind and size without being read, a secret holds one line without NUL; each is a usage
# error (exit 2) that says why. Nothing is sent: the checks come before any probe.
set -euo pipefail
bin=$SLAMON_BIN_DIR/slamon
fail() { echo "FAIL: $*" >&2; exit 1; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

expect_usage() {  # expect_usage MESSAGE-PART COMMAND...
  local part=$1; shift
  set +e
  timeout 10 "$@" >/dev/null 2>"$tmp/err"; local rc=$?
  set -e
  [ "$rc" -eq 2 ] || fail "$*: exit $rc, want 2 (124: it hung): $(cat "$tmp/err")"
  grep -qF -- "$part" "$tmp/err" || fail "$*: no '$part' in: $(cat "$tmp/err")"
}

mkfifo "$tmp/fifo"
truncate -s 1G "$tmp/huge"
printf 'public\nprivate\n' >"$tmp/two"
printf 'pub\0lic\n' >"$tmp/nul"
mkdir "$tmp/dir"
snmp=("$bin" probe snmp 127.0.0.1 1.3.6.1.2.1.1.3.0)
expect_usage "$tmp/fifo: is a FIFO (named pipe), not a regular file" "${snmp[@]}" --community-file "$tmp/fifo"
expect_usage "/dev/zero: is a device, not a regular file" "${snmp[@]}" --community-file /dev/zero
expect_usage "$tmp/huge: is larger than 64 KiB" "${snmp[@]}" --community-file "$tmp/huge"
expect_usage "$tmp/two: holds more than one line" "${snmp[@]}" --community-file "$tmp/two"
expect_usage "$tmp/nul: holds a NUL byte" "${snmp[@]}" --community-file "$tmp/nul"
expect_usage "$tmp/dir: is a directory" "${snmp[@]}" --community-file "$tmp/dir"
expect_usage "/dev/zero: is a device" "${snmp[@]}" --version 3 --user u --security-level authNoPriv --auth-protocol SHA \
  --auth-password-file /dev/zero

icmp=("$bin" probe icmp)
expect_usage "$tmp/fifo: is a FIFO (named pipe), not a regular file" "${icmp[@]}" --targets-file "$tmp/fifo"
expect_usage "/dev/zero: is a device, not a regular file" "${icmp[@]}" --targets-file /dev/zero
expect_usage "$tmp/huge: is larger than 16 MiB" "${icmp[@]}" --targets-file "$tmp/huge"
expect_usage "$tmp/dir: is a directory" "${icmp[@]}" --targets-file "$tmp/dir"
echo "probe_files_test: all passed"
