// quorum / all / any / min_percent, compared exactly (min_percent in Decimal4 with integers).
#include "collector/engine/rollup.h"

namespace slamon::engine {
namespace {

constexpr int kDown = static_cast<int>(Status::down);
constexpr int kUnk = static_cast<int>(Status::unknown);
constexpr int kDeg = static_cast<int>(Status::degraded);
constexpr int kUp = static_cast<int>(Status::up);

}  // namespace

Status rollup(const catalogue::Rule& rule, const Tally& t) {
  if (t.count() == 0) return Status::unknown;
  if (rule.kind == catalogue::Rule::Kind::min_percent) {
    // reaches(x) <=> 100 * x >= P * W, with P in ten-thousandths: 100 * 10^4 * x >= P.e4 * W.
    const __int128 W = t.weight();
    const __int128 P = rule.min_percent.e4;
    auto reaches = [&](std::int64_t x) { return static_cast<__int128>(x) * 1'000'000 >= P * W; };
    const std::int64_t avail = t.w[kUp] + t.w[kDeg];
    if (reaches(avail)) {
      return reaches(t.w[kUp]) && t.n[kDeg] == 0 && t.n[kDown] == 0 ? Status::up : Status::degraded;
    }
    if (reaches(avail + t.w[kUnk])) return Status::unknown;
    return Status::down;
  }
  std::int64_t k = 1;
  switch (rule.kind) {
    case catalogue::Rule::Kind::all: k = t.count(); break;
    case catalogue::Rule::Kind::any: k = 1; break;
    case catalogue::Rule::Kind::quorum: k = rule.quorum; break;
    case catalogue::Rule::Kind::min_percent: break;
  }
  const std::int64_t avail = t.n[kUp] + t.n[kDeg];
  if (avail >= k) {
    return t.n[kUp] >= k && t.n[kDeg] == 0 && t.n[kDown] == 0 ? Status::up : Status::degraded;
  }
  if (avail + t.n[kUnk] >= k) return Status::unknown;
  return Status::down;
}

}  // namespace slamon::engine
