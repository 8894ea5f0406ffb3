// Tests for probes/codec/icmp_packet.h: checksums, echo requests, replies and errors as bytes.
#include "probes/codec/icmp_packet.h"

#include <doctest/doctest.h>

using namespace slamon::probes::icmp;

namespace {

std::vector<std::uint8_t> ipv4_header(std::array<std::uint8_t, 4> src, std::array<std::uint8_t, 4> dst,
                                      std::size_t payload, std::uint8_t proto = 1) {
  std::vector<std::uint8_t> h(20, 0);
  h[0] = 0x45;
  const auto total = static_cast<std::uint16_t>(20 + payload);
  h[2] = static_cast<std::uint8_t>(total >> 8);
  h[3] = static_cast<std::uint8_t>(total);
  h[8] = 64;
  h[9] = proto;
  std::copy(src.begin(), src.end(), h.begin() + 12);
  std::copy(dst.begin(), dst.end(), h.begin() + 16);
  const auto c = internet_checksum(h);
  h[10] = static_cast<std::uint8_t>(c >> 8);
  h[11] = static_cast<std::uint8_t>(c);
  return h;
}

// Turns a built request into the matching reply (type changed, checksum redone for v4).
std::vector<std::uint8_t> to_reply(std::vector<std::uint8_t> p, Family f) {
  p[0] = f == Family::v4 ? v4type::echo_reply : v6type::echo_reply;
  p[2] = p[3] = 0;
  if (f == Family::v4) {
    const auto c = internet_checksum(p);
    p[2] = static_cast<std::uint8_t>(c >> 8);
    p[3] = static_cast<std::uint8_t>(c);
  }
  return p;
}

}  // namespace

TEST_CASE("internet checksum: the RFC 1071 example and odd lengths") {
  const std::vector<std::uint8_t> rfc = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
  CHECK(internet_checksum(rfc) == static_cast<std::uint16_t>(~0xddf2));
  const std::vector<std::uint8_t> odd = {0x01};
  CHECK(internet_checksum(odd) == static_cast<std::uint16_t>(~0x0100));
  CHECK(internet_checksum({}) == 0xffff);
}

TEST_CASE("ICMPv6 checksum over the pseudo-header (value computed independently)") {
  RawAddress lo{Family::v6, {}};
  lo.bytes[15] = 1;
  const std::vector<std::uint8_t> msg = {129, 0, 0xaa, 0xbb, 0x12, 0x34, 0, 7, 0, 1, 2, 3, 4, 5, 6, 7};
  CHECK(icmpv6_checksum(lo, lo, msg) == 0x6068);  // the checksum field's value is ignored
  auto good = msg;
  good[2] = 0x60;
  good[3] = 0x68;
  const auto m = parse_icmpv6(good, &lo, &lo);
  REQUIRE(m);
  CHECK(m->checksum_ok);
  CHECK(m->kind == Kind::echo_reply);
  CHECK(m->echo.identifier == 0x1234);
  CHECK(m->echo.sequence == 7);
  CHECK(m->echo.token == 0x0001020304050607ULL);
  good[9] ^= 0x40;
  CHECK_FALSE(parse_icmpv6(good, &lo, &lo)->checksum_ok);
}

TEST_CASE("echo request: layout, token, filler, checksum") {
  std::vector<std::uint8_t> p;
  build_echo_request(Family::v4, 0xbeef, 0x0102, 0x1122334455667788ULL, 56, p);
  REQUIRE(p.size() == 64);
  CHECK(p[0] == 8);
  CHECK(p[1] == 0);
  CHECK(p[4] == 0xbe);
  CHECK(p[5] == 0xef);
  CHECK(p[6] == 0x01);
  CHECK(p[7] == 0x02);
  CHECK(p[8] == 0x11);
  CHECK(p[15] == 0x88);
  CHECK(p[16] == static_cast<std::uint8_t>(0x88 + 8));
  CHECK(internet_checksum(p) == 0);  // a correct checksum sums to zero
  const auto m = parse_icmpv4(p, false);
  REQUIRE(m);
  CHECK(m->kind == Kind::echo_request);
  CHECK(m->echo == EchoFields{0xbeef, 0x0102, 0x1122334455667788ULL});

  build_echo_request(Family::v4, 1, 2, 3, 0, p);
  CHECK(p.size() == kHeaderBytes + kMinPayloadBytes);  // raised so the token fits
  build_echo_request(Family::v6, 1, 2, 3, 100, p);
  CHECK(p.size() == 108);
  CHECK(p[0] == 128);
  CHECK(p[2] == 0);  // the kernel fills the ICMPv6 checksum in
  CHECK(p[3] == 0);
}

TEST_CASE("echo reply with and without the IPv4 header; corrupted checksum detected") {
  std::vector<std::uint8_t> req;
  build_echo_request(Family::v4, 7, 9, 42, 56, req);
  const auto reply = to_reply(req, Family::v4);
  auto packet = ipv4_header({10, 0, 0, 2}, {10, 0, 0, 1}, reply.size());
  packet.insert(packet.end(), reply.begin(), reply.end());
  packet.push_back(0);  // link-layer padding beyond the IP total length is ignored
  const auto m = parse_icmpv4(packet, true);
  REQUIRE(m);
  CHECK(m->kind == Kind::echo_reply);
  CHECK(m->checksum_ok);
  REQUIRE(m->ip_source);
  CHECK(m->ip_source->bytes[0] == 10);
  CHECK(m->ip_source->bytes[3] == 2);
  CHECK(m->ip_destination->bytes[3] == 1);
  CHECK(m->echo == EchoFields{7, 9, 42});

  auto bad = packet;
  bad[20 + 30] ^= 0x01;
  const auto mb = parse_icmpv4(bad, true);
  REQUIRE(mb);
  CHECK_FALSE(mb->checksum_ok);

  const auto plain = parse_icmpv4(reply, false);
  REQUIRE(plain);
  CHECK_FALSE(plain->ip_source);
  CHECK(plain->echo.token == 42u);
}

TEST_CASE("ICMPv4 destination unreachable: the embedded request is attributed") {
  std::vector<std::uint8_t> req;
  build_echo_request(Family::v4, 0x4242, 77, 0xdeadbeefcafef00dULL, 56, req);
  auto inner = ipv4_header({10, 0, 0, 1}, {10, 0, 0, 9}, req.size());
  inner.insert(inner.end(), req.begin(), req.end());
  std::vector<std::uint8_t> err = {3, 1, 0, 0, 0, 0, 0, 0};
  err.insert(err.end(), inner.begin(), inner.end());
  const auto c = internet_checksum(err);
  err[2] = static_cast<std::uint8_t>(c >> 8);
  err[3] = static_cast<std::uint8_t>(c);
  auto packet = ipv4_header({10, 0, 0, 254}, {10, 0, 0, 1}, err.size());
  packet.insert(packet.end(), err.begin(), err.end());

  const auto m = parse_icmpv4(packet, true);
  REQUIRE(m);
  CHECK(m->kind == Kind::error);
  CHECK(m->type == 3);
  CHECK(m->code == 1);
  CHECK(m->checksum_ok);
  REQUIRE(m->embeds_echo_request);
  CHECK(m->original == EchoFields{0x4242, 77, 0xdeadbeefcafef00dULL});
  CHECK(m->original_destination.bytes[3] == 9);

  // Only 8 bytes of the original ICMP message (RFC 792 minimum): no token, still the header.
  std::vector<std::uint8_t> short_err(err.begin(), err.begin() + 8 + 20 + 8);
  const auto ms = parse_icmpv4(short_err, false);
  REQUIRE(ms);
  CHECK(ms->embeds_echo_request);
  CHECK_FALSE(ms->original.token);
  CHECK(ms->original.sequence == 77);

  // An error about a UDP datagram is not ours.
  auto udp_inner = ipv4_header({10, 0, 0, 1}, {10, 0, 0, 9}, 8, 17);
  udp_inner.resize(28, 0);
  std::vector<std::uint8_t> udp_err = {3, 3, 0, 0, 0, 0, 0, 0};
  udp_err.insert(udp_err.end(), udp_inner.begin(), udp_inner.end());
  const auto mu = parse_icmpv4(udp_err, false);
  REQUIRE(mu);
  CHECK(mu->kind == Kind::error);
  CHECK_FALSE(mu->embeds_echo_request);
}

TEST_CASE("ICMPv6 time exceeded embeds the original IPv6 header") {
  std::vector<std::uint8_t> req;
  build_echo_request(Family::v6, 5, 6, 99, 56, req);
  std::vector<std::uint8_t> inner(40, 0);
  inner[0] = 0x60;
  inner[6] = 58;
  inner[7] = 64;
  inner[39] = 0x55;  // destination ...::55
  inner.insert(inner.end(), req.begin(), req.end());
  std::vector<std::uint8_t> err = {3, 0, 0, 0, 0, 0, 0, 0};
  err.insert(err.end(), inner.begin(), inner.end());
  const auto m = parse_icmpv6(err);
  REQUIRE(m);
  CHECK(m->kind == Kind::error);
  REQUIRE(m->embeds_echo_request);
  CHECK(m->original == EchoFields{5, 6, 99});
  CHECK(m->original_destination.family == Family::v6);
  CHECK(m->original_destination.bytes[15] == 0x55);
}

TEST_CASE("malformed input is refused, never read past its end") {
  const std::vector<std::uint8_t> tiny = {0, 0, 0};
  CHECK_FALSE(parse_icmpv4(tiny, false));
  CHECK_FALSE(parse_icmpv6(tiny));
  std::vector<std::uint8_t> bad_ihl(24, 0);
  bad_ihl[0] = 0x4f;  // IHL 60 bytes > buffer
  bad_ihl[9] = 1;
  CHECK_FALSE(parse_icmpv4(bad_ihl, true));
  bad_ihl[0] = 0x65;  // not IPv4
  CHECK_FALSE(parse_icmpv4(bad_ihl, true));
  std::vector<std::uint8_t> tcp = ipv4_header({1, 2, 3, 4}, {5, 6, 7, 8}, 8, 6);
  tcp.resize(28, 0);
  CHECK_FALSE(parse_icmpv4(tcp, true));
  CHECK_FALSE(parse_echo_request(Family::v4, tiny));
  std::vector<std::uint8_t> req;
  build_echo_request(Family::v4, 1, 2, 3, 56, req);
  CHECK(parse_echo_request(Family::v4, req));
  CHECK_FALSE(parse_echo_request(Family::v6, req));
}

TEST_CASE("error descriptions name the type and code") {
  CHECK(describe_error(Family::v4, 3, 1) == "destination unreachable (host unreachable)");
  CHECK(describe_error(Family::v4, 3, 13) == "destination unreachable (communication administratively prohibited)");
  CHECK(describe_error(Family::v4, 3, 99) == "destination unreachable (type 3, code 99)");
  CHECK(describe_error(Family::v4, 11, 0) == "time exceeded (TTL exceeded in transit)");
  CHECK(describe_error(Family::v6, 1, 3) == "destination unreachable (address unreachable)");
  CHECK(describe_error(Family::v6, 3, 0) == "time exceeded (hop limit exceeded in transit)");
}
