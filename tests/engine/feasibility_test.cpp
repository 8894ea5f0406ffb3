// SLA feasibility (collector/engine/feasibility.h): ceilings over the service graph (textbook values,
// a diamond counted once, a Monte-Carlo simulation), unbacked parts, budget shares and the flags.
#include "collector/engine/feasibility.h"

#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <map>
#include <memory>
#include <random>

#include "collector/engine/rollup.h"
#include "tests/common/catalogue_test_util.h"

namespace slamon::engine {
namespace {

using catalogue::LocalDate;

// A catalogue from its services, agreements and SLAs; every CI named in `cis` gets one TCP probe.
std::string yaml(const std::vector<std::string>& cis, const std::string& rest) {
  std::string out = "version: 1\nagents: [{name: a1}]\ncis:\n";
  for (const auto& c : cis) out += "  - {id: " + c + ", probes: [{type: tcp, agent: a1, target: '192.0.2.1:1'}]}\n";
  return out + rest;
}

struct Loaded {
  catalogue::Catalogue cat;
  std::unique_ptr<Graph> graph;
};

Loaded load(const std::string& text) {
  auto r = catalogue::test::load_text(text);
  INFO(catalogue::test::all_errors(r));
  REQUIRE(r.catalogue);
  Loaded l{std::move(*r.catalogue), nullptr};
  l.graph = std::make_unique<Graph>(l.cat, std::vector<catalogue::Maintenance>{});
  return l;
}

constexpr LocalDate kOct2026{std::chrono::year{2026}, std::chrono::month{10}, std::chrono::day{15}};

SlaFeasibility check(const Loaded& l, const std::string& sla, const FeasibilityOptions& o = {}) {
  for (const auto& s : l.cat.slas)
    if (s.id == sla) return check_sla_feasibility(l.cat, *l.graph, s, kOct2026, o);
  FAIL("no sla " << sla);
  return {};
}

const FeasibilityDependency& dep(const SlaFeasibility& f, const std::string& node) {
  for (const auto& d : f.dependencies)
    if (d.node == node) return d;
  FAIL("no part " << node);
  throw;
}

const AgreementBasis& basis(const SlaFeasibility& f, const std::string& id) {
  for (const auto& a : f.agreements)
    if (a.agreement == id) return a;
  FAIL("no agreement " << id);
  throw;
}

bool has_flag(const AgreementBasis& a, FeasibilityFlagKind k) {
  for (const auto& f : a.flags)
    if (f.kind == k) return true;
  return false;
}

std::string ucs(const std::vector<std::pair<std::string, std::string>>& covers) {
  std::string out = "agreements:\n";
  for (const auto& [ci, target] : covers)
    out += "  - {id: uc-" + ci + ", kind: uc, provider: P, covers: " + ci + ", target: " + target + "}\n";
  return out;
}

}  // namespace

TEST_CASE("textbook ceilings on the graph: serial 99.8001, 1-of-2 99.99, 2-of-3 99.9702") {
  const Loaded l = load(yaml({"x", "y", "p", "q", "r"}, R"(services:
  - {id: serial, children: [x, y]}
  - {id: pair, rule: any, children: [p, q]}
  - {id: trio, rule: {quorum: 2}, children: [p, q, r]}
slas:
  - {id: s-serial, service: serial, target: 99.8001}
  - {id: s-serial-more, service: serial, target: 99.8002}
  - {id: s-pair, service: pair, target: 99.99}
  - {id: s-trio, service: trio, target: 99.9702}
)" + ucs({{"x", "99.9"}, {"y", "99.9"}, {"p", "99"}, {"q", "99"}, {"r", "99"}})));
  const auto serial = check(l, "s-serial");
  CHECK(serial.ceiling_pct == doctest::Approx(99.8001).epsilon(1e-13));
  CHECK(serial.verdict == FeasibilityVerdict::feasible);  // exactly at the target
  CHECK(serial.exact);
  CHECK(check(l, "s-serial-more").verdict == FeasibilityVerdict::not_feasible);
  const auto pair = check(l, "s-pair");
  CHECK(pair.ceiling_pct == doctest::Approx(99.99).epsilon(1e-13));
  CHECK(pair.verdict == FeasibilityVerdict::feasible);
  const auto trio = check(l, "s-trio");
  CHECK(trio.ceiling_pct == doctest::Approx(99.9702).epsilon(1e-13));
  CHECK(trio.verdict == FeasibilityVerdict::feasible);
  CHECK(trio.dependencies.size() == 3);
}

TEST_CASE("weighted min_percent and an unequal quorum on the graph, children of weight 0 ignored") {
  const Loaded l = load(yaml({"a", "b", "c", "z"}, R"(services:
  - id: weighted
    rule: {min_percent: 60}
    children: [{id: a, weight: 3}, b, c, {id: z, weight: 0}]
  - id: quorum
    rule: {quorum: 2}
    children: [a, b, c, {id: z, weight: 0}]
slas:
  - {id: s-weighted, service: weighted, target: 90}
  - {id: s-quorum, service: quorum, target: 90}
)" + ucs({{"a", "90"}, {"b", "80"}, {"c", "70"}, {"z", "1"}})));
  const auto w = check(l, "s-weighted");
  CHECK(w.ceiling_pct == doctest::Approx(90.0).epsilon(1e-13));  // only a (weight 3 of 5) reaches 60 %
  CHECK(w.dependencies.size() == 3);                              // z (weight 0) is no part
  const auto q = check(l, "s-quorum");
  CHECK(q.ceiling_pct == doctest::Approx(90.2).epsilon(1e-13));   // by hand: .504 + .216 + .126 + .056
  CHECK(q.verdict == FeasibilityVerdict::feasible);
  // z (weight 0) never affects the SLA: its agreement is not listed either.
  CHECK(q.agreements.size() == 3);
  for (const auto& a : q.agreements) CHECK(a.agreement != "uc-z");
}

TEST_CASE("a diamond: a CI shared by two services under one parent is counted once") {
  // top = all(left, right), left = all(s, l), right = all(s, r), each CI at 99: s is a common
  // dependency, so the ceiling is s * l * r = .970299, not (s * l) * (s * r) = .96059601.
  const Loaded l = load(yaml({"s", "l", "r"}, R"(services:
  - {id: top, children: [left, right]}
  - {id: left, children: [s, l]}
  - {id: right, children: [s, r]}
  - {id: either, rule: any, children: [left, right]}
slas:
  - {id: s-top, service: top, target: 97}
  - {id: s-either, service: either, target: 98.99}
)" + ucs({{"s", "99"}, {"l", "99"}, {"r", "99"}})));
  const auto f = check(l, "s-top");
  CHECK(f.ceiling_pct == doctest::Approx(97.0299).epsilon(1e-13));
  CHECK(f.exact);
  CHECK(f.conditioned == std::vector<std::string>{"s"});
  CHECK(dep(f, "s").shared);
  CHECK_FALSE(dep(f, "l").shared);
  CHECK(f.verdict == FeasibilityVerdict::feasible);
  FeasibilityOptions naive;
  naive.condition_shared = false;
  const auto n = check(l, "s-top", naive);
  CHECK(n.ceiling_pct == doctest::Approx(96.059601).epsilon(1e-13));
  CHECK(n.verdict == FeasibilityVerdict::not_feasible);  // the naive value would call it infeasible
  // Under any: s * (1 - (1 - l)(1 - r)) = .99 * .9999 = .989901; naive 1 - (1 - .9801)^2 = .99960399.
  CHECK(check(l, "s-either").ceiling_pct == doctest::Approx(98.9901).epsilon(1e-13));
  CHECK(check(l, "s-either", naive).ceiling_pct == doctest::Approx(99.960399).epsilon(1e-13));
  // Past max_conditioned the shared part is taken as independent and the result says so.
  FeasibilityOptions none;
  none.max_conditioned = 0;
  const auto capped = check(l, "s-top", none);
  CHECK_FALSE(capped.exact);
  CHECK(capped.ceiling_pct == doctest::Approx(96.059601).epsilon(1e-13));
}

TEST_CASE("Monte Carlo: 200,000 seeded trials of independent parts rolled up by the engine's rule agree "
          "with the analytic ceiling within 4 standard errors") {
  // Shared parts (s under two services), an unequal quorum, a weighted min_percent and redundancy.
  const Loaded l = load(yaml({"s", "a", "b", "c", "d", "e", "f"}, R"(services:
  - {id: top, children: [left, right, w]}
  - {id: left, rule: any, children: [s, a]}
  - {id: right, rule: {quorum: 2}, children: [s, b, c]}
  - id: w
    rule: {min_percent: 50}
    children: [{id: d, weight: 2}, {id: e, weight: 1}, {id: f, weight: 1}, {id: s, weight: 0}]
slas:
  - {id: sla, service: top, target: 90}
)" + ucs({{"s", "80"}, {"a", "50"}, {"b", "70"}, {"c", "60"}, {"d", "90"}, {"e", "60"}, {"f", "75"}})));
  const auto f = check(l, "sla");
  REQUIRE(f.exact);
  CHECK(f.conditioned == std::vector<std::string>{"s"});
  CHECK(f.ceiling_pct == doctest::Approx(70.497).epsilon(1e-12));  // by enumerating the 2^7 states
  // The simulation: each part up with its agreement's availability, independently; the services'
  // statuses by rollup() (semantics.md section 2), the engine's own rule, not availability_math.
  const Graph& g = *l.graph;
  std::map<std::string, double> avail{{"s", .80}, {"a", .50}, {"b", .70}, {"c", .60}, {"d", .90}, {"e", .60}, {"f", .75}};
  std::mt19937_64 rng(20261015);
  constexpr int kTrials = 200'000;
  int up = 0;
  std::map<int, Status> st;
  std::function<Status(int)> status_of = [&](int n) -> Status {
    if (auto it = st.find(n); it != st.end()) return it->second;
    const Node& node = g.node(n);
    Tally t;
    for (const auto& c : node.children) t.add(status_of(c.node), c.weight);
    return st[n] = rollup(node.rule, t);
  };
  for (int i = 0; i < kTrials; ++i) {
    st.clear();
    for (const auto& [id, p] : avail)
      st[g.find(id)] = std::generate_canonical<double, 53>(rng) < p ? Status::up : Status::down;
    const Status top = status_of(g.find("top"));
    if (top == Status::up || top == Status::degraded) ++up;  // degraded counts as up (the default)
  }
  const double p = f.ceiling_pct / 100.0;
  const double se = std::sqrt(p * (1 - p) / kTrials);
  const double observed = static_cast<double>(up) / kTrials;
  INFO("analytic " << p << ", simulated " << observed << ", standard error " << se);
  CHECK(std::fabs(observed - p) < 4 * se);
  // And the naive value (s counted twice) lies outside that interval: the test can tell them apart.
  FeasibilityOptions naive;
  naive.condition_shared = false;
  CHECK(std::fabs(observed - check(l, "sla", naive).ceiling_pct / 100.0) > 4 * se);
}

TEST_CASE("unbacked parts: listed at 100 %, with the availability each needs for the target") {
  const Loaded l = load(yaml({"x", "y", "p", "q"}, R"(services:
  - {id: half, children: [x, y]}
  - {id: pair, rule: any, children: [p, q]}
slas:
  - {id: s-half, service: half, target: 99.5}
  - {id: s-half-tight, service: half, target: 99.95}
  - {id: s-pair, service: pair, target: 99.99}
  - {id: s-ci, service: y, target: 99}
)" + ucs({{"x", "99.9"}})));
  const auto f = check(l, "s-half");
  CHECK(f.verdict == FeasibilityVerdict::unbacked_parts);
  CHECK(f.ceiling_pct == doctest::Approx(99.9).epsilon(1e-13));
  CHECK(dep(f, "y").agreement.empty());
  CHECK(dep(f, "y").availability_pct == 100.0);
  CHECK_FALSE(dep(f, "y").budget_share_pct);
  REQUIRE(dep(f, "x").budget_share_pct);
  CHECK(*dep(f, "x").budget_share_pct == doctest::Approx(20.0).epsilon(1e-10));  // 0.1 of the 0.5 budget
  // y needs .995 / .999 = .995995995...: 99.5996 once rounded up to the catalogue's 4 decimals.
  REQUIRE(f.unbacked_required_pct);
  CHECK(f.unbacked_required_pct->e4 == 995996);
  // Even a perfect y cannot lift 99.9 to 99.95: not feasible, and no availability is enough.
  const auto tight = check(l, "s-half-tight");
  CHECK(tight.verdict == FeasibilityVerdict::not_feasible);
  CHECK_FALSE(tight.unbacked_required_pct);
  // Two unbacked legs of a redundant pair: each needs 99 % for 99.99 (redundancy counts).
  const auto pair = check(l, "s-pair");
  REQUIRE(pair.unbacked_required_pct);
  CHECK(pair.unbacked_required_pct->e4 == 990000);
  // An SLA on an unbacked CI: the CI itself needs the SLA's target.
  const auto ci = check(l, "s-ci");
  CHECK(ci.verdict == FeasibilityVerdict::unbacked_parts);
  REQUIRE(ci.unbacked_required_pct);
  CHECK(ci.unbacked_required_pct->e4 == 990000);
}

TEST_CASE("shares of the error budget: the ceiling gained with the part perfect, over 100 - target") {
  const Loaded l = load(yaml({"x", "y", "p", "q"}, R"(services:
  - {id: serial, children: [x, y]}
  - {id: pair, rule: any, children: [p, q]}
  - {id: top, children: [serial, pair]}
slas:
  - {id: s-serial, service: serial, target: 99.5}
  - {id: s-top, service: top, target: 100}
)" + ucs({{"x", "99.9"}, {"y", "99.8"}, {"p", "99"}, {"q", "99"}})));
  const auto f = check(l, "s-serial");
  // x perfect: .998 - .998 * .999 = .000998: 0.0998 points of the 0.5 budget = 19.96 %.
  CHECK(dep(f, "x").cost_pct == doctest::Approx(0.0998).epsilon(1e-10));
  REQUIRE(dep(f, "x").budget_share_pct);
  CHECK(*dep(f, "x").budget_share_pct == doctest::Approx(19.96).epsilon(1e-10));
  CHECK(dep(f, "y").cost_pct == doctest::Approx(0.1998).epsilon(1e-10));
  // A leg of a redundant pair costs little alone: .99 * (1 - .9999) * ... the pair's gain.
  const auto top = check(l, "s-top");
  CHECK(dep(top, "p").cost_pct == doctest::Approx(100 * 0.998 * 0.999 * (1 - 0.9999)).epsilon(1e-9));
  CHECK_FALSE(dep(top, "p").budget_share_pct);  // target 100: no budget to share
}

TEST_CASE("several agreements on one node: the strictest is used, the others named") {
  const Loaded l = load(yaml({"x"}, R"(slas:
  - {id: s, service: x, target: 99}
agreements:
  - {id: weak, covers: x, target: 99.5}
  - {id: strict, kind: uc, provider: Example Telecom, covers: x, target: 99.9}
)"));
  const auto f = check(l, "s");
  CHECK(f.ceiling_pct == doctest::Approx(99.9).epsilon(1e-13));
  CHECK(dep(f, "x").agreement == "strict");
  CHECK(dep(f, "x").also == std::vector<std::string>{"weak"});
  CHECK(basis(f, "strict").used);
  CHECK_FALSE(basis(f, "weak").used);
}

TEST_CASE("a nearer agreement shadows those below it; agreements outside the SLA's graph are not listed") {
  const Loaded l = load(yaml({"x", "y", "other"}, R"(services:
  - {id: app, children: [x, y]}
slas:
  - {id: s, service: app, target: 99}
agreements:
  - {id: ola-app, covers: app, target: 99.5}
  - {id: uc-x, covers: x, target: 90}
  - {id: uc-other, covers: other, target: 90}
)"));
  const auto f = check(l, "s");
  CHECK(f.ceiling_pct == doctest::Approx(99.5).epsilon(1e-13));
  REQUIRE(f.dependencies.size() == 1);
  CHECK(f.dependencies[0].node == "app");
  CHECK(f.agreements.size() == 2);
  CHECK(basis(f, "ola-app").used);
  CHECK_FALSE(basis(f, "uc-x").used);
}

TEST_CASE("flags: hours that do not cover the SLA's, a longer period, laxer policies, restore_within > "
          "max_outage; the allowed downtime of each side for one period") {
  const Loaded l = load(yaml({"x"}, R"(slas:
  - {id: s, service: x, target: 99.9, max_outage: 2h, degraded: down, unknown: down, planned: ignore}
agreements:
  - {id: office, covers: x, target: 99, hours: ["mon-fri 08:00-18:00"], restore_within: 4h}
  - {id: fine, covers: x, target: 99.9, restore_within: 2h, degraded: down, unknown: down, planned: ignore}
  - {id: quarterly, covers: x, target: 99.9, period: quarter, degraded: down, unknown: down, planned: ignore}
)"));
  const auto f = check(l, "s");
  // October 2026, 24x7 UTC: 31 days = 44640 min, 0.1 % of it allowed down.
  CHECK(f.period_label == "2026-10");
  CHECK(f.service_time_min == doctest::Approx(44640));
  CHECK(f.allowed_downtime_min == doctest::Approx(44.64));
  const auto& office = basis(f, "office");
  // 22 working days of 10 h in October 2026 = 13200 min; the rest of the month is uncovered.
  CHECK(office.service_time_min == doctest::Approx(13200));
  CHECK(office.allowed_downtime_min == doctest::Approx(132));
  CHECK(office.uncovered_min == doctest::Approx(44640 - 13200));
  CHECK(has_flag(office, FeasibilityFlagKind::hours));
  CHECK(has_flag(office, FeasibilityFlagKind::restore_within));
  CHECK(has_flag(office, FeasibilityFlagKind::policy));
  CHECK_FALSE(has_flag(office, FeasibilityFlagKind::period));
  const auto& fine = basis(f, "fine");
  CHECK(fine.flags.empty());
  CHECK(fine.uncovered_min == 0);
  const auto& quarterly = basis(f, "quarterly");
  CHECK(quarterly.period_label == "2026-Q4");
  CHECK(quarterly.service_time_min == doctest::Approx(92 * 1440));
  REQUIRE(quarterly.flags.size() == 1);
  CHECK(quarterly.flags[0].kind == FeasibilityFlagKind::period);
  CHECK(f.flagged());
  // A 24x7 agreement in another zone covers a 24x7 SLA in UTC: the hours are the same instants.
  const Loaded z = load(yaml({"x"}, R"(slas:
  - {id: s, service: x, target: 99, hours: ["mon-fri 08:00-18:00"], timezone: Asia/Shanghai}
agreements:
  - {id: utc, covers: x, target: 99.9, timezone: UTC}
  - {id: paris-office, covers: x, target: 99.9, timezone: Europe/Paris, hours: ["mon-fri 08:00-18:00"]}
)"));
  const auto g = check(z, "s");
  CHECK(basis(g, "utc").flags.empty());
  CHECK(has_flag(basis(g, "paris-office"), FeasibilityFlagKind::hours));
}

TEST_CASE("the representative period: the SLA's period containing the date, under the version then in effect") {
  const Loaded l = load(yaml({"x"}, R"(slas:
  - id: s
    service: x
    target: 99
    period: month
    effective_from: 2026-01-01
    versions: [{effective_from: 2026-11-01, target: 99.95}]
agreements:
  - {id: u, covers: x, target: 99.9}
)"));
  const auto& sla = l.cat.slas.front();
  const auto oct = check_sla_feasibility(l.cat, *l.graph, sla, kOct2026);
  CHECK(oct.target.e4 == 990000);
  CHECK(oct.verdict == FeasibilityVerdict::feasible);
  const auto nov = check_sla_feasibility(l.cat, *l.graph, sla, LocalDate{std::chrono::year{2026}, std::chrono::month{11}, std::chrono::day{1}});
  CHECK(nov.period_label == "2026-11");
  CHECK(nov.target.e4 == 999500);
  CHECK(nov.verdict == FeasibilityVerdict::not_feasible);
  // Before the first version: the first version's terms.
  const auto early = check_sla_feasibility(l.cat, *l.graph, sla, LocalDate{std::chrono::year{2025}, std::chrono::month{3}, std::chrono::day{1}});
  CHECK(early.target.e4 == 990000);
}

}  // namespace slamon::engine

namespace slamon::engine {

TEST_CASE("a deep graph (a chain of 50,000 services) is walked without recursion; the work bound caps "
          "the shared parts conditioned on") {
  catalogue::Catalogue cat;
  catalogue::Probe probe;
  probe.id = "x.tcp";
  probe.ci = "x";
  catalogue::Ci x;
  x.id = "x";
  x.probes = {probe};
  cat.cis = {x};
  constexpr int kDepth = 50'000;
  for (int i = 0; i < kDepth; ++i) {
    catalogue::Service s;
    s.id = "s";
    s.id += std::to_string(i);
    std::string child = "x";
    if (i + 1 < kDepth) {
      child = "s";
      child += std::to_string(i + 1);
    }
    s.children = {catalogue::ChildRef{child, 1, {}}};
    cat.services.push_back(s);
  }
  catalogue::Sla sla;
  sla.id = "deep";
  sla.service = "s0";
  sla.versions.resize(1);
  sla.versions[0].terms.target = Decimal4{990000};
  cat.slas = {sla};
  catalogue::Agreement uc;
  uc.id = "uc-x";
  uc.covers = "x";
  uc.terms.target = Decimal4{999000};
  cat.agreements = {uc};
  const Graph g(cat, {});
  const auto f = check_sla_feasibility(cat, g, cat.slas[0], kOct2026);
  CHECK(f.ceiling_pct == doctest::Approx(99.9).epsilon(1e-13));
  CHECK(f.verdict == FeasibilityVerdict::feasible);
  REQUIRE(f.dependencies.size() == 1);
  CHECK(f.dependencies[0].node == "x");
}

TEST_CASE("the work bound: past options.max_work the shared parts are taken as independent, and the "
          "result says it is not exact") {
  const Loaded l = load(yaml({"s", "l", "r"}, R"(services:
  - {id: top, children: [left, right]}
  - {id: left, children: [s, l]}
  - {id: right, children: [s, r]}
slas:
  - {id: s-top, service: top, target: 97}
)" + ucs({{"s", "99"}, {"l", "99"}, {"r", "99"}})));
  FeasibilityOptions tight;
  tight.max_work = 10;  // less than one evaluation of the 6 nodes for each of the 67 figures
  const auto f = check(l, "s-top", tight);
  CHECK_FALSE(f.exact);
  CHECK(f.conditioned.empty());
  CHECK(f.ceiling_pct == doctest::Approx(96.059601).epsilon(1e-13));
}

}  // namespace slamon::engine
