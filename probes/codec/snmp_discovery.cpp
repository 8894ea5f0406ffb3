// SNMPv3 engine-id discovery messages: a minimal BER writer and reader.
#include "probes/codec/snmp_discovery.h"

namespace slamon::probes {
namespace {

void put_length(std::vector<std::uint8_t>& out, std::size_t len) {
  if (len < 0x80) {
    out.push_back(static_cast<std::uint8_t>(len));
  } else if (len < 0x100) {
    out.push_back(0x81);
    out.push_back(static_cast<std::uint8_t>(len));
  } else {
    out.push_back(0x82);
    out.push_back(static_cast<std::uint8_t>(len >> 8));
    out.push_back(static_cast<std::uint8_t>(len));
  }
}

std::vector<std::uint8_t> tlv(std::uint8_t tag, const std::vector<std::uint8_t>& body) {
  std::vector<std::uint8_t> out{tag};
  put_length(out, body.size());
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

// A non-negative INTEGER in its shortest two's complement form.
std::vector<std::uint8_t> integer(std::uint32_t v) {
  std::vector<std::uint8_t> body;
  for (int shift = 24; shift >= 0; shift -= 8) {
    const auto b = static_cast<std::uint8_t>(v >> shift);
    if (body.empty() && b == 0 && shift > 0) continue;
    if (body.empty() && (b & 0x80)) body.push_back(0);
    body.push_back(b);
  }
  return tlv(0x02, body);
}

std::vector<std::uint8_t> cat(std::initializer_list<std::vector<std::uint8_t>> parts) {
  std::vector<std::uint8_t> out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

// A cursor over BER bytes: read(tag) returns the value of the next element if it has that tag.
struct Reader {
  std::span<const std::uint8_t> in;
  std::optional<std::span<const std::uint8_t>> read(std::uint8_t tag) {
    if (in.size() < 2 || in[0] != tag) return std::nullopt;
    std::size_t len = in[1], pos = 2;
    if (len & 0x80) {
      const std::size_t n = len & 0x7f;
      if (n == 0 || n > 3 || in.size() < 2 + n) return std::nullopt;
      len = 0;
      for (std::size_t i = 0; i < n; ++i) len = (len << 8) | in[2 + i];
      pos = 2 + n;
    }
    if (in.size() - pos < len) return std::nullopt;
    auto value = in.subspan(pos, len);
    in = in.subspan(pos + len);
    return value;
  }
  std::optional<std::uint32_t> read_uint() {
    auto v = read(0x02);
    if (!v || v->empty() || v->size() > 5) return std::nullopt;
    std::uint64_t out = 0;
    for (auto b : *v) out = (out << 8) | b;
    if (out > 0xffffffffu) return std::nullopt;
    return static_cast<std::uint32_t>(out);
  }
};

}  // namespace

std::vector<std::uint8_t> build_discovery_request(std::uint32_t msg_id, std::uint32_t request_id) {
  msg_id &= 0x7fffffff;
  request_id &= 0x7fffffff;
  const auto empty = tlv(0x04, {});
  const auto global = tlv(0x30, cat({integer(msg_id), integer(65507), tlv(0x04, {0x04}), integer(3)}));
  const auto usm = tlv(0x04, tlv(0x30, cat({empty, integer(0), integer(0), empty, empty, empty})));
  const auto pdu = tlv(0xa0, cat({integer(request_id), integer(0), integer(0), tlv(0x30, {})}));
  const auto scoped = tlv(0x30, cat({empty, empty, pdu}));
  return tlv(0x30, cat({integer(3), global, usm, scoped}));
}

std::optional<EngineInfo> parse_discovery_response(std::span<const std::uint8_t> bytes, std::uint32_t msg_id) {
  Reader top{bytes};
  auto message = top.read(0x30);
  if (!message) return std::nullopt;
  Reader m{*message};
  if (m.read_uint() != 3u) return std::nullopt;
  auto global = m.read(0x30);
  if (!global) return std::nullopt;
  Reader g{*global};
  if (g.read_uint() != (msg_id & 0x7fffffff)) return std::nullopt;
  auto params = m.read(0x04);
  if (!params) return std::nullopt;
  Reader p{*params};
  auto usm = p.read(0x30);
  if (!usm) return std::nullopt;
  Reader u{*usm};
  auto id = u.read(0x04);
  auto boots = u.read_uint();
  auto time = u.read_uint();
  if (!id || !boots || !time || id->size() < 5 || id->size() > 32) return std::nullopt;
  return EngineInfo{std::string(id->begin(), id->end()), *boots, *time};
}

}  // namespace slamon::probes
