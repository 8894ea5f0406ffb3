// Availability arithmetic: products, complements and the "at least k" dynamic programmes.
#include "collector/engine/availability_math.h"

#include <algorithm>
#include <map>

namespace slamon::engine {

double serial_availability(const std::vector<double>& a) {
  double p = 1.0;
  for (double x : a) p *= x;
  return p;
}

double parallel_availability(const std::vector<double>& a) {
  double q = 1.0;
  for (double x : a) q *= 1.0 - x;
  return 1.0 - q;
}

double at_least_k_availability(const std::vector<double>& a, std::int64_t k) {
  return weighted_at_least_availability(a, std::vector<std::int64_t>(a.size(), 1), k);
}

double weighted_at_least_availability(const std::vector<double>& a, const std::vector<std::int64_t>& weights,
                                      std::int64_t k) {
  if (k <= 0) return 1.0;
  // dp[s] = P(the up parts seen so far weigh s), with every s >= k kept as k.
  std::map<std::int64_t, double> dp{{0, 1.0}};
  for (std::size_t i = 0; i < a.size(); ++i) {
    std::map<std::int64_t, double> next;
    for (const auto& [s, p] : dp) {
      next[s] += p * (1.0 - a[i]);
      next[std::min(k, s + weights[i])] += p * a[i];
    }
    dp = std::move(next);
  }
  auto it = dp.find(k);
  return it == dp.end() ? 0.0 : it->second;
}

std::int64_t min_percent_threshold(Decimal4 percent, std::int64_t total_weight) {
  // 100·w >= P·W with P = e4 / 10^4: w >= e4·W / 10^6, rounded up.
  const __int128 num = static_cast<__int128>(percent.e4) * total_weight;
  const __int128 w = (num + 999'999) / 1'000'000;
  return static_cast<std::int64_t>(w);
}

double rule_availability(const catalogue::Rule& rule, const std::vector<double>& a,
                         const std::vector<std::int64_t>& weights) {
  if (a.empty()) return 0.0;
  switch (rule.kind) {
    case catalogue::Rule::Kind::all: return serial_availability(a);
    case catalogue::Rule::Kind::any: return parallel_availability(a);
    case catalogue::Rule::Kind::quorum: return at_least_k_availability(a, rule.quorum);
    case catalogue::Rule::Kind::min_percent: {
      std::int64_t total = 0;
      for (auto w : weights) total += w;
      return weighted_at_least_availability(a, weights, min_percent_threshold(rule.min_percent, total));
    }
  }
  return 0.0;
}

}  // namespace slamon::engine
