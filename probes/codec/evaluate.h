// Judging one probe run against its thresholds (spec/catalogue.md, "Probe fields"): a pure function
// from what the run measured to the result's status and message.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/catalogue/model.h"
#include "common/probe_result.h"
#include "probes/codec/failure.h"

namespace slamon::probes {

// What a runner observed, before any threshold is applied.
struct RunOutcome {
  ProbeError error = ProbeError::ok;  // why the run failed; status_of(error) decides down or unknown
  std::string message;                // why it failed (in the run's own words), or extra detail
  std::optional<double> latency_ms;
  std::vector<Metric> metrics;      // type-specific measurements (loss_percent, dns_ms, ...)
};

// Applies down_if, degraded_if and the HTTP certificate rule; limits are reached at >=.
ProbeResult evaluate(const catalogue::Probe& probe, TimeMs ts, RunOutcome outcome, const std::string& agent);

// The result of a run the agent could not make or finish (no runner, overran, internal error):
// `error` decides the status through the failure table. Used by the scheduler and `slamon probe`.
ProbeResult agent_side(const catalogue::Probe& probe, TimeMs ts, ProbeError error, std::string message,
                       const std::string& agent);

// The value of a named measurement ("latency_ms" or a metric), if the run produced it.
std::optional<double> measurement(const RunOutcome& outcome, std::string_view name);

}  // namespace slamon::probes
