// Time as slamon counts it: UTC, integer milliseconds since the Unix epoch; RFC 3339 in and out;
// durations with units; and the clock interface that lets tests run a month in milliseconds.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace slamon {

using TimeMs = std::int64_t;      // milliseconds since 1970-01-01T00:00:00Z
using DurationMs = std::int64_t;  // milliseconds

// RFC 3339 with a mandatory offset ("Z" or "+08:00"); fractions finer than 1 ms are cut toward the
// past. A leap second (:60) is accepted only at 23:59:60 UTC on the last day of a month, and read as
// :59. Returns nullopt on any syntax or range error.
std::optional<TimeMs> parse_rfc3339(std::string_view text);

// "2026-10-01T08:00:00.125Z"; the fraction is written only when non-zero.
std::string format_rfc3339(TimeMs t);

// "90s", "5m", "2h", "250ms", "1d": an integer with a unit. Bare numbers, negatives and overflow fail.
std::optional<DurationMs> parse_duration(std::string_view text);

// "1h30m" style, for messages: the largest units that divide the value exactly ("90s" -> "90s").
std::string format_duration(DurationMs d);

// Wall clock and monotonic clock, passed in wherever time is read.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimeMs now_ms() const = 0;          // wall clock, UTC
  virtual std::int64_t steady_ns() const = 0; // monotonic
};

class SystemClock final : public Clock {
 public:
  TimeMs now_ms() const override;
  std::int64_t steady_ns() const override;
};

}  // namespace slamon
