// Burn-rate alerts: the windowed sums are piecewise linear between breakpoints (set edges e and
// e + w for each window w, and budget steps); on each piece every condition is a linear integer
// function of t, so its sign changes at most once, at an instant found by integer division.
#include "collector/engine/burn_rate.h"

#include <algorithm>
#include <limits>

namespace slamon::engine {
namespace {

using I128 = __int128;

// Total of an interval set before any instant, in O(log n).
class Prefix {
 public:
  explicit Prefix(const IntervalSet& s) : s_(s), cum_(s.size() + 1, 0) {
    for (std::size_t i = 0; i < s.size(); ++i) cum_[i + 1] = cum_[i] + (s[i].end - s[i].begin);
  }
  // The measure of s within (-inf, t).
  DurationMs before(TimeMs t) const {
    // first interval with end > t
    auto it = std::upper_bound(s_.begin(), s_.end(), t, [](TimeMs v, const Interval& i) { return v < i.end; });
    const auto k = static_cast<std::size_t>(it - s_.begin());
    DurationMs m = cum_[k];
    if (it != s_.end() && it->begin < t) m += t - it->begin;
    return m;
  }
  DurationMs between(TimeMs lo, TimeMs hi) const { return before(hi) - before(lo); }
  bool holds(TimeMs t) const { return contains(s_, t); }

 private:
  const IntervalSet& s_;
  std::vector<DurationMs> cum_;
};

std::int64_t budget_at(const BudgetTimeline& b, TimeMs t) {
  if (b.budget_e6.empty()) return 0;
  auto it = std::upper_bound(b.budget_e6.begin(), b.budget_e6.end(), t,
                             [](TimeMs v, const std::pair<TimeMs, std::int64_t>& p) { return v < p.first; });
  if (it == b.budget_e6.begin()) return it->second;
  return std::prev(it)->second;
}

// A linear integer function on a piece [a, b): f(t) = v + s (t - a).
struct Linear {
  I128 v = 0;
  I128 s = 0;
  I128 at(TimeMs a, TimeMs t) const { return v + s * static_cast<I128>(t - a); }
  // The first t in (a, b) where (f(t) >= 0) differs from (f(a) >= 0), if any.
  std::optional<TimeMs> flip(TimeMs a, TimeMs b) const {
    I128 k = 0;
    if (s > 0 && v < 0) k = (-v + s - 1) / s;        // first f >= 0
    else if (s < 0 && v >= 0) k = v / (-s) + 1;      // first f < 0
    else return std::nullopt;
    if (k >= static_cast<I128>(b - a)) return std::nullopt;
    return a + static_cast<TimeMs>(k);
  }
};

// One window's functions on a piece: service - 1, down - 1 (for "> 0") and the burn condition g.
struct WindowLines {
  Linear service, down, g;
};

WindowLines lines(const Prefix& c, const Prefix& d, TimeMs a, DurationMs w, std::int64_t budget_e6,
                  std::int64_t factor_e4) {
  const I128 cv = c.between(a - w, a), dv = d.between(a - w, a);
  const I128 cs = static_cast<I128>(c.holds(a)) - static_cast<I128>(c.holds(a - w));
  const I128 ds = static_cast<I128>(d.holds(a)) - static_cast<I128>(d.holds(a - w));
  const I128 k = static_cast<I128>(factor_e4) * budget_e6;  // burn >= factor <=> down * 1e10 >= k * service
  constexpr I128 e10 = 10'000'000'000;
  return WindowLines{Linear{cv - 1, cs}, Linear{dv - 1, ds}, Linear{dv * e10 - k * cv, ds * e10 - k * cs}};
}

// Defined (some service time), and at or above the factor.
struct WindowState {
  bool defined = false;
  bool hot = false;
};
WindowState state_of(const WindowLines& l, TimeMs a, TimeMs t) {
  WindowState s;
  s.defined = l.service.at(a, t) >= 0;
  s.hot = s.defined && l.down.at(a, t) >= 0 && l.g.at(a, t) >= 0;
  return s;
}

bool next_state(bool firing, WindowState lw, WindowState sw) {
  if (firing) return !((lw.defined && !lw.hot) || (sw.defined && !sw.hot));
  return lw.hot && sw.hot;
}

}  // namespace

WindowSums window_sums(const BudgetTimeline& b, TimeMs t, DurationMs w) {
  return WindowSums{Prefix(b.service).between(t - w, t), Prefix(b.counted_down).between(t - w, t)};
}

std::optional<double> burn_rate_at(const BudgetTimeline& b, TimeMs t, DurationMs w) {
  const WindowSums s = window_sums(b, t, w);
  if (s.service_ms <= 0) return std::nullopt;
  const std::int64_t budget = budget_at(b, t);
  if (budget <= 0) return s.down_ms > 0 ? std::numeric_limits<double>::infinity() : 0.0;
  return (static_cast<double>(s.down_ms) / static_cast<double>(s.service_ms)) / (static_cast<double>(budget) / 1e6);
}

RuleAlerts burn_rate_alerts(const BudgetTimeline& b, const catalogue::BurnRateRule& rule, Interval range) {
  RuleAlerts out;
  if (range.end < range.begin) return out;
  const Prefix c(b.service), d(b.counted_down);
  const TimeMs last = range.end;  // included

  std::vector<TimeMs> cuts{range.begin};
  auto add = [&](TimeMs t) {
    if (t > range.begin && t <= last) cuts.push_back(t);
  };
  for (const IntervalSet* s : {&b.service, &b.counted_down})
    for (const auto& iv : *s)
      for (const TimeMs e : {iv.begin, iv.end}) {
        add(e);
        add(e + rule.long_ms);
        add(e + rule.short_ms);
      }
  for (const auto& step : b.budget_e6) add(step.first);
  std::sort(cuts.begin(), cuts.end());
  cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());

  bool firing = false;
  std::vector<TimeMs> cand;
  for (std::size_t i = 0; i < cuts.size(); ++i) {
    const TimeMs a = cuts[i];
    const TimeMs e = i + 1 < cuts.size() ? cuts[i + 1] : last + 1;  // piece [a, e)
    const std::int64_t budget = budget_at(b, a);
    const WindowLines lw = lines(c, d, a, rule.long_ms, budget, rule.factor.e4);
    const WindowLines sw = lines(c, d, a, rule.short_ms, budget, rule.factor.e4);
    cand.assign(1, a);
    for (const WindowLines* l : {&lw, &sw})
      for (const Linear* f : {&l->service, &l->down, &l->g})
        if (auto t = f->flip(a, e)) cand.push_back(*t);
    std::sort(cand.begin(), cand.end());
    cand.erase(std::unique(cand.begin(), cand.end()), cand.end());
    for (const TimeMs t : cand) {
      const WindowState ls = state_of(lw, a, t), ss = state_of(sw, a, t);
      if (t == range.begin) {
        firing = ls.hot && ss.hot;
        out.firing_at_start = firing;
        continue;
      }
      const bool next = next_state(firing, ls, ss);
      if (next != firing) out.changes.push_back(AlertChange{t, next});
      firing = next;
    }
  }
  out.firing_at_end = firing;
  return out;
}

}  // namespace slamon::engine
