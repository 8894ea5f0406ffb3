// Tests for probes/codec/round_trip.h: per-try timeouts from the measured round trip.
#include "probes/codec/round_trip.h"

#include <doctest/doctest.h>

using namespace slamon::probes;

TEST_CASE("round trip: before any sample a try waits min(1 s, timeout / tries), then doubles") {
  RoundTrip rt;
  CHECK_FALSE(rt.measured());
  CHECK(rt.first_try_ms(30'000, 5) == 1000);  // not 6 s: --retries 4 --timeout 30s
  CHECK(rt.first_try_ms(2'000, 4) == 500);
  CHECK(rt.try_ms(30'000, 5, 2) == 4000);
}

TEST_CASE("round trip: a measured target is tried again after max(100 ms, 3 x srtt, srtt + 4 x rttvar)") {
  RoundTrip rt;
  rt.sample(0.3);  // loopback
  CHECK(rt.measured());
  CHECK(rt.first_try_ms(30'000, 5) == kMinTryTimeoutMs);
  RoundTrip wan;
  for (int i = 0; i < 20; ++i) wan.sample(80);
  CHECK(wan.srtt_ms() == doctest::Approx(80));
  CHECK(wan.first_try_ms(30'000, 5) == doctest::Approx(240).epsilon(0.05));
  CHECK(wan.try_ms(30'000, 5, 1) == doctest::Approx(480).epsilon(0.05));
  wan.sample(-1);  // ignored
  wan.sample(0.0 / 0.0);
  CHECK(wan.srtt_ms() == doctest::Approx(80));
}
