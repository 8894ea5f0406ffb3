// limit and cursor (see pagination.h).
#include "collector/api/pagination.h"

#include <array>
#include <charconv>

namespace slamon::collector::api {
namespace {

constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr std::size_t kMaxCursorBytes = 512;

int index_of(char c) {
  const auto at = kAlphabet.find(c);
  return at == std::string_view::npos ? -1 : static_cast<int>(at);
}

}  // namespace

std::string encode_cursor(std::string_view key) {
  std::string out;
  std::uint32_t bits = 0;
  int n = 0;
  for (const char c : key) {
    bits = (bits << 8) | static_cast<unsigned char>(c);
    n += 8;
    while (n >= 6) {
      n -= 6;
      out += kAlphabet[(bits >> n) & 63];
    }
  }
  if (n > 0) out += kAlphabet[(bits << (6 - n)) & 63];
  return out;
}

std::optional<std::string> decode_cursor(std::string_view cursor) {
  if (cursor.empty() || cursor.size() > kMaxCursorBytes || cursor.size() % 4 == 1) return std::nullopt;
  std::string out;
  std::uint32_t bits = 0;
  int n = 0;
  for (const char c : cursor) {
    const int v = index_of(c);
    if (v < 0) return std::nullopt;
    bits = (bits << 6) | static_cast<std::uint32_t>(v);
    n += 6;
    if (n >= 8) {
      n -= 8;
      out += static_cast<char>((bits >> n) & 0xff);
    }
  }
  if ((bits & ((1u << n) - 1)) != 0) return std::nullopt;  // not what encode_cursor writes
  return out;
}

PageResult read_page(const Target& target) {
  PageResult r;
  Page p;
  if (const auto* limit = target.param("limit")) {
    std::size_t v = 0;
    const auto* end = limit->data() + limit->size();
    const auto [ptr, ec] = std::from_chars(limit->data(), end, v);
    if (limit->empty() || ec != std::errc{} || ptr != end || v < 1 || v > kMaxLimit) {
      r.error = "limit must be a whole number from 1 to " + std::to_string(kMaxLimit);
      return r;
    }
    p.limit = v;
  }
  if (const auto* cursor = target.param("cursor")) {
    p.after = decode_cursor(*cursor);
    if (!p.after) {
      r.error = "cursor is not one this API returned (pass next_cursor as it is)";
      return r;
    }
  }
  r.page = std::move(p);
  return r;
}

}  // namespace slamon::collector::api
