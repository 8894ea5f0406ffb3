// Interval algebra and step timelines.
#include "collector/engine/timeline.h"

#include <doctest/doctest.h>

namespace slamon::engine {

TEST_CASE("append_change merges and replaces") {
  StatusTimeline tl;
  append_change(tl, 0, Status::unknown);  // unknown is the initial status: nothing
  CHECK(tl.empty());
  append_change(tl, 5, Status::up);
  append_change(tl, 7, Status::up);
  append_change(tl, 9, Status::down);
  append_change(tl, 9, Status::degraded);
  CHECK(tl == StatusTimeline{{5, Status::up}, {9, Status::degraded}});
  CHECK(status_at(tl, 4) == Status::unknown);
  CHECK(status_at(tl, 5) == Status::up);
  CHECK(status_at(tl, 8) == Status::up);
  CHECK(status_at(tl, 100) == Status::degraded);
  append_change(tl, 9, Status::up);  // replacing with the previous status removes the change
  CHECK(tl == StatusTimeline{{5, Status::up}});
}

TEST_CASE("interval sets") {
  const IntervalSet a = normalize({{5, 10}, {0, 3}, {3, 4}, {8, 12}, {20, 20}});
  CHECK(a == IntervalSet{{0, 4}, {5, 12}});
  const IntervalSet b{{2, 6}, {11, 30}};
  CHECK(unite(a, b) == IntervalSet{{0, 30}});
  CHECK(intersect(a, b) == IntervalSet{{2, 4}, {5, 6}, {11, 12}});
  CHECK(subtract(a, b) == IntervalSet{{0, 2}, {6, 11}});
  CHECK(subtract(b, a) == IntervalSet{{4, 5}, {12, 30}});
  CHECK(clip(a, {3, 6}) == IntervalSet{{3, 4}, {5, 6}});
  CHECK(contains(a, 0));
  CHECK_FALSE(contains(a, 4));
  CHECK(contains(a, 11));
  CHECK_FALSE(contains(a, 12));
  CHECK(total_ms(a) == 11);
  CHECK(subtract(IntervalSet{{0, 100}}, IntervalSet{{10, 20}, {30, 40}, {90, 200}}) ==
        IntervalSet{{0, 10}, {20, 30}, {40, 90}});
}

TEST_CASE("where selects the instants of a status in a range") {
  const StatusTimeline tl{{10, Status::up}, {20, Status::down}, {30, Status::up}};
  auto up = where(tl, {0, 40}, [](Status s) { return s == Status::up; });
  CHECK(up == IntervalSet{{10, 20}, {30, 40}});
  auto unk = where(tl, {0, 40}, [](Status s) { return s == Status::unknown; });
  CHECK(unk == IntervalSet{{0, 10}});
  CHECK(where(tl, {15, 25}, [](Status s) { return s != Status::unknown; }) == IntervalSet{{15, 25}});
  CHECK(where(tl, {kMinTime, kMaxTime}, [](Status s) { return s == Status::down; }) == IntervalSet{{20, 30}});
}

TEST_CASE("widen: from nothing to the first interval, then the smallest interval covering both") {
  std::optional<Interval> hull;
  widen(hull, Interval{10, 20});
  CHECK(hull == Interval{10, 20});
  widen(hull, Interval{30, 40});  // apart: the gap is covered too
  CHECK(hull == Interval{10, 40});
  widen(hull, Interval{5, 15});
  CHECK(hull == Interval{5, 40});
  widen(hull, Interval{20, 25});  // inside: unchanged
  CHECK(hull == Interval{5, 40});
}

}  // namespace slamon::engine
