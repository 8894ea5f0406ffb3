// Nearest-rank percentile with exact integer rank.
#include "collector/engine/percentile.h"

#include <algorithm>

namespace slamon::engine {

std::size_t nearest_rank(Decimal4 p, std::size_t n) {
  // ceil(p.e4 * n / 1'000'000)
  const __int128 num = static_cast<__int128>(p.e4) * static_cast<__int128>(n);
  __int128 r = (num + 999'999) / 1'000'000;
  if (r < 1) r = 1;
  if (r > static_cast<__int128>(n)) r = static_cast<__int128>(n);
  return static_cast<std::size_t>(r);
}

std::optional<double> nearest_rank_percentile(Decimal4 p, std::vector<double>& values) {
  if (values.empty()) return std::nullopt;
  const std::size_t k = nearest_rank(p, values.size()) - 1;
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(k), values.end());
  return values[k];
}

}  // namespace slamon::engine
