// One SLA's burn-rate alerts from a catalogue and results: service hours, planned time and the
// unknown policy as the classification (semantics.md section 4) decides them, the rules in effect,
// and the forecast of the period's end.
#include "collector/engine/sla_alerts.h"

#include <doctest/doctest.h>

#include "tests/engine/engine_fixtures.h"

namespace slamon::engine::test {
namespace {

using catalogue::PlannedPolicy;
using catalogue::UnknownPolicy;

const TimeMs D0 = T("2026-03-02T00:00:00Z");  // Monday
constexpr TimeMs S = 1'000, MIN = 60'000, H = 3'600'000;

const catalogue::BurnRateRule kPage1h{H, 5 * MIN, Decimal4{144'000}, "page"};

// One CI "x" with one probe reporting every minute (stale after 1 min), a daily SLA at 99.9 on it.
catalogue::Catalogue single() {
  catalogue::Catalogue cat;
  cat.cis.push_back(make_ci("x", {make_probe("x.p", "x", 60'000, 1, 60'000)}));
  cat.slas.push_back(make_sla("sla", "x", "99.9"));
  cat.slas[0].burn_rate = std::vector<catalogue::BurnRateRule>{kPage1h};
  return cat;
}

catalogue::SlaTerms& terms(catalogue::Catalogue& cat) { return cat.slas[0].versions[0].terms; }

SlaAlerts alerts(const catalogue::Catalogue& cat, const std::vector<ProbeResult>& rs, TimeMs from, TimeMs to) {
  const auto data = build_all(cat, rs);
  Graph g(cat, {});
  NodeTimelines nodes(g, data);
  return compute_sla_alerts(nodes, cat.slas[0], from, to);
}

// Results every minute over [from, to): up, except down over [down_from, down_to).
std::vector<ProbeResult> with_outage(TimeMs from, TimeMs to, TimeMs down_from, TimeMs down_to) {
  std::vector<ProbeResult> rs;
  add_series(rs, "x.p", from, down_from, Status::up);
  add_series(rs, "x.p", down_from, down_to, Status::down);
  add_series(rs, "x.p", down_to, to, Status::up);
  return rs;
}

}  // namespace

TEST_CASE("an outage straddling the service hours fires in the evening, keeps firing overnight and resolves in the morning") {
  auto cat = single();
  terms(cat).hours.always = false;
  terms(cat).hours.windows.push_back(window(0x1f, 8 * 60, 18 * 60));  // mon-fri 08:00-18:00
  // down from 17:59 Monday to 08:01 Tuesday: 1 min counted on each side.
  const auto rs = with_outage(D0, D0 + 3 * 24 * H, D0 + 18 * H - MIN, D0 + 24 * H + 8 * H + MIN);
  const SlaAlerts a = alerts(cat, rs, D0 + 12 * H, D0 + 24 * H + 12 * H);
  REQUIRE(a.error.empty());
  REQUIRE(a.rules.size() == 1);
  const auto& ch = a.rules[0].alerts.changes;
  REQUIRE(ch.size() == 2);
  CHECK(ch[0] == AlertChange{D0 + 18 * H - MIN + 51'840, true});
  CHECK(ch[1] == AlertChange{D0 + 24 * H + 8 * H + 5 * MIN + 55'681, false});
}

TEST_CASE("planned time under planned: exclude does not burn the budget; under planned: ignore it does") {
  auto cat = single();
  cat.maintenance.push_back(one_off("m", {"x"}, D0 + 10 * H, D0 + 11 * H));
  const auto rs = with_outage(D0, D0 + 24 * H, D0 + 10 * H + 50 * MIN, D0 + 11 * H + 2 * MIN);
  SUBCASE("exclude: only the 2 minutes after the window count") {
    const SlaAlerts a = alerts(cat, rs, D0 + 9 * H, D0 + 13 * H);
    const auto& ch = a.rules[0].alerts.changes;
    REQUIRE(ch.size() == 2);
    CHECK(ch[0] == AlertChange{D0 + 11 * H + 51'840, true});
    CHECK(ch[1] == AlertChange{D0 + 11 * H + 2 * MIN + 5 * MIN - 4'320 + 1, false});
  }
  SUBCASE("ignore: the outage counts from 10:50") {
    terms(cat).planned = PlannedPolicy::ignore;
    const SlaAlerts a = alerts(cat, rs, D0 + 9 * H, D0 + 13 * H);
    const auto& ch = a.rules[0].alerts.changes;
    REQUIRE(ch.size() == 2);
    CHECK(ch[0] == AlertChange{D0 + 10 * H + 50 * MIN + 51'840, true});
    CHECK(ch[1] == AlertChange{D0 + 11 * H + 2 * MIN + 5 * MIN - 4'320 + 1, false});
  }
}

TEST_CASE("a monitoring gap burns the budget under unknown: down and not under unknown: exclude") {
  auto cat = single();
  std::vector<ProbeResult> rs;
  add_series(rs, "x.p", D0, D0 + 12 * H + MIN, Status::up);  // last result 12:00, unknown from 12:01
  add_series(rs, "x.p", D0 + 12 * H + 10 * MIN, D0 + 24 * H, Status::up);
  SUBCASE("exclude") {
    const SlaAlerts a = alerts(cat, rs, D0 + 6 * H, D0 + 18 * H);
    CHECK(a.rules[0].alerts.changes.empty());
  }
  SUBCASE("down") {
    terms(cat).unknown = UnknownPolicy::down;
    const SlaAlerts a = alerts(cat, rs, D0 + 6 * H, D0 + 18 * H);
    const auto& ch = a.rules[0].alerts.changes;
    REQUIRE(ch.size() == 2);
    CHECK(ch[0] == AlertChange{D0 + 12 * H + MIN + 51'840, true});
    CHECK(ch[1] == AlertChange{D0 + 12 * H + 10 * MIN + 5 * MIN - 4'320 + 1, false});
  }
}

TEST_CASE("without burn_rate the three default rules apply; burn_rate: [] has none") {
  auto cat = single();
  cat.slas[0].burn_rate.reset();
  const auto rs = with_outage(D0 - 4 * 24 * H, D0 + 24 * H, D0 + 12 * H, D0 + 12 * H + 10 * MIN);
  const SlaAlerts a = alerts(cat, rs, D0, D0 + 24 * H);
  REQUIRE(a.rules.size() == 3);
  CHECK(a.rules[0].alerts.changes.at(0) == AlertChange{D0 + 12 * H + 51'840, true});
  CHECK(a.rules[1].alerts.changes.at(0) == AlertChange{D0 + 12 * H + 129'600, true});
  CHECK(a.rules[2].alerts.changes.at(0) == AlertChange{D0 + 12 * H + 259'200, true});
  cat.slas[0].burn_rate = std::vector<catalogue::BurnRateRule>{};
  CHECK(alerts(cat, rs, D0, D0 + 24 * H).rules.empty());
}

TEST_CASE("forecast: the long window's share of downtime projected over the rest of the period") {
  auto cat = single();
  // Daily SLA at 99.9; at 12:00, 6 min down in the last hour (11:00-11:06) and nothing before.
  const auto rs = with_outage(D0 - H, D0 + 24 * H, D0 + 11 * H, D0 + 11 * H + 6 * MIN);
  const SlaAlerts a = alerts(cat, rs, D0 + 6 * H, D0 + 12 * H);
  REQUIRE(a.forecast);
  const Forecast& f = *a.forecast;
  CHECK(f.period.label == "2026-03-02");
  CHECK(f.basis == "long window of the first rule");
  CHECK(f.down_ms == 6 * MIN);
  CHECK(f.remaining_ms == 12 * H);
  CHECK(*f.burn_rate == doctest::Approx(100.0));  // 10 % of the hour / 0.1 %
  // 6 min + 10 % of 12 h = 78 min down of 24 h.
  CHECK(*f.projected_availability == doctest::Approx(100.0 * (1.0 - 78.0 / 1440.0)));
  CHECK(*f.will_meet == false);
  CHECK(a.rules[0].long_rate_at_end == f.burn_rate);
}

TEST_CASE("forecast: a quiet last hour projects no more downtime and the SLA is met; without rules the period so far is the basis") {
  auto cat = single();
  const auto rs = with_outage(D0 - H, D0 + 24 * H, D0 + 2 * H, D0 + 2 * H + 30 * S);
  const SlaAlerts a = alerts(cat, rs, D0 + 6 * H, D0 + 12 * H);
  REQUIRE(a.forecast);
  CHECK(*a.forecast->burn_rate == 0.0);
  CHECK(*a.forecast->projected_availability == doctest::Approx(100.0 * (1.0 - 30.0 / 86400.0)));
  CHECK(*a.forecast->will_meet);
  cat.slas[0].burn_rate = std::vector<catalogue::BurnRateRule>{};
  const SlaAlerts b = alerts(cat, rs, D0 + 6 * H, D0 + 12 * H);
  CHECK(b.forecast->basis == "period so far");
  CHECK(*b.forecast->burn_rate == doctest::Approx(30.0 / (12 * 3600.0) / 0.001));
  CHECK(*b.forecast->projected_availability == doctest::Approx(100.0 * (1.0 - 60.0 / 86400.0)));
}

}  // namespace slamon::engine::test
