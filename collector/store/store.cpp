// The store's pure sequence bookkeeping (plan_ingest).
#include "collector/store/store.h"

namespace slamon::store {

IngestPlan plan_ingest(std::uint64_t mark, std::uint64_t first_seq, std::uint64_t last_seq) {
  IngestPlan p;
  if (first_seq > mark + 1) {
    p.gap = true;
    p.new_mark = mark;
    return p;
  }
  if (last_seq <= mark) {
    p.skip = static_cast<std::size_t>(last_seq - first_seq + 1);
    p.new_mark = mark;
    return p;
  }
  p.skip = static_cast<std::size_t>(mark + 1 - first_seq);
  p.new_mark = last_seq;
  return p;
}

}  // namespace slamon::store
