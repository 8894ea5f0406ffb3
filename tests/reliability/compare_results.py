#!/usr/bin/env python3
"""Compares what a collector stored (`slamon export` JSONL) with what agents logged (their
`results_log` files): exactly once means every logged result is in the export, identical, and the
export holds each run (probe, ts, agent) once. Results the export has beyond the logs are allowed only
up to --max-unlogged (an agent killed between its spool commit and its log write); gap lines
(`gap_until`) are counted apart and allowed only with --allow-gaps.

  compare_results.py EXPORT.jsonl LOG.jsonl... [--max-unlogged N] [--allow-gaps]

Prints a summary; exit 0 when it holds, 1 with the first differences otherwise.
"""
import argparse
import datetime
import json
import sys


def ms(ts):
    return int(datetime.datetime.fromisoformat(ts.replace("Z", "+00:00")).timestamp() * 1000)


def runs(path, torn_ok):
    """Yields (key, canonical line) per result line; a torn last line is skipped when torn_ok."""
    with open(path, "rb") as f:
        data = f.read()
    lines = data.split(b"\n")
    last = lines.pop()  # after the final newline: b"" unless the last line is torn
    if last and not torn_ok:
        raise SystemExit(f"{path}: the last line is not terminated: {last[:200]!r}")
    for n, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        try:
            obj = json.loads(raw)
        except ValueError as e:
            raise SystemExit(f"{path}:{n}: not JSON ({e}): {raw[:200]!r}")
        key = (obj["probe"], obj["ts"], obj.get("agent", ""))
        yield key, json.dumps(obj, sort_keys=True), obj.get("gap_until")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("export")
    ap.add_argument("logs", nargs="+")
    ap.add_argument("--max-unlogged", type=int, default=0)
    ap.add_argument("--allow-gaps", action="store_true")
    a = ap.parse_args()

    stored = {}
    duplicates = []
    gaps = 0
    gap_spans = {}  # (probe, agent) -> [(from_ms, until_ms)]
    for key, line, gap_until in runs(a.export, torn_ok=False):
        if gap_until:
            gaps += 1
            gap_spans.setdefault((key[0], key[2]), []).append((ms(key[1]), ms(gap_until)))
            continue
        if key in stored:
            duplicates.append(key)
        stored[key] = line
    logged = {}
    log_duplicates = []
    for path in a.logs:
        for key, line, _ in runs(path, torn_ok=True):
            if key in logged:
                log_duplicates.append(key)
            logged[key] = line
    def in_gap(k):
        t = ms(k[1])
        return any(f <= t <= u for f, u in gap_spans.get((k[0], k[2]), []))

    missing_all = [k for k in logged if k not in stored]
    missing = [k for k in missing_all if not (a.allow_gaps and in_gap(k))]
    dropped = len(missing_all) - len(missing)
    differing = [k for k in logged if k in stored and stored[k] != logged[k]]
    unlogged = [k for k in stored if k not in logged]
    print(f"compare: {len(logged)} logged, {len(stored)} stored, {len(missing)} missing, "
          f"{len(differing)} differing, {len(duplicates)} stored twice, {len(unlogged)} stored but not logged, "
          f"{gaps} gap lines covering {dropped} logged results")
    ok = True
    if duplicates:
        ok = False
        print("stored twice:", duplicates[:5])
    if log_duplicates:
        ok = False
        print("logged twice (an agent ran a probe twice at the same instant?):", log_duplicates[:5])
    if missing:
        ok = False
        print("missing from the store:", sorted(missing)[:5])
    if differing:
        ok = False
        for k in differing[:3]:
            print("differs:", k, "\n  logged:", logged[k], "\n  stored:", stored[k])
    if len(unlogged) > a.max_unlogged:
        ok = False
        print(f"stored but not logged ({len(unlogged)} > {a.max_unlogged} allowed):", sorted(unlogged)[:5])
    if gaps and not a.allow_gaps:
        ok = False
        print("gap lines in the export where none were expected")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
