// The store's pure sequence bookkeeping (plan_ingest).
#include "collector/store/store.h"

namespace slamon::store {

IngestPlan plan_ingest(std::uint64_t mark, const wire::Batch& batch) {
  IngestPlan p;
  p.new_mark = mark;
  if (batch.entries.empty()) return p;
  if (batch.first_seq > mark + 1) {
    p.gap = true;
    return p;
  }
  std::uint64_t seq = batch.first_seq;  // the current entry's first number
  for (const auto& e : batch.entries) {
    const std::uint64_t last = seq + wire::seq_width(e) - 1;
    if (last <= mark) {
      ++p.skip;
    } else if (seq <= mark) {
      p.straddles = true;  // a gap entry over the mark: stored (see IngestPlan)
    }
    seq = last + 1;
  }
  p.new_mark = std::max(mark, seq - 1);
  return p;
}

}  // namespace slamon::store
