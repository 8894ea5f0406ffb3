// The roll-up rules of semantics.md section 2 as one pure function over the counted children's
// statuses (counts and weights), so a sweep can keep the tallies and re-evaluate in O(1).
#pragma once

#include <cstdint>

#include "common/catalogue/model.h"
#include "common/status.h"

namespace slamon::engine {

// Counts (for quorum/all/any) and weights (for min_percent) of counted children (weight > 0).
struct Tally {
  std::int64_t n[4] = {0, 0, 0, 0};  // indexed by Status
  std::int64_t w[4] = {0, 0, 0, 0};
  void add(Status s, std::int64_t weight, int sign = 1) {
    n[static_cast<int>(s)] += sign;
    w[static_cast<int>(s)] += sign * weight;
  }
  std::int64_t count() const { return n[0] + n[1] + n[2] + n[3]; }
  std::int64_t weight() const { return w[0] + w[1] + w[2] + w[3]; }
};

Status rollup(const catalogue::Rule& rule, const Tally& t);

}  // namespace slamon::engine
