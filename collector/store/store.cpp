// The store's pure sequence bookkeeping (plan_ingest), and the default read helpers over
// for_each_result.
#include "collector/store/store.h"

#include <algorithm>

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

void Store::walk_probe_results(std::string_view probe, TimeMs from_ms, Direction direction,
                               const std::function<bool(const ProbeResult&)>& on_result) {
  ResultQuery q;
  q.probe = std::string(probe);
  (direction == Direction::forward ? q.from_ms : q.to_ms) = from_ms;
  std::vector<ProbeResult> rows;  // ts, then agent order
  for_each_result(q, [&](const ProbeResult& r) { rows.push_back(r); });
  if (direction == Direction::backward)  // latest ts first, agents still in name order within a ts
    std::stable_sort(rows.begin(), rows.end(), [](const ProbeResult& a, const ProbeResult& b) { return a.ts > b.ts; });
  for (const auto& r : rows)
    if (!on_result(r)) return;
}

std::optional<ProbeResult> Store::find_result(std::string_view probe, TimeMs ts, std::string_view agent) {
  ResultQuery q;
  q.probe = std::string(probe);
  q.agent = std::string(agent);
  q.from_ms = ts;
  q.to_ms = ts + 1;
  std::optional<ProbeResult> out;
  for_each_result(q, [&](const ProbeResult& r) { out = r; });
  return out;
}

}  // namespace slamon::store
