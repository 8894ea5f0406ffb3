// The worked example of semantics.md section 8, figure by figure.
#include <doctest/doctest.h>

#include "tests/engine/engine_fixtures.h"

namespace slamon::engine::test {
namespace {

catalogue::Catalogue worked_catalogue() {
  catalogue::Catalogue cat;
  cat.cis.push_back(make_ci("web", {make_probe("web.http", "web")}));
  cat.cis.push_back(make_ci("db", {make_probe("db.tcp", "db")}));
  cat.services.push_back(make_service("shop", {{"web", 1, {}}, {"db", 1, {}}}, rule_all()));
  cat.maintenance.push_back(
      one_off("db-window", {"db"}, T("2026-03-01T02:00:00Z"), T("2026-03-01T03:00:00Z")));
  cat.slas.push_back(make_sla("shop-24x7", "shop", "99.0"));
  return cat;
}

std::vector<ProbeResult> worked_results() {
  std::vector<ProbeResult> rs;
  const TimeMs day = T("2026-03-01T00:00:00Z");
  for (int m = 0; m < 1440; ++m) {
    const TimeMs t = day + m * kMin;
    Status web = (m >= 600 && m < 610) ? Status::down : Status::up;
    rs.push_back({"web.http", t, web, 10.0, "", "", {}});
    if (m >= 1200 && m < 1220) continue;  // db.tcp silent 20:00..20:19
    Status db = (m >= 130 && m < 150) ? Status::down : Status::up;
    rs.push_back({"db.tcp", t, db, 5.0, "", "", {}});
  }
  return rs;
}

}  // namespace

TEST_CASE("worked example of semantics.md section 8") {
  const auto cat = worked_catalogue();
  const Report r = report_for(cat, worked_results(), "shop-24x7", "2026-03-01");
  CHECK(r.service_time_ms == 86'400'000);
  CHECK(r.planned_ms == 1'200'000);
  CHECK(r.unknown_ms == 1'080'000);
  CHECK(r.unmonitored_ms == 1'080'000);
  CHECK(r.down_ms == 600'000);
  CHECK(r.up_ms == 83'520'000);
  CHECK(r.degraded_ms == 0);
  REQUIRE(r.availability);
  CHECK(*r.availability == doctest::Approx(100.0 * 83520 / 84120).epsilon(1e-12));
  REQUIRE(r.coverage);
  CHECK(*r.coverage == doctest::Approx(100.0 * 84120 / 85200).epsilon(1e-12));
  REQUIRE(r.outages.size() == 1);
  CHECK(r.outages[0].start == T("2026-03-01T10:00:00Z"));
  CHECK(r.outages[0].end == T("2026-03-01T10:10:00Z"));
  CHECK(r.outages[0].down_ms == 600'000);
  CHECK_FALSE(r.outages[0].continues_before);
  CHECK_FALSE(r.outages[0].continues_after);
  CHECK(r.outages[0].causes == std::vector<std::string>{"web"});
  CHECK(r.outage_count == 1);
  REQUIRE(r.mtrs_s);
  CHECK(*r.mtrs_s == 600.0);
  CHECK(*r.mtbf_s == 83520.0);
  CHECK(*r.mtbsi_s == 84120.0);
  CHECK(r.longest_outage_ms == 600'000);
  REQUIRE(r.by_cause_s.size() == 1);
  CHECK(r.by_cause_s[0].first == "web");
  CHECK(r.by_cause_s[0].second == 600.0);
  CHECK(r.unattributed_s == 0.0);
  CHECK(r.error_budget_s == doctest::Approx(841.2));
  CHECK(r.error_budget_remaining_s == doctest::Approx(241.2));
  REQUIRE(r.met);
  CHECK(*r.met);
  CHECK(r.complete);
  CHECK(r.as_of == T("2026-03-02T00:00:00Z"));
}

}  // namespace slamon::engine::test
