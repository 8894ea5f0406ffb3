// The node graph: counted edges only, maintenance attached to its targets.
#include "collector/engine/graph.h"

#include <doctest/doctest.h>

#include "tests/engine/engine_fixtures.h"

namespace slamon::engine::test {

TEST_CASE("graph from the catalogue") {
  catalogue::Catalogue cat;
  cat.cis.push_back(make_ci("a", {make_probe("a.p", "a"), make_probe("a.q", "a", 60'000, 1, 0, 0)}));
  cat.cis.push_back(make_ci("empty", {}));
  cat.services.push_back(make_service("s", {{"a", 2, {}}, {"empty", 1, {}}}, rule_any()));
  cat.services.push_back(make_service("t", {{"s", 0, {}}, {"a", 1, {}}}));
  cat.maintenance.push_back(one_off("m", {"a", "t"}, 0, 10));
  std::vector<catalogue::Maintenance> extra{one_off("x", {"s", "ghost"}, 0, 10)};
  Graph g(cat, extra);
  const Node& a = g.node(g.find("a"));
  CHECK(a.kind == NodeKind::ci);
  REQUIRE(a.children.size() == 1);  // a.q has weight 0
  CHECK(g.node(a.children[0].node).id == "a.p");
  const Node& s = g.node(g.find("s"));
  REQUIRE(s.children.size() == 1);  // empty counts as weight 0
  CHECK(s.children[0].weight == 2);
  CHECK(g.node(g.find("t")).children.size() == 1);
  CHECK(a.maintenance.size() == 1);
  CHECK(s.maintenance.size() == 1);
  CHECK(g.unknown_targets() == std::vector<std::string>{"x: ghost"});
  CHECK(g.find("nope") == -1);
  CHECK(g.find_probe("a.q") >= 0);
  CHECK(g.find("a.p") == -1);
}

}  // namespace slamon::engine::test
