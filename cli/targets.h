// Targets given to `slamon probe`: a host name or an IP address on the command line, or one a line in a
// targets file. Input that cannot be a target is a usage error (exit 2) with its place, never a `down`
// result for a "host" such as "10.0.0.1 # router" or "127.0.0.256".
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace slamon::cli {

// nullopt when `text` is an IPv4 address, an IPv6 address (with an optional %zone) or a host name
// (letters, digits, '-' and '_' in dot-separated labels of 1-63 characters, 253 at most, an optional
// final dot, a last label not all digits); else why not: "'x y' is not an IP address or a host name".
std::optional<std::string> check_host(std::string_view text);

// `text` quoted for a message: printable ASCII as is, other bytes as \xNN, cut after 80 characters.
std::string quote_for_message(std::string_view text);

struct TargetList {
  std::vector<std::string> targets;
  std::vector<std::string> errors;  // "FILE:LINE: error: ...", one per bad line
};

// A targets file's text: one target a line, surrounding spaces and a final "\r" ignored, blank lines
// and lines starting with '#' skipped; each other line must pass check_host.
TargetList parse_targets_file(std::string_view text, std::string_view file);

}  // namespace slamon::cli
