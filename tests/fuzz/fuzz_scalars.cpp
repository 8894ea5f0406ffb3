// libFuzzer target over the scalar parsers that read outside bytes: RFC 3339 timestamps, durations,
// exact decimals. Checks round-trips where they must hold.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "common/decimal.h"
#include "common/time.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (const auto t = slamon::parse_rfc3339(text)) {
    if (slamon::parse_rfc3339(slamon::format_rfc3339(*t)) != t) std::abort();
  }
  if (const auto d = slamon::parse_duration(text)) {
    if (*d < 0) std::abort();
    (void)slamon::format_duration(*d);
  }
  if (const auto x = slamon::parse_decimal4(text)) {
    if (slamon::parse_decimal4(slamon::format_decimal4(*x)) != x) std::abort();
  }
  return 0;
}
