// Parsing and printing of Decimal4.
#include "common/decimal.h"

#include <climits>

namespace slamon {

std::optional<Decimal4> parse_decimal4(std::string_view s) {
  bool neg = false;
  std::size_t i = 0;
  if (i < s.size() && s[i] == '-') { neg = true; ++i; }
  std::int64_t whole = 0;
  std::size_t start = i;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
    if (whole > (INT64_MAX / 10000 - 9) / 10) return std::nullopt;
    whole = whole * 10 + (s[i] - '0');
    ++i;
  }
  if (i == start) return std::nullopt;
  std::int64_t frac = 0;
  int nfrac = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      if (nfrac == 4) {
        if (s[i] != '0') return std::nullopt;  // "99.50000" is fine, "99.12345" is not
      } else {
        frac = frac * 10 + (s[i] - '0');
        ++nfrac;
      }
      ++i;
    }
    if (nfrac == 0) return std::nullopt;
  }
  if (i != s.size()) return std::nullopt;
  for (int k = nfrac; k < 4; ++k) frac *= 10;
  const std::int64_t v = whole * 10000 + frac;
  return Decimal4{neg ? -v : v};
}

std::string format_decimal4(Decimal4 d) {
  std::int64_t v = d.e4;
  std::string out;
  if (v < 0) { out = "-"; v = -v; }
  out += std::to_string(v / 10000);
  std::int64_t frac = v % 10000;
  if (frac != 0) {
    std::string f = std::to_string(frac);
    f.insert(0, 4 - f.size(), '0');
    while (!f.empty() && f.back() == '0') f.pop_back();
    out += "." + f;
  }
  return out;
}

}  // namespace slamon
