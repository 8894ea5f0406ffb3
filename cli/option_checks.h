// CLI11 validators for the numeric and duration options of `slamon probe` (and its subcommands): a
// value that cannot be probed with is a usage error (exit 2) naming the option, never a result.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "common/time.h"

namespace slamon::cli {

// A finite number in [min, max]. CLI::Range alone lets NaN through (every comparison with NaN is false).
CLI::Validator finite_in(double min, double max);

// Any finite number (not NaN, not infinite).
CLI::Validator finite_number();

// A duration ("200ms", "5s", "2m") in [min_ms, max_ms].
CLI::Validator duration_in(DurationMs min_ms, DurationMs max_ms);

// The longest --timeout or --spacing a one-off run accepts.
inline constexpr DurationMs kMaxRunDurationMs = 3'600'000;

}  // namespace slamon::cli
