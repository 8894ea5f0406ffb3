// Conversions between the plain value types (ProbeResult, catalogue::Probe) and the wire messages of
// common/wire/slamon.proto. Encoding cannot fail; decoding checks everything a peer could get wrong
// (an unset status, a non-finite or negative measurement, a batch whose sequence range does not
// match its entries, an unknown enum value) and says what, so the session can refuse and log it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "common/catalogue/model.h"
#include "common/probe_result.h"
#include "common/wire/slamon.pb.h"

namespace slamon::wire {

// Bumped when a change to slamon.proto cannot be read by the previous version.
constexpr std::uint32_t kProtocolVersion = 2;  // 2: stored ranges in Ack and Welcome

// A decoded value or the reason it was refused.
template <class T>
struct Decoded {
  std::optional<T> value;
  std::string error;  // set exactly when value is not
  explicit operator bool() const { return value.has_value(); }
};

// ---- results ----
void to_wire(const ProbeResult& r, v1::Result& out);
// `agent` is the authenticated sender (results carry no agent field on the wire).
Decoded<ProbeResult> from_wire(const v1::Result& r, const std::string& agent);

// Results a full spool dropped: it stands for their `dropped` sequence numbers (consecutive).
struct GapRecord {
  std::vector<std::string> probes;
  TimeMs from_ms = 0;
  TimeMs to_ms = 0;
  std::uint64_t dropped = 1;
  bool operator==(const GapRecord&) const = default;
};
using BatchEntry = std::variant<ProbeResult, GapRecord>;

// How many sequence numbers an entry stands for: 1 for a result, `dropped` for a gap.
std::uint64_t seq_width(const BatchEntry& e);

struct Batch {
  std::uint64_t epoch = 0;
  std::uint64_t first_seq = 0;  // the first entry's number; each next one follows the previous's width
  std::vector<BatchEntry> entries;
  std::uint64_t last_seq() const;
  bool operator==(const Batch&) const = default;
};
void to_wire(const Batch& b, v1::ResultBatch& out);
Decoded<Batch> from_wire(const v1::ResultBatch& b, const std::string& agent);

// ---- probes ----
// `ca_pem` is the content of the probe's tls.ca_file (HTTP), read by the caller.
void to_wire(const catalogue::Probe& p, const std::optional<std::string>& ca_pem, v1::Probe& out);

struct WireProbe {
  catalogue::Probe probe;          // agent = the receiving agent; tls_ca_file unset
  std::optional<std::string> ca_pem;  // to be stored by the agent and named in tls_ca_file
};
Decoded<WireProbe> from_wire(const v1::Probe& p, const std::string& agent);

}  // namespace slamon::wire
