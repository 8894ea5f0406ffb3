// Tests for collector/ingest_outage.h (pure): the store thread's outage: when to try the store again
// (a doubling backoff), and a log line only when the store goes down and when it works again.
#include "collector/ingest_outage.h"

#include <doctest/doctest.h>

using namespace slamon;
using namespace slamon::collector;

TEST_CASE("store outage: up tries at once; down waits the backoff, 250 ms doubling to 5 s; a line only on each change") {
  StoreOutage o;
  CHECK_FALSE(o.down());
  CHECK(o.may_try(0));
  const auto down = o.failed(1'000, "store postgresql://slamon:***@db/s: cannot connect: Connection refused");
  REQUIRE(down);
  CHECK(down->find("the store failed: store postgresql://slamon:***@db/s: cannot connect: Connection refused; "
                   "nothing is acknowledged") == 0);
  CHECK(o.down());
  CHECK_FALSE(o.may_try(1'249));
  CHECK(o.may_try(1'250));
  // Each further failure: no line, the next delay doubles up to 5 s.
  TimeMs t = 1'250;
  const DurationMs delays[] = {500, 1'000, 2'000, 4'000, 5'000, 5'000};
  for (const auto d : delays) {
    CHECK_FALSE(o.failed(t, "server closed the connection unexpectedly"));
    CHECK(o.retry_at_ms() == t + d);
    CHECK_FALSE(o.may_try(t + d - 1));
    t += d;
  }
  CHECK(o.failures() == 7);
  CHECK(o.why().find("Connection refused") != std::string::npos);  // the outage's first reason
  const auto up = o.succeeded(t);
  REQUIRE(up);
  CHECK(t == 18'750);
  CHECK(up->find("the store works again after 17.") == 0);  // 17.75 s
  CHECK(up->find(" s (7 failed attempts); ingest resumes") != std::string::npos);
  CHECK_FALSE(o.down());
  CHECK(o.may_try(t));
  CHECK_FALSE(o.succeeded(t + 1));  // already up: no line
  // A new outage starts from the first delay again.
  REQUIRE(o.failed(t, "again"));
  CHECK(o.retry_at_ms() == t + 250);
}
