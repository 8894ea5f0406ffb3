#!/usr/bin/env python3
"""Analysis of one footprint run (bench/footprint.sh): the agent's results file, the samples of its
/proc figures and of the peers', and its log. Prints each figure against its goal and exits 1 when a
goal or a check is missed.

Scheduling lag is computed independently of the agent's own figures: a result's `ts` is the start of
its run, and its planned start is the grid point phase + k x interval just before it, where the phase
is FNV-1a-64(probe id) mod interval (agent/schedule_plan.h). So lag = (ts - phase) mod interval, for
every run. The agent's own per-minute log lines are shown beside it.

Steady state: runs planned in the whole intervals from START + one interval (+ 5 s of start-up slack)
to STOP - 10 s at the latest (runs planned later may be cut short by the stop). In that window every probe must have exactly one result
per planned start.

  footprint_analyse.py --results R --samples S --log L --start-ms T0 --stop-ms T1 --probes N
                       [--interval-ms 60000] [--label TEXT]
"""
import argparse
import collections
import datetime
import json
import re
import statistics
import sys

GOAL_RSS_MB = 50.0
GOAL_CPU_PERCENT = 5.0
GOAL_LAG_P99_MS = 50


def fnv1a64(text):
    h = 0xCBF29CE484222325
    for b in text.encode():
        h ^= b
        h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def parse_ts(ts):
    # RFC 3339 in UTC with Z and up to millisecond precision (what the agent writes).
    m = re.fullmatch(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?Z", ts)
    if not m:
        raise ValueError("bad ts " + ts)
    base = datetime.datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S").replace(tzinfo=datetime.timezone.utc)
    ms = int(base.timestamp()) * 1000
    if m.group(2):
        ms += int((m.group(2)[1:] + "000")[:3])
    return ms


def rank(sorted_values, p):
    # Nearest-rank percentile, as agent/lag_stats.cpp computes it.
    if not sorted_values:
        return float("nan")
    n = len(sorted_values)
    k = min(max(int(p / 100.0 * n + 0.999999), 1), n)
    return sorted_values[k - 1]


def verdict(ok):
    return "ok" if ok else "MISSED"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--results", required=True)
    ap.add_argument("--samples", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--start-ms", type=int, required=True)
    ap.add_argument("--stop-ms", type=int, required=True)
    ap.add_argument("--probes", type=int, required=True)
    ap.add_argument("--interval-ms", type=int, default=60000)
    ap.add_argument("--ticks", type=int, default=100, help="clock ticks per second (getconf CLK_TCK)")
    ap.add_argument("--label", default="")
    a = ap.parse_args()
    iv = a.interval_ms
    steady_from = a.start_ms + iv + 5000
    # Whole intervals only, so that every probe has the same number of planned starts in the window.
    steady_to = steady_from + max(0, (a.stop_ms - 10000 - steady_from) // iv) * iv
    failures = []

    # --- results ---------------------------------------------------------------------------------
    by_type_status = collections.defaultdict(collections.Counter)
    steady_by_type_status = collections.defaultdict(collections.Counter)
    planned_runs = collections.Counter()
    lag_all, lag_steady = [], []
    lag_steady_by_type = collections.defaultdict(list)
    messages = collections.Counter()
    probes_seen = set()
    total = 0
    with open(a.results) as f:
        for line in f:
            r = json.loads(line)
            total += 1
            pid = r["probe"]
            kind = pid.rsplit(".", 1)[-1]
            ts = parse_ts(r["ts"])
            phase = fnv1a64(pid) % iv
            lag = (ts - phase) % iv
            planned = ts - lag
            probes_seen.add(pid)
            by_type_status[kind][r["status"]] += 1
            lag_all.append(lag)
            if steady_from <= planned < steady_to:
                steady_by_type_status[kind][r["status"]] += 1
                planned_runs[(pid, planned)] += 1
                lag_steady.append(lag)
                lag_steady_by_type[kind].append(lag)
            if r["status"] != "up":
                messages[(kind, r["status"], r.get("message", "")[:100])] += 1

    # Every probe, every planned start in the steady window: exactly one result.
    expected = 0
    missing = 0
    for pid in probes_seen:
        phase = fnv1a64(pid) % iv
        k = -((phase - steady_from) // iv)  # first grid point >= steady_from
        t = phase + k * iv
        while t < steady_to:
            expected += 1
            if planned_runs[(pid, t)] == 0:
                missing += 1
            t += iv
    duplicated = sum(n - 1 for n in planned_runs.values() if n > 1)
    steady_results = sum(planned_runs.values())
    steady_minutes = (steady_to - steady_from) / 60000.0

    # --- samples: t_ms agent_ticks rss_kb hwm_kb threads nginx_ticks snmpd_ticks -----------------
    samples = []
    with open(a.samples) as f:
        for line in f:
            p = line.split()
            if len(p) == 7:
                samples.append(tuple(int(x) for x in p))
    steady = [s for s in samples if s[0] >= steady_from]
    cpu = nginx_cpu = snmpd_cpu = float("nan")
    if len(steady) >= 2:
        wall_s = (steady[-1][0] - steady[0][0]) / 1000.0
        cpu = (steady[-1][1] - steady[0][1]) / a.ticks / wall_s * 100
        nginx_cpu = (steady[-1][5] - steady[0][5]) / a.ticks / wall_s * 100
        snmpd_cpu = (steady[-1][6] - steady[0][6]) / a.ticks / wall_s * 100
    rss_max_mb = max((s[3] for s in samples), default=0) / 1024.0       # VmHWM: the peak, whenever
    rss_steady = [s[2] / 1024.0 for s in steady]
    rss_steady_max = max(rss_steady, default=float("nan"))
    rss_steady_med = statistics.median(rss_steady) if rss_steady else float("nan")
    threads = max((s[4] for s in samples), default=0)

    # --- the agent's own lag lines -----------------------------------------------------------------
    own = []
    final = ""
    with open(a.log) as f:
        for line in f:
            m = re.search(r"(\d+) runs, lag p50 (\d+) ms, p99 (\d+) ms, max (\d+) ms, missed (\d+)", line)
            if m:
                own.append(tuple(int(x) for x in m.groups()))
            if "results written" in line:
                final = line.strip()

    # --- report --------------------------------------------------------------------------------------
    lag_steady.sort()
    lag_all.sort()
    print(f"footprint {a.label}: {a.probes} probes, steady state {steady_minutes:.1f} min "
          f"(runs planned in whole intervals from start+{iv // 1000 + 5}s), {len(steady)} samples")
    print(f"  results: {total} lines for {len(probes_seen)} probes; steady window: {steady_results} of {expected} "
          f"planned runs ({missing} missing, {duplicated} duplicated)")
    for kind in sorted(by_type_status):
        st = ", ".join(f"{k} {v}" for k, v in sorted(by_type_status[kind].items()))
        print(f"    {kind:5} {st}")
    for (kind, status, msg), n in messages.most_common(5):
        print(f"    {n} x {kind} {status}: {msg}")
    # The goal is judged on the running agent (steady state); the start-up peak (VmHWM: loading and
    # validating the whole YAML catalogue) is printed beside it and flagged when above the goal too.
    ok_rss = rss_steady_max < GOAL_RSS_MB
    ok_cpu = cpu < GOAL_CPU_PERCENT
    p50, p99, mx = rank(lag_steady, 50), rank(lag_steady, 99), (lag_steady[-1] if lag_steady else float("nan"))
    ok_lag = p99 < GOAL_LAG_P99_MS
    print(f"  resident memory in steady state: max {rss_steady_max:.1f} MB, median {rss_steady_med:.1f} MB   "
          f"goal < {GOAL_RSS_MB:.0f} MB: {verdict(ok_rss)}")
    print(f"    start-up peak (VmHWM, while the YAML catalogue is loaded): {rss_max_mb:.1f} MB"
          + ("" if rss_max_mb < GOAL_RSS_MB else f"   (above {GOAL_RSS_MB:.0f} MB)"))
    print(f"  CPU in steady state: {cpu:.2f} % of one core   goal < {GOAL_CPU_PERCENT:.0f} %: {verdict(ok_cpu)}"
          f"   (threads: {threads})")
    print(f"  scheduling lag (from the results), steady: p50 {p50} ms, p99 {p99} ms, max {mx} ms   "
          f"goal p99 < {GOAL_LAG_P99_MS} ms: {verdict(ok_lag)}")
    for kind in sorted(lag_steady_by_type):
        v = sorted(lag_steady_by_type[kind])
        print(f"    {kind:5} p50 {rank(v, 50)} ms, p99 {rank(v, 99)} ms, max {v[-1]} ms")
    print(f"    whole run incl. start-up: p50 {rank(lag_all, 50)} ms, p99 {rank(lag_all, 99)} ms, "
          f"max {lag_all[-1] if lag_all else 'nan'} ms")
    if own:
        print("    agent's own per-minute lines (last 8,192 runs each): " +
              "; ".join(f"p50 {o[1]} p99 {o[2]} max {o[3]} missed {o[4]}" for o in own))
    if final:
        print("    agent at stop: " + final[final.find("footprint-agent:"):])
    rate = steady_results / steady_minutes if steady_minutes > 0 else float("nan")
    print(f"  results/min in steady state: {rate:.0f}   (planned: {a.probes * 60000 / iv:.0f})")
    print(f"  peers, same window: nginx {nginx_cpu:.2f} %, snmpd {snmpd_cpu:.2f} % of one core   "
          f"(agent {cpu:.2f} %)")

    if not ok_rss:
        failures.append("memory")
    if not ok_cpu:
        failures.append("CPU")
    if not ok_lag:
        failures.append("lag")
    if missing or duplicated:
        failures.append("missing or duplicated runs")
    not_up = sum(n for kind in steady_by_type_status for s, n in steady_by_type_status[kind].items() if s != "up")
    if not_up:
        failures.append(f"{not_up} steady-state results not up")
    if len(probes_seen) != a.probes:
        failures.append(f"results for {len(probes_seen)} probes, not {a.probes}")
    print("  verdict: " + ("all goals met" if not failures else "MISSED: " + ", ".join(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
