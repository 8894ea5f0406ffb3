// The delivery log over the API (see notifications_api.h).
#include "collector/api/notifications_api.h"

#include <charconv>

#include "collector/api/pagination.h"
#include "collector/api/http_message.h"
#include "collector/store/notification_store.h"
#include "common/json_writer.h"

namespace slamon::collector::api {

Routed route_notifications(const Target& t) {
  auto now = [](Response r) { return Routed{std::move(r), {}, false, {}}; };
  const auto page = read_page(t);
  if (!page.page) return now(json_error(400, page.error));
  std::optional<std::int64_t> before;
  if (page.page->after) {
    std::int64_t id = 0;
    const auto& a = *page.page->after;
    const auto [p, ec] = std::from_chars(a.data(), a.data() + a.size(), id);
    if (ec != std::errc() || p != a.data() + a.size()) return now(json_error(400, "cursor is not one this endpoint gave"));
    before = id;
  }
  std::optional<store::DeliveryState> state;
  if (const auto* v = t.param("state")) {
    state = store::parse_delivery_state(*v);
    if (!state) return now(json_error(400, "state must be pending, delivered, failed or unrouted, not '" + *v + "'"));
  }
  Routed r;
  r.job = [limit = page.page->limit, before, state](StoreContext& c) {
    auto* ns = dynamic_cast<store::NotificationStore*>(&c.store);
    if (ns == nullptr) return json_error(501, "this store keeps no notifications");
    const auto rows = ns->deliveries({state, before, limit + 1});
    JsonWriter w;
    w.begin_object().key("items").begin_array();
    for (std::size_t i = 0; i < rows.size() && i < limit; ++i) {
      const auto& d = rows[i];
      w.begin_object().key("id").value(d.id).key("dedup_key").value(d.dedup_key).key("target").value(d.target);
      w.key("kind").value(d.kind).key("subject").value(d.subject).key("sla").value(d.sla);
      w.key("at").value(format_rfc3339(d.at)).key("state").value(store::to_string(d.state));
      w.key("attempts").value(d.attempts).key("created_at").value(format_rfc3339(d.created_ms));
      w.key("next_attempt_at");
      if (d.state == store::DeliveryState::pending) w.value(format_rfc3339(d.next_attempt_ms));
      else w.null();
      w.key("last_error").value(d.last_error).key("delivered_at");
      if (d.delivered_ms) w.value(format_rfc3339(*d.delivered_ms));
      else w.null();
      w.key("notification").raw(d.payload).end_object();
    }
    w.end_array().key("next_cursor");
    if (rows.size() > limit) w.value(encode_cursor(std::to_string(rows[limit - 1].id)));
    else w.null();
    w.end_object();
    return json_ok(w.take());
  };
  return r;
}

}  // namespace slamon::collector::api
