// The nearest-rank percentile of semantics.md section 7: the ceil(p/100 * N)-th smallest value,
// with p an exact Decimal4 and the rank computed in integers.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "common/decimal.h"

namespace slamon::engine {

// The 1-based rank ceil(p/100 * n), clamped to [1, n]; n > 0.
std::size_t nearest_rank(Decimal4 p, std::size_t n);

// nullopt when values is empty. Reorders values.
std::optional<double> nearest_rank_percentile(Decimal4 p, std::vector<double>& values);

}  // namespace slamon::engine
