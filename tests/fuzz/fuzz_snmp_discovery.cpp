// Fuzz target: SNMPv3 engine discovery reads a Report from whatever answers on the agent's port.
// Parses the input as the answer to message 4242 (the id of the seeds captured from snmpd, see
// tests/fuzz/corpus/snmp_discovery/) and to a message id taken from its first bytes, and checks
// what a parse promises: an engine id of 5 to 32 bytes. Also builds a request from those bytes and
// checks that it is one well-formed BER sequence that is not taken for a report.
#include <cstddef>
#include <cstdint>
#include <span>

#include "probes/codec/snmp_discovery.h"

using namespace slamon::probes;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> in(data, size);
  std::uint32_t id = 0;
  for (std::size_t i = 0; i < 4 && i < size; ++i) id = (id << 8) | data[i];
  for (const std::uint32_t msg_id : {4242u, id}) {
    const auto info = parse_discovery_response(in, msg_id);
    if (info && (info->id.size() < 5 || info->id.size() > 32)) __builtin_trap();
  }
  const auto req = build_discovery_request(id, ~id);
  if (req.size() < 2 || req[0] != 0x30 || req[1] != req.size() - 2) __builtin_trap();
  if (parse_discovery_response(req, id)) __builtin_trap();
  return 0;
}
