// Tests for collector/api/notifications_api.h: what GET /api/v1/notifications decides on the io
// thread (the job itself runs over a real store in tests/http/notifications_test.sh).
#include "collector/api/notifications_api.h"

#include <doctest/doctest.h>

#include "collector/api/pagination.h"

using namespace slamon::collector::api;

namespace {

Routed at(const std::string& raw) {
  const auto t = parse_target(raw);
  REQUIRE(t.target);
  return route_notifications(*t.target);
}

}  // namespace

TEST_CASE("notifications: a job for a valid page or state; 400 at once for another state or a foreign cursor") {
  CHECK(at("/api/v1/notifications").job);
  CHECK(at("/api/v1/notifications?state=pending&limit=5").job);
  CHECK(at("/api/v1/notifications?state=unrouted&cursor=" + encode_cursor("17")).job);
  CHECK_FALSE(at("/api/v1/notifications").writes);
  for (const auto* bad : {"/api/v1/notifications?state=lost", "/api/v1/notifications?limit=0",
                          "/api/v1/notifications?cursor=YWJj"}) {
    const auto r = at(bad);
    CHECK_FALSE(r.job);
    CHECK(r.response.status == 400);
  }
  CHECK(at("/api/v1/notifications?cursor=" + encode_cursor("x1")).response.status == 400);
}
