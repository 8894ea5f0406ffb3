// Tests for common/decimal.h.
#include "common/decimal.h"

#include <doctest/doctest.h>

using namespace slamon;

TEST_CASE("decimal4 parses exactly") {
  CHECK(parse_decimal4("99.5")->e4 == 995000);
  CHECK(parse_decimal4("100")->e4 == 1000000);
  CHECK(parse_decimal4("0.0001")->e4 == 1);
  CHECK(parse_decimal4("99.50000")->e4 == 995000);
  CHECK_FALSE(parse_decimal4("99.12345"));
  CHECK_FALSE(parse_decimal4("1e2"));
  CHECK_FALSE(parse_decimal4("."));
  CHECK_FALSE(parse_decimal4("5."));
  CHECK(format_decimal4(Decimal4{995000}) == "99.5");
  CHECK(format_decimal4(Decimal4{1}) == "0.0001");
  CHECK(format_decimal4(Decimal4{1000000}) == "100");
}
