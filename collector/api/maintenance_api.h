// Maintenance windows through the API (docs/api.md, "Maintenance windows"): the only writes the API
// takes. Pure: request bodies in, the window to store (or the refusal) out; the collector stores it
// (store/maintenance_store.h) and answers with write_window.
//
// The rules: a window names CIs and/or services of the running catalogue, says who asks and why, and
// may not start before its creation (`from` omitted: now), so that a past outage cannot be hidden
// after the fact; `to` is after `from`, at most 366 days later. A window can be ended early, once,
// while it has not run out: its end becomes the later of its start and now (ended before it began:
// cancelled, nothing planned). Nothing else changes a window; every change is kept in its history.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collector/api/catalogue_json.h"
#include "collector/api/http_message.h"
#include "collector/store/maintenance_store.h"
#include "common/json_writer.h"
#include "common/time.h"

namespace slamon::collector::api {

// The windows the store holds, with their history, as the API serves them (kept in memory: they
// are few; replaced as a whole after each write).
struct StoredMaintenance {
  std::vector<store::MaintenanceWindow> windows;
  std::vector<store::MaintenanceEvent> history;  // every window's, oldest first
};

// Every window of `store` with the whole history. Throws store::StoreFailure.
std::shared_ptr<StoredMaintenance> read_stored_maintenance(store::MaintenanceStore& store);

inline constexpr std::size_t kMaxWhoBytes = 200;
inline constexpr std::size_t kMaxWhyBytes = 2000;
inline constexpr std::size_t kMaxTargets = 1000;
inline constexpr DurationMs kMaxWindowMs = 366LL * 24 * 3600 * 1000;

// A window to create, or the response that refuses the request (400: not the expected JSON; 422:
// against the rules above, naming the field).
struct CreatePlan {
  std::optional<store::MaintenanceWindow> window;  // id empty: the store gives it
  Response refusal;
};
// POST /api/v1/maintenance: {"targets": [...], "from": RFC3339 (optional), "to": RFC3339, "who": "...",
// "why": "..."} at `now`.
CreatePlan plan_create(std::string_view body, const CatalogueIndex& index, TimeMs now);

struct EndPlan {
  std::optional<std::pair<std::string, std::string>> who_why;
  Response refusal;
};
// POST /api/v1/maintenance/{id}/end: {"who": "...", "why": "..."} for `window` at `now` (404 when it
// is null: not a window created through the API; 409 when it was ended already or has run out).
EndPlan plan_end(std::string_view body, const store::MaintenanceWindow* window, std::string_view id, TimeMs now);

// "scheduled", "active", "over", "ended" (early) or "cancelled" at `now`.
std::string_view window_state(const store::MaintenanceWindow& w, TimeMs now);

// A window as the API shows it: {"id", "source": "api", "targets", "from", "to", "planned_to", "who",
// "why", "created", "ended": null | {"at", "by", "why"}, "state"}, plus "history" when given.
void write_window(JsonWriter& w, const store::MaintenanceWindow& window, TimeMs now,
                  const std::vector<store::MaintenanceEvent>* history);

}  // namespace slamon::collector::api
