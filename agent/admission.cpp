// Admission control (see admission.h).
#include "agent/admission.h"

#include <algorithm>

namespace slamon::agent {

Admission::Admission(std::array<int, 4> max_in_flight) : max_(max_in_flight) {
  for (auto& m : max_) m = std::max(m, 1);
}

bool Admission::offer(catalogue::ProbeType type, Waiting run) {
  const auto i = index(type);
  if (in_flight_[i] < max_[i] && queue_[i].empty()) {
    ++in_flight_[i];
    return true;
  }
  queue_[i].push_back(run);
  return false;
}

std::optional<Admission::Waiting> Admission::finish(catalogue::ProbeType type) {
  const auto i = index(type);
  if (in_flight_[i] > 0) --in_flight_[i];
  if (queue_[i].empty() || in_flight_[i] >= max_[i]) return std::nullopt;
  const Waiting next = queue_[i].front();
  queue_[i].pop_front();
  ++in_flight_[i];
  return next;
}

std::deque<Admission::Waiting> Admission::drop_older_than(catalogue::ProbeType type, TimeMs oldest_ms) {
  auto& q = queue_[index(type)];
  std::deque<Waiting> dropped;
  std::deque<Waiting> kept;
  for (const auto& w : q) (w.planned_ms < oldest_ms ? dropped : kept).push_back(w);
  q = std::move(kept);
  return dropped;
}

void Admission::remap(const std::function<std::size_t(std::size_t)>& to, std::size_t removed) {
  for (auto& q : queue_) {
    std::deque<Waiting> kept;
    for (const auto& w : q)
      if (const std::size_t s = to(w.slot); s != removed) kept.push_back({s, w.planned_ms});
    q = std::move(kept);
  }
}

}  // namespace slamon::agent
