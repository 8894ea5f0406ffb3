// The four statuses a probe, CI or service can have, in the order of how good they are.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace slamon {

// Ordered worst to best for roll-up comparisons: down < unknown < degraded < up.
enum class Status : std::uint8_t { down = 0, unknown = 1, degraded = 2, up = 3 };

std::string_view to_string(Status s);
std::optional<Status> parse_status(std::string_view text);

}  // namespace slamon
