// Arithmetic on numbers a peer sent (clocks, sequence numbers), which may be anything: the result is
// clamped to the type's range instead of overflowing.
#pragma once

#include <cstdint>
#include <limits>

namespace slamon {

// a - b, clamped to [INT64_MIN, INT64_MAX] (e.g. our clock minus a peer's).
constexpr std::int64_t saturating_sub(std::int64_t a, std::int64_t b) {
  std::int64_t d = 0;
  if (__builtin_sub_overflow(a, b, &d))
    return b < 0 ? std::numeric_limits<std::int64_t>::max() : std::numeric_limits<std::int64_t>::min();
  return d;
}

}  // namespace slamon
