// Tests for collector/engine/agreement_report.h: an agreement as an SLA (restore_within as its outage
// limit, the stricter with its own max_outage), its period for an SLA's period in its own timezone,
// the agreements an SLA report lists (its node and below, counted edges only), and the agreement
// reports of a label.
#include "collector/engine/agreement_report.h"
#include "collector/engine/report_format.h"

// g++ 12 warns falsely (-Wmaybe-uninitialized) inside the catalogue model's constructors here.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include <doctest/doctest.h>

#include "tests/engine/engine_fixtures.h"

using namespace slamon;
using namespace slamon::engine;
using namespace slamon::engine::test;

namespace {

catalogue::Agreement make_agreement(const std::string& id, const std::string& covers, const char* target,
                                    std::optional<DurationMs> restore = std::nullopt,
                                    catalogue::PeriodKind period = catalogue::PeriodKind::day,
                                    const std::string& tz = "UTC") {
  catalogue::Agreement a;
  a.id = id;
  a.kind = catalogue::AgreementKind::uc;
  a.provider = "Example Telecom";
  a.covers = covers;
  a.period = period;
  a.timezone = tz;
  a.terms.target = *parse_decimal4(target);
  a.restore_within_ms = restore;
  return a;
}

// shop = all(web, sw, {mail weight 0}); web down 10:00-10:10 on 2026-03-01.
struct Fixture {
  catalogue::Catalogue cat;
  std::vector<ProbeResult> results;
  Fixture() {
    cat.cis.push_back(make_ci("web", {}));
    cat.cis.back().probes.push_back(make_probe("web.http", "web"));
    cat.cis.push_back(make_ci("sw", {}));
    cat.cis.back().probes.push_back(make_probe("sw.icmp", "sw"));
    cat.cis.push_back(make_ci("mail", {}));
    cat.cis.back().probes.push_back(make_probe("mail.tcp", "mail"));
    cat.services.push_back(make_service("shop", {{"web", 1, {}}, {"sw", 1, {}}, {"mail", 0, {}}}));
    cat.slas.push_back(make_sla("shop-day", "shop", "99.0"));
    cat.agreements.push_back(make_agreement("web-uc", "web", "99.5", 5 * kMin));
    cat.agreements.push_back(make_agreement("sw-uc", "sw", "99.0"));
    cat.agreements.push_back(make_agreement("mail-uc", "mail", "99.0"));
    cat.agreements.push_back(make_agreement("shop-ola", "shop", "99.0", std::nullopt, catalogue::PeriodKind::month));
    const TimeMs day = T("2026-03-01T00:00:00Z");
    add_series(results, "web.http", day - 10 * kMin, day + 600 * kMin, Status::up);
    add_series(results, "web.http", day + 600 * kMin, day + 610 * kMin, Status::down);
    add_series(results, "web.http", day + 610 * kMin, day + 1500 * kMin, Status::up);
    add_series(results, "sw.icmp", day - 10 * kMin, day + 1500 * kMin, Status::up);
    add_series(results, "mail.tcp", day - 10 * kMin, day + 1500 * kMin, Status::down);
  }
};

}  // namespace

TEST_CASE("an agreement is an SLA on its node; restore_within is its outage limit, the stricter with max_outage") {
  auto a = make_agreement("x", "web", "99.9", 4 * 3'600'000);
  auto s = agreement_as_sla(a);
  CHECK(s.id == "x");
  CHECK(s.service == "web");
  REQUIRE(s.versions.size() == 1);
  CHECK(*s.versions[0].terms.max_outage_ms == 4 * 3'600'000);
  a.terms.max_outage_ms = 3'600'000;
  CHECK(*agreement_as_sla(a).versions[0].terms.max_outage_ms == 3'600'000);
  a.terms.max_outage_ms = 5 * 3'600'000;
  CHECK(*agreement_as_sla(a).versions[0].terms.max_outage_ms == 4 * 3'600'000);
  a.restore_within_ms.reset();
  CHECK(*agreement_as_sla(a).versions[0].terms.max_outage_ms == 5 * 3'600'000);
}

TEST_CASE("an agreement's period for an SLA period is its own period containing the SLA period's first day") {
  const auto a = make_agreement("x", "web", "99.9", std::nullopt, catalogue::PeriodKind::month, "Asia/Shanghai");
  const Period p = agreement_period_at(a, catalogue::LocalDate{std::chrono::year{2026}, std::chrono::month{10}, std::chrono::day{1}});
  CHECK(p.label == "2026-10");
  CHECK(p.start == T("2026-09-30T16:00:00Z"));
}

TEST_CASE("an SLA report lists the agreements on its node and below by counted edges, with their verdicts") {
  Fixture f;
  const auto data = build_all(f.cat, f.results);
  Graph g(f.cat, {});
  NodeTimelines nodes(g, data);
  const auto p = sla_period(f.cat.slas[0], "2026-03-01");
  REQUIRE(p.period);
  const auto v = agreement_verdicts(nodes, data, f.cat, f.cat.slas[0], *p.period, std::nullopt);
  REQUIRE(v.size() == 3);  // mail-uc: mail has weight 0 under shop
  CHECK(v[0].id == "web-uc");
  CHECK(v[0].met == std::optional<bool>(false));  // 600 s down: 99.3056 % < 99.5, and the outage > 5 min
  CHECK(v[0].longest_outage_ms == 10 * kMin);
  CHECK(*v[0].availability == doctest::Approx(100.0 * 85800 / 86400));
  CHECK(v[1].id == "sw-uc");
  CHECK(v[1].met == std::optional<bool>(true));
  CHECK(v[2].id == "shop-ola");
  CHECK(v[2].period == "2026-03");

  // The same through run_reports: the SLA's report carries them.
  ReportRequest req;
  req.label = "2026-03-01";
  const auto set = run_reports(nodes, data, f.cat, req);
  REQUIRE(set.reports.size() == 1);
  CHECK(set.reports[0].agreements == v);
}

TEST_CASE("agreement reports of a label: those of its kind, the others left out; one by id") {
  Fixture f;
  const auto data = build_all(f.cat, f.results);
  Graph g(f.cat, {});
  NodeTimelines nodes(g, data);
  ReportRequest req;
  req.label = "2026-03-01";
  req.agreements = true;
  auto set = run_agreement_reports(nodes, data, f.cat, req);
  REQUIRE(set.reports.size() == 3);
  CHECK(set.reports[0].sla == "web-uc");
  REQUIRE(set.reports[0].agreement);
  CHECK(set.reports[0].agreement->provider == "Example Telecom");
  CHECK(set.reports[0].met == std::optional<bool>(false));
  CHECK(set.reports[2].sla == "mail-uc");
  CHECK(set.reports[2].met == std::optional<bool>(false));  // down all day
  REQUIRE(set.left_out.size() == 1);
  CHECK(set.left_out[0].find("shop-ola") != std::string::npos);
  // The printable page names what it is and who provides it (not "SLA web-uc").
  const std::string html = reports_to_html({set.reports[0]}, false);
  CHECK(html.find("<h1>UC web-uc &middot; web &middot; Example Telecom</h1>") != std::string::npos);
  CHECK(html.find("<h1>SLA ") == std::string::npos);
  req.agreement = "sw-uc";
  set = run_agreement_reports(nodes, data, f.cat, req);
  REQUIRE(set.reports.size() == 1);
  CHECK(set.reports[0].met == std::optional<bool>(true));
  req.agreement = "nope";
  CHECK(run_agreement_reports(nodes, data, f.cat, req).error == "unknown agreement 'nope'");
}

TEST_CASE("who cost the budget: each cause's downtime goes to the nearest agreements above it, by provider") {
  Fixture f;
  f.cat.agreements[1].provider = "Switch Co";  // sw-uc
  const auto data = build_all(f.cat, f.results);
  Graph g(f.cat, {});
  Report r;
  r.by_cause_s = {{"web", 600.0}, {"sw", 60.0}};
  attribute_to_agreements(g, f.cat, "shop", r);
  using V = std::vector<std::pair<std::string, double>>;
  CHECK(r.by_agreement_s == V{{"sw-uc", 60.0}, {"web-uc", 600.0}});
  CHECK(r.by_provider_s == V{{"Example Telecom", 600.0}, {"Switch Co", 60.0}});
  CHECK(r.unbacked_s == 0.0);

  // Without web's own agreement, the nearest one above web is shop's.
  f.cat.agreements.erase(f.cat.agreements.begin());
  Graph g2(f.cat, {});
  Report r2;
  r2.by_cause_s = {{"web", 600.0}};
  attribute_to_agreements(g2, f.cat, "shop", r2);
  CHECK(r2.by_agreement_s == V{{"shop-ola", 600.0}});
  // Reported for web alone (root web), nothing covers it: unbacked.
  Report r3;
  r3.by_cause_s = {{"web", 600.0}};
  attribute_to_agreements(g2, f.cat, "web", r3);
  CHECK(r3.by_agreement_s.empty());
  CHECK(r3.unbacked_s == 600.0);
}

TEST_CASE("who cost the budget: a cause under two covered parents is shared between them (a diamond)") {
  catalogue::Catalogue cat;
  cat.cis.push_back(make_ci("db", {}));
  cat.cis.back().probes.push_back(make_probe("db.tcp", "db"));
  cat.services.push_back(make_service("left", {{"db", 1, {}}}));
  cat.services.push_back(make_service("right", {{"db", 1, {}}}));
  cat.services.push_back(make_service("top", {{"left", 1, {}}, {"right", 1, {}}}));
  cat.agreements.push_back(make_agreement("left-ola", "left", "99.0"));
  cat.agreements.push_back(make_agreement("right-uc", "right", "99.0"));
  cat.agreements.back().provider = "Other Inc";
  Graph g(cat, {});
  Report r;
  r.by_cause_s = {{"db", 100.0}};
  attribute_to_agreements(g, cat, "top", r);
  using V = std::vector<std::pair<std::string, double>>;
  CHECK(r.by_agreement_s == V{{"left-ola", 50.0}, {"right-uc", 50.0}});
  CHECK(r.by_provider_s == V{{"Example Telecom", 50.0}, {"Other Inc", 50.0}});
}
