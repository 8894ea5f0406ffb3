// Availability arithmetic (collector/engine/availability_math.h): textbook figures, unequal quorums and
// weighted min_percent by hand.
#include "collector/engine/availability_math.h"

#include <doctest/doctest.h>

#include "tests/engine/engine_fixtures.h"

namespace slamon::engine {

using namespace test;

TEST_CASE("serial 99.9 and 99.9 give 99.8001; 1-of-2 at 99 give 99.99; 2-of-3 at 99 give 99.9702") {
  CHECK(serial_availability({0.999, 0.999}) == doctest::Approx(0.998001).epsilon(1e-14));
  CHECK(parallel_availability({0.99, 0.99}) == doctest::Approx(0.9999).epsilon(1e-14));
  CHECK(at_least_k_availability({0.99, 0.99}, 1) == doctest::Approx(0.9999).epsilon(1e-14));
  CHECK(at_least_k_availability({0.99, 0.99, 0.99}, 2) == doctest::Approx(0.999702).epsilon(1e-14));
  // The quorum DP agrees with the product and the complement at its ends.
  CHECK(at_least_k_availability({0.9, 0.8, 0.7}, 3) == doctest::Approx(serial_availability({0.9, 0.8, 0.7})));
  CHECK(at_least_k_availability({0.9, 0.8, 0.7}, 1) == doctest::Approx(parallel_availability({0.9, 0.8, 0.7})));
  CHECK(at_least_k_availability({0.9}, 0) == 1.0);
  CHECK(at_least_k_availability({0.9}, 2) == 0.0);
}

TEST_CASE("2-of-3 over unequal children is the exact sum, not the binomial") {
  // By hand: all three up .504, only the third down .216, only the second down .126, only the first
  // down .056: .902. The binomial at the mean availability (.8) would give .896.
  CHECK(at_least_k_availability({0.9, 0.8, 0.7}, 2) == doctest::Approx(0.902).epsilon(1e-14));
  CHECK(at_least_k_availability({0.8, 0.8, 0.8}, 2) == doctest::Approx(0.896).epsilon(1e-14));
}

TEST_CASE("min_percent: the threshold compares 100*w >= P*W exactly, and the weighted DP by hand") {
  CHECK(min_percent_threshold(*parse_decimal4("60"), 5) == 3);        // 300 >= 300
  CHECK(min_percent_threshold(*parse_decimal4("60.0001"), 5) == 4);   // 300 < 300.0005
  CHECK(min_percent_threshold(*parse_decimal4("100"), 7) == 7);
  CHECK(min_percent_threshold(*parse_decimal4("0.0001"), 7) == 1);
  // Weights 3, 1, 1 up with .9, .8, .7. At 60 % (K = 3) only the heavy child can reach it: .9.
  const std::vector<double> a{0.9, 0.8, 0.7};
  const std::vector<std::int64_t> w{3, 1, 1};
  CHECK(rule_availability(rule_min_percent("60"), a, w) == doctest::Approx(0.9).epsilon(1e-14));
  // At 40 % (K = 2): the heavy one, or both light ones: .9 + .1 * .56 = .956.
  CHECK(rule_availability(rule_min_percent("40"), a, w) == doctest::Approx(0.956).epsilon(1e-14));
  // At 80 % (K = 4): the heavy one and one light one at least: .9 * (1 - .2 * .3) = .846.
  CHECK(rule_availability(rule_min_percent("80"), a, w) == doctest::Approx(0.846).epsilon(1e-14));
  // Large weights: the sums saturate at K, so this stays small.
  CHECK(weighted_at_least_availability({0.5, 0.5}, {1'000'000'000, 1'000'000'000}, 1'000'000'000) ==
        doctest::Approx(0.75));
}

TEST_CASE("rule_availability: all, any and quorum by the rule; no counted children is never up") {
  CHECK(rule_availability(rule_all(), {0.999, 0.999}, {1, 1}) == doctest::Approx(0.998001));
  CHECK(rule_availability(rule_any(), {0.99, 0.99}, {1, 1}) == doctest::Approx(0.9999));
  CHECK(rule_availability(rule_quorum(2), {0.99, 0.99, 0.99}, {1, 1, 1}) == doctest::Approx(0.999702));
  CHECK(rule_availability(rule_all(), {}, {}) == 0.0);
}

}  // namespace slamon::engine
