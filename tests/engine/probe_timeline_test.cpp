// Probe timelines (semantics.md section 1): confirm, backdating, staleness, gaps.
#include "collector/engine/probe_timeline.h"

#include <doctest/doctest.h>

#include <optional>
#include <vector>

namespace slamon::engine {
namespace {

constexpr TimeMs M = 60'000;

StatusTimeline run(ProbeParams p, std::vector<std::pair<int, Status>> rs) {
  ProbeTimelineBuilder b(p);
  for (auto [m, s] : rs) b.add(m * M, s);
  return b.finish();
}

}  // namespace

TEST_CASE("spec example: confirm 3, backdated to the run's first result, stale at last + S") {
  const auto tl = run({3 * M, 3}, {{0, Status::up}, {1, Status::down}, {2, Status::down}, {3, Status::up},
                                   {4, Status::down}, {5, Status::down}, {6, Status::down}, {7, Status::up}});
  CHECK(tl == StatusTimeline{{4 * M, Status::down}, {10 * M, Status::unknown}});
  CHECK(status_at(tl, 4 * M - 1) == Status::unknown);
  CHECK(status_at(tl, 9 * M) == Status::down);
}

TEST_CASE("three equal results confirm from the first") {
  const auto tl = run({3 * M, 3}, {{0, Status::up}, {1, Status::up}, {2, Status::up}});
  CHECK(tl == StatusTimeline{{0, Status::up}, {5 * M, Status::unknown}});
}

TEST_CASE("before the first result the status is unknown; confirm 1 changes at once") {
  const auto tl = run({3 * M, 1}, {{5, Status::down}, {6, Status::up}});
  CHECK(status_at(tl, 5 * M - 1) == Status::unknown);
  CHECK(tl == StatusTimeline{{5 * M, Status::down}, {6 * M, Status::up}, {9 * M, Status::unknown}});
}

TEST_CASE("a result equal to the confirmed status resets the pending run") {
  // up confirmed; down, up (reset), down, down: only two downs in the new run, C = 3 -> still up.
  const auto tl = run({10 * M, 3}, {{0, Status::up}, {1, Status::up}, {2, Status::up}, {3, Status::down},
                                    {4, Status::up}, {5, Status::down}, {6, Status::down}});
  CHECK(tl == StatusTimeline{{0, Status::up}, {16 * M, Status::unknown}});
}

TEST_CASE("a different status starts a new pending run") {
  // C = 2: down, degraded, degraded -> degraded from the first degraded.
  const auto tl = run({10 * M, 2}, {{0, Status::up}, {1, Status::up}, {2, Status::down}, {3, Status::degraded},
                                    {4, Status::degraded}});
  CHECK(tl == StatusTimeline{{0, Status::up}, {3 * M, Status::degraded}, {14 * M, Status::unknown}});
}

TEST_CASE("staleness: a gap of exactly S is no gap, more than S is") {
  const auto exact = run({3 * M, 1}, {{0, Status::up}, {3, Status::up}});
  CHECK(exact == StatusTimeline{{0, Status::up}, {6 * M, Status::unknown}});
  ProbeTimelineBuilder b({3 * M, 1});
  b.add(0, Status::up);
  b.add(3 * M + 1, Status::up);
  CHECK(b.finish() == StatusTimeline{{0, Status::up}, {3 * M, Status::unknown}, {3 * M + 1, Status::up},
                                     {6 * M + 1, Status::unknown}});
}

TEST_CASE("after a gap the pending run is dropped and a fresh run of C is needed") {
  // C = 2, S = 3 min: down@0, down@1 confirms down; up@2 pending; gap to up@10: pending dropped,
  // unknown from 5; up@10 alone is not enough; up@11 confirms up from 10.
  const auto tl = run({3 * M, 2}, {{0, Status::down}, {1, Status::down}, {2, Status::up}, {10, Status::up},
                                   {11, Status::up}});
  CHECK(tl == StatusTimeline{{0, Status::down}, {5 * M, Status::unknown}, {10 * M, Status::up},
                             {14 * M, Status::unknown}});
}

TEST_CASE("unknown results are a status like the others") {
  const auto tl = run({3 * M, 1}, {{0, Status::up}, {1, Status::unknown}, {2, Status::up}});
  CHECK(tl == StatusTimeline{{0, Status::up}, {1 * M, Status::unknown}, {2 * M, Status::up}, {5 * M, Status::unknown}});
}

TEST_CASE("checkpoint and restore replay to the same timeline") {
  ProbeTimelineBuilder a({3 * M, 2});
  std::vector<std::pair<int, Status>> rs{{0, Status::up}, {1, Status::up}, {2, Status::down}, {3, Status::down},
                                         {9, Status::up}, {10, Status::up}};
  for (int i = 0; i < 3; ++i) a.add(rs[i].first * M, rs[i].second);
  const auto cp = a.checkpoint();
  for (int i = 3; i < 6; ++i) a.add(rs[i].first * M, rs[i].second);
  const auto full = a.finish();
  REQUIRE(a.restore(cp));
  for (int i = 3; i < 6; ++i) a.add(rs[i].first * M, rs[i].second);
  CHECK(a.finish() == full);
}

}  // namespace slamon::engine

// Gap records (docs/semantics-notes.md): unknown from the gap's start, exactly like staleness.
namespace slamon::engine {
namespace {

// Results and gaps in time order: a gap is ('g', minute), a result (status, minute).
struct Ev {
  int minute;
  std::optional<Status> status;  // nullopt: a gap starting here
};

StatusTimeline run_events(ProbeParams p, std::vector<Ev> evs) {
  ProbeTimelineBuilder b(p);
  for (const auto& e : evs) {
    if (e.status) b.add(e.minute * M, *e.status);
    else b.gap(e.minute * M);
  }
  return b.finish();
}

}  // namespace

TEST_CASE("gap, confirm 1: unknown from the gap's start; the next result counts at once") {
  const auto tl = run_events({3 * M, 1}, {{0, Status::up}, {1, Status::up}, {2, std::nullopt}, {10, Status::up},
                                         {11, Status::up}});
  CHECK(tl == StatusTimeline{{0, Status::up}, {2 * M, Status::unknown}, {10 * M, Status::up}, {14 * M, Status::unknown}});
  // The gap is never shown up, even where staleness alone would still show the last result.
  CHECK(status_at(tl, 2 * M) == Status::unknown);
  CHECK(status_at(tl, 4 * M - 1) == Status::unknown);
}

TEST_CASE("gap, confirm 3: after it a fresh run of three equal results is needed") {
  const auto tl = run_events({3 * M, 3}, {{0, Status::up}, {1, Status::up}, {2, Status::up}, {3, std::nullopt},
                                         {4, Status::up}, {5, Status::up}, {6, Status::up}, {7, Status::up}});
  // Without the gap the probe would be up throughout; with it: unknown [3, 4), up again from 4 (run
  // confirmed at 6, backdated to its first result).
  CHECK(tl == StatusTimeline{{0, Status::up}, {3 * M, Status::unknown}, {4 * M, Status::up}, {10 * M, Status::unknown}});
  const auto short_run = run_events({3 * M, 3}, {{0, Status::up}, {1, Status::up}, {2, Status::up}, {3, std::nullopt},
                                                {4, Status::up}, {5, Status::up}});
  CHECK(short_run == StatusTimeline{{0, Status::up}, {3 * M, Status::unknown}});
}

TEST_CASE("gap inside a pending run drops the run") {
  // C = 3: up confirmed, then down, down, gap, down: the two downs before the gap do not count.
  const auto tl = run_events({10 * M, 3}, {{0, Status::up}, {1, Status::up}, {2, Status::up}, {3, Status::down},
                                          {4, Status::down}, {5, std::nullopt}, {6, Status::down}, {7, Status::down}});
  CHECK(tl == StatusTimeline{{0, Status::up}, {5 * M, Status::unknown}});
  const auto more = run_events({10 * M, 3}, {{0, Status::up}, {1, Status::up}, {2, Status::up}, {3, Status::down},
                                            {4, Status::down}, {5, std::nullopt}, {6, Status::down}, {7, Status::down},
                                            {8, Status::down}});
  CHECK(more == StatusTimeline{{0, Status::up}, {5 * M, Status::unknown}, {6 * M, Status::down}, {18 * M, Status::unknown}});
}

TEST_CASE("gap then results; staleness before the gap still applies first") {
  // The last result at 0, S = 3: stale at 3; the gap at 5 keeps unknown; results from 8 count.
  const auto tl = run_events({3 * M, 1}, {{0, Status::down}, {5, std::nullopt}, {8, Status::up}});
  CHECK(tl == StatusTimeline{{0, Status::down}, {3 * M, Status::unknown}, {8 * M, Status::up}, {11 * M, Status::unknown}});
  // A result at the gap's own ts comes after it (results that exist after the gap are taken).
  const auto same = run_events({3 * M, 1}, {{0, Status::down}, {1, std::nullopt}, {1, Status::up}});
  CHECK(same == StatusTimeline{{0, Status::down}, {1 * M, Status::up}, {4 * M, Status::unknown}});
}

TEST_CASE("two gaps") {
  const auto tl = run_events({5 * M, 1}, {{0, Status::up}, {1, std::nullopt}, {2, Status::up}, {3, std::nullopt},
                                         {3, std::nullopt}, {4, Status::degraded}});
  CHECK(tl == StatusTimeline{{0, Status::up}, {1 * M, Status::unknown}, {2 * M, Status::up}, {3 * M, Status::unknown},
                             {4 * M, Status::degraded}, {9 * M, Status::unknown}});
}

TEST_CASE("a gap for a probe with no results changes nothing: unknown throughout") {
  CHECK(run_events({3 * M, 1}, {{5, std::nullopt}}).empty());
  CHECK(run_events({3 * M, 3}, {{5, std::nullopt}, {9, std::nullopt}}).empty());
}

}  // namespace slamon::engine
