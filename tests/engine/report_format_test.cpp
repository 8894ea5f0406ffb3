// Report presentation: the JSON object's keys and order, text, CSV and a self-contained HTML page.
#include "collector/engine/report_format.h"

#include "collector/engine/report_figures.h"

#include <doctest/doctest.h>
#include <simdjson.h>

#include "tests/engine/engine_fixtures.h"

namespace slamon::engine::test {
namespace {

Report sample() {
  catalogue::Catalogue cat;
  cat.cis.push_back(make_ci("db-01", {make_probe("db-01.tcp", "db-01")}));
  cat.cis.push_back(make_ci("db-02", {make_probe("db-02.tcp", "db-02")}));
  cat.services.push_back(make_service("payroll", {{"db-01", 1, {}}, {"db-02", 1, {}}}, rule_any()));
  cat.slas.push_back(make_sla("payroll-gold", "payroll", "99.5", catalogue::PeriodKind::month, "Asia/Shanghai"));
  cat.slas[0].versions[0].terms.response_time =
      catalogue::ResponseTimeObjective{"db-01.tcp", *parse_decimal4("95"), 500};
  std::vector<ProbeResult> rs;
  const TimeMs s = T("2026-09-30T16:00:00Z"), e = T("2026-10-31T16:00:00Z");
  const TimeMs o1 = T("2026-10-14T02:00:00Z"), o2 = T("2026-10-14T02:20:00Z");
  for (TimeMs t = s; t < e; t += kMin) {
    const Status st = t >= o1 && t < o2 ? Status::down : Status::up;
    rs.push_back({"db-01.tcp", t, st, 10.0, "", "", {}});
    rs.push_back({"db-02.tcp", t, st, std::nullopt, "", "", {}});
  }
  return report_for(cat, rs, "payroll-gold", "2026-10");
}

}  // namespace

TEST_CASE("JSON: keys in the order of interchange.md's example, values as numbers") {
  const Report r = sample();
  const std::string json = report_to_json(r);
  const char* keys[] = {"\"sla\"", "\"service\"", "\"period\"", "\"label\"", "\"start\"", "\"end\"", "\"as_of\"",
                        "\"complete\"", "\"target\"", "\"service_time_s\"", "\"planned_s\"", "\"unknown_s\"",
                        "\"unmonitored_s\"", "\"up_s\"", "\"down_s\"", "\"degraded_s\"", "\"availability\"",
                        "\"coverage\"", "\"error_budget_s\"", "\"error_budget_remaining_s\"", "\"outage_count\"",
                        "\"longest_outage_s\"", "\"mtrs_s\"", "\"mtbf_s\"", "\"mtbsi_s\"", "\"outages\"",
                        "\"by_cause\"", "\"unattributed_s\"", "\"response_time\"", "\"met\""};
  std::size_t pos = 0;
  for (const char* k : keys) {
    const auto at = json.find(k, pos);
    CHECK_MESSAGE(at != std::string::npos, k);
    if (at != std::string::npos) pos = at;
  }
  simdjson::dom::parser p;
  simdjson::dom::element doc = p.parse(json);
  CHECK(std::string_view(doc["sla"]) == "payroll-gold");
  CHECK(std::string_view(doc["period"]["start"]) == "2026-09-30T16:00:00Z");
  CHECK(std::string_view(doc["period"]["end"]) == "2026-10-31T16:00:00Z");
  CHECK(double(doc["target"]) == 99.5);
  CHECK(double(doc["down_s"]) == 1200.0);
  CHECK(double(doc["service_time_s"]) == 2678400.0);
  CHECK(bool(doc["complete"]));
  CHECK(int64_t(doc["outage_count"]) == 1);
  simdjson::dom::array outages = doc["outages"];
  CHECK(outages.size() == 1);
  CHECK(std::string_view(doc["outages"].at(0)["start"]) == "2026-10-14T02:00:00Z");
  CHECK(double(doc["by_cause"]["db-01"]) == 600.0);
  CHECK(double(doc["by_cause"]["db-02"]) == 600.0);
  CHECK(double(doc["response_time"]["value_ms"]) == 10.0);
  CHECK(double(doc["response_time"]["under_ms"]) == 500.0);
  CHECK(bool(doc["met"]));
  CHECK(json.find("\"service_time_s\":2678400.0") != std::string::npos);
  CHECK(json.find("\"percentile\":95") != std::string::npos);
  // An array of reports.
  simdjson::dom::parser p2;
  simdjson::dom::array arr = p2.parse(reports_to_json({r, r}));
  CHECK(arr.size() == 2);
}

TEST_CASE("null figures are JSON null") {
  Report r = sample();
  r.availability.reset();
  r.met.reset();
  r.mtrs_s.reset();
  const std::string json = report_to_json(r);
  CHECK(json.find("\"availability\":null") != std::string::npos);
  CHECK(json.find("\"met\":null") != std::string::npos);
  CHECK(json.find("\"mtrs_s\":null") != std::string::npos);
}

TEST_CASE("text: header, figures, outage table with local times, verdict, KPI") {
  const Report r = sample();
  const std::string t = report_to_text(r);
  CHECK(t.find("payroll-gold") != std::string::npos);
  CHECK(t.find("2026-10-14 10:00:00 CST") != std::string::npos);  // 02:00Z in Asia/Shanghai
  CHECK(t.find("db-01, db-02") != std::string::npos);
  CHECK(t.find("Verdict: MET") != std::string::npos);
  const std::string many = reports_to_text({r, r}, true);
  CHECK(many.find("SLA attainment: 100.00 %") != std::string::npos);
  const std::string trend = trend_to_text({r, r});
  CHECK(trend.find("2026-10") != std::string::npos);
}

TEST_CASE("CSV and HTML") {
  const Report r = sample();
  const std::string csv = reports_to_csv({r});
  CHECK(csv.rfind("sla,service,period,", 0) == 0);
  CHECK(csv.find("payroll-gold,payroll,2026-10,") != std::string::npos);
  CHECK(csv.find("db-01 db-02") != std::string::npos);
  const std::string html = reports_to_html({r}, true);
  CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK(html.find("http") == std::string::npos);  // no external resources
  CHECK(html.find("<script") == std::string::npos);
  CHECK(html.find("class=\"seg down\"") != std::string::npos);  // the outage's day has a counted-down part
  CHECK(html.find("2026-10-14") != std::string::npos);
  // One bar per local day of the period.
  std::size_t bars = 0;
  for (auto p = html.find("class=\"bar"); p != std::string::npos; p = html.find("class=\"bar", p + 1)) ++bars;
  CHECK(bars == 31 + 31 + 1);  // barcell + bar per day, and the legend's "no service time"
}

TEST_CASE("HTML day bar: up, counted down, planned and unmonitored time as proportional segments") {
  Report r = sample();
  REQUIRE(r.days.size() == 31);
  // A day 99.9 % unmonitored (unknown excluded) is drawn mostly grey, never as a green day.
  DayFigure& grey = r.days[2];
  grey.service_ms = 86'400'000;
  grey.unknown_ms = 86'313'600;
  grey.up_ms = 86'400;
  grey.down_ms = grey.planned_ms = 0;
  // A day with a quarter planned and an eighth counted down.
  DayFigure& mixed = r.days[3];
  mixed.service_ms = 86'400'000;
  mixed.planned_ms = 21'600'000;
  mixed.down_ms = 10'800'000;
  mixed.unknown_ms = 0;
  mixed.up_ms = 54'000'000;
  // A day without service time: an empty bar.
  DayFigure& off = r.days[4];
  off.service_ms = off.up_ms = off.down_ms = off.planned_ms = off.unknown_ms = 0;
  const std::string html = reports_to_html({r}, false);
  auto row_of = [&](const std::string& day) {
    const auto a = html.find("<tr><th>" + day + "</th>");
    REQUIRE(a != std::string::npos);
    return html.substr(a, html.find("</tr>", a) - a);
  };
  const std::string g = row_of("2026-10-03");
  CHECK(g.find("class=\"seg unmon\" style=\"width:99.900%\" title=\"unmonitored 23.98 h\"") != std::string::npos);
  CHECK(g.find("class=\"seg up\" style=\"width:0.100%\"") != std::string::npos);
  CHECK(g.find("seg down") == std::string::npos);
  const std::string m = row_of("2026-10-04");
  CHECK(m.find("class=\"seg up\" style=\"width:62.500%\"") != std::string::npos);
  CHECK(m.find("class=\"seg down\" style=\"width:12.500%\" title=\"counted down 3.00 h\"") != std::string::npos);
  CHECK(m.find("class=\"seg planned\" style=\"width:25.000%\" title=\"planned 6.00 h\"") != std::string::npos);
  const std::string o = row_of("2026-10-05");
  CHECK(o.find("class=\"bar off\"></div>") != std::string::npos);
  CHECK(o.find("no service time") != std::string::npos);
  // The outage's day: its down segment's title names the outage in local time.
  const std::string x = row_of("2026-10-14");
  CHECK(x.find("counted down 0.33 h; outages: 10:00-10:20") != std::string::npos);
}

TEST_CASE("text and HTML show the same figures") {
  const Report r = sample();
  const auto figures = report_figures(r);
  REQUIRE(figures.size() == 17);  // 16 figures and the response-time objective of this SLA
  CHECK(figures[0] == FigureRow{"Agreed service time", "2678400 s (31d)"});
  CHECK(figures[5] == FigureRow{"Down", "1200 s (20m)"});
  CHECK(figures[16].label == "Response time");
  const std::string text = report_to_text(r), html = reports_to_html({r}, false);
  for (const auto& f : figures) {
    CAPTURE(f.label);
    CHECK(text.find(f.label) != std::string::npos);
    CHECK(text.find(f.value) != std::string::npos);
    CHECK(html.find("<tr><th>" + f.label + "</th><td>" + f.value + "</td></tr>") != std::string::npos);
  }
}

TEST_CASE("attainment KPI") {
  Report a = sample(), b = sample(), c = sample();
  b.met = false;
  c.met.reset();
  CHECK(*attainment_percent({a, b, c}) == 50.0);
  CHECK_FALSE(attainment_percent({c}));
}

}  // namespace slamon::engine::test
