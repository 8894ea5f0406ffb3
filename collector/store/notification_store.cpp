// What every store shares of the notifications' rows (see notification_store.h).
#include "collector/store/notification_store.h"

#include <algorithm>


namespace slamon::store {

std::string_view to_string(DeliveryState s) {
  switch (s) {
    case DeliveryState::pending: return "pending";
    case DeliveryState::delivered: return "delivered";
    case DeliveryState::failed: return "failed";
    case DeliveryState::unrouted: return "unrouted";
  }
  return "pending";
}

std::optional<DeliveryState> parse_delivery_state(std::string_view text) {
  for (const auto s : {DeliveryState::pending, DeliveryState::delivered, DeliveryState::failed, DeliveryState::unrouted})
    if (to_string(s) == text) return s;
  return std::nullopt;
}

std::string webhook_target(std::string_view id) { return "webhook:" + std::string(id); }
std::string email_target(std::string_view address) { return "email:" + std::string(address); }

DurationMs retry_delay(int attempts, DurationMs first_ms, DurationMs cap_ms) {
  DurationMs d = first_ms;
  for (int i = 1; i < attempts && d < cap_ms; ++i) d *= 2;
  return std::min(d, cap_ms);
}

}  // namespace slamon::store
