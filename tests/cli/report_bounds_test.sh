#!/usr/bin/env bash
# slamon report at the edges, through the real binary: a service chain 50,000 deep (generated here)
# that check accepts is reported on an 8 MiB stack; periods whose bounds leave the years 0001-9999
# (in the SLA's timezone), --trend reaching past them and --as-of outside them are errors, and no
# instant outside RFC 3339 is ever printed.
set -euo pipefail
bin=$SLAMON_BIN_DIR/slamon
data=$SLAMON_SOURCE_DIR/tests/data/engine
fail() { echo "FAIL: $*" >&2; exit 1; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# 1. s0 -> s1 -> ... -> s49999 -> web; web in maintenance 02:00-03:00 while down, and down 10:00-10:10.
python3 - "$tmp" <<'PY'
import sys
n, d = 50000, sys.argv[1]
with open(d + "/deep.yaml", "w") as f:
    f.write("version: 1\nagents:\n  - name: agent-1\n"
            "    token_sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\n"
            "cis:\n  - id: web\n    type: host\n    probes:\n"
            "      - {id: web.http, type: http, agent: agent-1, url: \"http://192.0.2.10/health\", interval: 60s,"
            " timeout: 5s}\nservices:\n")
    for i in range(n):
        f.write("  - {id: s%d, rule: all, children: [%s]}\n" % (i, "s%d" % (i + 1) if i + 1 < n else "web"))
    f.write("maintenance:\n  - {id: w, targets: [web], from: 2026-03-01T02:00:00Z, to: 2026-03-01T03:00:00Z}\n"
            "slas:\n  - {id: top, service: s0, target: 99.0, period: day, timezone: UTC, planned: exclude}\n")
with open(d + "/deep.jsonl", "w") as f:
    for m in range(1440):
        down = 120 <= m < 180 or 600 <= m < 610
        f.write('{"probe":"web.http","ts":"2026-03-01T%02d:%02d:00Z","status":"%s"}\n'
                % (m // 60, m % 60, "down" if down else "up"))
PY
( ulimit -s 8192; exec "$bin" check "$tmp/deep.yaml" ) > "$tmp/check.out" 2>&1 \
  || fail "check refuses the 50,000-deep chain: $(head -c 300 "$tmp/check.out")"
set +e
( ulimit -s 8192; exec "$bin" report --catalogue "$tmp/deep.yaml" --results "$tmp/deep.jsonl" --sla top \
  --period 2026-03-01 ) > "$tmp/deep.json" 2> "$tmp/err"
rc=$?
set -e
[ "$rc" = 0 ] || fail "report on the 50,000-deep chain: exit $rc (139: segfault): $(head -c 300 "$tmp/err")"
python3 -c "
import json,sys; r=json.load(open(sys.argv[1]))
assert r['planned_s']==3600.0 and r['down_s']==600.0 and r['outage_count']==1, r
assert r['outages'][0]['causes']==['web'] and r['by_cause']=={'web':600.0}, r" "$tmp/deep.json" \
  || fail "deep chain figures: $(head -c 600 "$tmp/deep.json")"
for f in text csv html; do
  ( ulimit -s 8192; exec "$bin" report --catalogue "$tmp/deep.yaml" --results "$tmp/deep.jsonl" \
    --period 2026-03-01 --format "$f" ) > /dev/null 2>&1 || fail "deep chain, --format $f: exit $?"
done

# 2. Periods at the edges of the years 0001-9999.
report() { "$bin" report --catalogue "$data/worked-example.yaml" --results "$data/worked-example.jsonl" "$@"; }
refused() {  # WHAT ARGS...: exit 2 with a message, nothing on stdout
  local what=$1; shift
  set +e
  report "$@" > "$tmp/out" 2> "$tmp/err"
  local rc=$?
  set -e
  [ "$rc" = 2 ] || fail "$what: exit $rc: $(head -c 300 "$tmp/out") $(cat "$tmp/err")"
  [ ! -s "$tmp/out" ] || fail "$what printed: $(head -c 300 "$tmp/out")"
  grep -q "0001-9999\|--as-of" "$tmp/err" || fail "$what: $(cat "$tmp/err")"
}
refused "a day ending in the year 10000" --sla shop-24x7 --period 9999-12-31
refused "a month ending in the year 10000" --sla shop-monthly --period 9999-12
refused "the year 0000" --sla shop-24x7 --period 0000-06-01
refused "0001-01-01 in Europe/Berlin (starts in 0000)" --sla shop-office --period 0001-01-01
refused "--trend past the year 0001" --sla shop-24x7 --period 0001-01-02 --trend 3
refused "--as-of in the year 0000" --sla shop-24x7 --period 2026-03-01 --as-of 0001-01-01T00:00:00+01:00
report --sla shop-24x7 --period 9999-12-30 > "$tmp/last.json"
grep -q '"end":"9999-12-31T00:00:00Z"' "$tmp/last.json" || fail "the last writable day: $(head -c 300 "$tmp/last.json")"
report --sla shop-24x7 --period 0001-01-02 --trend 2 > "$tmp/first.json"
grep -q '"start":"0001-01-01T00:00:00Z"' "$tmp/first.json" || fail "the first writable day: $(head -c 300 "$tmp/first.json")"
# Without --sla, an SLA whose period cannot be written is left out with the reason.
report --period 0001-01-01 --format json > "$tmp/all.json" 2> "$tmp/err"
grep -q "left out: .*shop-office.*0001-9999" "$tmp/err" || fail "shop-office not left out: $(cat "$tmp/err")"
if grep -q '"10000-\|"-0\|"0000-' "$tmp/all.json" "$tmp/last.json" "$tmp/first.json"; then
  fail "an instant outside RFC 3339 was printed"
fi
echo "report_bounds_test: ok"
