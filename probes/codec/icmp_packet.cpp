// ICMP echo codec: see the byte layouts in icmp_packet.h.
#include "probes/codec/icmp_packet.h"

#include <algorithm>

namespace slamon::probes::icmp {
namespace {

std::uint16_t load16(const std::uint8_t* p) { return static_cast<std::uint16_t>((p[0] << 8) | p[1]); }

std::uint64_t load64(const std::uint8_t* p) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | p[i];
  return v;
}

void store16(std::uint8_t* p, std::uint16_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 8);
  p[1] = static_cast<std::uint8_t>(v);
}

std::uint32_t partial_sum(std::span<const std::uint8_t> data, std::uint32_t sum) {
  std::size_t i = 0;
  for (; i + 1 < data.size(); i += 2) sum += load16(&data[i]);
  if (i < data.size()) sum += static_cast<std::uint32_t>(data[i]) << 8;
  // Fold early so that long buffers cannot overflow 32 bits.
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return sum;
}

bool is_error_v4(std::uint8_t type) {
  return type == v4type::dest_unreachable || type == v4type::time_exceeded ||
         type == v4type::parameter_problem || type == v4type::source_quench;
}

bool is_error_v6(std::uint8_t type) {
  return type == v6type::dest_unreachable || type == v6type::packet_too_big || type == v6type::time_exceeded ||
         type == v6type::parameter_problem;
}

EchoFields echo_fields(std::span<const std::uint8_t> icmp) {
  EchoFields f;
  f.identifier = load16(&icmp[4]);
  f.sequence = load16(&icmp[6]);
  if (icmp.size() >= kHeaderBytes + kTokenBytes) f.token = load64(&icmp[kHeaderBytes]);
  return f;
}

// The embedded IPv4 packet of an ICMPv4 error: fills original_* when it is an ICMP echo request.
void parse_embedded_v4(std::span<const std::uint8_t> inner, Message& m) {
  if (inner.size() < 20 || (inner[0] >> 4) != 4) return;
  const std::size_t ihl = static_cast<std::size_t>(inner[0] & 0x0f) * 4;
  if (ihl < 20 || inner.size() < ihl + kHeaderBytes) return;
  if (inner[9] != 1 /* IPPROTO_ICMP */) return;
  const auto icmp = inner.subspan(ihl);
  if (icmp[0] != v4type::echo_request) return;
  m.embeds_echo_request = true;
  m.original = echo_fields(icmp);
  m.original_destination.family = Family::v4;
  std::copy_n(&inner[16], 4, m.original_destination.bytes.begin());
}

// The embedded IPv6 packet of an ICMPv6 error (no extension headers expected on our own requests).
void parse_embedded_v6(std::span<const std::uint8_t> inner, Message& m) {
  constexpr std::size_t kIpv6Header = 40;
  if (inner.size() < kIpv6Header + kHeaderBytes || (inner[0] >> 4) != 6) return;
  if (inner[6] != 58 /* IPPROTO_ICMPV6 */) return;
  const auto icmp = inner.subspan(kIpv6Header);
  if (icmp[0] != v6type::echo_request) return;
  m.embeds_echo_request = true;
  m.original = echo_fields(icmp);
  m.original_destination.family = Family::v6;
  std::copy_n(&inner[24], 16, m.original_destination.bytes.begin());
}

}  // namespace

std::uint16_t internet_checksum(std::span<const std::uint8_t> data, std::uint32_t initial) {
  std::uint32_t sum = partial_sum(data, initial);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum & 0xffff);
}

std::uint16_t icmpv6_checksum(const RawAddress& source, const RawAddress& destination,
                              std::span<const std::uint8_t> message) {
  std::uint32_t sum = partial_sum(std::span(source.bytes.data(), 16), 0);
  sum = partial_sum(std::span(destination.bytes.data(), 16), sum);
  const auto len = static_cast<std::uint32_t>(message.size());
  sum += (len >> 16) + (len & 0xffff);
  sum += 58;  // next header: ICMPv6
  // The checksum field itself counts as zero.
  if (message.size() >= 4) {
    sum = partial_sum(message.first(2), sum);
    sum = partial_sum(message.subspan(4), sum);
  } else {
    sum = partial_sum(message, sum);
  }
  return internet_checksum({}, sum);
}

void build_echo_request(Family family, std::uint16_t identifier, std::uint16_t sequence, std::uint64_t token,
                        std::size_t payload_bytes, std::vector<std::uint8_t>& out) {
  payload_bytes = std::clamp(payload_bytes, kMinPayloadBytes, kMaxPayloadBytes);
  out.assign(kHeaderBytes + payload_bytes, 0);
  out[0] = family == Family::v4 ? v4type::echo_request : v6type::echo_request;
  out[1] = 0;
  store16(&out[4], identifier);
  store16(&out[6], sequence);
  for (int i = 0; i < 8; ++i) out[kHeaderBytes + i] = static_cast<std::uint8_t>(token >> (56 - 8 * i));
  for (std::size_t i = kTokenBytes; i < payload_bytes; ++i)
    out[kHeaderBytes + i] = static_cast<std::uint8_t>((token + i) & 0xff);
  if (family == Family::v4) store16(&out[2], internet_checksum(out));
}

std::optional<Message> parse_icmpv4(std::span<const std::uint8_t> data, bool with_ip_header) {
  Message m;
  if (with_ip_header) {
    if (data.size() < 20 || (data[0] >> 4) != 4) return std::nullopt;
    const std::size_t ihl = static_cast<std::size_t>(data[0] & 0x0f) * 4;
    if (ihl < 20 || data.size() < ihl) return std::nullopt;
    if (data[9] != 1) return std::nullopt;
    RawAddress src, dst;
    std::copy_n(&data[12], 4, src.bytes.begin());
    std::copy_n(&data[16], 4, dst.bytes.begin());
    m.ip_source = src;
    m.ip_destination = dst;
    // Trust the total length when it is consistent (trailing link-layer padding is cut off).
    const std::size_t total = load16(&data[2]);
    if (total >= ihl && total <= data.size()) data = data.first(total);
    data = data.subspan(ihl);
  }
  if (data.size() < kHeaderBytes) return std::nullopt;
  m.type = data[0];
  m.code = data[1];
  m.checksum_ok = internet_checksum(data) == 0;
  if (m.type == v4type::echo_reply || m.type == v4type::echo_request) {
    m.kind = m.type == v4type::echo_reply ? Kind::echo_reply : Kind::echo_request;
    m.echo = echo_fields(data);
  } else if (is_error_v4(m.type)) {
    m.kind = Kind::error;
    parse_embedded_v4(data.subspan(kHeaderBytes), m);
  } else {
    m.kind = Kind::other;
  }
  return m;
}

std::optional<Message> parse_icmpv6(std::span<const std::uint8_t> data, const RawAddress* source,
                                    const RawAddress* destination) {
  if (data.size() < kHeaderBytes) return std::nullopt;
  Message m;
  m.type = data[0];
  m.code = data[1];
  if (source && destination) m.checksum_ok = icmpv6_checksum(*source, *destination, data) == load16(&data[2]);
  if (m.type == v6type::echo_reply || m.type == v6type::echo_request) {
    m.kind = m.type == v6type::echo_reply ? Kind::echo_reply : Kind::echo_request;
    m.echo = echo_fields(data);
  } else if (is_error_v6(m.type)) {
    m.kind = Kind::error;
    parse_embedded_v6(data.subspan(kHeaderBytes), m);
  } else {
    m.kind = Kind::other;
  }
  return m;
}

std::optional<EchoFields> parse_echo_request(Family family, std::span<const std::uint8_t> data) {
  if (data.size() < kHeaderBytes) return std::nullopt;
  const std::uint8_t want = family == Family::v4 ? v4type::echo_request : v6type::echo_request;
  if (data[0] != want) return std::nullopt;
  return echo_fields(data);
}

std::string describe_error(Family family, std::uint8_t type, std::uint8_t code) {
  auto with = [](const char* what, const char* detail) { return std::string(what) + " (" + detail + ")"; };
  auto numbered = [](const char* what, int type_value, int code_value) {
    return std::string(what) + " (type " + std::to_string(type_value) + ", code " + std::to_string(code_value) + ")";
  };
  if (family == Family::v4) {
    switch (type) {
      case v4type::dest_unreachable: {
        static constexpr const char* kCodes[] = {
            "network unreachable", "host unreachable", "protocol unreachable", "port unreachable",
            "fragmentation needed", "source route failed", "destination network unknown",
            "destination host unknown", "source host isolated", "network administratively prohibited",
            "host administratively prohibited", "network unreachable for TOS", "host unreachable for TOS",
            "communication administratively prohibited", "host precedence violation", "precedence cutoff"};
        if (code < std::size(kCodes)) return with("destination unreachable", kCodes[code]);
        return numbered("destination unreachable", type, code);
      }
      case v4type::time_exceeded:
        return with("time exceeded", code == 0 ? "TTL exceeded in transit" : "fragment reassembly time exceeded");
      case v4type::parameter_problem: return numbered("parameter problem", type, code);
      case v4type::source_quench: return "source quench";
      default: return numbered("ICMP error", type, code);
    }
  }
  switch (type) {
    case v6type::dest_unreachable: {
      static constexpr const char* kCodes[] = {
          "no route to destination", "communication administratively prohibited", "beyond scope of source address",
          "address unreachable", "port unreachable", "source address failed ingress/egress policy",
          "reject route to destination"};
      if (code < std::size(kCodes)) return with("destination unreachable", kCodes[code]);
      return numbered("destination unreachable", type, code);
    }
    case v6type::packet_too_big: return "packet too big";
    case v6type::time_exceeded:
      return with("time exceeded", code == 0 ? "hop limit exceeded in transit" : "fragment reassembly time exceeded");
    case v6type::parameter_problem: return numbered("parameter problem", type, code);
    default: return numbered("ICMPv6 error", type, code);
  }
}

}  // namespace slamon::probes::icmp
