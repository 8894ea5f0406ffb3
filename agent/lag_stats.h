// Scheduling lag (actual start - planned start, in ms): the last samples kept in a ring, summarised
// as p50 / p99 / max on demand, plus the all-time maximum and count.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "common/time.h"

namespace slamon::agent {

struct LagSummary {
  std::uint64_t count = 0;  // samples ever recorded
  DurationMs p50_ms = 0;    // over the retained samples
  DurationMs p99_ms = 0;
  DurationMs max_ms = 0;    // over the retained samples
  DurationMs max_ever_ms = 0;
  bool operator==(const LagSummary&) const = default;
};

class LagStats {
 public:
  explicit LagStats(std::size_t capacity = 8192) : capacity_(capacity) { samples_.reserve(capacity); }
  void record(DurationMs lag_ms);
  LagSummary summary() const;

 private:
  std::size_t capacity_;
  std::vector<DurationMs> samples_;
  std::size_t next_ = 0;
  std::uint64_t count_ = 0;
  DurationMs max_ever_ = 0;
};

}  // namespace slamon::agent
