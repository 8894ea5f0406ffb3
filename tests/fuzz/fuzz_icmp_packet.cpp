// Fuzz target: the ICMP codec reads bytes from any host on the network. Parses the input as an ICMPv4
// message with and without the IPv4 header, as ICMPv6 (with a checksum check) and as an echo request,
// and checks that a parsed echo request survives a rebuild.
#include <cstddef>
#include <cstdint>
#include <span>

#include "probes/codec/icmp_packet.h"

using namespace slamon::probes::icmp;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> in(data, size);
  (void)parse_icmpv4(in, true);
  (void)parse_icmpv4(in, false);
  RawAddress a{Family::v6, {}};
  a.bytes[15] = 1;
  (void)parse_icmpv6(in, &a, &a);
  for (const auto family : {Family::v4, Family::v6}) {
    const auto echo = parse_echo_request(family, in);
    if (!echo || !echo->token) continue;
    std::vector<std::uint8_t> out;
    build_echo_request(family, echo->identifier, echo->sequence, *echo->token, size - kHeaderBytes, out);
    const auto back = parse_echo_request(family, out);
    if (!back || !(*back == *echo)) __builtin_trap();
  }
  return 0;
}
