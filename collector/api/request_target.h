// A request target (the path and query of an HTTP request) split and percent-decoded, within limits:
// the only place where the API reads bytes from the URL. Fuzzed (tests/fuzz/fuzz_http_api.cpp).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace slamon::collector::api {

struct TargetLimits {
  std::size_t max_target_bytes = 8 * 1024;  // the whole target, as sent
  std::size_t max_query_bytes = 2 * 1024;   // the part after '?'
  std::size_t max_params = 32;
};

struct Target {
  std::vector<std::string> segments;  // the path split on '/', each decoded; empty segments dropped
  std::vector<std::pair<std::string, std::string>> query;  // decoded ('+' is a space), in order
  bool trailing_slash = false;
  // The value of the first parameter `name`, if any.
  const std::string* param(std::string_view name) const;
};

struct TargetResult {
  std::optional<Target> target;  // set when status is 0
  int status = 0;                 // 400 or 414 when refused
  std::string error;              // why, for the JSON error
};

// "%41" -> "A"; nullopt when a '%' is not followed by two hex digits. With `plus_is_space`, '+' -> ' '.
std::optional<std::string> percent_decode(std::string_view s, bool plus_is_space);

// Refuses (400) a target that is not origin-form ("/..."), holds a fragment, a bad escape, a control
// character or NUL once decoded, a "." or ".." segment, a parameter name that is empty; (414) one past
// the limits.
TargetResult parse_target(std::string_view raw, const TargetLimits& limits = {});

}  // namespace slamon::collector::api
