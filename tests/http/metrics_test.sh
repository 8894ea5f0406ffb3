#!/usr/bin/env bash
# `promtool check metrics` (Debian's prometheus package) on a live scrape of /metrics, with an agent
# connected and results stored: the exposition is valid and follows Prometheus' naming rules; it holds
# every service's and CI's live status (one sample per status value), the engine lag, and, once the
# overview computed off the io thread is there (a later scrape), the SLA's figures.
source "$(dirname "$0")/lib.sh"
command -v promtool >/dev/null || { echo "SKIP: promtool is not installed (scripts/setup.sh installs prometheus)"; exit 77; }
write_http
log=$tmp/collector.log
start_collector "$log"
lc a1 --epoch 2 hello reply:accept batch:1:3:web.tcp heartbeat keepalive:30000 > "$tmp/a1.out" 2>&1 &
pids+=("$!")
wait_json /api/v1/agents/a1 'd["connected"] and d["committed_seq"] == 3'
expect_error /nope 404
# The per-SLA figures come from the overview the store worker computes after a scrape saw none.
for _ in $(seq 100); do
  get /metrics > "$tmp/metrics.txt"
  grep -q '^slamon_sla_objective_ratio{sla="shop-gold",service="shop"} 0.995$' "$tmp/metrics.txt" && break
  sleep 0.1
done
[ "$(status)" = 200 ] || fail "metrics: $(status)"
grep -q '^slamon_sla_objective_ratio{sla="shop-gold",service="shop"} 0.995$' "$tmp/metrics.txt" || fail "no SLA objective: $(grep sla "$tmp/metrics.txt")"
grep -q '^slamon_sla_error_budget_remaining_seconds{sla="shop-gold",service="shop"} ' "$tmp/metrics.txt" || fail "no error budget"
for n in shop:service shop-app:service mail-svc:service web:ci db:ci mail:ci; do
  [ "$(grep -c "^slamon_node_status{node=\"${n%%:*}\",kind=\"${n##*:}\",status=" "$tmp/metrics.txt")" = 4 ] || fail "node status of $n"
  [ "$(grep "^slamon_node_status{node=\"${n%%:*}\",kind=\"${n##*:}\"," "$tmp/metrics.txt" | awk '{s += $2} END {print s}')" = 1 ] ||
    fail "node $n: not exactly one status at 1"
done
grep -q '^slamon_engine_lag_seconds ' "$tmp/metrics.txt" || fail "no engine lag"
promtool check metrics < "$tmp/metrics.txt" > "$tmp/promtool.out" 2>&1 || fail "promtool: $(cat "$tmp/promtool.out")"
[ ! -s "$tmp/promtool.out" ] || fail "promtool found problems: $(cat "$tmp/promtool.out")"
grep -q '^slamon_agent_backlog_results{agent="a1"} ' "$tmp/metrics.txt" || fail "no backlog of a1"
grep -q '^slamon_agent_clock_offset_seconds{agent="a1"} ' "$tmp/metrics.txt" || fail "no clock offset of a1"
stop_collector
echo "PASS: metrics ($(grep -c '^slamon_' "$tmp/metrics.txt") samples)"
