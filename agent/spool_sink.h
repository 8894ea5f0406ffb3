// The result sink of an agent with a collector: write() buffers; flush() (every 500 ms from the
// scheduler, and at stop) commits the buffer to the spool in one transaction, then, only after the
// commit, appends the same results to the optional results log (JSONL), then tells the uplink that
// new entries wait. Every minute (and at the first flush) the spool's limits are enforced: results
// dropped become one gap record (the collector shows those probes unknown for that time), logged as a
// warning and counted. A spool that cannot be written (a full disk) keeps the results in memory up to
// a bound, beyond which the oldest are dropped (counted, reported at the end as losses), and the
// commit is tried again at the next flush. Runs on the agent's single loop thread, as does the
// uplink: the spool is not thread-safe; its commits (synchronous=NORMAL, WAL) take no fsync and are
// cheap enough for the loop.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <spdlog/fwd.h>
#include <string>
#include <vector>

#include "agent/jsonl_file_sink.h"
#include "agent/result_sink.h"
#include "agent/spool.h"
#include "common/time.h"

namespace slamon::agent {

struct SpoolSinkOptions {
  // Bytes of results (estimated) kept in memory while the spool cannot be written (--max-unwritten).
  std::size_t max_unwritten_bytes = JsonlFileSinkOptions{}.max_unwritten_bytes;
  // How often the spool's size and age limits are enforced.
  DurationMs limits_every_ms = 60'000;
};

// What the uplink hears from the sink.
struct SpoolSinkEvents {
  std::function<void()> committed;  // new entries are in the spool
  // The spool's oldest entries, numbers [first_seq, last_seq], became one gap record.
  std::function<void(std::uint64_t first_seq, std::uint64_t last_seq)> dropped;
};

class SpoolSink final : public ResultSink {
 public:
  // `results_log` may be null. `log` is the "spool" logger (may be null); lines start with `agent`.
  SpoolSink(Spool& spool, const Clock& clock, std::shared_ptr<spdlog::logger> log, std::string agent,
            JsonlFileSink* results_log, SpoolSinkEvents events, SpoolSinkOptions options = {});

  void write(const ProbeResult& result) override;
  void flush() override;
  const SpoolSinkOptions& options() const { return options_; }
  // Enforces the spool's limits now (flush() does it every limits_every_ms).
  void enforce_limits();

  std::uint64_t committed() const { return committed_; }        // results committed to the spool
  std::uint64_t dropped() const { return dropped_; }            // dropped from memory (spool unwritable)
  std::size_t unwritten() const { return pending_.size() - pending_head_; }  // in memory, not yet committed
  std::uint64_t replaced_by_gaps() const { return gapped_; }    // dropped by the spool's limits
  const std::string& last_error() const { return last_error_; } // of the failure in progress; "" when none

 private:
  static std::size_t estimate_bytes(const ProbeResult& r);
  // Drops the oldest results in memory while they take more than max_unwritten_bytes.
  void drop_over_bound();

  Spool& spool_;
  const Clock& clock_;
  std::shared_ptr<spdlog::logger> log_;
  std::string agent_;
  JsonlFileSink* results_log_;
  SpoolSinkEvents events_;
  SpoolSinkOptions options_;
  // Results not yet committed: [pending_head_, end) of one vector, handed to the spool as they are
  // (no copy per flush); while the spool fails, the oldest are dropped by moving the head.
  std::vector<ProbeResult> pending_;
  std::size_t pending_head_ = 0;
  std::size_t pending_bytes_ = 0;
  std::uint64_t committed_ = 0;
  std::uint64_t dropped_ = 0;
  std::uint64_t gapped_ = 0;
  std::string last_error_;
  bool failing_ = false;
  std::uint64_t episode_dropped_ = 0;
  std::optional<std::int64_t> next_limits_ns_;  // monotonic; unset: at the next flush
};

}  // namespace slamon::agent
