// Lag statistics (see lag_stats.h).
#include "agent/lag_stats.h"

#include <algorithm>

namespace slamon::agent {

void LagStats::record(DurationMs lag_ms) {
  ++count_;
  max_ever_ = std::max(max_ever_, lag_ms);
  if (samples_.size() < capacity_) {
    samples_.push_back(lag_ms);
  } else {
    samples_[next_] = lag_ms;
    next_ = (next_ + 1) % capacity_;
  }
}

LagSummary LagStats::summary() const {
  LagSummary s;
  s.count = count_;
  s.max_ever_ms = max_ever_;
  if (samples_.empty()) return s;
  std::vector<DurationMs> sorted = samples_;
  std::sort(sorted.begin(), sorted.end());
  // Nearest-rank percentiles.
  auto rank = [&](double p) {
    const auto n = sorted.size();
    auto k = static_cast<std::size_t>(p / 100.0 * static_cast<double>(n) + 0.999999);
    k = std::clamp<std::size_t>(k, 1, n);
    return sorted[k - 1];
  };
  s.p50_ms = rank(50);
  s.p99_ms = rank(99);
  s.max_ms = sorted.back();
  return s;
}

}  // namespace slamon::agent
