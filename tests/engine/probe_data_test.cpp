// Same-ts results: identical resends are no-ops, otherwise the later arrival wins.
#include "collector/engine/probe_data.h"

#include <doctest/doctest.h>

namespace slamon::engine {
namespace {

ProbeResult res(TimeMs ts, Status s, std::string msg = "") { return {"p", ts, s, std::nullopt, std::move(msg), "", {}}; }

}  // namespace

TEST_CASE("content hash covers every field") {
  const ProbeResult a = res(0, Status::up);
  ProbeResult b = a;
  CHECK(content_hash(a) == content_hash(b));
  b.message = "x";
  CHECK(content_hash(a) != content_hash(b));
  b = a;
  b.latency_ms = 1.0;
  CHECK(content_hash(a) != content_hash(b));
  b = a;
  b.metrics.push_back({"loss_percent", 0});
  CHECK(content_hash(a) != content_hash(b));
  b = a;
  b.agent = "ag";
  CHECK(content_hash(a) != content_hash(b));
}

TEST_CASE("later arrival wins; an identical resend of an earlier content is a no-op") {
  const ProbeParams pp{180'000, 1};
  const auto A = res(0, Status::up);
  const auto B = res(0, Status::down, "timeout");
  // A then B: B wins.
  CHECK(build_probe_data(pp, false, {to_arrival(A), to_arrival(B)}).timeline.front().status == Status::down);
  // B then A: A wins.
  CHECK(build_probe_data(pp, false, {to_arrival(B), to_arrival(A)}).timeline.front().status == Status::up);
  // A, B, A again: the second A is a resend of a result already received, so B stays.
  CHECK(build_probe_data(pp, false, {to_arrival(A), to_arrival(B), to_arrival(A)}).timeline.front().status ==
        Status::down);
}

TEST_CASE("ProbeStream refuses going back in time; build_probe_data sorts") {
  ProbeStream s({180'000, 1}, true);
  CHECK(s.add(to_arrival(res(60'000, Status::up))));
  CHECK_FALSE(s.add(to_arrival(res(0, Status::up))));
  const auto d = build_probe_data({180'000, 1}, true,
                                  {to_arrival(res(60'000, Status::down)), to_arrival(res(0, Status::up))});
  CHECK(d.timeline == StatusTimeline{{0, Status::up}, {60'000, Status::down}, {240'000, Status::unknown}});
}

TEST_CASE("response-time samples keep up and degraded results with a latency") {
  std::vector<Arrival> a;
  for (int i = 0; i < 4; ++i) {
    ProbeResult r = res(i * 60'000, i == 2 ? Status::down : (i == 3 ? Status::degraded : Status::up));
    if (i != 1) r.latency_ms = 10.0 * i;
    a.push_back(to_arrival(r));
  }
  const auto d = build_probe_data({180'000, 1}, true, a);
  CHECK(d.rt == std::vector<RtSample>{{0, 0.0}, {180'000, 30.0}});
  CHECK(build_probe_data({180'000, 1}, false, a).rt.empty());
}

}  // namespace slamon::engine
