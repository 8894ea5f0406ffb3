// Which reports a request yields: one SLA, every SLA of the label's kind, the last N periods.
#include "collector/engine/report_set.h"

#include <doctest/doctest.h>

#include "tests/engine/engine_fixtures.h"

namespace slamon::engine::test {
namespace {
using namespace std::chrono;

struct World {
  catalogue::Catalogue cat;
  ProbeDataMap data;
  ReportSet run(ReportRequest req) {
    Graph g(cat, {});
    NodeTimelines nodes(g, data);
    return run_reports(nodes, data, cat, req);
  }
};

World world() {
  World w;
  w.cat.cis.push_back(make_ci("x", {make_probe("x.p", "x")}));
  w.cat.slas.push_back(make_sla("daily", "x", "99"));
  w.cat.slas.push_back(make_sla("monthly", "x", "99", catalogue::PeriodKind::month));
  w.cat.slas.push_back(make_sla("daily-late", "x", "99"));
  w.cat.slas.back().versions[0].effective_from = 2026y / 3 / 3;
  w.cat.slas.push_back(make_sla("daily-berlin", "x", "99.9", catalogue::PeriodKind::day, "Europe/Berlin"));
  std::vector<ProbeResult> rs;
  add_series(rs, "x.p", T("2026-03-01T00:00:00Z"), T("2026-03-04T00:00:00Z"), Status::up);
  w.data = build_all(w.cat, rs);
  return w;
}
}  // namespace

TEST_CASE("without an SLA: every SLA of the label's kind in catalogue order; the others left out") {
  World w = world();
  ReportRequest req;
  req.label = "2026-03-02";
  const auto set = w.run(req);
  CHECK(set.error.empty());
  REQUIRE(set.reports.size() == 2);
  CHECK(set.reports[0].sla == "daily");
  CHECK(set.reports[1].sla == "daily-berlin");
  CHECK(set.reports[1].period.start == T("2026-03-01T23:00:00Z"));
  REQUIRE(set.left_out.size() == 2);
  CHECK(set.left_out[0].find("monthly") != std::string::npos);
  CHECK(set.left_out[1].find("daily-late") != std::string::npos);
}

TEST_CASE("with an SLA: a period before its first version, an unknown SLA, a wrong kind are errors") {
  World w = world();
  ReportRequest req;
  req.sla = "daily-late";
  req.label = "2026-03-02";
  CHECK_FALSE(w.run(req).error.empty());
  req.label = "2026-03-03";
  CHECK(w.run(req).reports.size() == 1);
  req.sla = "nope";
  CHECK(w.run(req).error.find("unknown SLA") != std::string::npos);
  req.sla = "monthly";
  CHECK_FALSE(w.run(req).error.empty());
  req.label = "2026-3";
  CHECK(w.run(req).error.find("invalid period label") != std::string::npos);
}

TEST_CASE("trend: the last N periods oldest first; earlier periods before the first version left out") {
  World w = world();
  ReportRequest req;
  req.sla = "daily";
  req.label = "2026-03-03";
  req.trend = 3;
  auto set = w.run(req);
  REQUIRE(set.reports.size() == 3);
  CHECK(set.reports[0].period.label == "2026-03-01");
  CHECK(set.reports[2].period.label == "2026-03-03");
  req.sla = "daily-late";
  set = w.run(req);
  REQUIRE(set.reports.size() == 1);
  CHECK(set.left_out.size() == 2);
  req.sla.reset();
  CHECK(w.run(req).error == "--trend needs --sla");
}

}  // namespace slamon::engine::test
