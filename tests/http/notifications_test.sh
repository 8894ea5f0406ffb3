#!/usr/bin/env bash
# Notifications delivered by the real collector (docs/notifications.md) to real peers on loopback: a
# webhook receiver (webhook_receiver.py) that fails the first POST with 500 and accepts the next, and
# an SMTP relay (python3-aiosmtpd: smtp_receiver.py) that requires STARTTLS and AUTH. The store holds
# imported results reaching into the future, so the outages happen at known instants while the
# collector runs: shop (SLA shop-gold) down for a while, then db down inside a maintenance window;
# agent a3 falls silent.
# Asserted: the opening is delivered once, in 2 attempts, with a kill -9 between them (the pending row
# is picked up after the restart and not told again); the closing is told once, to the webhook and by
# e-mail; a graceful restart tells nothing again; the outage in the maintenance window tells nothing;
# the SLA's burn-rate alert fires and resolves, each told once; a3 is told lost once; the delivery
# log over the API.
source "$(dirname "$0")/lib.sh"
# Debian's python3-aiosmtpd is the system Python's (a python3 earlier on PATH may not see it).
smtp_py=
for py in python3 /usr/bin/python3; do
  if "$py" -c 'import aiosmtpd' 2>/dev/null; then smtp_py=$py; break; fi
done
[ -n "$smtp_py" ] || { echo "SKIP: python3-aiosmtpd is not installed (scripts/setup.sh)"; exit 77; }
here=$(cd "$(dirname "$0")" && pwd)

# The peers first (their ports go into the catalogue).
mkdir -p "$tmp/mail"
python3 "$here/webhook_receiver.py" "$tmp/hook.port" "$tmp/hook.jsonl" 1 & pids+=($!)
smtp_port=$(free_port)
"$smtp_py" "$here/smtp_receiver.py" "$smtp_port" "$tmp/tls/collector.pem" "$tmp/tls/collector.key" "$tmp/mail" slamon mail-secret \
  2> "$tmp/smtp.log" & pids+=($!)
for _ in $(seq 100); do [ -s "$tmp/hook.port" ] && [ -e "$tmp/mail/ready" ] && break; sleep 0.1; done
[ -s "$tmp/hook.port" ] && [ -e "$tmp/mail/ready" ] || fail "the receivers did not start: $(cat "$tmp/smtp.log")"
hook_port=$(cat "$tmp/hook.port")

# Instants from now (whole seconds): shop down [t0+6, t0+18) (web, rule any, has both probes down);
# db down from t0+24 inside the catalogue's window [t0+23, t0+90). (The live engine reads a probe's
# status from its last two change points: a probe changes at most once in the imported future.)
t0=$(date +%s)
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }
printf '%s\n' "hook-token" > "$tmp/hook.token"
printf '%s\n' "mail-secret" > "$tmp/smtp.pass"
cat >> "$tmp/cat.yaml" <<YAML
defaults: {interval: 2s, timeout: 1s, stale_after: 3s}
maintenance:
  - {id: db-patch, targets: [db], from: "$(iso $((t0 + 23)))", to: "$(iso $((t0 + 90)))"}
notifications:
  webhooks:
    - {id: ops, url: "http://127.0.0.1:$hook_port/hook", token_file: hook.token}
  smtp: {server: "127.0.0.1:$smtp_port", from: slamon@example.com, user: slamon, password_file: smtp.pass, ca_file: tls/ca.pem}
  routes:
    - {slas: [shop-gold], kinds: [outage_opened, outage_closed], webhooks: [ops]}
    - {slas: [shop-gold], kinds: [outage_closed], emails: [oncall@example.com]}
YAML
python3 - "$t0" > "$tmp/results.jsonl" <<'PY'
import sys, datetime
t0 = int(sys.argv[1])
def ts(t): return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')
for t in range(t0 - 30, t0 + 60):
    for probe, agent in (("web.tcp", "a1"), ("web.tcp2", "a1"), ("db.tcp", "a2"), ("mail.tcp", "a3")):
        if probe == "mail.tcp" and t >= t0 + 12:
            continue  # a3 falls silent: lost at its last result + stale_after
        down = (probe == "web.tcp" and t >= t0 + 6) or (probe == "web.tcp2" and t < t0 + 18) or (probe == "db.tcp" and t >= t0 + 24)
        print('{"probe":"%s","ts":"%s","status":"%s","agent":"%s"}' % (probe, ts(t), "down" if down else "up", agent))
PY
sed -i 's/^  - id: web$/  - id: web\n    rule: any/' "$tmp/cat.yaml"
sed -i 's/^  - {id: shop-gold, service: shop, target: 99.5}$/  - {id: shop-gold, service: shop, target: 99.5, burn_rate: [{long: 1m, short: 10s, factor: 2, severity: page}]}/' "$tmp/cat.yaml"
grep -q "factor: 2" "$tmp/cat.yaml" || fail "the burn-rate rule is not in the catalogue"
"$bin/slamon" import --db "$tmp/store.db" "$tmp/results.jsonl" 2> "$tmp/import.err" || fail "import: $(cat "$tmp/import.err")"

log=$tmp/collector.log
start_collector "$log"
# The opening: the first POST fails (500), the collector is killed before the retry.
wait_log "$log" "notification outage_opened shop \(SLA shop-gold\) at $(iso $((t0 + 6)))" 15
wait_log "$log" "to webhook:ops \(http://127.0.0.1:$hook_port/hook\): HTTP 500; attempt 1, next at" 10
kill -9 "$col_pid"
wait "$col_pid" 2>/dev/null || true
log2=$tmp/collector2.log
start_collector "$log2"
wait_log "$log2" "notification outage:shop:outage_opened:.* delivered to webhook:ops .*attempt 2" 10
# The closing, to both targets.
wait_log "$log2" "notification outage_closed shop \(SLA shop-gold\) at $(iso $((t0 + 18)))" 25
wait_log "$log2" "outage_closed:.* delivered to email:oncall@example.com" 10
wait_log "$log2" "outage_closed:.* delivered to webhook:ops" 10
grep -q "notification outage_opened shop" "$log2" && fail "the opening was told again after the kill -9"
stop_collector
log3=$tmp/collector3.log
start_collector "$log3"
# Past db's outage (in its window) and the grace after the start.
while [ "$(date +%s)" -lt $((t0 + 32)) ]; do sleep 0.2; done
grep -E "notification [a-z_]+ (shop|db) " "$log3" && fail "a graceful restart or the planned outage told something"
# The SLA's burn-rate rule (1 min with 10 s at 2x): 12 s down fires it at once; it resolves when the
# 10 s window is clear (about t0+28; db's planned outage is not counted). Told once each (unrouted).
wait_log "$log3" "notification alert_resolved shop-gold/page/1m/10s \(SLA shop-gold\)" 15
for kind in alert_firing alert_resolved; do
  n=$(cat "$log" "$log2" "$log3" | grep -c "notification $kind shop-gold/page/1m/10s (SLA shop-gold)" || true)
  [ "$n" = 1 ] || fail "$kind told $n times"
done

# Agent a3 (mail.tcp only) fell silent: lost at its last result (t0+11) + stale_after (3 s), told once.
n=$(cat "$log" "$log2" "$log3" | grep -c "notification agent_lost a3 at $(iso $((t0 + 14)))" || true)
[ "$n" = 1 ] || fail "agent_lost a3 told $n times"

# The webhook: 3 POSTs (500, then the opening again with the same key, then the closing).
python3 - "$tmp/hook.jsonl" "$t0" <<'PY' || fail "webhook: $(cat "$tmp/hook.jsonl")"
import json, sys, datetime
posts = [json.loads(l) for l in open(sys.argv[1])]
assert [p["status"] for p in posts] == [500, 200, 200], posts
assert posts[0]["idempotency_key"] == posts[1]["idempotency_key"] == posts[1]["body"]["dedup_key"], posts
assert all(p["authorization"] == "Bearer hook-token" and p["content_type"] == "application/json" for p in posts), posts
kinds = [p["body"]["kind"] for p in posts]
assert kinds == ["outage_opened", "outage_opened", "outage_closed"], kinds
b = posts[2]["body"]
at = datetime.datetime.fromtimestamp(int(sys.argv[2]) + 18, datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')
assert (b["subject"], b["sla"], b["severity"], b["at"]) == ("shop", "shop-gold", "page", at), b
assert b["dedup_key"] == "outage:shop:outage_closed:" + at, b
PY
# The e-mail: one, over STARTTLS with AUTH (the relay requires both), naming the SLA, subject, kind, instant.
mails=("$tmp"/mail/*.eml)
[ "${#mails[@]}" = 1 ] || fail "e-mails: ${#mails[@]}, not 1: $(ls "$tmp/mail")"
grep -q "^X-Envelope-To: oncall@example.com" "${mails[0]}" || fail "mail: $(cat "${mails[0]}")"
grep -q "^Subject: \[slamon\] outage closed: shop (SLA shop-gold) at $(iso $((t0 + 18)))" "${mails[0]}" ||
  fail "mail subject: $(cat "${mails[0]}")"
grep -q "mail-secret\|hook-token" "$log" "$log2" "$log3" && fail "a secret in a log"

# The delivery log over the API: newest first, by state, paginated.
get "/api/v1/notifications?state=delivered" > "$tmp/log.json"
[ "$(status)" = 200 ] || fail "GET /api/v1/notifications: $(status) $(cat "$tmp/log.json")"
python3 - "$tmp/log.json" <<'PY' || fail "delivery log: $(cat "$tmp/log.json")"
import json, sys
items = json.load(open(sys.argv[1]))["items"]
rows = [(i["kind"], i["target"], i["attempts"]) for i in items]
assert rows == [("outage_closed", "email:oncall@example.com", 1), ("outage_closed", "webhook:ops", 1),
                ("outage_opened", "webhook:ops", 2)], rows
assert all(i["state"] == "delivered" and i["delivered_at"] and i["last_error"] == "" for i in items), items
assert items[2]["notification"]["dedup_key"] == items[2]["dedup_key"], items[2]
PY
get "/api/v1/notifications?limit=1" > "$tmp/page.json"
cursor=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d["items"]) == 1; print(d["next_cursor"])' "$tmp/page.json") ||
  fail "page: $(cat "$tmp/page.json")"
get "/api/v1/notifications?limit=1000&cursor=$cursor" > "$tmp/rest.json"
python3 - "$tmp/page.json" "$tmp/rest.json" <<'PY' || fail "pages: $(cat "$tmp/rest.json")"
import json, sys
first, rest = (json.load(open(p)) for p in sys.argv[1:])
ids = [i["id"] for i in first["items"] + rest["items"]]
assert ids == sorted(ids, reverse=True) and len(set(ids)) == len(ids), ids
assert rest["next_cursor"] is None
# Every state change once per target; nothing about db (its outage was planned).
keys = [(i["dedup_key"], i["target"]) for i in first["items"] + rest["items"]]
assert len(set(keys)) == len(keys), keys
assert not [i for i in first["items"] + rest["items"] if i["subject"] == "db"], keys
PY
expect_error "/api/v1/notifications?state=lost" 400
stop_collector
echo "PASS"
