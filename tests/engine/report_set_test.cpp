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

namespace slamon::engine::test {

TEST_CASE("periods whose bounds leave the years 0001-9999 are invalid: --period, --trend going past, --as-of") {
  World w = world();
  w.cat.slas.push_back(make_sla("daily-la", "x", "99", catalogue::PeriodKind::day, "America/Los_Angeles"));
  auto run = [&](const char* sla, const char* label, int trend = 0, std::optional<TimeMs> as_of = std::nullopt) {
    ReportRequest req;
    req.sla = sla;
    req.label = label;
    req.trend = trend;
    req.as_of = as_of;
    return w.run(req);
  };
  // The last and first days that can be written, in UTC.
  auto last = run("daily", "9999-12-30");
  REQUIRE(last.reports.size() == 1);
  CHECK(last.reports[0].period.end == T("9999-12-31T00:00:00Z"));
  CHECK(run("daily", "9999-12-31").error.find("outside the years 0001-9999") != std::string::npos);  // ends in 10000
  CHECK(run("monthly", "9999-12").reports.empty());
  CHECK(run("monthly", "9999-11").reports.size() == 1);
  CHECK(run("daily", "0000-12-31").reports.empty());
  CHECK(run("daily", "0001-01-01").reports.size() == 1);
  // Through a timezone: 9999-12-30 in Los Angeles ends at 9999-12-31T08:00:00Z, the 31st in 10000;
  // 0001-01-01 in Berlin (LMT +00:53:28) starts in the year 0000.
  CHECK(run("daily-la", "9999-12-30").reports.size() == 1);
  CHECK_FALSE(run("daily-la", "9999-12-31").error.empty());
  CHECK_FALSE(run("daily-berlin", "0001-01-01").error.empty());
  CHECK(run("daily-berlin", "0001-01-02").reports.size() == 1);
  // --trend may reach the first day, not before it.
  CHECK(run("daily", "0001-01-02", 2).reports.size() == 2);
  const auto past = run("daily", "0001-01-02", 3);
  CHECK(past.reports.empty());
  CHECK(past.error.find("--trend 3") != std::string::npos);
  // --as-of outside the writable years.
  CHECK(run("daily", "2026-03-02", 0, kFirstWritableMs - 1).error.find("--as-of") != std::string::npos);
  CHECK(run("daily", "2026-03-02", 0, kLastWritableMs + 1).error.find("--as-of") != std::string::npos);
  CHECK(run("daily", "2026-03-02", 0, T("2026-03-02T12:00:00Z")).reports.size() == 1);
  // Without an SLA: the SLA whose period cannot be written is left out, with the reason.
  ReportRequest all;
  all.label = "0001-01-01";
  const auto set = w.run(all);
  bool berlin_left_out = false;
  for (const auto& l : set.left_out) berlin_left_out |= l.find("daily-berlin") != std::string::npos &&
                                                        l.find("0001-9999") != std::string::npos;
  CHECK(berlin_left_out);
  for (const auto& r : set.reports) CHECK(r.sla != "daily-berlin");
}

TEST_CASE("compute_report refuses a period it cannot write") {
  World w = world();
  Graph g(w.cat, {});
  NodeTimelines nodes(g, w.data);
  const Period p = period_from_label(*parse_period_label("9999-12-31"), find_zone("UTC"));
  const auto o = compute_report(nodes, w.data, w.cat.slas[0], p, std::nullopt);
  CHECK_FALSE(o.report);
  CHECK(o.error.find("0001-9999") != std::string::npos);
}

}  // namespace slamon::engine::test
