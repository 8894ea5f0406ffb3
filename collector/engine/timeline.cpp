// Interval algebra over sorted change points.
#include "collector/engine/timeline.h"

#include <algorithm>

namespace slamon::engine {

Status status_at(const StatusTimeline& tl, TimeMs t) {
  auto it = std::upper_bound(tl.begin(), tl.end(), t,
                             [](TimeMs v, const StatusPoint& p) { return v < p.t; });
  if (it == tl.begin()) return Status::unknown;
  return std::prev(it)->status;
}

void append_change(StatusTimeline& tl, TimeMs t, Status s) {
  if (!tl.empty() && tl.back().t == t) tl.pop_back();
  const Status cur = tl.empty() ? Status::unknown : tl.back().status;
  if (cur == s) return;
  tl.push_back({t, s});
}

void widen(std::optional<Interval>& hull, Interval w) {
  hull = hull ? Interval{std::min(hull->begin, w.begin), std::max(hull->end, w.end)} : w;
}

IntervalSet normalize(std::vector<Interval> v) {
  std::erase_if(v, [](const Interval& i) { return i.begin >= i.end; });
  std::sort(v.begin(), v.end(), [](const Interval& a, const Interval& b) { return a.begin < b.begin; });
  IntervalSet out;
  for (const auto& i : v) {
    if (!out.empty() && i.begin <= out.back().end) out.back().end = std::max(out.back().end, i.end);
    else out.push_back(i);
  }
  return out;
}

IntervalSet unite(const IntervalSet& a, const IntervalSet& b) {
  std::vector<Interval> v;
  v.reserve(a.size() + b.size());
  std::merge(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(v),
             [](const Interval& x, const Interval& y) { return x.begin < y.begin; });
  IntervalSet out;
  for (const auto& i : v) {
    if (!out.empty() && i.begin <= out.back().end) out.back().end = std::max(out.back().end, i.end);
    else out.push_back(i);
  }
  return out;
}

IntervalSet intersect(const IntervalSet& a, const IntervalSet& b) {
  IntervalSet out;
  std::size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    const TimeMs lo = std::max(a[i].begin, b[j].begin);
    const TimeMs hi = std::min(a[i].end, b[j].end);
    if (lo < hi) {
      if (!out.empty() && out.back().end == lo) out.back().end = hi;
      else out.push_back({lo, hi});
    }
    if (a[i].end < b[j].end) ++i; else ++j;
  }
  return out;
}

IntervalSet subtract(const IntervalSet& a, const IntervalSet& b) {
  IntervalSet out;
  std::size_t j = 0;
  for (const auto& iv : a) {
    TimeMs cur = iv.begin;
    while (j < b.size() && b[j].end <= cur) ++j;
    std::size_t k = j;
    while (k < b.size() && b[k].begin < iv.end) {
      if (b[k].begin > cur) out.push_back({cur, b[k].begin});
      cur = std::max(cur, b[k].end);
      if (b[k].end > iv.end) break;
      ++k;
    }
    if (cur < iv.end) out.push_back({cur, iv.end});
  }
  return out;
}

IntervalSet clip(const IntervalSet& a, Interval r) { return intersect(a, IntervalSet{r}); }

bool contains(const IntervalSet& a, TimeMs t) {
  auto it = std::upper_bound(a.begin(), a.end(), t,
                             [](TimeMs v, const Interval& i) { return v < i.begin; });
  if (it == a.begin()) return false;
  return t < std::prev(it)->end;
}

DurationMs total_ms(const IntervalSet& a) {
  DurationMs s = 0;
  for (const auto& i : a) s += i.end - i.begin;
  return s;
}

}  // namespace slamon::engine
