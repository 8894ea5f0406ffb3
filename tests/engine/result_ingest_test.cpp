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

}  // namespace slamon::engine::test
