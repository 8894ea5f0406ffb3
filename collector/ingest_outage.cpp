// The store thread's outage bookkeeping (see ingest_outage.h).
#include "collector/ingest_outage.h"

#include <algorithm>
#include <cstdio>

namespace slamon::collector {

StoreOutage::StoreOutage(DurationMs initial_ms, DurationMs max_ms)
    : initial_ms_(std::max<DurationMs>(initial_ms, 1)), max_ms_(std::max(max_ms, initial_ms_)), delay_ms_(initial_ms_) {}

std::optional<std::string> StoreOutage::failed(TimeMs now_ms, const std::string& why) {
  ++failures_;
  retry_at_ms_ = now_ms + delay_ms_;
  delay_ms_ = std::min(max_ms_, delay_ms_ * 2);
  if (down_) return std::nullopt;
  down_ = true;
  since_ms_ = now_ms;
  why_ = why;
  return "the store failed: " + why +
         "; nothing is acknowledged until it works again (the agents keep their results), retrying with a "
         "backoff up to " + std::to_string(max_ms_ / 1000) + " s";
}

std::optional<std::string> StoreOutage::succeeded(TimeMs now_ms) {
  if (!down_) return std::nullopt;
  char took[32];
  std::snprintf(took, sizeof took, "%.1f", static_cast<double>(now_ms - since_ms_) / 1000.0);
  std::string line = "the store works again after " + std::string(took) + " s (" + std::to_string(failures_) +
                     " failed attempt" + (failures_ == 1 ? "" : "s") + "); ingest resumes";
  down_ = false;
  failures_ = 0;
  delay_ms_ = initial_ms_;
  why_.clear();
  return line;
}

}  // namespace slamon::collector
