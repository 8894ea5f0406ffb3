# Sourced by tests/http/alerts_agreements_test.sh and tests/web/agreements_kpi_test.sh (after
# tests/http/lib.sh): two agreements under shop-gold (a UC from "Example Telecom" on web with a 5-minute
# restore_within, an OLA from "DB team" on db), and 6 hours of results every minute up to now imported
# into the store before the collector starts: web down for 20 minutes an hour ago and again for the
# last 10 minutes (a burn-rate alert fires now), db down for 5 minutes two hours ago, mail unknown.
cat >> "$tmp/cat.yaml" <<'YAML'
agreements:
  - {id: web-uc, kind: uc, provider: Example Telecom, covers: web, target: 99.0, restore_within: 5m}
  - {id: db-ola, kind: ola, provider: DB team, covers: db, target: 99.9, restore_within: 1h}
YAML
python3 - "$tmp/results.jsonl" <<'PY'
import json, sys, time, datetime
now = int(time.time()) // 60 * 60
with open(sys.argv[1], "w") as f:
    for t in range(now - 6 * 3600, now, 60):
        ts = datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        web_down = now - 3600 <= t < now - 2400 or t >= now - 600
        db_down = now - 7200 <= t < now - 6900
        for p, lat, down in (("web.tcp", 12.5, web_down), ("web.tcp2", 20.0, web_down), ("db.tcp", 3.0, db_down)):
            st = "down" if down else "up"
            f.write(json.dumps({"probe": p, "ts": ts, "status": st, **({"latency_ms": lat} if st == "up" else {"error": "refused"})}) + "\n")
PY
"$bin/slamon" import --db "$tmp/store.db" "$tmp/results.jsonl" > /dev/null 2> "$tmp/import.err" || fail "import: $(cat "$tmp/import.err")"
