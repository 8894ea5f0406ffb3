// ICMPv4 and ICMPv6 echo messages as bytes: building echo requests, parsing echo replies and the
// errors (destination unreachable, time exceeded...) that embed the request they are about. Pure:
// no sockets, no clock, so the sanitizer build and the fuzzer cover it.
//
// ICMP echo request / reply (RFC 792, RFC 4443), as slamon sends it:
//
//   0               8               16                              31
//   +---------------+---------------+-------------------------------+
//   |     type      |     code      |          checksum             |
//   +---------------+---------------+-------------------------------+
//   |          identifier           |          sequence             |
//   +-------------------------------+-------------------------------+
//   |                  token (64 bits, big-endian)                  |
//   |           the request's key: echoed back by the target        |
//   +---------------------------------------------------------------+
//   |  filler: byte i of the payload = (token + i) & 0xff ...       |
//   +---------------------------------------------------------------+
//
// The payload is `payload_bytes` long (at least kMinPayloadBytes, so that the token fits). The token,
// not the 16-bit sequence, identifies a request, so any number of requests can be in flight.
//
// An error message carries the start of the packet that caused it:
//
//   +---------------+---------------+-------------------------------+
//   | type (3, 11..)|     code      |          checksum             |
//   +---------------+---------------+-------------------------------+
//   |              unused / MTU / pointer (32 bits)                 |
//   +---------------------------------------------------------------+
//   | original IPv4 header (IHL x 4 bytes) or IPv6 header (40 bytes)|
//   +---------------------------------------------------------------+
//   | original ICMP echo request: 8-byte header, then its payload   |
//   | (the token when the router included >= 16 bytes of it)       |
//   +---------------------------------------------------------------+
//
// Raw IPv4 sockets deliver the outer IPv4 header too; ping (SOCK_DGRAM) sockets and IPv6 sockets
// deliver the ICMP message alone.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace slamon::probes::icmp {

enum class Family : std::uint8_t { v4, v6 };

inline constexpr std::size_t kHeaderBytes = 8;
inline constexpr std::size_t kTokenBytes = 8;
inline constexpr std::size_t kMinPayloadBytes = kTokenBytes;
inline constexpr std::size_t kMaxPayloadBytes = 65'000;

// ICMP types slamon cares about.
namespace v4type {
inline constexpr std::uint8_t echo_reply = 0, dest_unreachable = 3, source_quench = 4, redirect = 5,
                              echo_request = 8, time_exceeded = 11, parameter_problem = 12;
}
namespace v6type {
inline constexpr std::uint8_t dest_unreachable = 1, packet_too_big = 2, time_exceeded = 3,
                              parameter_problem = 4, echo_request = 128, echo_reply = 129;
}

// An address as bytes: 4 used for IPv4, 16 for IPv6.
struct RawAddress {
  Family family = Family::v4;
  std::array<std::uint8_t, 16> bytes{};
  bool operator==(const RawAddress&) const = default;
};

// The fields of an echo request or reply that identify it.
struct EchoFields {
  std::uint16_t identifier = 0;
  std::uint16_t sequence = 0;
  std::optional<std::uint64_t> token;  // absent when the payload is shorter than the token
  bool operator==(const EchoFields&) const = default;
};

enum class Kind : std::uint8_t {
  echo_reply,
  echo_request,
  error,   // destination unreachable, time exceeded, parameter problem, packet too big
  other,   // any other type (router advertisements, redirects...)
};

struct Message {
  Kind kind = Kind::other;
  std::uint8_t type = 0;
  std::uint8_t code = 0;
  // ICMPv4: verified here. ICMPv6: the checksum covers a pseudo-header with both addresses, so it is
  // verified only when the caller passes them (the kernel verifies it on IPv6 sockets anyway).
  bool checksum_ok = true;
  std::optional<RawAddress> ip_source;       // from the outer IPv4 header, when the buffer had one
  std::optional<RawAddress> ip_destination;
  EchoFields echo;                           // for echo_reply / echo_request
  // For errors whose embedded packet is an ICMP echo request: the request's fields and destination.
  bool embeds_echo_request = false;
  EchoFields original;
  RawAddress original_destination;
  bool operator==(const Message&) const = default;
};

// RFC 1071 one's complement sum of `data`, folded and complemented; `initial` is a partial sum
// (the ICMPv6 pseudo-header).
std::uint16_t internet_checksum(std::span<const std::uint8_t> data, std::uint32_t initial = 0);

// The ICMPv6 checksum of `message` (its checksum field taken as zero) for the given addresses.
std::uint16_t icmpv6_checksum(const RawAddress& source, const RawAddress& destination,
                              std::span<const std::uint8_t> message);

// Writes an echo request (header + payload) to `out` (replacing its contents). ICMPv4 gets its
// checksum; ICMPv6 leaves it zero (the kernel fills it in on IPv6 sockets). `payload_bytes` is raised
// to kMinPayloadBytes and capped at kMaxPayloadBytes.
void build_echo_request(Family family, std::uint16_t identifier, std::uint16_t sequence, std::uint64_t token,
                        std::size_t payload_bytes, std::vector<std::uint8_t>& out);

// Parses one received message. With `with_ip_header` (raw IPv4 sockets) the buffer starts with the
// IPv4 header. nullopt when the bytes are not a well-formed ICMP message of that family.
std::optional<Message> parse_icmpv4(std::span<const std::uint8_t> data, bool with_ip_header);
// ICMPv6; when both addresses are given the checksum is verified.
std::optional<Message> parse_icmpv6(std::span<const std::uint8_t> data, const RawAddress* source = nullptr,
                                    const RawAddress* destination = nullptr);

// The fields of an echo request given as the ICMP message alone (what a ping socket's error queue
// returns). nullopt unless it is an echo request of that family.
std::optional<EchoFields> parse_echo_request(Family family, std::span<const std::uint8_t> data);

// "destination unreachable (host unreachable)", "time exceeded (TTL exceeded in transit)"...
std::string describe_error(Family family, std::uint8_t type, std::uint8_t code);

}  // namespace slamon::probes::icmp
