// The table of measurements (see measurements.h).
#include "common/catalogue/measurements.h"

#include <array>

namespace slamon::catalogue {
namespace {

constexpr std::uint8_t bit(ProbeType t) { return static_cast<std::uint8_t>(1U << static_cast<unsigned>(t)); }
constexpr std::uint8_t kHttp = bit(ProbeType::http);
constexpr std::uint8_t kIcmp = bit(ProbeType::icmp);
constexpr std::uint8_t kSnmp = bit(ProbeType::snmp);
constexpr std::uint8_t kTcp = bit(ProbeType::tcp);

constexpr std::array<MeasurementInfo, 18> kTable{{
    {measure::latency_ms, "ms", kHttp | kIcmp | kSnmp | kTcp,
     "http: the whole run; icmp: average RTT; snmp: the whole run; tcp: the connect"},
    {measure::dns_ms, "ms", kHttp, "name lookup"},
    {measure::connect_ms, "ms", kHttp, "the TCP handshake alone"},
    {measure::tls_ms, "ms", kHttp, "the TLS handshake alone (https only)"},
    {measure::ttfb_ms, "ms", kHttp, "from the start of the run to the first byte of the response"},
    {measure::transfer_ms, "ms", kHttp, "from the first byte to the last"},
    {measure::http_status, "code", kHttp, "the final status code"},
    {measure::cert_days_left, "days", kHttp, "days until the earliest certificate of the served chain expires",
     true},
    {measure::rtt_ms, "ms", kIcmp, "average round-trip time of the replies"},
    {measure::rtt_min_ms, "ms", kIcmp, "minimum round-trip time"},
    {measure::rtt_max_ms, "ms", kIcmp, "maximum round-trip time"},
    {measure::rtt_stddev_ms, "ms", kIcmp, "population standard deviation of the round-trip times"},
    {measure::loss_percent, "%", kIcmp, "requests sent without a reply, in percent of those sent"},
    {measure::sent, "count", kIcmp, "requests sent"},
    {measure::received, "count", kIcmp, "replies received"},
    {measure::duplicates, "count", kIcmp, "further copies of replies already received"},
    {measure::errors, "count", kIcmp, "requests answered by an ICMP error"},
    {measure::values, "count", kSnmp, "values fetched"},
}};

}  // namespace

std::span<const MeasurementInfo> measurements() { return kTable; }

const MeasurementInfo* find_measurement(std::string_view name) {
  for (const auto& m : kTable)
    if (m.name == name) return &m;
  return nullptr;
}

bool has_measurement(ProbeType t, std::string_view name) {
  const auto* m = find_measurement(name);
  return m && m->produced_by(t);
}

std::vector<std::string_view> measurement_names(ProbeType t) {
  std::vector<std::string_view> out;
  for (const auto& m : kTable)
    if (m.produced_by(t)) out.push_back(m.name);
  return out;
}

}  // namespace slamon::catalogue
