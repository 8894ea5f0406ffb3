// What every store shares of the notifications' rows (collector/store/notification_store.h): the
// states' names and the backoff.
#include "collector/store/notification_store.h"

#include <doctest/doctest.h>

using namespace slamon;
using namespace slamon::store;

TEST_CASE("retry_delay doubles from 1 s and stays at the cap (5 min)") {
  CHECK(retry_delay(1) == 1'000);
  CHECK(retry_delay(2) == 2'000);
  CHECK(retry_delay(3) == 4'000);
  CHECK(retry_delay(9) == 256'000);
  CHECK(retry_delay(10) == 300'000);
  CHECK(retry_delay(1'000'000) == 300'000);
}

TEST_CASE("delivery states read back from their names; anything else is none") {
  for (const auto s : {DeliveryState::pending, DeliveryState::delivered, DeliveryState::failed, DeliveryState::unrouted})
    CHECK(parse_delivery_state(to_string(s)) == s);
  CHECK_FALSE(parse_delivery_state("lost"));
  CHECK_FALSE(parse_delivery_state(""));
}
