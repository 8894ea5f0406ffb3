// Streaming ingest: cut, unknown probes once, out-of-order probes rebuilt in a second pass.
#include "collector/engine/result_ingest.h"

#include <doctest/doctest.h>

#include "tests/engine/engine_fixtures.h"

namespace slamon::engine::test {

TEST_CASE("ingest reports unknown probes once, ignores results at or after the cut") {
  catalogue::Catalogue cat;
  cat.cis.push_back(make_ci("x", {make_probe("x.p", "x"), make_probe("x.q", "x")}));
  ResultIngest in(cat, 10 * kMin);
  using O = ResultIngest::Outcome;
  CHECK(in.add({"zz", 0, Status::up, std::nullopt, "", "", {}}) == O::unknown_probe_first);
  CHECK(in.add({"zz", 60'000, Status::up, std::nullopt, "", "", {}}) == O::unknown_probe);
  CHECK(in.add({"x.p", 0, Status::up, std::nullopt, "", "", {}}) == O::used);
  CHECK(in.add({"x.p", 10 * kMin, Status::down, std::nullopt, "", "", {}}) == O::after_cut);
  CHECK(in.add({"x.q", 5 * kMin, Status::down, std::nullopt, "", "", {}}) == O::used);
  CHECK(in.add({"x.q", 4 * kMin, Status::up, std::nullopt, "", "", {}}) == O::out_of_order_first);
  CHECK(in.needs_second_pass());
  CHECK(in.reordered() == std::set<std::string>{"x.q"});
  in.add_second_pass({"x.q", 5 * kMin, Status::down, std::nullopt, "", "", {}});
  in.add_second_pass({"x.q", 4 * kMin, Status::up, std::nullopt, "", "", {}});
  in.add_second_pass({"x.q", 11 * kMin, Status::up, std::nullopt, "", "", {}});  // after the cut
  const auto data = in.finish();
  CHECK(data.at("x.p").timeline == StatusTimeline{{0, Status::up}, {3 * kMin, Status::unknown}});
  CHECK(data.at("x.q").timeline ==
        StatusTimeline{{4 * kMin, Status::up}, {5 * kMin, Status::down}, {8 * kMin, Status::unknown}});
}

TEST_CASE("gaps in the ingest: in order they stream, out of order they take the second pass, same result") {
  catalogue::Catalogue cat;
  cat.cis.push_back(make_ci("x", {make_probe("x.p", "x"), make_probe("x.q", "x")}));
  auto r = [](const char* probe, TimeMs ts, Status s) { return ProbeResult{probe, ts, s, std::nullopt, "", "", {}}; };
  using O = ResultIngest::Outcome;
  ResultIngest in(cat, 20 * kMin);
  CHECK(in.add(r("x.p", 0, Status::up)) == O::used);
  CHECK(in.add(r("x.p", kMin, Status::up)) == O::used);
  CHECK(in.add_gap("x.p", 2 * kMin) == O::used);
  CHECK(in.add(r("x.p", 2 * kMin, Status::down)) == O::used);  // at the gap's ts: after it
  CHECK(in.add_gap("x.p", 30 * kMin) == O::after_cut);
  CHECK(in.add_gap("zz", kMin) == O::unknown_probe_first);
  // x.q: the same events, the gap last in file order.
  CHECK(in.add(r("x.q", 0, Status::up)) == O::used);
  CHECK(in.add(r("x.q", kMin, Status::up)) == O::used);
  CHECK(in.add(r("x.q", 2 * kMin, Status::down)) == O::used);
  CHECK(in.add(r("x.q", 3 * kMin, Status::down)) == O::used);
  CHECK(in.add_gap("x.q", 2 * kMin) == O::out_of_order_first);
  CHECK(in.reordered() == std::set<std::string>{"x.q"});
  in.add_second_pass(r("x.q", 0, Status::up));
  in.add_second_pass(r("x.q", kMin, Status::up));
  in.add_second_pass(r("x.q", 2 * kMin, Status::down));
  in.add_second_pass(r("x.q", 3 * kMin, Status::down));
  in.add_gap_second_pass("x.q", 2 * kMin);
  const auto data = in.finish();
  CHECK(data.at("x.p").timeline == StatusTimeline{{0, Status::up}, {2 * kMin, Status::down}, {5 * kMin, Status::unknown}});
  CHECK(data.at("x.q").timeline ==
        StatusTimeline{{0, Status::up}, {2 * kMin, Status::down}, {6 * kMin, Status::unknown}});
  // Same-ts results that arrived before the gap still come after it.
  ProbeStream s({3 * kMin, 1}, false);
  CHECK(s.add(to_arrival(r("x.p", 0, Status::up))));
  CHECK(s.add(to_arrival(r("x.p", kMin, Status::down))));
  CHECK(s.add_gap(kMin));
  CHECK_FALSE(s.add_gap(0));
  CHECK(s.finish().timeline == StatusTimeline{{0, Status::up}, {kMin, Status::down}, {4 * kMin, Status::unknown}});
}

}  // namespace slamon::engine::test
