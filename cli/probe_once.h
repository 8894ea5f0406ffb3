// Running probes once for `slamon probe` and printing their results: readable text or results JSONL.
// Shared by the per-type subcommands (cli/probe_<type>.cpp) and the catalogue mode (cli/cmd_probe.cpp).
#pragma once

#include <cstdio>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "agent/runners.h"
#include "common/catalogue/model.h"
#include "common/probe_result.h"

namespace slamon::cli {

enum class ProbeOutput { text, jsonl };

// Exit codes of `slamon probe`: every result up, some result not up, the probes could not be run.
inline constexpr int kProbeAllUp = 0;
inline constexpr int kProbeNotAllUp = 1;
inline constexpr int kProbeUsageError = 2;

struct RunOnceOptions {
  agent::RunnerOptions runners;
  std::size_t max_in_flight = 2'000;   // runs at once; the rest start as earlier ones end
  std::string agent;                   // stamped on the results ("" for ad-hoc probes)
};

// Makes probe number i (0 <= i < count) when its turn comes, so that a sweep of 200,000 targets never
// holds 200,000 probes at once.
using ProbeMaker = std::function<catalogue::Probe(std::size_t)>;

// Runs `count` probes once (concurrently, at most max_in_flight at a time) on one event loop; calls
// `on_result` with each result as it completes, with the probe's index.
void run_probes_once(std::size_t count, const ProbeMaker& make, const RunOnceOptions& options,
                     const std::function<void(std::size_t, const ProbeResult&)>& on_result);

// "web-01.icmp  up  0.041 ms  message  loss_percent=0 rtt_ms=0.041 ..."
std::string format_result_text(const ProbeResult& r);

// Prints every result (in the probes' order for text, as they complete for JSONL) and returns the
// exit code. With `summary_over` set, text output beyond that many probes is a summary instead.
int run_and_print(std::size_t count, const ProbeMaker& make, const RunOnceOptions& options, ProbeOutput output,
                  std::optional<std::size_t> summary_over = std::nullopt, std::FILE* out = stdout);
int run_and_print(const std::vector<catalogue::Probe>& probes, const RunOnceOptions& options, ProbeOutput output,
                  std::optional<std::size_t> summary_over = std::nullopt, std::FILE* out = stdout);

// Parses "text" / "jsonl".
std::optional<ProbeOutput> parse_probe_output(const std::string& text);

}  // namespace slamon::cli
