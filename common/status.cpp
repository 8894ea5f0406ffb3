// Names of the statuses, as written in the interchange formats.
#include "common/status.h"

namespace slamon {

std::string_view to_string(Status s) {
  switch (s) {
    case Status::up: return "up";
    case Status::degraded: return "degraded";
    case Status::down: return "down";
    case Status::unknown: return "unknown";
  }
  return "unknown";
}

std::optional<Status> parse_status(std::string_view text) {
  if (text == "up") return Status::up;
  if (text == "degraded") return Status::degraded;
  if (text == "down") return Status::down;
  if (text == "unknown") return Status::unknown;
  return std::nullopt;
}

}  // namespace slamon
