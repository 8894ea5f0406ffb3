// The store thread's view of its store while the database is away (PostgreSQL restarted, connection
// refused or reset; SQLite's disk gone): pure bookkeeping, no I/O, no clock of its own. After a failed
// call the store is *down*: until the next retry instant (a backoff doubling from 250 ms to 5 s)
// batches and lookups are answered with a failure at once, without touching the database (nothing is
// acknowledged that is not committed; the agents keep their spools); the first call at or after that
// instant tries the database again, and a success ends the outage. The lines to log come only with a
// change of state (down, up again), never with each retry.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/time.h"

namespace slamon::collector {

class StoreOutage {
 public:
  explicit StoreOutage(DurationMs initial_ms = 250, DurationMs max_ms = 5'000);

  // Whether a call at `now_ms` should go to the database (up, or down and the retry instant passed).
  bool may_try(TimeMs steady_now_ms) const { return !down_ || steady_now_ms >= retry_at_ms_; }
  // A call failed at `now_ms` for `why`: the line to log when the store just went down (nullopt while
  // it stays down); the next retry waits the backoff.
  std::optional<std::string> failed(TimeMs steady_now_ms, const std::string& why);
  // A call succeeded: the line to log when that ends an outage.
  std::optional<std::string> succeeded(TimeMs steady_now_ms);

  bool down() const { return down_; }
  TimeMs retry_at_ms() const { return retry_at_ms_; }
  std::uint64_t failures() const { return failures_; }  // failed calls in the current outage
  // Why the store went down (the first failure of the outage), for the sessions' refusals.
  const std::string& why() const { return why_; }

 private:
  DurationMs initial_ms_, max_ms_, delay_ms_;
  bool down_ = false;
  TimeMs since_ms_ = 0;
  TimeMs retry_at_ms_ = 0;
  std::uint64_t failures_ = 0;
  std::string why_;
};

}  // namespace slamon::collector
