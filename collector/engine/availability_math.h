// Availability arithmetic for independent two-state parts (up with probability a, else down): the
// probabilities that the roll-up rules of semantics.md section 2 hold, used by the feasibility
// check (feasibility.h). Probabilities are fractions in [0, 1], not percentages.
#pragma once

#include <cstdint>
#include <vector>

#include "common/catalogue/model.h"

namespace slamon::engine {

// `all`: every part up (serial composition, the product).
double serial_availability(const std::vector<double>& a);
// `any`: at least one part up (redundancy, 1 - prod(1 - a)).
double parallel_availability(const std::vector<double>& a);
// `{quorum: K}`: at least k parts up, exactly, for unequal availabilities (dynamic programming over
// the parts; k <= 0 gives 1, k > size gives 0).
double at_least_k_availability(const std::vector<double>& a, std::int64_t k);
// Weighted: the up parts' weights sum to at least k (dynamic programming over the achievable sums,
// saturated at k, so at most min(k + 1, 2^n) sums are kept).
double weighted_at_least_availability(const std::vector<double>& a, const std::vector<std::int64_t>& weights,
                                      std::int64_t k);
// `{min_percent: P}` over weights W: the smallest weight sum w with 100·w >= P·W (exact integers).
std::int64_t min_percent_threshold(Decimal4 percent, std::int64_t total_weight);

// The availability of a node with `rule` over its counted children (weights > 0), each up with a[i].
// A node without counted children gives 0 (its status is unknown, never up).
double rule_availability(const catalogue::Rule& rule, const std::vector<double>& a,
                         const std::vector<std::int64_t>& weights);

}  // namespace slamon::engine
