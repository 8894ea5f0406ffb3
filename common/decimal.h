// Exact decimals with at most 4 fractional digits (SLA targets, min_percent, percentiles), stored as
// integer ten-thousandths so that verdicts compare exactly: 99.5 is 995000.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace slamon {

struct Decimal4 {
  std::int64_t e4 = 0;  // value × 10^4

  static constexpr Decimal4 from_int(std::int64_t v) { return Decimal4{v * 10000}; }
  double to_double() const { return static_cast<double>(e4) / 10000.0; }
  auto operator<=>(const Decimal4&) const = default;
};

// "99.5", "100", "0.0001"; rejects more than 4 decimals, exponents, signs other than a leading '-'.
std::optional<Decimal4> parse_decimal4(std::string_view text);

// Shortest exact text: "99.5", "100", "0.0001".
std::string format_decimal4(Decimal4 d);

}  // namespace slamon
