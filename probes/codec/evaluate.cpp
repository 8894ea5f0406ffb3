// Threshold evaluation.
#include "probes/codec/evaluate.h"

#include <cmath>

#include "common/catalogue/measurements.h"
#include <cstdio>

namespace slamon::probes {
namespace {

std::string format_number(double v) {
  char buf[32];
  if (v == std::floor(v) && std::fabs(v) < 1e15) std::snprintf(buf, sizeof buf, "%.0f", v);
  else std::snprintf(buf, sizeof buf, "%.3g", v);
  return buf;
}

// The first threshold of `limits` that the outcome reaches, as a message, or nullopt.
std::optional<std::string> reached(const RunOutcome& outcome, const std::vector<catalogue::Threshold>& limits) {
  for (const auto& t : limits) {
    const auto v = measurement(outcome, t.measurement);
    if (v && *v >= t.limit)
      return t.measurement + " " + format_number(*v) + " >= " + format_number(t.limit);
  }
  return std::nullopt;
}

}  // namespace

std::optional<double> measurement(const RunOutcome& outcome, std::string_view name) {
  if (name == catalogue::measure::latency_ms) return outcome.latency_ms;
  for (const auto& m : outcome.metrics)
    if (m.name == name) return m.value;
  return std::nullopt;
}

ProbeResult evaluate(const catalogue::Probe& probe, TimeMs ts, RunOutcome outcome, const std::string& agent) {
  ProbeResult r;
  r.probe = probe.id;
  r.ts = ts;
  r.agent = agent;
  r.latency_ms = outcome.latency_ms;
  if (outcome.error != ProbeError::ok) {
    r.status = status_of(outcome.error);
    r.message = std::move(outcome.message);
    if (r.message.empty()) r.message = make_error_code(outcome.error).message();
    r.metrics = std::move(outcome.metrics);
    return r;
  }
  std::string message = std::move(outcome.message);
  auto append = [&message](const std::string& m) { message = message.empty() ? m : m + "; " + message; };
  if (auto why = reached(outcome, probe.down_if)) {
    r.status = Status::down;
    append(*why);
  } else if (auto why_deg = reached(outcome, probe.degraded_if)) {
    r.status = Status::degraded;
    append(*why_deg);
  } else {
    r.status = Status::up;
  }
  // The HTTP certificate rule: down when expired, degraded when expiring sooner than cert_min_days.
  if (const auto* http = std::get_if<catalogue::HttpSpec>(&probe.spec); http && r.status != Status::down) {
    if (const auto days = measurement(outcome, catalogue::measure::cert_days_left)) {
      if (*days < 0) {
        r.status = Status::down;
        append("certificate expired");
      } else if (http->cert_min_days && *days < *http->cert_min_days && r.status == Status::up) {
        r.status = Status::degraded;
        append("certificate expires in " + format_number(std::floor(*days)) + " days (< " +
               std::to_string(*http->cert_min_days) + ")");
      }
    }
  }
  r.message = std::move(message);
  r.metrics = std::move(outcome.metrics);
  return r;
}

ProbeResult agent_side(const catalogue::Probe& probe, TimeMs ts, ProbeError error, std::string message,
                       const std::string& agent) {
  RunOutcome o;
  o.error = error;
  o.message = std::move(message);
  return evaluate(probe, ts, std::move(o), agent);
}

}  // namespace slamon::probes
