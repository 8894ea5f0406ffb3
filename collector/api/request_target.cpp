// Splitting and decoding request targets (see request_target.h).
#include "collector/api/request_target.h"

namespace slamon::collector::api {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool has_control(std::string_view s) {
  for (const char c : s)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return true;
  return false;
}

TargetResult refuse(int status, std::string why) {
  TargetResult r;
  r.status = status;
  r.error = std::move(why);
  return r;
}

}  // namespace

const std::string* Target::param(std::string_view name) const {
  for (const auto& [k, v] : query)
    if (k == name) return &v;
  return nullptr;
}

std::optional<std::string> percent_decode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '%') {
      if (i + 2 >= s.size()) return std::nullopt;
      const int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

TargetResult parse_target(std::string_view raw, const TargetLimits& limits) {
  if (raw.size() > limits.max_target_bytes)
    return refuse(414, "the request target is " + std::to_string(raw.size()) + " bytes, more than the " +
                           std::to_string(limits.max_target_bytes) + " byte limit");
  if (raw.empty() || raw.front() != '/') return refuse(400, "the request target must be a path starting with '/'");
  if (raw.find('#') != std::string_view::npos) return refuse(400, "the request target holds a fragment ('#')");
  if (has_control(raw) || raw.find(' ') != std::string_view::npos)
    return refuse(400, "the request target holds a space or a control character");
  const auto qmark = raw.find('?');
  const std::string_view path = raw.substr(0, qmark);
  const std::string_view query = qmark == std::string_view::npos ? std::string_view{} : raw.substr(qmark + 1);
  if (query.size() > limits.max_query_bytes)
    return refuse(414, "the query string is " + std::to_string(query.size()) + " bytes, more than the " +
                           std::to_string(limits.max_query_bytes) + " byte limit");
  Target t;
  t.trailing_slash = path.size() > 1 && path.back() == '/';
  std::size_t at = 1;
  while (at <= path.size()) {
    const auto end = std::min(path.find('/', at), path.size());
    const auto seg = path.substr(at, end - at);
    at = end + 1;
    if (seg.empty()) continue;
    auto decoded = percent_decode(seg, false);
    if (!decoded) return refuse(400, "the path holds a '%' not followed by two hexadecimal digits");
    if (decoded->empty() || has_control(*decoded) || decoded->find('/') != std::string::npos)
      return refuse(400, "a path segment holds an encoded '/' or a control character");
    if (*decoded == "." || *decoded == "..") return refuse(400, "the path holds a '.' or '..' segment");
    t.segments.push_back(std::move(*decoded));
  }
  at = 0;
  while (!query.empty() && at <= query.size()) {
    const auto end = std::min(query.find('&', at), query.size());
    const auto part = query.substr(at, end - at);
    at = end + 1;
    if (part.empty()) continue;
    if (t.query.size() >= limits.max_params)
      return refuse(414, "the query string has more than " + std::to_string(limits.max_params) + " parameters");
    const auto eq = part.find('=');
    auto name = percent_decode(part.substr(0, eq), true);
    auto value = percent_decode(eq == std::string_view::npos ? std::string_view{} : part.substr(eq + 1), true);
    if (!name || !value) return refuse(400, "the query string holds a '%' not followed by two hexadecimal digits");
    if (name->empty()) return refuse(400, "the query string holds a parameter without a name");
    if (has_control(*name) || has_control(*value))
      return refuse(400, "the query string holds a control character once decoded");
    t.query.emplace_back(std::move(*name), std::move(*value));
  }
  TargetResult r;
  r.target = std::move(t);
  return r;
}

}  // namespace slamon::collector::api
