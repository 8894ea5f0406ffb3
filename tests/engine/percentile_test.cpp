// Nearest-rank percentile with exact ranks.
#include "collector/engine/percentile.h"

#include <doctest/doctest.h>

namespace slamon::engine {

TEST_CASE("nearest rank is ceil(p/100 * N), exactly") {
  CHECK(nearest_rank(*parse_decimal4("95"), 100) == 95);
  CHECK(nearest_rank(*parse_decimal4("95"), 101) == 96);
  CHECK(nearest_rank(*parse_decimal4("50"), 4) == 2);
  CHECK(nearest_rank(*parse_decimal4("50.0001"), 4) == 3);
  CHECK(nearest_rank(*parse_decimal4("100"), 7) == 7);
  CHECK(nearest_rank(*parse_decimal4("0.0001"), 7) == 1);
  CHECK(nearest_rank(*parse_decimal4("99.9"), 1000) == 999);  // 0.999 * 1000 exactly, no float error
  CHECK(nearest_rank(*parse_decimal4("99.9"), 1001) == 1000);
}

TEST_CASE("percentile values") {
  std::vector<double> v{5, 1, 4, 2, 3};
  CHECK(*nearest_rank_percentile(*parse_decimal4("50"), v) == 3);
  v = {5, 1, 4, 2, 3};
  CHECK(*nearest_rank_percentile(*parse_decimal4("100"), v) == 5);
  v = {5, 1, 4, 2, 3};
  CHECK(*nearest_rank_percentile(*parse_decimal4("20"), v) == 1);
  v = {5, 1, 4, 2, 3};
  CHECK(*nearest_rank_percentile(*parse_decimal4("20.0001"), v) == 2);
  v.clear();
  CHECK_FALSE(nearest_rank_percentile(*parse_decimal4("95"), v));
}

}  // namespace slamon::engine
