// History anchors and report windows: reading a probe's results from its anchor before a window (and
// a few result times after it) gives the same timeline inside the window as reading all of them.
#include "collector/engine/history_window.h"

#include <doctest/doctest.h>

#include <random>
#include <vector>

#include "collector/engine/probe_data.h"
#include "tests/engine/engine_fixtures.h"

namespace slamon::engine::test {
namespace {

struct Probe {
  ProbeParams params;
  std::vector<std::pair<TimeMs, Status>> results;  // increasing ts
  std::vector<TimeMs> gaps;
};

ProbeData build(const Probe& p, TimeMs from, TimeMs to_exclusive) {
  std::vector<Arrival> a;
  for (const auto& [ts, st] : p.results)
    if (ts >= from && ts < to_exclusive) a.push_back(to_arrival(ProbeResult{"p", ts, st, std::nullopt, "", "", {}}));
  return build_probe_data(p.params, false, std::move(a), p.gaps);
}

// What the CLI does: walk back from lo (down to the latest gap at or before lo), then read up to hi
// and `confirm` result times from hi on.
ProbeData windowed(const Probe& p, Interval w) {
  TimeMs bound = kMinTime;
  for (TimeMs g : p.gaps)
    if (g <= w.begin) bound = std::max(bound, g);
  HistoryAnchor anchor(p.params, w.begin);
  for (auto it = p.results.rbegin(); it != p.results.rend(); ++it) {
    if (it->first >= w.begin) continue;
    if (it->first < bound) break;
    if (anchor.add_earlier(it->first, it->second)) break;
  }
  TimeMs end = w.end;
  int after = 0;
  for (const auto& [ts, st] : p.results)
    if (ts >= w.end && after++ < p.params.confirm) end = ts + 1;
  return build(p, anchor.start(), end);
}

}  // namespace

TEST_CASE("anchors: staleness before lo, a run of confirm equal results, or the walk running out") {
  constexpr TimeMs S = 3 * kMin;
  HistoryAnchor stale({S, 3}, 100 * kMin);
  CHECK(stale.add_earlier(96 * kMin, Status::up));  // 4 min before lo: stale at 99
  CHECK(stale.start() == 100 * kMin);
  HistoryAnchor run({S, 2}, 100 * kMin);
  CHECK_FALSE(run.add_earlier(99 * kMin, Status::up));
  CHECK_FALSE(run.add_earlier(98 * kMin, Status::down));
  CHECK(run.add_earlier(97 * kMin, Status::down));
  CHECK(run.start() == 97 * kMin);
  HistoryAnchor gap({S, 3}, 100 * kMin);
  CHECK_FALSE(gap.add_earlier(99 * kMin, Status::up));
  CHECK(gap.add_earlier(95 * kMin, Status::up));  // 4 min between them
  CHECK(gap.start() == 99 * kMin);
  HistoryAnchor none({S, 3}, 100 * kMin);
  CHECK(none.start() == 100 * kMin);
}

TEST_CASE("property: a probe read from its anchor to confirm result times after the window equals the full read inside it") {
  std::mt19937_64 rng(20261207);
  for (int round = 0; round < 3000; ++round) {
    Probe p;
    p.params = {static_cast<DurationMs>(2 + rng() % 3) * kMin, static_cast<int>(1 + rng() % 3)};
    TimeMs t = 0;
    const int n = static_cast<int>(rng() % 40);
    for (int i = 0; i < n; ++i) {
      t += static_cast<TimeMs>(1 + rng() % 4) * kMin;  // sometimes past stale_after
      const Status st = rng() % 5 == 0 ? Status::down : (rng() % 3 == 0 ? Status::degraded : Status::up);
      p.results.emplace_back(t, st);
      if (rng() % 12 == 0) p.gaps.push_back(t + static_cast<TimeMs>(rng() % 2) * kMin);
    }
    const TimeMs lo = static_cast<TimeMs>(rng() % static_cast<std::uint64_t>(t + 10 * kMin));
    const TimeMs hi = lo + static_cast<TimeMs>(1 + rng() % (20 * kMin));
    const Interval w{lo, hi};
    const auto full = build(p, kMinTime, kMaxTime);
    const auto part = windowed(p, w);
    for (Status s : {Status::up, Status::degraded, Status::down, Status::unknown}) {
      auto is = [s](Status v) { return v == s; };
      INFO("round " << round << " lo " << lo << " hi " << hi);
      REQUIRE(where(full.timeline, w, is) == where(part.timeline, w, is));
    }
  }
}

TEST_CASE("report window: the earliest period start - 1 ms to the latest cut + 1 ms") {
  catalogue::Catalogue cat;
  cat.slas.push_back(make_sla("daily", "x", "99"));
  cat.slas.push_back(make_sla("daily-tokyo", "x", "99", catalogue::PeriodKind::day, "Asia/Tokyo"));
  cat.slas.push_back(make_sla("monthly", "x", "99", catalogue::PeriodKind::month));
  ReportRequest req;
  req.label = "2026-03-01";
  const auto w = report_window(cat, req);
  REQUIRE(w);
  // Tokyo's day starts 9 h before UTC's; the monthly SLA is not of the label's kind.
  CHECK(w->begin == T("2026-02-28T15:00:00Z") - 1);
  CHECK(w->end == T("2026-03-02T00:00:00Z") + 1);
  req.as_of = T("2026-03-01T12:00:00Z");
  CHECK(report_window(cat, req)->end == *req.as_of + 1);
  req.as_of.reset();
  req.sla = "daily";
  req.trend = 3;
  CHECK(report_window(cat, req)->begin == T("2026-02-27T00:00:00Z") - 1);
  CHECK(report_window(cat, req)->end == T("2026-03-02T00:00:00Z") + 1);
  req.label = "not-a-label";
  CHECK_FALSE(report_window(cat, req));
}

}  // namespace slamon::engine::test
