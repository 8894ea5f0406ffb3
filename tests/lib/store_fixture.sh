# The store tests' fixture (tests/cli/store_test.sh, tests/cli/pg_store_test.sh): `make_store_fixture`
# writes cat.yaml and in.jsonl into the current folder, deterministically.
make_store_fixture() {
# A catalogue whose probes need 3 equal results (so a state can hang on results long before a period)
# and SLAs of two kinds in two time zones.
cat > cat.yaml <<'YAML'
version: 1
defaults: {interval: 60s, timeout: 5s}
agents:
  - {name: a1, token_sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08}
  - {name: a2, token_sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08}
  - {name: a3, token_sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08}
cis:
  - id: web
    type: host
    probes:
      - {id: web.http, type: http, agent: a1, url: "http://192.0.2.10/", confirm: 3}
      - {id: web.tcp, type: tcp, agent: a2, target: "192.0.2.10:80", confirm: 2, stale_after: 5m}
  - id: db
    type: database
    probes:
      - {id: db.tcp, type: tcp, agent: a1, target: "192.0.2.20:5432"}
services:
  - {id: shop, kind: business, rule: all, children: [web, db]}
  - {id: front, kind: business, rule: any, children: [web]}
slas:
  - {id: shop-day, service: shop, target: 99.0, period: day, timezone: UTC,
     response_time: {probe: web.http, percentile: 95, under: 500ms}}
  - {id: shop-berlin, service: shop, target: 99.9, period: day, timezone: Europe/Berlin, hours: ["mon-fri 08:00-18:00"]}
  - {id: front-month, service: front, target: 99.5, period: month, timezone: UTC}
YAML

# Three days of results (2026-03-01..03) every minute from two agents, flapping at random, with
# silences; the same run sometimes reported by both agents; gap lines; deterministic.
python3 - <<'PY'
import json, random
random.seed(13)
base = 1772323200  # 2026-03-01T00:00:00Z
def ts(s): 
    import datetime
    return datetime.datetime.fromtimestamp(s, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
lines = []
for probe, agent in (("web.http", "a1"), ("web.tcp", "a2"), ("db.tcp", "a1")):
    state = "up"
    t = base - 2 * 86400
    while t < base + 4 * 86400:
        if random.random() < 0.002:
            t += random.choice([240, 420, 3600])  # silence: stale
        if random.random() < 0.05:
            state = random.choice(["up", "up", "down", "degraded"])
        st = state if random.random() < 0.8 else random.choice(["up", "down"])
        # At the end of 03-01 and 03-02, web.http goes down at 23:59: confirmed (confirm 3) only at
        # 00:01 the next day and backdated into the period, so the report needs results after it.
        edge = [e for e in (base + 86400, base + 2 * 86400) if e - 240 <= t < e + 120]
        if probe == "web.http" and edge:
            st = "up" if t < edge[0] - 60 else "down"
        r = {"probe": probe, "ts": ts(t), "status": st, "agent": agent}
        if st in ("up", "degraded"): r["latency_ms"] = round(random.uniform(5, 900), 3)
        if st == "down": r["message"] = "timeout after 5000 ms"
        lines.append(json.dumps(r))
        if random.random() < 0.01 and not edge:  # the other agent saw the same run
            r2 = dict(r, agent="a3", status=random.choice(["up", "down"]))
            r2.pop("latency_ms", None)
            lines.append(json.dumps(r2))
        t += 60
    for _ in range(3):
        g = base + random.randint(-86400, 3 * 86400)
        lines.append(json.dumps({"probe": probe, "ts": ts(g), "status": "unknown", "gap_until": ts(g + 1800),
                                 "agent": agent, "metrics": {"dropped": 30}}))
random.shuffle(lines)  # any order: the store sorts
open("in.jsonl", "w").write("\n".join(lines) + "\n")
PY
}
