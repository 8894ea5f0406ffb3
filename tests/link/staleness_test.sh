#!/usr/bin/env bash
# The live engine in the running collector: an agent streams results for a probe (stale_after 3s) and
# falls silent; the collector logs the probe unknown since exactly its last result + stale_after, no
# earlier; `slamon status --db` shows its CI up while results flow and unknown since that instant
# after. Results spooled through the silence and sent after a live one (a back-fill) rewrite the
# stored change points: the probe was up throughout.
source "$(dirname "$0")/lib.sh"

h1=$(printf tok-a1 | sha256sum | cut -d' ' -f1)
cat > "$tmp/cat.yaml" <<YAML
version: 1
agents:
  - {name: a1, token_sha256: $h1}
cis:
  - id: fast
    probes:
      - {id: fast.tcp, type: tcp, agent: a1, target: "127.0.0.1:9", interval: 1s, timeout: 500ms, stale_after: 3s}
services:
  - {id: shop, kind: business, children: [fast]}
YAML
start_collector "$tmp/col.log" --log-level debug

# Three results 1 ms apart from base (ms): the last at base + 3, so unknown from base + 3003.
base=$(( $(date +%s%3N) - 500 ))
lc a1 --base-ts "$base" hello batch:1:3:fast.tcp > "$tmp/lc.out" 2>&1 || fail "link_client: $(cat "$tmp/lc.out")"
stale_ms=$((base + 3 + 3000))
stale=$(python3 -c 'import datetime,sys; t=int(sys.argv[1]); print(datetime.datetime.fromtimestamp(t/1000, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (t % 1000))' "$stale_ms")
wait_log "$tmp/col.log" "live status: 1 service\(s\): 1 up" 10

# status while it is up (before the staleness instant).
now=$(date +%s%3N)
[ "$now" -lt "$stale_ms" ] || fail "the test machine was too slow: now $now >= $stale_ms before the first status"
"$bin/slamon" status --db "$tmp/store.db" --catalogue "$tmp/cat.yaml" --format json > "$tmp/st1.json" 2> "$tmp/st1.err" \
  || fail "status: $(cat "$tmp/st1.err")"
python3 - "$tmp/st1.json" <<'PY' || fail "status while results flow: $(cat "$tmp/st1.json")"
import json, sys
r = json.load(open(sys.argv[1]))
ci = {c["id"]: c for c in r["cis"]}
assert ci["fast"]["status"] == "up", ci
PY

wait_log "$tmp/col.log" "agent a1: 1 probe\(s\) unknown since $stale: no result within stale_after \(fast.tcp\)" 10
logged=$(date +%s%3N)
[ "$logged" -ge "$stale_ms" ] || fail "the probe was announced unknown before its staleness instant"
wait_log "$tmp/col.log" "service shop: up -> unknown since $stale" 5
"$bin/slamon" status --db "$tmp/store.db" --catalogue "$tmp/cat.yaml" --format json > "$tmp/st2.json" 2>/dev/null
python3 - "$tmp/st2.json" "$stale" <<'PY' || fail "status after the silence: $(cat "$tmp/st2.json")"
import json, sys
r = json.load(open(sys.argv[1]))
ci = {c["id"]: c for c in r["cis"]}
sv = {s["id"]: s for s in r["services"]}
assert ci["fast"]["status"] == "unknown" and ci["fast"]["since"] == sys.argv[2], ci
assert sv["shop"]["status"] == "unknown" and sv["shop"]["since"] == sys.argv[2], sv
PY

# The agent comes back: a live result first (base + 3501: after the silence, so unknown from
# base + 3003 until it), then what it spooled through the silence (base + 1005, base + 2006): the
# engine replays the probe: up throughout, the unknown stretch gone from the change points.
changes() {
  sql "SELECT group_concat(c.status || '@' || (c.t - $base), ' ') FROM engine_changes c JOIN probes p ON p.id = c.probe_id WHERE p.name = 'fast.tcp'"
}
lc a1 --base-ts "$base" --first-seq 1 --last-seq 4 hello batch:4:1:fast.tcp:3497 > "$tmp/lc2.out" 2>&1 || fail "live result: $(cat "$tmp/lc2.out")"
for _ in $(seq 50); do [ "$(changes)" = "3@1 1@3003 3@3501" ] && break; sleep 0.1; done
[ "$(changes)" = "3@1 1@3003 3@3501" ] || fail "change points after the live result: '$(changes)'"
lc a1 --base-ts "$base" --first-seq 1 --last-seq 6 hello batch:5:1:fast.tcp:1000 batch:6:1:fast.tcp:2000 \
  > "$tmp/lc3.out" 2>&1 || fail "back-fill: $(cat "$tmp/lc3.out")"
for _ in $(seq 50); do [ "$(changes)" = "3@1" ] && break; sleep 0.1; done
[ "$(changes)" = "3@1" ] || fail "change points after the back-fill: '$(changes)' (want up from base + 1 ms only)"
stop_collector
echo "staleness_test: ok"
