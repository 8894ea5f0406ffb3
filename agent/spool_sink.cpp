// The spool sink (see spool_sink.h).
#include "agent/spool_sink.h"

#include <spdlog/spdlog.h>

#include <cstring>
#include <span>
#include <vector>

#include "common/wire/convert.h"

namespace slamon::agent {

SpoolSink::SpoolSink(Spool& spool, const Clock& clock, std::shared_ptr<spdlog::logger> log, std::string agent,
                     JsonlFileSink* results_log, SpoolSinkEvents events, SpoolSinkOptions options)
    : spool_(spool),
      clock_(clock),
      log_(std::move(log)),
      agent_(std::move(agent)),
      results_log_(results_log),
      events_(std::move(events)),
      options_(options) {}

std::size_t SpoolSink::estimate_bytes(const ProbeResult& r) {
  std::size_t n = sizeof(ProbeResult) + r.probe.size() + r.message.size() + r.agent.size();
  for (const auto& m : r.metrics) n += sizeof(m) + m.name.size();
  return n;
}

void SpoolSink::write(const ProbeResult& result) {
  pending_bytes_ += estimate_bytes(result);
  pending_.push_back(result);
  // The bound holds only while the spool fails: otherwise the next flush empties the buffer.
  if (failing_) drop_over_bound();
}

void SpoolSink::drop_over_bound() {
  while (pending_bytes_ > options_.max_unwritten_bytes && pending_head_ < pending_.size()) {
    pending_bytes_ -= estimate_bytes(pending_[pending_head_]);
    ++pending_head_;
    ++dropped_;
    ++episode_dropped_;
  }
  // Free the dropped ones now and then (each move of the rest is paid by as many drops).
  if (pending_head_ > 0 && pending_head_ >= pending_.size() / 2) {
    pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(pending_head_));
    pending_head_ = 0;
  }
}

void SpoolSink::flush() {
  const std::int64_t now_ns = clock_.steady_ns();
  if (!next_limits_ns_ || now_ns >= *next_limits_ns_) {
    next_limits_ns_ = now_ns + options_.limits_every_ms * 1'000'000;
    enforce_limits();
  }
  if (pending_head_ == pending_.size()) return;
  const std::span<const ProbeResult> batch(pending_.data() + pending_head_, pending_.size() - pending_head_);
  try {
    spool_.append(batch);
  } catch (const sqlite::Error& e) {
    const int err = spool_.system_errno();
    const std::string why = std::string(e.what()) + (err != 0 ? std::string(" (") + std::strerror(err) + ")" : "");
    if (!failing_ || why != last_error_) {
      if (log_)
        log_->error("{}: cannot commit {} results to the spool {}: {}; keeping them in memory (at most {} bytes) and "
                    "trying again",
                    agent_, batch.size(), spool_.path(), why, options_.max_unwritten_bytes);
    }
    failing_ = true;
    last_error_ = why;
    drop_over_bound();
    return;
  }
  if (failing_) {
    if (log_)
      log_->info("{}: the spool {} can be written again; {} results dropped meanwhile", agent_, spool_.path(),
                 episode_dropped_);
    failing_ = false;
    last_error_.clear();
    episode_dropped_ = 0;
  }
  committed_ += batch.size();
  // Only what the spool holds goes to the results log: the log never shows a result the collector
  // may not get.
  if (results_log_) {
    for (const auto& r : batch) results_log_->write(r);
    results_log_->flush();
  }
  pending_.clear();  // keeps its capacity for the next flush, but not that of a long failure
  if (pending_.capacity() > 16'384) pending_.shrink_to_fit();
  pending_head_ = 0;
  pending_bytes_ = 0;
  if (events_.committed) events_.committed();
}

void SpoolSink::enforce_limits() {
  SpoolDrop drop;
  try {
    drop = spool_.enforce_limits();
  } catch (const sqlite::Error& e) {
    if (log_) log_->error("{}: cannot enforce the limits of the spool {}: {}", agent_, spool_.path(), e.what());
    return;
  }
  if (drop.results == 0) return;
  gapped_ += drop.results;
  const auto st = spool_.state();
  const std::uint64_t first = st.first_seq;
  const std::uint64_t last = first + drop.gap.dropped - 1;
  std::string probes;
  constexpr std::size_t kShown = 10;
  for (std::size_t i = 0; i < drop.gap.probes.size() && i < kShown; ++i) probes += (i ? ", " : "") + drop.gap.probes[i];
  if (drop.gap.probes.size() > kShown) probes += " and " + std::to_string(drop.gap.probes.size() - kShown) + " more";
  if (log_)
    log_->warn("{}: spool {} over its limits: dropped the {} oldest results of {} probes ({}) from {} to {}; a gap "
               "record (numbers {}..{}) takes their place, so the collector shows these probes unknown for that time",
               agent_, spool_.path(), drop.results, drop.gap.probes.size(), probes, format_rfc3339(drop.gap.from_ms),
               format_rfc3339(drop.gap.to_ms), first, last);
  if (events_.dropped) events_.dropped(first, last);
}

}  // namespace slamon::agent
