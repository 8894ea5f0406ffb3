// Writing probe results as JSON Lines (spec/interchange.md): one object per line, fields in the
// order probe, ts, status, latency_ms, message, agent, metrics; absent optional fields omitted.
// A gap record is a line of its own (docs/report.md, "Gap records"):
//   {"probe":"p","ts":FROM,"status":"unknown","gap_until":TO,"agent":"a","message":"...","metrics":{"dropped":N}}
#pragma once

#include <string>

#include "common/probe_gap.h"
#include "common/probe_result.h"

namespace slamon {

// Appends one line (with its trailing '\n') to `out`.
void append_result_line(std::string& out, const ProbeResult& r);
std::string format_result_line(const ProbeResult& r);
// Appends a gap line (with its '\n'); the message is made from the agent and the count.
void append_gap_line(std::string& out, const ProbeGap& g);
std::string format_gap_line(const ProbeGap& g);

}  // namespace slamon
