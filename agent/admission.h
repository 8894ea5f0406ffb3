// Admission control: at most N runs of each probe type in flight. A run that cannot start waits in
// its type's FIFO queue and is handed to its runner only when a place frees up, so its timeout starts
// when it really starts (no library queue eats it). Pure bookkeeping, no I/O.
#pragma once

#include <array>
#include <cstddef>
#include <deque>
#include <functional>
#include <optional>

#include "common/catalogue/model.h"
#include "common/time.h"

namespace slamon::agent {

class Admission {
 public:
  struct Waiting {
    std::size_t slot = 0;
    TimeMs planned_ms = 0;
    bool operator==(const Waiting&) const = default;
  };

  // Limits per type, indexed by ProbeType (http, icmp, snmp, tcp); a limit below 1 counts as 1.
  explicit Admission(std::array<int, 4> max_in_flight);

  // True: the run may start now (it is counted in flight). False: it waits in the queue.
  bool offer(catalogue::ProbeType type, Waiting run);
  // A run of `type` ended: the next waiting run, now counted in flight, if any.
  std::optional<Waiting> finish(catalogue::ProbeType type);
  // Removes waiting runs planned before `oldest_ms` (too late to be worth starting); returns them.
  std::deque<Waiting> drop_older_than(catalogue::ProbeType type, TimeMs oldest_ms);

  // Renumbers the waiting runs' slots with `to` (after the probes changed); a run whose slot maps to
  // `removed` leaves the queue.
  void remap(const std::function<std::size_t(std::size_t)>& to, std::size_t removed);

  int in_flight(catalogue::ProbeType type) const { return in_flight_[index(type)]; }
  std::size_t waiting(catalogue::ProbeType type) const { return queue_[index(type)].size(); }

 private:
  static std::size_t index(catalogue::ProbeType t) { return static_cast<std::size_t>(t); }
  std::array<int, 4> max_;
  std::array<int, 4> in_flight_{};
  std::array<std::deque<Waiting>, 4> queue_;
};

}  // namespace slamon::agent
