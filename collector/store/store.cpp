// The store's pure sequence bookkeeping (plan_ingest), and the default read helpers over
// for_each_result.
#include "collector/store/store.h"

#include <algorithm>

namespace slamon::store {

IngestPlan plan_ingest(std::uint64_t mark, const wire::SeqRanges& stored, const wire::Batch& batch) {
  IngestPlan p;
  p.new_mark = mark;
  p.new_ranges = stored;
  p.new_ranges.erase_through(mark);
  if (batch.entries.empty()) return p;
  wire::SeqRanges all = p.new_ranges;  // every stored number
  if (mark > 0) all.insert(1, mark);
  wire::SeqRanges added;
  p.store.reserve(batch.entries.size());
  std::uint64_t seq = batch.first_seq;  // the current entry's first number
  for (const auto& e : batch.entries) {
    const std::uint64_t last = seq + wire::seq_width(e) - 1;
    if (all.covers(seq, last)) {
      ++p.skip;
      p.store.push_back(false);
    } else {
      if (all.overlaps(seq, last)) p.straddles = true;  // a gap entry partly stored: stored (see IngestPlan)
      p.store.push_back(true);
      added.insert(seq, last);
    }
    seq = last + 1;
  }
  all.insert(added);
  const std::uint64_t new_mark =
      !all.empty() && all.ranges().front().first == 1 ? std::max(mark, all.ranges().front().last) : mark;
  all.erase_through(new_mark);
  if (all.size() > wire::kMaxStoredRanges && all.size() > p.new_ranges.size()) {
    IngestPlan refused;
    refused.gap = true;
    refused.new_mark = mark;
    refused.new_ranges = std::move(p.new_ranges);
    return refused;
  }
  p.new_mark = new_mark;
  p.new_ranges = std::move(all);
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
