// Phases and the plan queue (see schedule_plan.h).
#include "agent/schedule_plan.h"

namespace slamon::agent {

std::uint64_t stable_hash(std::string_view text) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (const char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

DurationMs phase_offset_ms(std::string_view probe_id, DurationMs interval_ms) {
  if (interval_ms <= 0) return 0;
  return static_cast<DurationMs>(stable_hash(probe_id) % static_cast<std::uint64_t>(interval_ms));
}

TimeMs next_planned_ms(DurationMs phase_ms, DurationMs interval_ms, TimeMs t) {
  if (interval_ms <= 0) return t;
  // k = ceil((t - phase) / interval), with floor division for negative values.
  const TimeMs d = t - phase_ms;
  TimeMs k = d / interval_ms;
  if (k * interval_ms < d) ++k;
  return phase_ms + k * interval_ms;
}

void PlanQueue::add(std::size_t slot, DurationMs phase_ms, DurationMs interval_ms, TimeMs now) {
  heap_.push({next_planned_ms(phase_ms, interval_ms, now), slot, phase_ms, interval_ms});
}

std::optional<TimeMs> PlanQueue::next_due() const {
  if (heap_.empty()) return std::nullopt;
  return heap_.top().planned_ms;
}

std::vector<PlanQueue::Due> PlanQueue::pop_due(TimeMs now) {
  std::vector<Due> due;
  while (!heap_.empty() && heap_.top().planned_ms <= now) {
    Entry e = heap_.top();
    heap_.pop();
    // The latest occurrence <= now runs; those before it were missed.
    const TimeMs latest = next_planned_ms(e.phase_ms, e.interval_ms, now + 1) - e.interval_ms;
    const std::int64_t missed = e.interval_ms > 0 ? (latest - e.planned_ms) / e.interval_ms : 0;
    due.push_back({e.slot, latest, missed});
    e.planned_ms = latest + e.interval_ms;
    heap_.push(e);
  }
  return due;
}

void PlanQueue::replan(TimeMs now) {
  std::vector<Entry> entries;
  entries.reserve(heap_.size());
  while (!heap_.empty()) {
    entries.push_back(heap_.top());
    heap_.pop();
  }
  for (auto& e : entries) {
    e.planned_ms = next_planned_ms(e.phase_ms, e.interval_ms, now);
    heap_.push(e);
  }
}

}  // namespace slamon::agent
