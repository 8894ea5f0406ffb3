// Rows the store tests write and read back: a result, a batch of results over three probes, and
// every stored result in the store's order (shared by the SQLite, PostgreSQL and conformance tests).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "collector/store/store.h"

namespace slamon::test {

inline ProbeResult result(std::string probe, TimeMs ts, Status st = Status::up) {
  ProbeResult r;
  r.probe = std::move(probe);
  r.ts = ts;
  r.status = st;
  return r;
}

// Results numbered first.. first + n - 1 of `epoch`, on probes p0, p1, p2 in turn, a second apart.
inline wire::Batch batch(std::uint64_t epoch, std::uint64_t first, std::size_t n, TimeMs ts0 = 1'000'000) {
  wire::Batch b;
  b.epoch = epoch;
  b.first_seq = first;
  // (std::string("p") += ... rather than "p" + ...: g++ 12 warns falsely (-Wrestrict) on the latter.)
  for (std::size_t i = 0; i < n; ++i)
    b.entries.emplace_back(result(std::string("p") += std::to_string((first + i) % 3), ts0 + static_cast<TimeMs>(first + i) * 1000));
  return b;
}

inline std::vector<ProbeResult> all(store::Store& s, store::ResultQuery q = {}) {
  std::vector<ProbeResult> out;
  s.for_each_result(q, [&](const ProbeResult& r) { out.push_back(r); });
  return out;
}

}  // namespace slamon::test
