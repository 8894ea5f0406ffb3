#!/usr/bin/env bash
# The agreements, KPI and alerts pages and the service page's budget split, feasibility and alerts in
# headless Chromium (tests/web/agreements_kpi.mjs) against a real collector over the fixture store of
# tests/http/agreements_fixture.sh: figures checked against `slamon report --agreement`, `--kpi` and
# `--sla` over the same store, keyboard navigation and a 390 px phone. Screenshots in the build folder.
# Skipped (counted) when Chromium, Node.js or the built UI are absent.
source "$(dirname "$0")/lib.sh"
source "$src/tests/http/agreements_fixture.sh"
log=$tmp/collector.log
start_collector "$log"
wait_log "$log" "web UI $bin/web"
wait_json /api/v1/overview 'len(d["agreements"]) == 2'
timeout 150 node "$src/tests/web/agreements_kpi.mjs" "$base" "$out" "$bin/slamon" "$tmp/cat.yaml" "$tmp/store.db" || fail "the agreements and KPI pages in Chromium"
stop_collector
echo "PASS: agreements, KPI, alerts and the service page's budget; screenshots in $out"
