// SNMPv3 engine-id discovery (RFC 3414 section 4) as bytes: the unauthenticated probe request and
// the parse of the agent's Report, so that discovery runs on the event loop like any UDP exchange
// instead of inside net-snmp's blocking snmp_sess_open().
//
//   request:  SEQUENCE { INTEGER 3,
//                        SEQUENCE { msgID, msgMaxSize 65507, msgFlags 0x04 (reportable), 3 (USM) },
//                        OCTET STRING { SEQUENCE { engineID "", boots 0, time 0, user "", "", "" } },
//                        SEQUENCE { contextEngineID "", contextName "",
//                                   GetRequest-PDU (0xa0) { requestID, 0, 0, SEQUENCE {} } } }
//   report:   the same frame; msgSecurityParameters carry the agent's engineID, boots and time.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace slamon::probes {

struct EngineInfo {
  std::string id;  // raw engine id bytes (5..32)
  std::uint32_t boots = 0;
  std::uint32_t time_s = 0;
  bool operator==(const EngineInfo&) const = default;
};

std::vector<std::uint8_t> build_discovery_request(std::uint32_t msg_id, std::uint32_t request_id);

// The engine of a v3 message answering `msg_id` (a Report, normally), or nullopt when the bytes are
// not such a message.
std::optional<EngineInfo> parse_discovery_response(std::span<const std::uint8_t> bytes, std::uint32_t msg_id);

}  // namespace slamon::probes
