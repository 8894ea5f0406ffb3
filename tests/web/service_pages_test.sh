#!/usr/bin/env bash
# The web UI's service owner pages in headless Chromium against a real collector fed by `slamon import`
# (tests/web/service_pages.mjs): the SLA overview shows the figures /api/v1/overview returns (filter,
# sort, Enter on a row), a service page the figures of /api/v1/slas/{id}/report for the current
# period, its day bars and outages, a CI page its probes' latest results, the print view the HTML
# report, a 390 px wide phone screenshot; then `slamon report --format pdf` over the collector's store
# prints the same report as a PDF naming the SLA. Screenshots in the build folder.
# Skipped (counted) when Chromium, Node.js, the built UI or the collector's report endpoints are absent.
source "$(dirname "$0")/lib.sh"
# Results of the last 6 hours, every minute, imported into the store before the collector starts:
# web down for 20 minutes an hour ago, db up, mail unknown (no results).
python3 - "$tmp/results.jsonl" <<'PY'
import json, sys, time, datetime
now = int(time.time()) // 60 * 60
with open(sys.argv[1], "w") as f:
    for t in range(now - 6 * 3600, now, 60):
        ts = datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        down = now - 3600 <= t < now - 2400
        for p, lat in (("web.tcp", 12.5), ("web.tcp2", 20.0), ("db.tcp", 3.0)):
            st = "down" if down and p.startswith("web") else "up"
            f.write(json.dumps({"probe": p, "ts": ts, "status": st, **({"latency_ms": lat} if st == "up" else {"error": "refused"})}) + "\n")
PY
"$bin/slamon" import --db "$tmp/store.db" "$tmp/results.jsonl" > /dev/null 2> "$tmp/import.err" || fail "import: $(cat "$tmp/import.err")"
log=$tmp/collector.log
start_collector "$log"
wait_log "$log" "web UI $bin/web"
get /api/v1 > "$tmp/index.json"
for e in /api/v1/overview /api/v1/slas/{id}/report /api/v1/status; do
  grep -qF "\"$e\"" "$tmp/index.json" || fail "this collector does not serve $e"
done
timeout 120 node "$src/tests/web/service_pages.mjs" "$base" "$out" || fail "the service pages in Chromium"
# The print view's page is the CLI's HTML report, byte for byte, for the same period and cut.
period=$(date -u +%Y-%m)
as_of=$(date -u +%Y-%m-%dT%H:%M:%SZ)
get "/api/v1/slas/shop-gold/report?period=$period&as_of=$as_of&format=html" > "$tmp/api.html"
[ "$(status)" = 200 ] || fail "format=html: status $(status): $(cat "$tmp/api.html")"
"$bin/slamon" report --config "$tmp/collector.yaml" --sla shop-gold --period "$period" --as-of "$as_of" --format html \
  > "$tmp/cli.html" 2> "$tmp/cli.err" || fail "slamon report --format html: $(cat "$tmp/cli.err")"
cmp -s "$tmp/api.html" "$tmp/cli.html" || fail "the API's HTML report differs from the CLI's: $(diff "$tmp/api.html" "$tmp/cli.html" | head -5)"
# The PDF of the same report, from the collector's store.
timeout 150 "$bin/slamon" report --config "$tmp/collector.yaml" --sla shop-gold --period "$period" --format pdf \
  --output "$out/shop-gold.pdf" 2> "$tmp/pdf.err" || fail "pdf: $(cat "$tmp/pdf.err")"
[ "$(head -c 4 "$out/shop-gold.pdf")" = "%PDF" ] || fail "the PDF does not start with %PDF"
if command -v pdftotext >/dev/null; then
  pdftotext "$out/shop-gold.pdf" - | grep -q "SLA shop-gold" || fail "the PDF's text does not name shop-gold"
fi
stop_collector
echo "PASS: service pages and the PDF; screenshots in $out"
