#!/usr/bin/env bash
# `promtool check metrics` (Debian's prometheus package) on a live scrape of /metrics, with an agent
# connected and results stored: the exposition is valid and follows Prometheus' naming rules.
source "$(dirname "$0")/lib.sh"
command -v promtool >/dev/null || { echo "SKIP: promtool is not installed (scripts/setup.sh installs prometheus)"; exit 77; }
write_http
log=$tmp/collector.log
start_collector "$log"
lc a1 --epoch 2 hello reply:accept batch:1:3:web.tcp heartbeat keepalive:30000 > "$tmp/a1.out" 2>&1 &
pids+=("$!")
wait_json /api/v1/agents/a1 'd["connected"] and d["committed_seq"] == 3'
expect_error /nope 404
get /metrics > "$tmp/metrics.txt"
[ "$(status)" = 200 ] || fail "metrics: $(status)"
promtool check metrics < "$tmp/metrics.txt" > "$tmp/promtool.out" 2>&1 || fail "promtool: $(cat "$tmp/promtool.out")"
[ ! -s "$tmp/promtool.out" ] || fail "promtool found problems: $(cat "$tmp/promtool.out")"
grep -q '^slamon_agent_backlog_results{agent="a1"} ' "$tmp/metrics.txt" || fail "no backlog of a1"
grep -q '^slamon_agent_clock_offset_seconds{agent="a1"} ' "$tmp/metrics.txt" || fail "no clock offset of a1"
stop_collector
echo "PASS: metrics ($(grep -c '^slamon_' "$tmp/metrics.txt") samples)"
