#!/usr/bin/env bash
# `slamon alerts`: firing and resolving instants of a burn-rate rule over an outage straddling the
# service hours (hand-computed: docs/semantics-notes.md item 19), text and JSON, the forecast, the
# default rules, exit codes (0, 1 when an alert fires at --to, 2 usage), and --db. Runs the real binary.
set -euo pipefail
bin="${SLAMON_BIN_DIR:?}/slamon"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

cat > "$tmp/cat.yaml" <<'YAML'
version: 1
agents: [{name: a1}]
cis:
  - id: web
    probes: [{id: web.tcp, type: tcp, agent: a1, target: "127.0.0.1:9", interval: 60s}]
services: [{id: shop, children: [web]}]
slas:
  - id: gold
    service: shop
    target: 99.9
    period: month
    hours: ["mon-fri 08:00-18:00"]
    burn_rate: [{long: 1h, short: 5m, factor: 14.4, severity: page}]
  - {id: plain, service: shop, target: 99.9, period: month}
YAML
# Results every minute from Monday 2026-03-02 00:00 to Wednesday 00:00 (UTC); down from 17:59 Monday
# to 08:00 Tuesday (up again at 08:01): one counted minute on each side of the night.
python3 - "$tmp/r.jsonl" <<'PY'
import datetime as dt, sys
t0 = dt.datetime(2026, 3, 2, tzinfo=dt.timezone.utc)
down_from, down_to = t0 + dt.timedelta(hours=17, minutes=59), t0 + dt.timedelta(hours=32, minutes=1)
with open(sys.argv[1], "w") as f:
    for m in range(2 * 24 * 60):
        t = t0 + dt.timedelta(minutes=m)
        s = "down" if down_from <= t < down_to else "up"
        f.write('{"probe":"web.tcp","ts":"%s","status":"%s","agent":"a1"}\n' % (t.strftime("%Y-%m-%dT%H:%M:%SZ"), s))
PY
"$bin" check "$tmp/cat.yaml" > /dev/null 2> "$tmp/err" || fail "catalogue: $(cat "$tmp/err")"
alerts() { "$bin" alerts --catalogue "$tmp/cat.yaml" --results "$tmp/r.jsonl" "$@"; }

# 1. Text: fires at 17:59 + 51.84 s (1.44 % of the hour), keeps firing overnight (no service time),
#    resolves when the 5 m window holds less than 4.32 s of downtime: 08:05:55.681.
alerts --sla gold --from 2026-03-02T12:00:00Z --to 2026-03-03T12:00:00Z > "$tmp/out" 2> "$tmp/err" || fail "text: exit $?: $(cat "$tmp/err")"
grep -q '^  page 1h/5m at 14.4x$' "$tmp/out" || fail "rule line: $(cat "$tmp/out")"
grep -q '^    2026-03-02T17:59:51.840Z  firing$' "$tmp/out" || fail "firing: $(cat "$tmp/out")"
grep -q '^    2026-03-03T08:05:55.681Z  resolved$' "$tmp/out" || fail "resolved: $(cat "$tmp/out")"
[ "$(grep -c '  firing$\|  resolved$' "$tmp/out")" -eq 2 ] || fail "exactly two events: $(cat "$tmp/out")"
grep -q 'forecast for period 2026-03 (target 99.9 %)' "$tmp/out" || fail "forecast: $(cat "$tmp/out")"

# 2. JSON, and the forecast's figures: 2 min down of 24 h 4 min of service so far (Mon 10 h, Tue 4 h).
alerts --sla gold --from 2026-03-02T12:00:00Z --to 2026-03-03T12:00:00Z --format json > "$tmp/j" || fail "json exit"
python3 - "$tmp/j" <<'PY' || fail "json"
import json, sys
d = json.load(open(sys.argv[1]))
[s] = d["slas"]
assert s["sla"] == "gold", s
[r] = s["rules"]
assert (r["severity"], r["long"], r["short"], r["factor"]) == ("page", "1h", "5m", 14.4), r
assert r["events"] == [{"at": "2026-03-02T17:59:51.840Z", "event": "firing"},
                       {"at": "2026-03-03T08:05:55.681Z", "event": "resolved"}], r
assert r["firing_at_from"] is False and r["firing_at_to"] is False, r
f = s["forecast"]
assert f["period"] == "2026-03" and f["down_so_far_s"] == 120.0, f
assert f["service_so_far_s"] == 14 * 3600.0, f
assert f["basis"] == "long window of the first rule" and f["burn_rate"] == 0.0, f
assert f["will_meet"] is True, f
PY

# 3. Still firing at --to: exit 1.
set +e
alerts --sla gold --from 2026-03-02T12:00:00Z --to 2026-03-02T23:00:00Z > "$tmp/out" 2>&1
rc=$?
set -e
[ "$rc" -eq 1 ] || fail "firing at --to: exit $rc, want 1"
grep -q 'at --to: FIRING' "$tmp/out" || fail "FIRING: $(cat "$tmp/out")"

# 4. Without burn_rate the three default rules apply (24x7: the outage is 14 h 2 min of downtime).
alerts --sla plain --from 2026-03-03T12:00:00Z --to 2026-03-03T23:00:00Z > "$tmp/out" 2>&1 || true
for rule in 'page 1h/5m at 14.4x' 'page 6h/30m at 6x' 'ticket 3d/6h at 1x'; do
  grep -q "^  $rule" "$tmp/out" || fail "default rule $rule: $(cat "$tmp/out")"
done

# 5. Usage errors: exit 2.
for args in "--from 2026-03-03T00:00:00Z --to 2026-03-02T00:00:00Z" "--sla nope --from 2026-03-02T00:00:00Z --to 2026-03-03T00:00:00Z" \
            "--from yesterday --to 2026-03-03T00:00:00Z"; do
  set +e
  # shellcheck disable=SC2086
  alerts $args > /dev/null 2> "$tmp/err"
  rc=$?
  set -e
  [ "$rc" -eq 2 ] || fail "'$args': exit $rc, want 2"
  grep -q '^slamon alerts: ' "$tmp/err" || fail "'$args': message: $(cat "$tmp/err")"
done
set +e
"$bin" alerts --catalogue "$tmp/cat.yaml" --from 2026-03-02T00:00:00Z --to 2026-03-03T00:00:00Z > /dev/null 2>&1
rc=$?
set -e
[ "$rc" -eq 2 ] || fail "no results: exit $rc"

# 6. From the store: the same instants.
"$bin" import --db "$tmp/s.db" "$tmp/r.jsonl" > /dev/null 2>&1 || fail "import"
"$bin" alerts --catalogue "$tmp/cat.yaml" --db "$tmp/s.db" --sla gold --from 2026-03-02T12:00:00Z \
  --to 2026-03-03T12:00:00Z --format json > "$tmp/jdb" 2> "$tmp/err" || fail "--db: $(cat "$tmp/err")"
python3 - "$tmp/j" "$tmp/jdb" <<'PY' || fail "--db differs from --results"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
assert a == b, (a, b)
PY
echo "alerts_test: ok"
