// Roll-up rules (semantics.md section 2).
#include "collector/engine/rollup.h"

#include <doctest/doctest.h>

#include <initializer_list>

#include "tests/engine/engine_fixtures.h"

namespace slamon::engine {
namespace {

Status roll(const catalogue::Rule& r, std::initializer_list<std::pair<Status, int>> ch) {
  Tally t;
  for (auto [s, w] : ch) t.add(s, w);
  return rollup(r, t);
}

constexpr auto U = Status::up;
constexpr auto G = Status::degraded;
constexpr auto D = Status::down;
constexpr auto K = Status::unknown;

}  // namespace

using namespace test;

TEST_CASE("all: down, else unknown, else degraded, else up") {
  CHECK(roll(rule_all(), {{U, 1}, {U, 1}}) == U);
  CHECK(roll(rule_all(), {{U, 1}, {G, 1}}) == G);
  CHECK(roll(rule_all(), {{G, 1}, {K, 1}}) == K);
  CHECK(roll(rule_all(), {{K, 1}, {D, 1}}) == D);
  CHECK(roll(rule_all(), {{U, 1}, {D, 1}, {G, 1}}) == D);
}

TEST_CASE("any: one up and one down is degraded (redundancy lost)") {
  CHECK(roll(rule_any(), {{U, 1}, {D, 1}}) == G);
  CHECK(roll(rule_any(), {{U, 1}, {U, 1}}) == U);
  CHECK(roll(rule_any(), {{K, 1}, {D, 1}}) == K);
  CHECK(roll(rule_any(), {{D, 1}, {D, 1}}) == D);
  CHECK(roll(rule_any(), {{G, 1}, {D, 1}}) == G);
  CHECK(roll(rule_any(), {{U, 1}, {K, 1}}) == U);  // up >= K and no degraded or down
}

TEST_CASE("quorum K") {
  const auto q2 = rule_quorum(2);
  CHECK(roll(q2, {{U, 1}, {U, 1}, {D, 1}}) == G);
  CHECK(roll(q2, {{U, 1}, {U, 1}, {U, 1}}) == U);
  CHECK(roll(q2, {{U, 1}, {G, 1}, {U, 1}}) == G);
  CHECK(roll(q2, {{U, 1}, {K, 1}, {D, 1}}) == K);
  CHECK(roll(q2, {{U, 1}, {D, 1}, {D, 1}}) == D);
}

TEST_CASE("min_percent uses weights and compares exactly") {
  // P = 50: 100 * w >= 50 * W.
  const auto p50 = rule_min_percent("50");
  CHECK(roll(p50, {{U, 1}, {D, 1}}) == G);      // 100*1 >= 50*2 exactly
  CHECK(roll(p50, {{U, 1}, {D, 2}}) == D);      // 100 < 150
  CHECK(roll(p50, {{U, 1}, {K, 1}, {D, 2}}) == K);  // avail+unk = 2: 200 >= 200
  CHECK(roll(p50, {{U, 3}, {D, 1}}) == G);
  CHECK(roll(p50, {{U, 3}, {U, 1}}) == U);
  // 66.6667 % of weight 3 needs 2.000001: 2 of 3 is not enough.
  const auto p = rule_min_percent("66.6667");
  CHECK(roll(p, {{U, 1}, {U, 1}, {D, 1}}) == D);
  CHECK(roll(rule_min_percent("66.6666"), {{U, 1}, {U, 1}, {D, 1}}) == G);
  CHECK(roll(rule_min_percent("100"), {{U, 1}, {U, 1}}) == U);
}

TEST_CASE("no counted children: unknown") {
  CHECK(roll(rule_all(), {}) == K);
  CHECK(roll(rule_any(), {}) == K);
}

TEST_CASE("children with weight 0 are ignored; a CI without probes counts as weight 0") {
  catalogue::Catalogue cat;
  cat.cis.push_back(make_ci("a", {make_probe("a.p", "a")}));
  cat.cis.push_back(make_ci("b", {make_probe("b.p", "b")}));
  cat.cis.push_back(make_ci("empty", {}));
  cat.services.push_back(make_service("s", {{"a", 1, {}}, {"b", 0, {}}, {"empty", 1, {}}}, rule_all()));
  std::vector<ProbeResult> rs;
  add_series(rs, "a.p", 0, 600'000, Status::up);
  add_series(rs, "b.p", 0, 600'000, Status::down);
  const auto data = build_all(cat, rs);
  engine::Graph g(cat, {});
  engine::NodeTimelines nodes(g, data);
  CHECK(g.node(g.find("s")).children.size() == 1);
  CHECK(status_at(nodes.status(g.find("s")), 300'000) == U);
  CHECK(status_at(nodes.status(g.find("empty")), 300'000) == K);  // shown, unknown
  // A probe with weight 0 is ignored by its CI.
  catalogue::Catalogue cat2;
  cat2.cis.push_back(make_ci("c", {make_probe("c.1", "c"), make_probe("c.2", "c", 60'000, 1, 0, 0)}));
  std::vector<ProbeResult> rs2;
  add_series(rs2, "c.1", 0, 600'000, Status::up);
  add_series(rs2, "c.2", 0, 600'000, Status::down);
  const auto d2 = build_all(cat2, rs2);
  engine::Graph g2(cat2, {});
  engine::NodeTimelines n2(g2, d2);
  CHECK(status_at(n2.status(g2.find("c")), 300'000) == U);
}

}  // namespace slamon::engine
