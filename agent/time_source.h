// Where the scheduler gets its time from: the wall clock (planned starts lie on its grid), the
// monotonic clock (cut-offs, flush periods) and timers on the monotonic clock, all passed in
// (STYLE.md: a clock interface lets tests run a month of time in milliseconds). The agent runs on
// SystemTimeSource; tests run the scheduler on SimulatedTimeSource (agent/simulated_time.h) and assert
// exact instants. The probe runners (probes/*) do real network I/O with real timeouts: they stay on
// real time.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <memory>

#include "common/time.h"

namespace slamon::agent {

// One wait at a time on a TimeSource's monotonic clock.
class Timer {
 public:
  virtual ~Timer() = default;  // a wait in progress completes as cancelled (false)
  // Completes when the monotonic clock (TimeSource::steady_ns) reaches `at_ns`: true; or false when
  // cancelled first (cancel(), the awaiting coroutine's cancellation slot, the timer destroyed). Once
  // resumed, the wait touches nothing of the Timer: the Timer may be gone by then.
  virtual boost::asio::awaitable<bool> wait_until(std::int64_t at_ns) = 0;
  // Cancels the wait in progress, if any (one already due still completes true, as with Asio's timers).
  virtual void cancel() = 0;
};

// Wall clock, monotonic clock and timers of one time line.
class TimeSource : public Clock {
 public:
  virtual std::unique_ptr<Timer> make_timer(boost::asio::any_io_executor executor) = 0;
};

// Real time: the system's clocks and Asio's steady timers.
class SystemTimeSource final : public TimeSource {
 public:
  TimeMs now_ms() const override { return clock_.now_ms(); }
  std::int64_t steady_ns() const override { return clock_.steady_ns(); }
  std::unique_ptr<Timer> make_timer(boost::asio::any_io_executor executor) override;

 private:
  SystemClock clock_;
};

// `d_ms` after now on `time`'s monotonic clock, in ns (for Timer::wait_until).
inline std::int64_t steady_after_ns(const Clock& time, DurationMs d_ms) { return time.steady_ns() + d_ms * 1'000'000; }

}  // namespace slamon::agent
