#!/usr/bin/env bash
# slamon report's results input, through the real binary: a pipe, a FIFO, <(...) and zcat give the
# same report as the file even when lines are out of time order; invalid lines (negative
# measurements, repeated keys, lines over 1 MiB) are reported with their numbers and never used;
# memory stays bounded on /dev/zero and on a huge line; running out of memory is a fatal error.
set -euo pipefail
bin=$SLAMON_BIN_DIR/slamon
data=$SLAMON_SOURCE_DIR/tests/data/engine
fail() { echo "FAIL: $*" >&2; exit 1; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
report() { "$bin" report --catalogue "$data/worked-example.yaml" --sla shop-24x7 --period 2026-03-01 "$@"; }

# The worked example's results shuffled (every probe out of ts order), and the same with invalid
# lines inserted: each would change the report if it were used (a resend that ends the outage, a
# negative latency under the response-time objective...). bad-lines.txt: their line numbers.
python3 - "$data/worked-example.jsonl" "$tmp" <<'PY'
import json, random, sys
lines = open(sys.argv[1]).read().splitlines()
random.Random(12).shuffle(lines)
open(sys.argv[2] + "/base.jsonl", "w").write("\n".join(lines) + "\n")
def r(ts, **kw):
    return json.dumps(dict(probe="web.http", ts="2026-03-01T" + ts + "Z", **kw), separators=(",", ":"))
bad = [
    r("10:00:00", status="up", latency_ms=-1),                       # negative latency
    r("10:01:00", status="up", latency_ms=-0.5, metrics={"dns_ms": 1}),
    r("10:02:00", status="up", latency_ms=5, metrics={"dns_ms": -3}),  # negative metric
    r("10:03:00", status="up", latency_ms=1e300).replace("1e+300", "1e999"),  # not finite
    '{"probe":"web.http","ts":"2026-03-01T10:04:00Z","status":"down","status":"up"}',  # a key twice
    '{"probe":"web.http","ts":"2026-03-01T10:05:00Z","status":"up","metrics":{"tls_ms":1,"tls_ms":2}}',
    r("10:06:00", status="up", message="m" * (2 << 20)),             # a valid result, but 2 MiB long
    "\0" * (3 << 20),                                                 # 3 MiB of NUL bytes
    r("10:07:00", status="up", latency_ms=-7, message="x" * (1 << 20)),  # over 1 MiB and negative
]
out, nums = list(lines), []
rnd = random.Random(3)
for b in bad:
    out.insert(rnd.randrange(len(out) + 1), b)
nums = [i + 1 for i, l in enumerate(out) if l in bad]
assert len(nums) == len(bad)
open(sys.argv[2] + "/bad.jsonl", "w").write("\n".join(out) + "\n")
open(sys.argv[2] + "/bad-lines.txt", "w").write("\n".join(map(str, nums)) + "\n")
PY

report --results "$data/worked-example.jsonl" > "$tmp/ordered.json"
report --results "$tmp/base.jsonl" > "$tmp/file.json" 2> "$tmp/err" || fail "report on the file failed: $(cat "$tmp/err")"
cmp -s "$tmp/file.json" "$tmp/ordered.json" || fail "the shuffled file gives another report than the ordered one"
python3 -c "
import json,sys; r=json.load(open(sys.argv[1]))
assert r['down_s']==600.0 and r['planned_s']==1200.0 and r['response_time']['met'] is True, r" "$tmp/file.json" \
  || fail "the worked example's figures changed: $(cat "$tmp/file.json")"

# 1. The same input through every kind of non-seekable input, and the text format too.
same_as_file() {  # NAME FILE-REPORT OUTPUT
  cmp -s "$2" "$3" || fail "$1 gives another report than the file: $(diff <(tr ',' '\n' < "$2") <(tr ',' '\n' < "$3") | head -20)"
}
report --results /dev/stdin < "$tmp/base.jsonl" > "$tmp/out.json"
same_as_file "/dev/stdin from a file" "$tmp/file.json" "$tmp/out.json"
cat "$tmp/base.jsonl" | report --results /dev/stdin > "$tmp/out.json"
same_as_file "a pipe on /dev/stdin" "$tmp/file.json" "$tmp/out.json"
report --results <(cat "$tmp/base.jsonl") > "$tmp/out.json"
same_as_file "<(...)" "$tmp/file.json" "$tmp/out.json"
mkfifo "$tmp/fifo"
timeout 60 bash -c 'cat "$1" > "$2"' _ "$tmp/base.jsonl" "$tmp/fifo" &
timeout 60 "$bin" report --catalogue "$data/worked-example.yaml" --sla shop-24x7 --period 2026-03-01 \
  --results "$tmp/fifo" > "$tmp/out.json" || fail "the FIFO: exit $? (124: it waited for a second writer)"
wait
same_as_file "a FIFO" "$tmp/file.json" "$tmp/out.json"
gzip -c "$tmp/base.jsonl" > "$tmp/base.jsonl.gz"
zcat "$tmp/base.jsonl.gz" | report --results /dev/stdin > "$tmp/out.json"
same_as_file "zcat |" "$tmp/file.json" "$tmp/out.json"
report --results "$tmp/base.jsonl" --format text > "$tmp/file.txt"
cat "$tmp/base.jsonl" | report --results /dev/stdin --format text > "$tmp/out.txt"
same_as_file "a pipe (text format)" "$tmp/file.txt" "$tmp/out.txt"
# A temporary copy is made in TMPDIR: an unwritable TMPDIR is an error, not a silent loss.
if cat "$tmp/base.jsonl" | TMPDIR=/nonexistent/dir report --results /dev/stdin > /dev/null 2> "$tmp/err"; then
  fail "a pipe with no place for its copy was accepted"
fi
grep -q "temporary file" "$tmp/err" || fail "no word on the temporary copy: $(cat "$tmp/err")"
# A TMPDIR too small for the copy (a 64 KB tmpfs in a private mount namespace): an error.
skipped=""
if unshare -m true 2>/dev/null; then
  mkdir "$tmp/small"
  set +e
  unshare -m bash -c 'mount -t tmpfs -o size=64k tmpfs "$1" && cat "$2" | TMPDIR="$1" "$3" report \
    --catalogue "$4/worked-example.yaml" --sla shop-24x7 --period 2026-03-01 --results /dev/stdin' \
    _ "$tmp/small" "$tmp/base.jsonl" "$bin" "$data" > "$tmp/out.json" 2> "$tmp/err"
  rc=$?
  set -e
  [ "$rc" = 2 ] || fail "a full TMPDIR: exit $rc: $(head -c 300 "$tmp/err")"
  grep -q "cannot write the temporary copy of /dev/stdin: No space left on device" "$tmp/err" \
    || fail "a full TMPDIR: $(cat "$tmp/err")"
else
  skipped="a full TMPDIR (no mount namespace here)"
fi

# 2. Invalid lines (negative or non-finite measurements, a key twice, lines over 1 MiB) are reported
#    with their numbers and skipped: the report equals the one without them, from a file or a pipe.
expected=$(sed "s|^|X:|; s|\$|: error|" "$tmp/bad-lines.txt")
check_bad() {  # NAME NAME-IN-DIAGNOSTICS OUTPUT STDERR
  same_as_file "$1 with invalid lines" "$tmp/file.json" "$3"
  got=$(grep -o "^$2:[0-9]*: error" "$4" | sed "s|^$2:|X:|")
  [ "$got" = "$expected" ] || fail "$1: invalid lines reported as [$got], expected [$expected]: $(cut -c1-200 "$4")"
  [ "$(wc -l < "$4")" = "$(wc -l < "$tmp/bad-lines.txt")" ] || fail "$1: more on stderr: $(cut -c1-200 "$4")"
}
report --results "$tmp/bad.jsonl" > "$tmp/out.json" 2> "$tmp/err" || fail "bad lines made the report fail"
check_bad "the file" "$tmp/bad.jsonl" "$tmp/out.json" "$tmp/err"
cat "$tmp/bad.jsonl" | report --results /dev/stdin > "$tmp/out.json" 2> "$tmp/err" || fail "bad lines made the report fail"
check_bad "a pipe" "/dev/stdin" "$tmp/out.json" "$tmp/err"
grep -q "'latency_ms' must be a finite number >= 0" "$tmp/err" || fail "negative latency not named"
grep -q "metric 'dns_ms' must be >= 0" "$tmp/err" || fail "negative metric not named"
grep -q "key 'status' appears twice" "$tmp/err" || fail "repeated key not named"
grep -q "metric 'tls_ms' appears twice" "$tmp/err" || fail "repeated metric not named"
grep -q "longer than the limit of 1048576 bytes" "$tmp/err" || fail "over-long line not named"

# The rest bounds memory with ulimit -v, which an AddressSanitizer build cannot run under.
if ldd "$bin" 2>/dev/null | grep -q libasan; then
  echo "report_input_test: SKIP (memory limits under AddressSanitizer)"; exit 77
fi
limited() {  # KB CMD...: runs CMD under an address-space limit
  local kb=$1; shift
  ( ulimit -v "$kb"; exec "$@" )
}

# 3. A huge line (300 MB, no newline for a long while) through a pipe under a 256 MB limit: reported
#    and skipped without being held; the rest of the report is the file's.
set +e
{ head -c 300000000 /dev/zero; echo; cat "$tmp/base.jsonl"; } | limited 262144 "$bin" report \
  --catalogue "$data/worked-example.yaml" --sla shop-24x7 --period 2026-03-01 --results /dev/stdin \
  > "$tmp/out.json" 2> "$tmp/err"
rc=${PIPESTATUS[1]}
set -e
[ "$rc" = 0 ] || fail "a 300 MB line under a 256 MB limit: exit $rc: $(cut -c1-300 "$tmp/err")"
same_as_file "a 300 MB line first" "$tmp/file.json" "$tmp/out.json"
grep -q "^/dev/stdin:1: error: line of 300000000 bytes: longer than the limit" "$tmp/err" \
  || fail "the huge line not reported: $(cut -c1-300 "$tmp/err")"

# 4. /dev/zero (no newline, no end) ends by itself, under a 256 MB limit, with an error: not a results file.
set +e
timeout 120 bash -c "ulimit -v 262144; exec \"$bin\" report --catalogue \"$data/worked-example.yaml\" \
  --sla shop-24x7 --period 2026-03-01 --results /dev/zero" > "$tmp/out.json" 2> "$tmp/err"
rc=$?
set -e
[ "$rc" = 2 ] || fail "/dev/zero: exit $rc (124: did not end): $(cut -c1-300 "$tmp/err")"
grep -q "/dev/zero:1: 4 GiB in a row without a valid result (from line 1): not a results file" "$tmp/err" \
  || fail "/dev/zero: $(cut -c1-300 "$tmp/err")"
[ ! -s "$tmp/out.json" ] || fail "/dev/zero printed a report"

# 5. Out of memory is fatal, never a skipped line: an input with a 1,000,000-byte valid line, run
#    under address-space limits from too small to enough. Each run ends in one of: the loader cannot
#    map the executable or the libraries, or a library's initialisation fails before main (not started), exit 2 with "out of memory" (or an uncaught bad_alloc before
#    the report begins), or exit 0 with exactly the unlimited run's stdout and stderr. At least one
#    run must hit the fatal error, and the sweep must reach a complete run.
python3 - "$tmp/base.jsonl" "$tmp/long.jsonl" <<'PY'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
big = json.dumps({"probe": "web.http", "ts": "2026-03-01T00:00:30Z", "status": "up", "latency_ms": 10,
                  "message": "x" * 1000000}, separators=(",", ":"))
open(sys.argv[2], "w").write("\n".join(lines[:3] + [big] + lines[3:]) + "\n")
PY
report --results "$tmp/long.jsonl" > "$tmp/ref.json" 2> "$tmp/ref.err"
fatal=0; complete=0; kb=4096
while [ "$kb" -le 1048576 ] && [ "$complete" = 0 ]; do
  set +e
  limited "$kb" "$bin" report --catalogue "$data/worked-example.yaml" --sla shop-24x7 --period 2026-03-01 \
    --results "$tmp/long.jsonl" > "$tmp/out.json" 2> "$tmp/err"
  rc=$?
  set -e
  if [ "$rc" = 127 ] && grep -q "error while loading shared libraries" "$tmp/err"; then :
  # A library's own start-up (GnuTLS, through libcurl) may fail under the limit before main: not started.
  elif [ "$rc" = 134 ] && grep -q "^Error in GnuTLS initialization" "$tmp/err" && ! grep -q "slamon report" "$tmp/err"; then :
  # A limit below the executable's own size: its image cannot be mapped, the process dies at exec.
  elif [ "$rc" = 139 ] && [ "$kb" -lt $(( ($(stat -c %s "$bin") + 1023) / 1024 )) ] && [ ! -s "$tmp/out.json" ]; then :
  elif [ "$rc" = 2 ] && [ "$(cat "$tmp/err")" = "slamon report: out of memory" ]; then fatal=$((fatal + 1))
  elif [ "$rc" = 134 ] && grep -q "std::bad_alloc" "$tmp/err" && ! grep -q "slamon report\|error:" "$tmp/err"; then :
  elif [ "$rc" = 0 ] && cmp -s "$tmp/out.json" "$tmp/ref.json" && cmp -s "$tmp/err" "$tmp/ref.err"; then complete=1
  else fail "under a limit of $kb KB: exit $rc, stdout $(head -c 100 "$tmp/out.json"), stderr $(head -c 300 "$tmp/err")"
  fi
  kb=$((kb + 2048))
done
[ "$complete" = 1 ] || fail "no complete run up to 1 GB"
[ "$fatal" -gt 0 ] || fail "no run ended with the out-of-memory error"
echo "report_input_test: ok ($fatal runs out of memory, complete from $((kb - 2048)) KB)"
if [ -n "$skipped" ]; then echo "report_input_test: SKIP $skipped"; exit 77; fi
