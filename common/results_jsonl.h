// Writing probe results as JSON Lines (spec/interchange.md): one object per line, fields in the
// order probe, ts, status, latency_ms, message, agent, metrics; absent optional fields omitted.
#pragma once

#include <string>

#include "common/probe_result.h"

namespace slamon {

// Appends one line (with its trailing '\n') to `out`.
void append_result_line(std::string& out, const ProbeResult& r);
std::string format_result_line(const ProbeResult& r);

}  // namespace slamon
