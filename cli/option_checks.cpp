// Validators for `slamon probe`'s options (see option_checks.h).
#include "cli/option_checks.h"

#include <cmath>
#include <cstdio>

namespace slamon::cli {
namespace {

// 1000000000, 0.5, -1.79769e+308
std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, std::trunc(v) == v && std::fabs(v) < 1e15 ? "%.0f" : "%g", v);
  return buf;
}

}  // namespace

CLI::Validator finite_in(double min, double max) {
  const std::string range = number(min) + " to " + number(max);
  return CLI::Validator(
      [min, max, range](std::string& input) -> std::string {
        double v = 0;
        if (!CLI::detail::lexical_cast(input, v) || !std::isfinite(v)) return "'" + input + "' is not a finite number";
        if (v < min || v > max) return input + " is not in " + range;
        return {};
      },
      "NUMBER in " + range);
}

CLI::Validator finite_number() {
  return CLI::Validator(
      [](std::string& input) -> std::string {
        double v = 0;
        if (!CLI::detail::lexical_cast(input, v) || !std::isfinite(v)) return "'" + input + "' is not a finite number";
        return {};
      },
      "NUMBER");
}

CLI::Validator duration_in(DurationMs min_ms, DurationMs max_ms) {
  const std::string range = format_duration(min_ms) + " to " + format_duration(max_ms);
  return CLI::Validator(
      [min_ms, max_ms, range](std::string& input) -> std::string {
        const auto d = parse_duration(input);
        if (!d) return "'" + input + "' is not a duration (an integer with ms, s, m, h or d: 200ms, 5s)";
        if (*d < min_ms || *d > max_ms) return input + " is not in " + range;
        return {};
      },
      "DURATION in " + range);
}

}  // namespace slamon::cli
