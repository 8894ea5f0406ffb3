// Checking the targets of `slamon probe` (see targets.h).
#include "cli/targets.h"

#include <boost/asio/ip/address.hpp>
#include <cstdio>

namespace slamon::cli {
namespace {

bool is_address(std::string_view text) {
  boost::system::error_code ec;
  boost::asio::ip::make_address(std::string(text), ec);
  return !ec;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool is_host_name(std::string_view name) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  if (name.empty() || name.size() > 253) return false;
  std::string_view last;
  while (true) {
    const auto dot = name.find('.');
    const std::string_view label = name.substr(0, dot);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
    for (const char c : label)
      if (!(is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '_')) return false;
    last = label;
    if (dot == std::string_view::npos) break;
    name.remove_prefix(dot + 1);
  }
  // "127.0.0.256", "10.1.2.3.4": all-digit top labels are addresses gone wrong, not names (RFC 1123 2.1).
  for (const char c : last)
    if (!is_digit(c)) return true;
  return false;
}

}  // namespace

std::string quote_for_message(std::string_view text) {
  std::string out = "'";
  std::size_t shown = 0;
  for (const char ch : text) {
    if (++shown > 80) {
      out += "...";
      break;
    }
    const auto c = static_cast<unsigned char>(ch);
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out += ch;
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
  }
  return out + "'";
}

std::optional<std::string> check_host(std::string_view text) {
  if (text.empty()) return std::string("an empty target is not an IP address or a host name");
  if (is_address(text) || is_host_name(text)) return std::nullopt;
  return quote_for_message(text) + " is not an IP address or a host name";
}

TargetList parse_targets_file(std::string_view text, std::string_view file) {
  TargetList out;
  std::size_t line_no = 0;
  while (!text.empty()) {
    ++line_no;
    const auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    const auto b = line.find_first_not_of(" \t\r");
    if (b == std::string_view::npos || line[b] == '#') continue;
    line = line.substr(b, line.find_last_not_of(" \t\r") - b + 1);
    if (auto why = check_host(line))
      out.errors.push_back(std::string(file) + ":" + std::to_string(line_no) + ": error: " + *why);
    else
      out.targets.emplace_back(line);
  }
  return out;
}

}  // namespace slamon::cli
