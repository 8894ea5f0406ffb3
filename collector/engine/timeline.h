// Timelines as sorted change points (interval algebra), never per-second samples: a status timeline
// is a step function over UTC milliseconds, and an interval set is a sorted list of disjoint
// half-open intervals. Memory is bounded by the number of changes.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <vector>

#include "common/status.h"
#include "common/time.h"

namespace slamon::engine {

inline constexpr TimeMs kMinTime = std::numeric_limits<TimeMs>::min() / 4;
inline constexpr TimeMs kMaxTime = std::numeric_limits<TimeMs>::max() / 4;

// The status holds from t until the next point; before the first point the status is unknown.
struct StatusPoint {
  TimeMs t = 0;
  Status status = Status::unknown;
  bool operator==(const StatusPoint&) const = default;
};

// Strictly increasing t; consecutive points have different statuses; never starts with unknown.
using StatusTimeline = std::vector<StatusPoint>;

Status status_at(const StatusTimeline& tl, TimeMs t);

// Appends a change at t (t >= the last point's t): a point at the same t is replaced, and a point
// that repeats the current status is dropped.
void append_change(StatusTimeline& tl, TimeMs t, Status s);

// Half-open [begin, end).
struct Interval {
  TimeMs begin = 0;
  TimeMs end = 0;
  bool operator==(const Interval&) const = default;
};

// Widens `hull` (nullopt: nothing yet) to the smallest interval covering it and `w`.
void widen(std::optional<Interval>& hull, Interval w);

// Sorted, disjoint, non-adjacent, non-empty intervals.
using IntervalSet = std::vector<Interval>;

IntervalSet normalize(std::vector<Interval> intervals);
IntervalSet unite(const IntervalSet& a, const IntervalSet& b);
IntervalSet intersect(const IntervalSet& a, const IntervalSet& b);
IntervalSet subtract(const IntervalSet& a, const IntervalSet& b);
IntervalSet clip(const IntervalSet& a, Interval range);
bool contains(const IntervalSet& a, TimeMs t);
DurationMs total_ms(const IntervalSet& a);

// The instants of [range) where `tl` has a status for which pred(status) holds.
template <class Pred>
IntervalSet where(const StatusTimeline& tl, Interval range, Pred pred) {
  IntervalSet out;
  if (range.begin >= range.end) return out;
  Status cur = status_at(tl, range.begin);
  TimeMs seg = range.begin;
  auto add = [&](TimeMs a, TimeMs b) {
    if (a >= b) return;
    if (!out.empty() && out.back().end == a) out.back().end = b;
    else out.push_back({a, b});
  };
  // first point strictly after range.begin
  std::size_t lo = 0, hi = tl.size();
  while (lo < hi) {
    std::size_t mid = (lo + hi) / 2;
    if (tl[mid].t <= range.begin) lo = mid + 1; else hi = mid;
  }
  for (std::size_t i = lo; i < tl.size() && tl[i].t < range.end; ++i) {
    if (pred(cur)) add(seg, tl[i].t);
    seg = tl[i].t;
    cur = tl[i].status;
  }
  if (pred(cur)) add(seg, range.end);
  return out;
}

}  // namespace slamon::engine
