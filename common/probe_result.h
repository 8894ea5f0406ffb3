// One probe run's outcome, as agents produce it and the interchange format carries it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/time.h"

namespace slamon {

// A further numeric measurement of a run ("loss_percent", "dns_ms", "http_status", ...).
struct Metric {
  std::string name;
  double value = 0;
  bool operator==(const Metric&) const = default;
};

struct ProbeResult {
  std::string probe;                  // probe id from the catalogue
  TimeMs ts = 0;                      // start of the run
  Status status = Status::unknown;    // thresholds already applied by the agent
  std::optional<double> latency_ms;   // headline latency
  std::string message;                // human-readable reason; empty when none
  std::string agent;                  // agent that ran it; empty when unknown
  std::vector<Metric> metrics;        // in the order the probe produced them
  bool operator==(const ProbeResult&) const = default;
};

}  // namespace slamon
