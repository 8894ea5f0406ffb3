// Burn-rate alerts over hand-built budget timelines: hand-computed firing and resolving instants,
// the keep-state rule for windows without service time, a zero budget, and a property test against
// a brute-force evaluation at every millisecond on random timelines.
#include "collector/engine/burn_rate.h"

#include <doctest/doctest.h>

#include <random>

namespace slamon::engine::test {
namespace {

constexpr TimeMs S = 1'000, MIN = 60'000, H = 3'600'000;
constexpr TimeMs T0 = 1'780'000'000'000;  // any instant

catalogue::BurnRateRule rule(DurationMs long_ms, DurationMs short_ms, std::int64_t factor_e4) {
  return catalogue::BurnRateRule{long_ms, short_ms, Decimal4{factor_e4}, "page"};
}

const catalogue::BurnRateRule kPage1h = rule(H, 5 * MIN, 144'000);

// 24x7 service over [T0 - 1 d, T0 + 1 d), target 99.9 (budget 1000 millionths), down as given.
BudgetTimeline always(IntervalSet down, std::int64_t budget_e6 = 1'000) {
  return BudgetTimeline{{{T0 - 24 * H, T0 + 24 * H}}, std::move(down), {{T0 - 24 * H, budget_e6}}};
}

// The brute force: the definition evaluated at every millisecond instant with sliding sums.
RuleAlerts brute_force(const BudgetTimeline& b, const catalogue::BurnRateRule& r, Interval range) {
  const TimeMs lo = range.begin - r.long_ms;
  const auto n = static_cast<std::size_t>(range.end - lo);
  std::vector<char> svc(n, 0), dn(n, 0);
  for (const auto& iv : b.service)
    for (TimeMs t = std::max(iv.begin, lo); t < std::min(iv.end, range.end); ++t) svc[static_cast<std::size_t>(t - lo)] = 1;
  for (const auto& iv : b.counted_down)
    for (TimeMs t = std::max(iv.begin, lo); t < std::min(iv.end, range.end); ++t) dn[static_cast<std::size_t>(t - lo)] = 1;
  auto at = [&](const std::vector<char>& v, TimeMs t) { return static_cast<std::int64_t>(v[static_cast<std::size_t>(t - lo)]); };
  std::int64_t sl = 0, dl = 0, ss = 0, ds = 0;
  for (TimeMs t = range.begin - r.long_ms; t < range.begin; ++t) {
    sl += at(svc, t);
    dl += at(dn, t);
  }
  for (TimeMs t = range.begin - r.short_ms; t < range.begin; ++t) {
    ss += at(svc, t);
    ds += at(dn, t);
  }
  auto budget = [&](TimeMs t) {
    std::int64_t v = b.budget_e6.front().second;
    for (const auto& st : b.budget_e6)
      if (st.first <= t) v = st.second;
    return v;
  };
  RuleAlerts out;
  bool firing = false;
  for (TimeMs t = range.begin; t <= range.end; ++t) {
    if (t > range.begin) {  // slide from t - 1 to t
      sl += at(svc, t - 1) - at(svc, t - 1 - r.long_ms);
      dl += at(dn, t - 1) - at(dn, t - 1 - r.long_ms);
      ss += at(svc, t - 1) - at(svc, t - 1 - r.short_ms);
      ds += at(dn, t - 1) - at(dn, t - 1 - r.short_ms);
    }
    const __int128 k = static_cast<__int128>(r.factor.e4) * budget(t);
    auto hot = [&](std::int64_t s, std::int64_t d) {
      return s > 0 && d > 0 && static_cast<__int128>(d) * 10'000'000'000 >= k * s;
    };
    const bool hl = hot(sl, dl), hs = hot(ss, ds);
    const bool cold = (sl > 0 && !hl) || (ss > 0 && !hs);
    const bool next = t == range.begin ? (hl && hs) : firing ? !cold : (hl && hs);
    if (t == range.begin) out.firing_at_start = next;
    else if (next != firing) out.changes.push_back(AlertChange{t, next});
    firing = next;
  }
  out.firing_at_end = firing;
  return out;
}

}  // namespace

TEST_CASE("an outage of exactly 51.84 s reaches 14.4x over 1 h and fires at its end; 5 m resolves it at +347.521 s") {
  // 14.4 x 0.1 % = 1.44 %: 51.84 s of 1 h, 4.32 s of 5 m.
  const BudgetTimeline b = always({{T0, T0 + 51'840}});
  const RuleAlerts a = burn_rate_alerts(b, kPage1h, Interval{T0 - H, T0 + 2 * H});
  CHECK_FALSE(a.firing_at_start);
  REQUIRE(a.changes.size() == 2);
  CHECK(a.changes[0] == AlertChange{T0 + 51'840, true});
  // The 5 m window holds 4.32 s of the outage until T0 + 300 s + 47.52 s; one ms later it is below.
  CHECK(a.changes[1] == AlertChange{T0 + 347'521, false});
  CHECK_FALSE(a.firing_at_end);
  CHECK(a == brute_force(b, kPage1h, Interval{T0 - 10 * MIN, T0 + 10 * MIN}) );
}

TEST_CASE("an outage one millisecond shorter than 51.84 s never fires the 1 h / 5 m rule") {
  const BudgetTimeline b = always({{T0, T0 + 51'839}});
  const RuleAlerts a = burn_rate_alerts(b, kPage1h, Interval{T0 - H, T0 + 2 * H});
  CHECK(a.changes.empty());
  CHECK_FALSE(a.firing_at_end);
}

TEST_CASE("the default 6 h / 30 m rule at 6x fires after 129.6 s of downtime and the 3 d / 6 h at 1x after 259.2 s") {
  const BudgetTimeline b = always({{T0, T0 + 10 * MIN}});
  const RuleAlerts six = burn_rate_alerts(b, rule(6 * H, 30 * MIN, 60'000), Interval{T0, T0 + 2 * H});
  REQUIRE(six.changes.size() == 2);
  CHECK(six.changes[0] == AlertChange{T0 + 129'600, true});
  // 30 m window keeps >= 10.8 s of the outage until T0 + 10 m + 30 m - 10.8 s.
  CHECK(six.changes[1] == AlertChange{T0 + 40 * MIN - 10'800 + 1, false});
  const BudgetTimeline b3 = BudgetTimeline{{{T0 - 4 * 24 * H, T0 + 24 * H}}, {{T0, T0 + 10 * MIN}}, {{T0 - 4 * 24 * H, 1'000}}};
  const RuleAlerts one = burn_rate_alerts(b3, rule(72 * H, 6 * H, 10'000), Interval{T0, T0 + 12 * H});
  REQUIRE(one.changes.size() == 2);
  CHECK(one.changes[0] == AlertChange{T0 + 259'200, true});
  CHECK(one.changes[1] == AlertChange{T0 + 10 * MIN + 6 * H - 21'600 + 1, false});
}

TEST_CASE("an alert firing at the start of the span is reported as firing_at_start, not as a change") {
  const BudgetTimeline b = always({{T0 - 2 * MIN, T0 + 2 * MIN}});
  const RuleAlerts a = burn_rate_alerts(b, kPage1h, Interval{T0, T0 + H});
  CHECK(a.firing_at_start);
  REQUIRE(a.changes.size() == 1);
  CHECK_FALSE(a.changes[0].firing);
}

TEST_CASE("a window without service time has no burn rate: the alert keeps firing across it") {
  // Service 08:00-18:00 on two days; down the last minute of day 1 and the first of day 2.
  const TimeMs d1 = T0, d2 = T0 + 24 * H;
  BudgetTimeline b{{{d1 + 8 * H, d1 + 18 * H}, {d2 + 8 * H, d2 + 18 * H}},
                   {{d1 + 18 * H - MIN, d1 + 18 * H}, {d2 + 8 * H, d2 + 8 * H + MIN}},
                   {{d1, 1'000}}};
  const RuleAlerts a = burn_rate_alerts(b, kPage1h, Interval{d1 + 12 * H, d2 + 12 * H});
  REQUIRE(a.changes.size() == 2);
  CHECK(a.changes[0] == AlertChange{d1 + 18 * H - MIN + 51'840, true});
  // Overnight both windows are empty: still firing. Resolves once the 5 m window after 08:01 holds
  // less than 4.32 s of down: 08:05:55.681.
  CHECK(a.changes[1] == AlertChange{d2 + 8 * H + 5 * MIN + 55'681, false});
  CHECK(burn_rate_at(b, d2 + 3 * H, H) == std::nullopt);
  CHECK(*burn_rate_at(b, d1 + 18 * H, 5 * MIN) == doctest::Approx(200.0));  // 20 % / 0.1 %
}

TEST_CASE("with a zero budget (target 100) any counted-down millisecond fires, and none resolves it until the windows are clean") {
  const BudgetTimeline b = always({{T0, T0 + S}}, 0);
  const RuleAlerts a = burn_rate_alerts(b, kPage1h, Interval{T0 - MIN, T0 + 2 * H});
  REQUIRE(a.changes.size() == 2);
  CHECK(a.changes[0] == AlertChange{T0 + 1, true});
  CHECK(a.changes[1] == AlertChange{T0 + S + 5 * MIN, false});
}

TEST_CASE("property: the exact alerts equal a brute-force evaluation at every millisecond on random timelines") {
  std::mt19937_64 rng(20261207);
  const std::vector<std::int64_t> factors{10'000, 25'000, 60'000, 144'000};
  const std::vector<std::int64_t> budgets{1'000, 10'000, 50'000, 100'000};
  std::size_t transitions = 0;
  for (int trial = 0; trial < 24; ++trial) {
    const TimeMs from = T0, to = T0 + 40 * MIN;
    const catalogue::BurnRateRule r = rule(10 * MIN, (1 + static_cast<int>(rng() % 3)) * MIN, factors[rng() % factors.size()]);
    const TimeMs lo = from - r.long_ms;
    std::uniform_int_distribution<TimeMs> gap(1, 4 * MIN);
    std::uniform_real_distribution<double> u(0, 1);
    const double p_down = 0.02 + 0.3 * u(rng);
    std::vector<Interval> svc, dn;
    for (TimeMs t = lo; t < to;) {
      const TimeMs e = std::min(to, t + gap(rng));
      if (u(rng) < 0.75) {
        svc.push_back({t, e});
        // down inside service: a random sub-interval now and then
        for (TimeMs s = t; s < e;) {
          const TimeMs f = std::min(e, s + 1 + static_cast<TimeMs>(rng() % 40'000));
          if (u(rng) < p_down) dn.push_back({s, f});
          s = f;
        }
      }
      t = e;
    }
    BudgetTimeline b{normalize(svc), normalize(dn), {{lo, budgets[rng() % budgets.size()]}}};
    if (trial % 3 == 0) b.budget_e6.emplace_back(from + 20 * MIN + 1, budgets[rng() % budgets.size()]);
    const RuleAlerts exact = burn_rate_alerts(b, r, Interval{from, to});
    const RuleAlerts brute = brute_force(b, r, Interval{from, to});
    CAPTURE(trial);
    CHECK(exact == brute);
    transitions += brute.changes.size();
  }
  CHECK(transitions > 10);  // the timelines do exercise firing and resolving
}

}  // namespace slamon::engine::test
