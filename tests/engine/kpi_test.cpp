// Tests for collector/engine/kpi.h: every period of every SLA inside the span counts (a monthly SLA gives
// twelve to a year, in its own timezone), committed = periods with a verdict, groups by SLA, service,
// owner and provider, and the missed periods with their reasons and the agreements missed with them.
#include "collector/engine/kpi.h"

// g++ 12 warns falsely (-Wmaybe-uninitialized) inside the catalogue model's constructors here.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include <algorithm>
#include <doctest/doctest.h>

#include "tests/engine/engine_fixtures.h"

using namespace slamon;
using namespace slamon::engine;
using namespace slamon::engine::test;

namespace {

LocalDate day(int y, unsigned m, unsigned d) {
  return LocalDate{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}};
}

}  // namespace

TEST_CASE("a year holds twelve periods of a monthly SLA and 365 of a daily one; only those with a verdict count") {
  catalogue::Catalogue cat;
  cat.cis.push_back(make_ci("web", {}));
  cat.cis.back().probes.push_back(make_probe("web.http", "web"));
  cat.cis.back().owner = "web-team";
  cat.slas.push_back(make_sla("m", "web", "99.0", catalogue::PeriodKind::month, "Asia/Shanghai"));
  cat.slas.push_back(make_sla("d", "web", "99.9", catalogue::PeriodKind::day));
  catalogue::Agreement a;
  a.id = "web-uc";
  a.provider = "Example Telecom";
  a.covers = "web";
  a.period = catalogue::PeriodKind::day;
  a.terms.target = *parse_decimal4("99.0");
  cat.agreements.push_back(a);
  // Results on 2026-03-01 and 03-02 only (UTC): up, then down 30 minutes on 03-02.
  std::vector<ProbeResult> results;
  const TimeMs d1 = T("2026-03-01T00:00:00Z");
  add_series(results, "web.http", d1, d1 + 1440 * kMin + 600 * kMin, Status::up);
  add_series(results, "web.http", d1 + 1440 * kMin + 600 * kMin, d1 + 1440 * kMin + 630 * kMin, Status::down);
  add_series(results, "web.http", d1 + 1440 * kMin + 630 * kMin, d1 + 2880 * kMin, Status::up);
  const auto data = build_all(cat, results);
  Graph g(cat, {});
  NodeTimelines nodes(g, data);
  const Kpi k = compute_kpi(nodes, data, cat, day(2026, 1, 1), day(2027, 1, 1), std::nullopt);
  REQUIRE(k.error.empty());
  REQUIRE(k.by_sla.size() == 2);
  CHECK(k.by_sla[0].key == "d");
  CHECK(k.by_sla[0].periods == 365);
  CHECK(k.by_sla[1].key == "m");
  CHECK(k.by_sla[1].periods == 12);
  // Committed: the days with a base (03-01, 03-02, and 03-03, up to its staleness at 00:02) and March
  // (30 min down over two monitored days: under 99 %); 03-02 missed.
  CHECK(k.by_sla[0].committed == 3);
  CHECK(k.by_sla[0].met == 2);
  CHECK(k.by_sla[1].committed == 1);
  CHECK(k.by_sla[1].met == 0);
  CHECK(k.total.committed == 4);
  REQUIRE(k.missed.size() == 2);
  CHECK(k.missed[0].sla == "m");  // catalogue order
  CHECK(k.missed[0].period == "2026-03");
  CHECK(k.missed[1].sla == "d");
  CHECK(k.missed[1].period == "2026-03-02");
  CHECK(k.missed[1].reasons == std::vector<std::string>{"availability"});
  CHECK(k.missed[1].agreements_missed == std::vector<std::string>{"web-uc"});  // 30 min down: under 99 % too
  REQUIRE(k.by_owner.size() == 1);
  CHECK(k.by_owner[0].key == "web-team");
  REQUIRE(k.by_provider.size() == 1);
  CHECK(k.by_provider[0].key == "Example Telecom");
  CHECK(*k.total.percent == doctest::Approx(50.0));

  // Cut inside 03-02 (12:00 UTC): March and 03-02 are still running and are not judged (their verdict
  // so far is no verdict), the days after it are left out, 03-01 counts.
  const Kpi cut = compute_kpi(nodes, data, cat, day(2026, 1, 1), day(2027, 1, 1), T("2026-03-02T12:00:00Z"));
  REQUIRE(cut.by_sla.size() == 2);
  CHECK(cut.by_sla[0].committed == 1);
  CHECK(cut.by_sla[0].met == 1);
  CHECK(cut.by_sla[1].committed == 0);
  CHECK(cut.missed.empty());
  const auto running = std::count_if(cut.left_out.begin(), cut.left_out.end(), [](const std::string& l) {
    return l.find("not judged before it ends") != std::string::npos;
  });
  CHECK(running == 2);  // 2026-03 of m and 2026-03-02 of d
  CHECK(kpi_to_json(cut).find("\"as_of\":\"2026-03-02T12:00:00Z\"") != std::string::npos);

  // A span shorter than a month holds no monthly period.
  const Kpi k2 = compute_kpi(nodes, data, cat, day(2026, 3, 1), day(2026, 3, 3), std::nullopt);
  REQUIRE(k2.by_sla.size() == 1);
  CHECK(k2.by_sla[0].key == "d");
  CHECK(compute_kpi(nodes, data, cat, day(2026, 3, 3), day(2026, 3, 1), std::nullopt).error.find("empty") !=
        std::string::npos);
}
