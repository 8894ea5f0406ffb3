# The notify socket a test owns (sourced after tests/link/lib.sh, which gives $tmp, pids and fail):
# listen NAME starts a listener, wait_msg waits for a message, watchdogs_after counts WATCHDOG=1.
# tests/systemd/notify_test.sh and package_test.sh use it.

# listen NAME: a datagram socket $tmp/NAME.sock (any user may send to it); each message becomes one line of $tmp/NAME.msgs
# ("SECONDS MESSAGE", the message's lines joined by spaces). Ends by itself after 120 s.
listen() {
  python3 - "$tmp/$1.sock" "$tmp/$1.msgs" <<'PY' &
import os, socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
os.chmod(sys.argv[1], 0o777)  # a daemon running as its service user sends to it too
s.settimeout(1.0)
end = time.monotonic() + 120
with open(sys.argv[2], "a", buffering=1) as out:
    while time.monotonic() < end:
        try:
            data = s.recv(4096)
        except socket.timeout:
            continue
        out.write("%.3f %s\n" % (time.monotonic(), data.decode(errors="replace").replace("\n", " ")))
PY
  pids+=("$!")
  for _ in $(seq 50); do [ -S "$tmp/$1.sock" ] && return 0; sleep 0.1; done
  fail "the notify socket $tmp/$1.sock did not appear"
}

# wait_msg NAME REGEX [SECONDS] [AFTER_LINE]: waits until a message after line AFTER_LINE of
# $tmp/NAME.msgs matches REGEX; prints its line number.
wait_msg() {
  local n=$(( ${3:-10} * 10 )) after=${4:-0} line
  for _ in $(seq "$n"); do
    line=$(awk -v a="$after" -v re="$2" 'NR > a && $0 ~ re { print NR; exit }' "$tmp/$1.msgs" 2>/dev/null || true)
    [ -n "$line" ] && { echo "$line"; return 0; }
    sleep 0.1
  done
  fail "$1: no notification matching '$2' within ${3:-10} s: $(cat "$tmp/$1.msgs" 2>/dev/null)"
}

# watchdogs_after NAME LINE [nosleep]: the WATCHDOG=1 messages within 6 s after the message on LINE, at least 2
# (pinged every second; the margin is for a loaded machine: the test checks the pinging, not its rate).
# Waits 6.5 s first, unless nosleep (a caller that already waited that long since LINE).
watchdogs_after() {
  [ "${3:-}" = nosleep ] || sleep 6.5
  local count
  count=$(awk -v l="$2" 'NR == l { t = $1 } NR > l && t && $1 <= t + 6 && /(^| )WATCHDOG=1( |$)/ { n++ } END { print n + 0 }' \
          "$tmp/$1.msgs")
  [ "$count" -ge 2 ] || fail "$1: $count WATCHDOG=1 within 6 s of READY=1 (WATCHDOG_USEC=2000000), not 2 or more: $(cat "$tmp/$1.msgs")"
  echo "$1: $count WATCHDOG=1 within 6 s of READY=1"
}
