// SLA reports (semantics.md sections 4, 6, 7): classification under each policy, outages and their
// consequences, causes and by_cause, as_of cuts, period boundaries, verdict, response time, versions.
#include "collector/engine/sla_report.h"

#include <doctest/doctest.h>
#include <pthread.h>

#include "tests/engine/engine_fixtures.h"

namespace slamon::engine::test {
namespace {

using catalogue::DegradedPolicy;
using catalogue::PlannedPolicy;
using catalogue::UnknownPolicy;
using namespace std::chrono;

const TimeMs D0 = T("2026-03-02T00:00:00Z");  // Monday
constexpr TimeMs H = 3'600'000;
constexpr TimeMs MIN = 60'000;

struct Seg {
  TimeMs from, to;
  Status s;
};

void segs(std::vector<ProbeResult>& rs, const std::string& probe, std::initializer_list<Seg> ss) {
  for (const auto& s : ss) add_series(rs, probe, s.from, s.to, s.s);
}

catalogue::ServiceHours window_hours(int a, int b, std::uint8_t days = 0x7f) {
  catalogue::ServiceHours h;
  h.always = false;
  h.windows.push_back({days, a, b});
  return h;
}

// One CI "x" with one probe (stale after 1 min), an SLA "sla" on it.
catalogue::Catalogue single(const char* target = "99.0") {
  catalogue::Catalogue cat;
  cat.cis.push_back(make_ci("x", {make_probe("x.p", "x", 60'000, 1, 60'000)}));
  cat.slas.push_back(make_sla("sla", "x", target));
  return cat;
}

catalogue::SlaTerms& terms(catalogue::Catalogue& cat) { return cat.slas[0].versions[0].terms; }

std::vector<ProbeResult> policy_results() {
  std::vector<ProbeResult> rs;
  // up [0,1h), degraded [1h,2h), down [2h,3h), silent [3h,4h) (unknown from 3h), up [4h,6h).
  segs(rs, "x.p", {{D0, D0 + 1 * H, Status::up}, {D0 + 1 * H, D0 + 2 * H, Status::degraded},
                   {D0 + 2 * H, D0 + 3 * H, Status::down}, {D0 + 4 * H, D0 + 6 * H, Status::up}});
  return rs;
}

}  // namespace

TEST_CASE("classification under the default policies") {
  auto cat = single();
  terms(cat).hours = window_hours(0, 360);
  const Report r = report_for(cat, policy_results(), "sla", "2026-03-02");
  CHECK(r.service_time_ms == 6 * H);
  CHECK(r.up_ms == 4 * H);
  CHECK(r.degraded_ms == 1 * H);
  CHECK(r.down_ms == 1 * H);
  CHECK(r.unknown_ms == 1 * H);
  CHECK(r.unmonitored_ms == 1 * H);
  CHECK(r.planned_ms == 0);
  CHECK(*r.availability == doctest::Approx(80.0));
  CHECK(*r.coverage == doctest::Approx(100.0 * 5 / 6));
  CHECK(r.up_ms + r.down_ms + r.planned_ms + r.unknown_ms == r.service_time_ms);
}

TEST_CASE("degraded: down counts degraded time as down (and still reports it as degraded)") {
  auto cat = single();
  terms(cat).hours = window_hours(0, 360);
  terms(cat).degraded = DegradedPolicy::down;
  const Report r = report_for(cat, policy_results(), "sla", "2026-03-02");
  CHECK(r.up_ms == 3 * H);
  CHECK(r.down_ms == 2 * H);
  CHECK(r.degraded_ms == 1 * H);
  // degraded then down is one stretch without an available instant: one outage of 2 h.
  REQUIRE(r.outages.size() == 1);
  CHECK(r.outages[0].down_ms == 2 * H);
}

TEST_CASE("unknown: up and unknown: down put the unmonitored time into the base") {
  auto cat = single();
  terms(cat).hours = window_hours(0, 360);
  terms(cat).unknown = UnknownPolicy::up;
  Report r = report_for(cat, policy_results(), "sla", "2026-03-02");
  CHECK(r.up_ms == 5 * H);
  CHECK(r.unknown_ms == 0);
  CHECK(r.unmonitored_ms == 1 * H);  // whatever the policy
  CHECK(*r.coverage == doctest::Approx(100.0 * 5 / 6));
  REQUIRE(r.outages.size() == 1);
  CHECK(r.outages[0].down_ms == 1 * H);
  terms(cat).unknown = UnknownPolicy::down;
  r = report_for(cat, policy_results(), "sla", "2026-03-02");
  CHECK(r.up_ms == 4 * H);
  CHECK(r.down_ms == 2 * H);
  CHECK(r.unknown_ms == 0);
  REQUIRE(r.outages.size() == 1);  // down then unknown: one stretch
  CHECK(r.outages[0].start == D0 + 2 * H);
  CHECK(r.outages[0].end == D0 + 4 * H);
}

TEST_CASE("planned: exclude removes planned time; planned: ignore counts it by status") {
  auto cat = single();
  terms(cat).hours = window_hours(0, 360);
  cat.maintenance.push_back(one_off("m", {"x"}, D0 + 2 * H + 30 * MIN, D0 + 4 * H + 30 * MIN));
  Report r = report_for(cat, policy_results(), "sla", "2026-03-02");
  CHECK(r.planned_ms == 2 * H);
  CHECK(r.down_ms == 30 * MIN);
  CHECK(r.unknown_ms == 0);
  CHECK(r.unmonitored_ms == 0);  // the unknown hour is classed planned
  CHECK(r.up_ms == 3 * H + 30 * MIN);
  CHECK(*r.coverage == 100.0);
  terms(cat).planned = PlannedPolicy::ignore;
  r = report_for(cat, policy_results(), "sla", "2026-03-02");
  CHECK(r.planned_ms == 0);
  CHECK(r.down_ms == 1 * H);
  CHECK(r.unknown_ms == 1 * H);
}

TEST_CASE("no base: availability, coverage-free figures and verdict are null") {
  auto cat = single();
  const Report r = report_for(cat, {}, "sla", "2026-03-02");
  CHECK(r.service_time_ms == 24 * H);
  CHECK(r.unknown_ms == 24 * H);
  CHECK_FALSE(r.availability);
  CHECK(*r.coverage == 0.0);
  CHECK_FALSE(r.met);
  CHECK_FALSE(r.mtrs_s);
  CHECK(r.longest_outage_ms == 0);
  // Everything planned: coverage null too.
  cat.maintenance.push_back(one_off("m", {"x"}, D0 - H, D0 + 25 * H));
  const Report p = report_for(cat, {}, "sla", "2026-03-02");
  CHECK_FALSE(p.coverage);
  CHECK(p.planned_ms == 24 * H);
}

TEST_CASE("outage: down 17:00-09:00 overnight with hours 08:00-18:00 is one outage of 2 h") {
  auto cat = single();
  cat.slas[0].period = catalogue::PeriodKind::week;
  terms(cat).hours = window_hours(480, 1080, 0x1f);
  std::vector<ProbeResult> rs;
  segs(rs, "x.p", {{D0, D0 + 17 * H, Status::up}, {D0 + 17 * H, D0 + 33 * H, Status::down},
                   {D0 + 33 * H, D0 + 7 * 24 * H, Status::up}});
  const Report r = report_for(cat, rs, "sla", "2026-W10");
  REQUIRE(r.outages.size() == 1);
  CHECK(r.outages[0].down_ms == 2 * H);
  CHECK(r.outages[0].start == D0 + 17 * H);
  CHECK(r.outages[0].end == D0 + 33 * H);
  CHECK(r.service_time_ms == 50 * H);
}

TEST_CASE("outage: down, monitoring gap (unknown excluded), down is one outage") {
  auto cat = single();
  std::vector<ProbeResult> rs;
  segs(rs, "x.p", {{D0, D0 + 10 * H, Status::up}, {D0 + 10 * H, D0 + 11 * H, Status::down},
                   {D0 + 12 * H, D0 + 13 * H, Status::down}, {D0 + 13 * H, D0 + 24 * H, Status::up}});
  const Report r = report_for(cat, rs, "sla", "2026-03-02");
  REQUIRE(r.outages.size() == 1);
  CHECK(r.outages[0].down_ms == 2 * H);
  CHECK(r.outages[0].start == D0 + 10 * H);
  CHECK(r.outages[0].end == D0 + 13 * H);
  CHECK(r.unknown_ms > 0);
}

TEST_CASE("outage: down, down inside a maintenance window, down is one outage without the planned part") {
  auto cat = single();
  cat.maintenance.push_back(one_off("m", {"x"}, D0 + 11 * H, D0 + 12 * H));
  std::vector<ProbeResult> rs;
  segs(rs, "x.p", {{D0, D0 + 10 * H, Status::up}, {D0 + 10 * H, D0 + 13 * H, Status::down},
                   {D0 + 13 * H, D0 + 24 * H, Status::up}});
  const Report r = report_for(cat, rs, "sla", "2026-03-02");
  REQUIRE(r.outages.size() == 1);
  CHECK(r.outages[0].down_ms == 2 * H);
  CHECK(r.planned_ms == 1 * H);
}

TEST_CASE("outage: down, up for one second (even inside a window of X), down is two outages") {
  auto cat = single();
  cat.maintenance.push_back(one_off("m", {"x"}, D0 + 10 * H + 30 * MIN, D0 + 10 * H + 31 * MIN));
  std::vector<ProbeResult> rs;
  segs(rs, "x.p", {{D0, D0 + 10 * H, Status::up}, {D0 + 10 * H, D0 + 10 * H + 30 * MIN, Status::down}});
  rs.push_back({"x.p", D0 + 10 * H + 30 * MIN, Status::up, std::nullopt, "", "", {}});
  segs(rs, "x.p", {{D0 + 10 * H + 30 * MIN + 1000, D0 + 11 * H, Status::down}, {D0 + 11 * H, D0 + 24 * H, Status::up}});
  const Report r = report_for(cat, rs, "sla", "2026-03-02");
  REQUIRE(r.outages.size() == 2);
  CHECK(r.outages[0].end == D0 + 10 * H + 30 * MIN);
  CHECK(r.outages[1].start == D0 + 10 * H + 31 * MIN);  // [30:01, 31:00) is planned
  CHECK(r.outage_count == 2);
  CHECK(*r.mtrs_s == doctest::Approx(r.down_ms / 1000.0 / 2));
  CHECK(*r.mtbf_s == doctest::Approx(r.up_ms / 1000.0 / 2));
  CHECK(*r.mtbsi_s == doctest::Approx((r.up_ms + r.down_ms) / 1000.0 / 2));
  CHECK(r.longest_outage_ms == 30 * MIN);
}

TEST_CASE("outages across period boundaries: continues_before and continues_after") {
  auto cat = single();
  std::vector<ProbeResult> rs;
  segs(rs, "x.p", {{D0 - 2 * H, D0 - 1 * H, Status::up}, {D0 - 1 * H, D0 + 1 * H, Status::down},
                   {D0 + 1 * H, D0 + 23 * H, Status::up}, {D0 + 23 * H, D0 + 26 * H, Status::down},
                   {D0 + 26 * H, D0 + 27 * H, Status::up}});
  const Report r = report_for(cat, rs, "sla", "2026-03-02");
  REQUIRE(r.outages.size() == 2);
  CHECK(r.outages[0].continues_before);
  CHECK_FALSE(r.outages[0].continues_after);
  CHECK(r.outages[0].start == D0);
  CHECK(r.outages[0].down_ms == 1 * H);
  CHECK_FALSE(r.outages[1].continues_before);
  CHECK(r.outages[1].continues_after);
  CHECK(r.outages[1].end == D0 + 24 * H);
  const Report next = report_for(cat, rs, "sla", "2026-03-03");
  REQUIRE(next.outages.size() == 1);
  CHECK(next.outages[0].continues_before);
  CHECK(next.outages[0].down_ms == 2 * H);
  // With service hours that start later, the listed part is trimmed but still began before.
  terms(cat).hours = window_hours(30, 1440);
  const Report trimmed = report_for(cat, rs, "sla", "2026-03-02");
  REQUIRE(trimmed.outages.size() == 2);
  CHECK(trimmed.outages[0].start == D0 + 30 * MIN);
  CHECK(trimmed.outages[0].continues_before);
}

TEST_CASE("as_of cuts the figures, ignores later results and says complete: false") {
  auto cat = single();
  cat.cis[0].probes[0].confirm = 3;
  cat.cis[0].probes[0].stale_after_ms = 180'000;
  std::vector<ProbeResult> rs;
  segs(rs, "x.p", {{D0, D0 + 10 * H, Status::up}, {D0 + 10 * H, D0 + 11 * H, Status::down},
                   {D0 + 11 * H, D0 + 24 * H, Status::up}});
  const TimeMs as_of = D0 + 10 * H + 2 * MIN;  // two downs before it: not confirmed yet
  const Report r = report_for(cat, rs, "sla", "2026-03-02", as_of);
  CHECK_FALSE(r.complete);
  CHECK(r.as_of == as_of);
  CHECK(r.service_time_ms == 10 * H + 2 * MIN);
  CHECK(r.down_ms == 0);
  CHECK(r.outages.empty());
  const TimeMs later = D0 + 10 * H + 30 * MIN;
  const Report l = report_for(cat, rs, "sla", "2026-03-02", later);
  CHECK(l.down_ms == 30 * MIN);
  REQUIRE(l.outages.size() == 1);
  CHECK(l.outages[0].continues_after);  // still lasts at as_of
  const Report whole = report_for(cat, rs, "sla", "2026-03-02", D0 + 48 * H);
  CHECK(whole.complete);
  CHECK(whole.as_of == D0 + 24 * H);
  CHECK(whole.down_ms == 1 * H);
  CHECK_THROWS(report_for(cat, rs, "sla", "2026-03-02", D0 - 1));
}

TEST_CASE("causes: every bad, unplanned node on a counted path; by_cause shares time equally") {
  catalogue::Catalogue cat;
  cat.cis.push_back(make_ci("a", {make_probe("a.p", "a")}));
  cat.cis.push_back(make_ci("b", {make_probe("b.p", "b")}));
  cat.cis.push_back(make_ci("c", {make_probe("c.p", "c")}));
  cat.services.push_back(make_service("pair", {{"a", 1, {}}, {"b", 1, {}}}, rule_any()));
  cat.services.push_back(make_service("top", {{"pair", 1, {}}, {"c", 1, {}}}, rule_all()));
  cat.slas.push_back(make_sla("sla", "top", "99"));
  std::vector<ProbeResult> rs;
  // [1h,2h): a down only (pair degraded, top degraded: available). [2h,3h): a and b down.
  // [3h,4h): a, b and c down. [4h,5h): c down only.
  segs(rs, "a.p", {{D0, D0 + 1 * H, Status::up}, {D0 + 1 * H, D0 + 4 * H, Status::down}, {D0 + 4 * H, D0 + 25 * H, Status::up}});
  segs(rs, "b.p", {{D0, D0 + 2 * H, Status::up}, {D0 + 2 * H, D0 + 4 * H, Status::down}, {D0 + 4 * H, D0 + 25 * H, Status::up}});
  segs(rs, "c.p", {{D0, D0 + 3 * H, Status::up}, {D0 + 3 * H, D0 + 5 * H, Status::down}, {D0 + 5 * H, D0 + 25 * H, Status::up}});
  Report r = report_for(cat, rs, "sla", "2026-03-02");
  REQUIRE(r.outages.size() == 1);
  CHECK(r.outages[0].start == D0 + 2 * H);
  CHECK(r.outages[0].end == D0 + 5 * H);
  CHECK(r.outages[0].causes == std::vector<std::string>{"a", "b", "c"});
  REQUIRE(r.by_cause_s.size() == 3);
  // a: 1800 (2h-3h half) + 1200 (3h-4h third) = 3000; b the same; c: 1200 + 3600 = 4800.
  CHECK(r.by_cause_s[0].second == doctest::Approx(3000.0));
  CHECK(r.by_cause_s[1].second == doctest::Approx(3000.0));
  CHECK(r.by_cause_s[2].second == doctest::Approx(4800.0));
  CHECK(r.unattributed_s == 0.0);

  // Under degraded: down the failed leg that kept the service up is still no cause of *top's* outage
  // unless top itself is bad: with degraded: down it is, and a is the cause in [1h,2h).
  cat.slas[0].versions[0].terms.degraded = DegradedPolicy::down;
  r = report_for(cat, rs, "sla", "2026-03-02");
  REQUIRE(r.outages.size() == 1);
  CHECK(r.outages[0].start == D0 + 1 * H);
  CHECK(r.by_cause_s[0].first == "a");
  CHECK(r.by_cause_s[0].second == doctest::Approx(3600.0 + 3000.0));
}

TEST_CASE("causes: a CI under a service in maintenance is no cause; planned: ignore counts it") {
  catalogue::Catalogue cat;
  cat.cis.push_back(make_ci("a", {make_probe("a.p", "a")}));
  cat.cis.push_back(make_ci("c", {make_probe("c.p", "c")}));
  cat.services.push_back(make_service("s", {{"a", 1, {}}}, rule_all()));
  cat.services.push_back(make_service("top", {{"s", 1, {}}, {"c", 1, {}}}, rule_all()));
  cat.maintenance.push_back(one_off("m", {"s"}, D0, D0 + 24 * H));
  cat.slas.push_back(make_sla("sla", "top", "99"));
  std::vector<ProbeResult> rs;
  segs(rs, "a.p", {{D0, D0 + 1 * H, Status::up}, {D0 + 1 * H, D0 + 2 * H, Status::down}, {D0 + 2 * H, D0 + 25 * H, Status::up}});
  segs(rs, "c.p", {{D0, D0 + 1 * H, Status::up}, {D0 + 1 * H, D0 + 2 * H, Status::down}, {D0 + 2 * H, D0 + 25 * H, Status::up}});
  Report r = report_for(cat, rs, "sla", "2026-03-02");
  REQUIRE(r.outages.size() == 1);
  CHECK(r.outages[0].causes == std::vector<std::string>{"c"});
  cat.slas[0].versions[0].terms.planned = PlannedPolicy::ignore;
  r = report_for(cat, rs, "sla", "2026-03-02");
  REQUIRE(r.outages.size() == 1);
  CHECK(r.outages[0].causes == std::vector<std::string>{"a", "c"});
  CHECK(r.by_cause_s[0].second == doctest::Approx(1800.0));
}

TEST_CASE("counted-down time without a cause is unattributed") {
  catalogue::Catalogue cat;
  cat.cis.push_back(make_ci("empty", {}));
  cat.services.push_back(make_service("s", {{"empty", 1, {}}}, rule_all()));
  cat.slas.push_back(make_sla("sla", "s", "99"));
  cat.slas[0].versions[0].terms.unknown = UnknownPolicy::down;
  const Report r = report_for(cat, {}, "sla", "2026-03-02");
  CHECK(r.down_ms == 24 * H);
  CHECK(r.by_cause_s.empty());
  CHECK(r.unattributed_s == 86400.0);
  REQUIRE(r.outages.size() == 1);
  CHECK(r.outages[0].causes.empty());
  CHECK(r.outages[0].continues_before);
  CHECK(r.outages[0].continues_after);
}

TEST_CASE("verdict: exact decimal comparison, max_outages, max_outage") {
  auto cat = single("99.5");
  cat.slas[0].period = catalogue::PeriodKind::day;
  terms(cat).hours = window_hours(0, 200);  // 200 minutes
  std::vector<ProbeResult> rs;
  segs(rs, "x.p", {{D0, D0 + 100 * MIN, Status::up}, {D0 + 100 * MIN, D0 + 101 * MIN, Status::down},
                   {D0 + 101 * MIN, D0 + 24 * H, Status::up}});
  Report r = report_for(cat, rs, "sla", "2026-03-02");
  CHECK(r.up_ms == 199 * MIN);
  CHECK(r.down_ms == 1 * MIN);
  CHECK(*r.met);  // 99.5 exactly
  terms(cat).target = *parse_decimal4("99.5001");
  CHECK_FALSE(*report_for(cat, rs, "sla", "2026-03-02").met);
  terms(cat).target = *parse_decimal4("99");
  terms(cat).max_outages = 0;
  CHECK_FALSE(*report_for(cat, rs, "sla", "2026-03-02").met);
  terms(cat).max_outages = 1;
  CHECK(*report_for(cat, rs, "sla", "2026-03-02").met);
  terms(cat).max_outage_ms = 59'999;
  CHECK_FALSE(*report_for(cat, rs, "sla", "2026-03-02").met);
  terms(cat).max_outage_ms = 60'000;
  r = report_for(cat, rs, "sla", "2026-03-02");
  CHECK(*r.met);
  // error budget: 1% of 200 min = 120 s; remaining 60 s.
  CHECK(r.error_budget_s == doctest::Approx(120.0));
  CHECK(r.error_budget_remaining_s == doctest::Approx(60.0));
}

TEST_CASE("response-time objective: nearest rank over up/degraded results in hours and not planned") {
  auto cat = single("90");
  terms(cat).hours = window_hours(0, 600);  // 00:00-10:00
  terms(cat).response_time = catalogue::ResponseTimeObjective{"x.p", *parse_decimal4("95"), 95};
  cat.maintenance.push_back(one_off("m", {"x"}, D0 + 9 * H, D0 + 10 * H));
  std::vector<ProbeResult> rs;
  for (int i = 0; i < 100; ++i)  // latencies 1..100 inside the hours, unplanned
    rs.push_back({"x.p", D0 + i * MIN, Status::up, static_cast<double>(i + 1), "", "", {}});
  rs.push_back({"x.p", D0 + 100 * MIN, Status::down, 5000.0, "", "", {}});      // down: not counted
  rs.push_back({"x.p", D0 + 101 * MIN, Status::degraded, 0.5, "", "", {}});     // degraded: counted
  rs.push_back({"x.p", D0 + 102 * MIN, Status::up, std::nullopt, "", "", {}});   // no latency
  rs.push_back({"x.p", D0 + 9 * H + MIN, Status::up, 9000.0, "", "", {}});       // planned
  rs.push_back({"x.p", D0 + 11 * H, Status::up, 9000.0, "", "", {}});            // outside the hours
  Report r = report_for(cat, rs, "sla", "2026-03-02");
  REQUIRE(r.response_time);
  CHECK(r.response_time->samples == 101);
  // ceil(0.95 * 101) = 96th smallest of {0.5, 1..100} = 95.
  CHECK(*r.response_time->value_ms == 95.0);
  CHECK(r.response_time->met);
  terms(cat).response_time->under_ms = 94;
  r = report_for(cat, rs, "sla", "2026-03-02");
  CHECK_FALSE(r.response_time->met);
  CHECK_FALSE(*r.met);
  // No counted result: value null, objective holds.
  const Report none = report_for(cat, {}, "sla", "2026-03-02");
  CHECK_FALSE(none.response_time->value_ms);
  CHECK(none.response_time->met);
}

TEST_CASE("SLA versions: a period is judged under the version in effect at its start") {
  auto cat = single("99");
  cat.slas[0].period = catalogue::PeriodKind::month;
  cat.slas[0].versions[0].effective_from = 2026y / 1 / 1;
  catalogue::SlaVersion v2 = cat.slas[0].versions[0];
  v2.effective_from = 2026y / 3 / 1;
  v2.terms.target = *parse_decimal4("99.9");
  cat.slas[0].versions.push_back(v2);
  std::vector<ProbeResult> rs;
  CHECK(report_for(cat, rs, "sla", "2026-02").target == *parse_decimal4("99"));
  CHECK(report_for(cat, rs, "sla", "2026-03").target == *parse_decimal4("99.9"));
  CHECK_THROWS(report_for(cat, rs, "sla", "2025-12"));
  const auto data = build_all(cat, rs);
  Graph g(cat, {});
  NodeTimelines nodes(g, data);
  const auto p = sla_period(cat.slas[0], "2025-12");
  const auto o = compute_report(nodes, data, cat.slas[0], *p.period, std::nullopt);
  CHECK_FALSE(o.report);
  CHECK(o.before_first_version);
  CHECK_FALSE(sla_period(cat.slas[0], "2026-03-01").period);  // a day label for a monthly SLA
}

TEST_CASE("a month in a DST timezone with weekday hours") {
  auto cat = single("99");
  cat.slas[0].period = catalogue::PeriodKind::month;
  cat.slas[0].timezone = "Europe/Berlin";
  terms(cat).hours = window_hours(60, 180, 0x40);  // sundays 01:00-03:00
  terms(cat).holidays = {2026y / 3 / 8};
  const Report r = report_for(cat, {}, "sla", "2026-03");
  // Sundays in March 2026: 1, 8 (holiday), 15, 22, 29 (spring forward: 1 h) -> 2+2+2+1 h.
  CHECK(r.service_time_ms == 7 * H);
  CHECK(r.period.start == T("2026-02-28T23:00:00Z"));
}

}  // namespace slamon::engine::test

namespace slamon::engine::test {

TEST_CASE("recurring maintenance across the fall-back change plans 3 h of a down host") {
  auto cat = single("99");
  catalogue::Maintenance m;
  m.id = "sunday-patching";
  m.targets = {"x"};
  catalogue::ServiceHours every;
  every.always = false;
  every.windows.push_back({0x40, 120, 240});  // sun 02:00-04:00
  m.every = every;
  m.timezone = "Europe/Berlin";
  cat.maintenance.push_back(m);
  std::vector<ProbeResult> rs;
  const TimeMs d = T("2026-10-25T00:00:00Z");
  add_series(rs, "x.p", d - 2 * H, d + 26 * H, Status::down);
  const Report r = report_for(cat, rs, "sla", "2026-10-25");
  CHECK(r.planned_ms == 3 * H);  // 02:00 CEST (00:00Z) to 04:00 CET (03:00Z)
  CHECK(r.down_ms == 21 * H);
  REQUIRE(r.outages.size() == 1);  // planned time inside one stretch: still one outage
  CHECK(r.outages[0].start == d + 3 * H);  // trimmed to the first counted-down instant
  CHECK(r.outages[0].continues_before);
  CHECK(r.outages[0].continues_after);
  const Report monday = report_for(cat, rs, "sla", "2026-10-26");
  CHECK(monday.planned_ms == 0);
}

}  // namespace slamon::engine::test

namespace slamon::engine::test {
namespace {

// Runs f on a thread with a 1 MiB stack, so that recursion proportional to the catalogue's depth
// overflows it whatever the default stack size is.
template <class F>
void on_small_stack(F f) {
  pthread_attr_t attr;
  REQUIRE(pthread_attr_init(&attr) == 0);
  REQUIRE(pthread_attr_setstacksize(&attr, 1u << 20) == 0);
  pthread_t th;
  auto run = [](void* p) -> void* {
    (*static_cast<F*>(p))();
    return nullptr;
  };
  REQUIRE(pthread_create(&th, &attr, run, &f) == 0);
  pthread_join(th, nullptr);
  pthread_attr_destroy(&attr);
}

}  // namespace

TEST_CASE("a service chain 50,000 deep: roll-up, planned propagation and causes without recursion") {
  constexpr int kDepth = 50'000;
  catalogue::Catalogue cat;
  cat.cis.push_back(make_ci("web", {make_probe("web.p", "web")}));
  for (int i = 0; i < kDepth; ++i) {
    const std::string child = i + 1 < kDepth ? "s" + std::to_string(i + 1) : "web";
    cat.services.push_back(make_service("s" + std::to_string(i), {{child, 1, {}}}));
  }
  cat.maintenance.push_back(one_off("m", {"web"}, D0 + 1 * H, D0 + 2 * H));
  cat.slas.push_back(make_sla("top", "s0", "99.0"));
  std::vector<ProbeResult> rs;
  add_series(rs, "web.p", D0, D0 + 1 * H, Status::up);
  add_series(rs, "web.p", D0 + 1 * H, D0 + 2 * H, Status::down);  // in the window: planned all the way up
  add_series(rs, "web.p", D0 + 2 * H, D0 + 10 * H, Status::up);
  add_series(rs, "web.p", D0 + 10 * H, D0 + 10 * H + 10 * MIN, Status::down);  // an outage caused by web
  add_series(rs, "web.p", D0 + 10 * H + 10 * MIN, D0 + 24 * H, Status::up);
  std::optional<Report> r;
  on_small_stack([&] { r = report_for(cat, rs, "top", "2026-03-02"); });
  REQUIRE(r);
  CHECK(r->planned_ms == 1 * H);
  CHECK(r->down_ms == 10 * MIN);
  REQUIRE(r->outages.size() == 1);
  CHECK(r->outages[0].causes == std::vector<std::string>{"web"});
  CHECK(r->by_cause_s == std::vector<std::pair<std::string, double>>{{"web", 600.0}});
}

}  // namespace slamon::engine::test
