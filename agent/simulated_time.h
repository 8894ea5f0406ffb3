// Simulated time for tests: wall and monotonic clocks that move only when the test runs the loop,
// and timers that fire when that time reaches them. run_for() drives an io_context: it runs every
// ready handler, and when the loop has nothing else to do it jumps time to the next due timer. A month
// of schedule takes milliseconds, and every instant is exact (no real time passes between handlers).
#pragma once

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <memory>
#include <queue>
#include <vector>

#include "agent/time_source.h"

namespace slamon::agent {

class SimulatedTimeSource final : public TimeSource {
 public:
  // The wall clock starts at `wall_start_ms`, the monotonic clock at 0.
  explicit SimulatedTimeSource(TimeMs wall_start_ms) : wall_start_ms_(wall_start_ms) {}
  TimeMs now_ms() const override;
  std::int64_t steady_ns() const override { return steady_ns_; }
  std::unique_ptr<Timer> make_timer(boost::asio::any_io_executor executor) override;

  // Runs `io` (which no other thread runs) for `d_ms` of simulated time: the handlers ready now, then,
  // instant after instant, the timers due and what they make ready, up to and including now + d_ms.
  // Throws std::runtime_error past `max_handlers` handlers (a loop that never goes idle).
  void run_for(boost::asio::io_context& io, DurationMs d_ms, std::uint64_t max_handlers = 100'000'000);
  // Steps the wall clock alone by `d_ms` (negative: back), as an NTP step does; timers are unaffected.
  void step_wall(DurationMs d_ms) { wall_step_ms_ += d_ms; }
  // Waits in progress (not yet due, not cancelled).
  std::size_t pending() const;

  // Shared by a timer and its waits (internal).
  struct Gate;

 private:
  friend class SimulatedTimer;
  void enqueue(std::int64_t due_ns, const std::shared_ptr<Gate>& gate, std::uint64_t generation);
  struct Entry {
    std::int64_t due_ns;
    std::uint64_t seq;  // earlier-armed first among timers due at the same instant
    std::weak_ptr<Gate> gate;
    std::uint64_t generation;
    bool operator>(const Entry& o) const { return due_ns != o.due_ns ? due_ns > o.due_ns : seq > o.seq; }
  };
  bool live(const Entry& e) const;
  void drop_stale();

  TimeMs wall_start_ms_;
  DurationMs wall_step_ms_ = 0;
  std::int64_t steady_ns_ = 0;
  std::uint64_t seq_ = 0;
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> queue_;
};

}  // namespace slamon::agent
