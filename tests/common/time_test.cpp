// Tests for common/time.h: RFC 3339 and durations.
#include "common/time.h"

#include <doctest/doctest.h>

using namespace slamon;

TEST_CASE("rfc3339 parses UTC and offsets to milliseconds") {
  CHECK(parse_rfc3339("1970-01-01T00:00:00Z") == 0);
  CHECK(parse_rfc3339("2026-10-01T08:00:00.125Z") == 1790841600125);
  CHECK(parse_rfc3339("2026-10-01T16:00:00.125+08:00") == 1790841600125);
  CHECK(parse_rfc3339("2026-10-01T07:30:00.125-00:30") == 1790841600125);
}

TEST_CASE("rfc3339 cuts finer fractions toward the past") {
  CHECK(parse_rfc3339("2026-10-01T08:00:00.1259999Z") == 1790841600125);
  CHECK(parse_rfc3339("1969-12-31T23:59:59.9999Z") == -1);
  CHECK(parse_rfc3339("2026-10-01T08:00:00.1Z") == 1790841600100);
}

TEST_CASE("rfc3339 rejects malformed text") {
  for (const char* bad : {"", "2026-10-01", "2026-10-01T08:00:00", "2026-13-01T00:00:00Z",
                          "2026-02-29T00:00:00Z", "2026-10-01T24:00:00Z", "2026-10-01T08:00:00.Z",
                          "2026-10-01T08:00:00Zx", "2026-10-01T08:00:00+0800", "2026-1O-01T08:00:00Z"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_rfc3339(bad).has_value());
  }
  CHECK(parse_rfc3339("2024-02-29T00:00:00Z").has_value());
}

TEST_CASE("rfc3339 refuses instants that an offset carries out of the four-digit years") {
  // Found by fuzz_scalars: year -1 in UTC could not be written back.
  CHECK_FALSE(parse_rfc3339("0000-01-01T06:00:00+08:00").has_value());
  CHECK_FALSE(parse_rfc3339("9999-12-31T23:00:00-01:00").has_value());
  CHECK(parse_rfc3339("0000-01-01T00:00:00Z").has_value());
  CHECK(parse_rfc3339("0000-01-01T06:00:00-08:00").has_value());
  CHECK(parse_rfc3339("9999-12-31T23:59:59.999Z").has_value());
  for (const char* edge : {"0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999Z"}) {
    CAPTURE(edge);
    CHECK(format_rfc3339(*parse_rfc3339(edge)) == edge);
  }
}

TEST_CASE("rfc3339 round-trips") {
  for (TimeMs t : {0LL, 1790841600125LL, 1790841600000LL, -1LL, 4102444799999LL}) {
    CHECK(parse_rfc3339(format_rfc3339(t)) == t);
  }
  CHECK(format_rfc3339(1790841600000) == "2026-10-01T08:00:00Z");
  CHECK(format_rfc3339(1790841600125) == "2026-10-01T08:00:00.125Z");
}

TEST_CASE("durations need a unit") {
  CHECK(parse_duration("90s") == 90'000);
  CHECK(parse_duration("5m") == 300'000);
  CHECK(parse_duration("2h") == 7'200'000);
  CHECK(parse_duration("250ms") == 250);
  CHECK(parse_duration("1d") == 86'400'000);
  for (const char* bad : {"", "90", "-5s", "5 s", "5sec", "1.5h", "s", "99999999999999999999s"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_duration(bad).has_value());
  }
  CHECK(format_duration(5'400'000) == "1h30m");
  CHECK(format_duration(250) == "250ms");
}

TEST_CASE("rfc3339 accepts a leap second only at 23:59:60 UTC on the last day of a month") {
  const auto end_2016 = parse_rfc3339("2016-12-31T23:59:59Z");
  REQUIRE(end_2016);
  CHECK(parse_rfc3339("2016-12-31T23:59:60Z") == end_2016);
  CHECK(parse_rfc3339("2017-01-01T07:59:60+08:00") == end_2016);  // the same instant in Shanghai
  CHECK(parse_rfc3339("2015-06-30T23:59:60Z"));
  CHECK_FALSE(parse_rfc3339("2016-12-31T12:34:60Z"));
  CHECK_FALSE(parse_rfc3339("2016-12-30T23:59:60Z"));
  CHECK_FALSE(parse_rfc3339("2016-12-31T23:59:60+08:00"));  // 15:59:60 UTC
  CHECK_FALSE(parse_rfc3339("2026-10-10T08:00:60Z"));
}
