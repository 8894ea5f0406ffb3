// When each probe runs: a stable phase inside its interval (from a hash of the probe id, so probes
// spread over the interval instead of all firing at :00, and a restart keeps every probe's phase),
// planned starts on the grid phase + k x interval of the wall clock (so nothing drifts, ever), and the
// queue of planned starts. Pure: time is an argument.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <queue>
#include <string_view>
#include <vector>

#include "common/time.h"

namespace slamon::agent {

// FNV-1a, 64 bits: the same value on every machine and build (std::hash promises neither).
std::uint64_t stable_hash(std::string_view text);

// The probe's offset inside its interval, in [0, interval_ms).
DurationMs phase_offset_ms(std::string_view probe_id, DurationMs interval_ms);

// The first planned start at or after `t`: the smallest phase + k x interval >= t (k may be negative).
TimeMs next_planned_ms(DurationMs phase_ms, DurationMs interval_ms, TimeMs t);

// Planned starts of many probes, earliest first.
class PlanQueue {
 public:
  struct Due {
    std::size_t slot = 0;        // the caller's index of the probe
    TimeMs planned_ms = 0;       // the occurrence to run now: the latest planned start <= now
    std::int64_t missed = 0;     // earlier occurrences that passed unrun (the loop was late)
    bool operator==(const Due&) const = default;
  };

  // Plans `slot` from its first planned start at or after `now`.
  void add(std::size_t slot, DurationMs phase_ms, DurationMs interval_ms, TimeMs now);
  std::optional<TimeMs> next_due() const;
  // Every slot planned at or before `now`, each planned again on its grid after `now`.
  std::vector<Due> pop_due(TimeMs now);
  // Plans every slot again from `now` (after the wall clock stepped back: otherwise probes would wait
  // for the time they had planned in the old clock's future).
  void replan(TimeMs now);
  std::size_t size() const { return heap_.size(); }

 private:
  struct Entry {
    TimeMs planned_ms;
    std::size_t slot;
    DurationMs phase_ms;
    DurationMs interval_ms;
    bool operator>(const Entry& o) const {
      return planned_ms != o.planned_ms ? planned_ms > o.planned_ms : slot > o.slot;
    }
  };
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> heap_;
};

}  // namespace slamon::agent
