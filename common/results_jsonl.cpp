// Results JSON Lines writer.
#include "common/results_jsonl.h"

#include "common/json_writer.h"

namespace slamon {

void append_result_line(std::string& out, const ProbeResult& r) {
  out += "{\"probe\":";
  append_json_string(out, r.probe);
  out += ",\"ts\":\"";
  out += format_rfc3339(r.ts);
  out += "\",\"status\":\"";
  out += to_string(r.status);
  out += '"';
  if (r.latency_ms) {
    out += ",\"latency_ms\":";
    append_json_number(out, *r.latency_ms, false);
  }
  if (!r.message.empty()) {
    out += ",\"message\":";
    append_json_string(out, r.message);
  }
  if (!r.agent.empty()) {
    out += ",\"agent\":";
    append_json_string(out, r.agent);
  }
  if (!r.metrics.empty()) {
    out += ",\"metrics\":{";
    bool first = true;
    for (const auto& m : r.metrics) {
      if (!first) out += ',';
      first = false;
      append_json_string(out, m.name);
      out += ':';
      append_json_number(out, m.value, false);
    }
    out += '}';
  }
  out += "}\n";
}

std::string format_result_line(const ProbeResult& r) {
  std::string out;
  append_result_line(out, r);
  return out;
}

}  // namespace slamon
