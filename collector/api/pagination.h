// Paginated lists: `limit` (1..1000, default 100) and an opaque `cursor`, the base64url of the key of
// the last item of the previous page. Items are listed in key order, so a page follows the previous
// one even when the catalogue was reloaded in between.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "collector/api/request_target.h"

namespace slamon::collector::api {

inline constexpr std::size_t kDefaultLimit = 100;
inline constexpr std::size_t kMaxLimit = 1000;

struct Page {
  std::size_t limit = kDefaultLimit;
  std::optional<std::string> after;  // the key the page starts after (decoded cursor)
};

struct PageResult {
  std::optional<Page> page;
  std::string error;  // set when page is not: a 400's message
};

PageResult read_page(const Target& target);
std::string encode_cursor(std::string_view key);
std::optional<std::string> decode_cursor(std::string_view cursor);

}  // namespace slamon::collector::api
