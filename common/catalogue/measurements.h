// The measurements of each probe type: one table (name, unit, the probe types that produce it, what it
// means) from which catalogue validation (down_if / degraded_if), the probes' threshold evaluation and
// the docs read. Code names a measurement through the constants in `measure`, so that a misspelt name
// is a compile error, not a threshold that never fires.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "common/catalogue/model.h"

namespace slamon::catalogue {

struct MeasurementInfo {
  std::string_view name;
  std::string_view unit;     // "ms", "%", "days", "count", "code"
  std::uint8_t types = 0;    // bit (1 << ProbeType) for each probe type that produces it
  std::string_view meaning;  // one line, as in docs/probes*.md
  bool may_be_negative = false;  // a result line may carry it below zero (an expired certificate)
  bool produced_by(ProbeType t) const { return (types >> static_cast<unsigned>(t)) & 1U; }
};

// Every measurement, in the order the docs list them.
std::span<const MeasurementInfo> measurements();
// The entry for `name`, or nullptr.
const MeasurementInfo* find_measurement(std::string_view name);
// Whether probes of type `t` produce `name` (and a threshold on it may be set).
bool has_measurement(ProbeType t, std::string_view name);
// The names a probe type produces, in table order.
std::vector<std::string_view> measurement_names(ProbeType t);

// The names, for code that produces or reads a measurement.
namespace measure {
inline constexpr std::string_view latency_ms = "latency_ms";
inline constexpr std::string_view dns_ms = "dns_ms";
inline constexpr std::string_view connect_ms = "connect_ms";
inline constexpr std::string_view tls_ms = "tls_ms";
inline constexpr std::string_view ttfb_ms = "ttfb_ms";
inline constexpr std::string_view transfer_ms = "transfer_ms";
inline constexpr std::string_view http_status = "http_status";
inline constexpr std::string_view cert_days_left = "cert_days_left";
inline constexpr std::string_view rtt_ms = "rtt_ms";
inline constexpr std::string_view rtt_min_ms = "rtt_min_ms";
inline constexpr std::string_view rtt_max_ms = "rtt_max_ms";
inline constexpr std::string_view rtt_stddev_ms = "rtt_stddev_ms";
inline constexpr std::string_view loss_percent = "loss_percent";
inline constexpr std::string_view sent = "sent";
inline constexpr std::string_view received = "received";
inline constexpr std::string_view duplicates = "duplicates";
inline constexpr std::string_view errors = "errors";
inline constexpr std::string_view values = "values";
}  // namespace measure

}  // namespace slamon::catalogue
