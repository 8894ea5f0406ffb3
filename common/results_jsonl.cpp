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

void append_gap_line(std::string& out, const ProbeGap& g) {
  out += "{\"probe\":";
  append_json_string(out, g.probe);
  out += ",\"ts\":\"";
  out += format_rfc3339(g.from_ms);
  out += "\",\"status\":\"unknown\",\"gap_until\":\"";
  out += format_rfc3339(g.to_ms);
  out += '"';
  if (!g.agent.empty()) {
    out += ",\"agent\":";
    append_json_string(out, g.agent);
  }
  std::string message = (g.agent.empty() ? std::string("the agent") : "agent " + g.agent) + "'s spool was full: ";
  message += std::to_string(g.dropped) + (g.dropped == 1 ? " result dropped" : " results dropped");
  out += ",\"message\":";
  append_json_string(out, message);
  out += ",\"metrics\":{\"dropped\":";
  out += std::to_string(g.dropped);
  out += "}}\n";
}

std::string format_gap_line(const ProbeGap& g) {
  std::string out;
  append_gap_line(out, g);
  return out;
}

}  // namespace slamon
