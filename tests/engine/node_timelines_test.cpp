// Planned propagation (semantics.md section 3): only bad time becomes planned through children,
// and only when every bad counted child is planned.
#include "collector/engine/node_timelines.h"

#include <doctest/doctest.h>

#include "tests/engine/engine_fixtures.h"

namespace slamon::engine::test {
namespace {

const TimeMs D0 = T("2026-03-02T00:00:00Z");
constexpr TimeMs H = 3'600'000;
const BadSet kDefault{false, true};

struct Fixture {
  catalogue::Catalogue cat;
  std::vector<ProbeResult> rs;
};

// Two CIs a, b under a service with `rule`; a in maintenance [1h, 3h); b down [2h, 4h) or as given.
Fixture pair(catalogue::Rule rule, Status a_in_window, Status b_status) {
  Fixture f;
  f.cat.cis.push_back(make_ci("a", {make_probe("a.p", "a")}));
  f.cat.cis.push_back(make_ci("b", {make_probe("b.p", "b")}));
  f.cat.services.push_back(make_service("s", {{"a", 1, {}}, {"b", 1, {}}}, rule));
  f.cat.maintenance.push_back(one_off("m", {"a"}, D0 + 1 * H, D0 + 3 * H));
  add_series(f.rs, "a.p", D0, D0 + 1 * H, Status::up);
  add_series(f.rs, "a.p", D0 + 1 * H, D0 + 3 * H, a_in_window);
  add_series(f.rs, "a.p", D0 + 3 * H, D0 + 6 * H, Status::up);
  add_series(f.rs, "b.p", D0, D0 + 2 * H, Status::up);
  add_series(f.rs, "b.p", D0 + 2 * H, D0 + 4 * H, b_status);
  add_series(f.rs, "b.p", D0 + 4 * H, D0 + 6 * H, Status::up);
  return f;
}

IntervalSet planned_of(const Fixture& f, const std::string& id, BadSet bad = kDefault) {
  const auto data = build_all(f.cat, f.rs);
  Graph g(f.cat, {});
  NodeTimelines n(g, data);
  return n.planned(g.find(id), bad, {D0, D0 + 6 * H});
}

}  // namespace

TEST_CASE("a node is planned during its own windows, whatever its status") {
  const auto f = pair(rule_all(), Status::up, Status::up);
  CHECK(planned_of(f, "a") == IntervalSet{{D0 + 1 * H, D0 + 3 * H}});
  CHECK(planned_of(f, "s").empty());  // s is up: nothing planned
}

TEST_CASE("serial: a child in maintenance makes the parent planned while it is bad") {
  const auto f = pair(rule_all(), Status::down, Status::up);
  CHECK(planned_of(f, "s") == IntervalSet{{D0 + 1 * H, D0 + 3 * H}});
}

TEST_CASE("serial: another dependency failing during the maintenance is unplanned") {
  const auto f = pair(rule_all(), Status::down, Status::down);
  // [1h,2h): only a bad (planned) -> planned; [2h,3h): b bad and unplanned -> not planned.
  CHECK(planned_of(f, "s") == IntervalSet{{D0 + 1 * H, D0 + 2 * H}});
}

TEST_CASE("redundant pair: one leg in maintenance, the other fails -> unplanned outage") {
  const auto f = pair(rule_any(), Status::down, Status::down);
  // s is degraded (up counts) while a is down in [1h,2h): not bad under degraded: up -> not planned.
  // [2h,3h): both down, b unplanned -> not planned.
  CHECK(planned_of(f, "s").empty());
}

TEST_CASE("redundant pair losing a leg to maintenance under degraded: down is planned") {
  const auto f = pair(rule_any(), Status::down, Status::up);
  const BadSet deg_down{true, true};
  CHECK(planned_of(f, "s", deg_down) == IntervalSet{{D0 + 1 * H, D0 + 3 * H}});
  CHECK(planned_of(f, "s", kDefault).empty());
}

TEST_CASE("a host that goes silent during its own window is planned; the unknown propagates as planned") {
  Fixture f = pair(rule_all(), Status::up, Status::up);
  f.rs.clear();
  add_series(f.rs, "a.p", D0, D0 + 1 * H, Status::up);  // silent from 1h: unknown from 1h + 3 min
  add_series(f.rs, "a.p", D0 + 3 * H, D0 + 6 * H, Status::up);
  add_series(f.rs, "b.p", D0, D0 + 6 * H, Status::up);
  CHECK(planned_of(f, "s") == IntervalSet{{D0 + 1 * H - 60'000 + 180'000, D0 + 3 * H}});
  // Under unknown: up the silence is not bad: nothing planned through children.
  CHECK(planned_of(f, "s", BadSet{false, false}).empty());
}

TEST_CASE("planned propagates through several levels, and a window on a parent covers its own time") {
  Fixture f = pair(rule_all(), Status::down, Status::up);
  f.cat.services.push_back(make_service("top", {{"s", 1, {}}}, rule_all()));
  CHECK(planned_of(f, "top") == IntervalSet{{D0 + 1 * H, D0 + 3 * H}});
  f.cat.maintenance.push_back(one_off("m2", {"top"}, D0 + 5 * H, D0 + 7 * H));
  CHECK(planned_of(f, "top") == IntervalSet{{D0 + 1 * H, D0 + 3 * H}, {D0 + 5 * H, D0 + 6 * H}});
}

TEST_CASE("a node whose counted children are all weight 0 is planned only through its own windows") {
  Fixture f = pair(rule_all(), Status::down, Status::up);
  f.cat.services[0].children = {{"a", 0, {}}};
  CHECK(planned_of(f, "s").empty());  // unknown (no counted children), no window
}

}  // namespace slamon::engine::test
