// Tests for collector/api/report_cache.h: lookups, the byte bound (least recently used out first),
// clear, and the single refresh of the overview.
#include "collector/api/report_cache.h"

#include <doctest/doctest.h>

using namespace slamon::collector::api;

namespace {
std::shared_ptr<const Response> body(std::size_t n) {
  auto r = std::make_shared<Response>();
  r->body.assign(n, 'x');
  return r;
}
}  // namespace

TEST_CASE("report cache: a stored response is found under its key only, and counted as a hit") {
  ReportCache c;
  CHECK(c.find("a") == nullptr);
  c.put("a", body(10));
  REQUIRE(c.find("a") != nullptr);
  CHECK(c.find("a")->body.size() == 10);
  CHECK(c.find("b") == nullptr);
  CHECK(c.stats().hits == 2);
  CHECK(c.stats().misses == 2);
}

TEST_CASE("report cache: over its byte bound the least recently used entries go first; clear empties it") {
  ReportCache c(3000);
  c.put("a", body(800));
  c.put("b", body(800));
  c.put("c", body(800));
  CHECK(c.find("a") != nullptr);  // a is now the most recently used
  c.put("d", body(800));          // over 3000 bytes: b (least recently used) goes
  CHECK(c.find("b") == nullptr);
  CHECK(c.find("a") != nullptr);
  CHECK(c.find("d") != nullptr);
  CHECK(c.stats().bytes <= 3000);
  c.put("huge", body(5000));  // larger than the whole cache: not kept, nothing else evicted
  CHECK(c.find("huge") == nullptr);
  CHECK(c.find("a") != nullptr);
  c.clear();
  CHECK(c.stats().entries == 0);
  CHECK(c.find("a") == nullptr);
}

TEST_CASE("report cache: one overview refresh at a time") {
  ReportCache c;
  CHECK(c.begin_refresh());
  CHECK_FALSE(c.begin_refresh());
  c.refresh_done();
  CHECK(c.begin_refresh());
}
