// Maintenance windows of the store as catalogue windows (see maintenance_store.h).
#include "collector/store/maintenance_store.h"

#include <algorithm>
#include <limits>
#include <set>

namespace slamon::store {

std::string_view to_string(MaintenanceEvent::Action a) {
  switch (a) {
    case MaintenanceEvent::Action::created: return "created";
    case MaintenanceEvent::Action::ended: return "ended";
    case MaintenanceEvent::Action::cancelled: return "cancelled";
  }
  return "created";
}

MaintenanceEvent::Action parse_action(std::string_view text) {
  if (text == "ended") return MaintenanceEvent::Action::ended;
  if (text == "cancelled") return MaintenanceEvent::Action::cancelled;
  return MaintenanceEvent::Action::created;
}

std::string window_id(std::int64_t row) { return "mw-" + std::to_string(row); }

std::optional<std::int64_t> window_row(std::string_view id) {
  if (id.size() < 4 || id.size() > 22 || id.substr(0, 3) != "mw-" || id[3] == '0') return std::nullopt;
  std::int64_t n = 0;
  for (const char c : id.substr(3)) {
    if (c < '0' || c > '9' || n > (std::numeric_limits<std::int64_t>::max() - 9) / 10) return std::nullopt;
    n = n * 10 + (c - '0');
  }
  return n;
}

std::optional<std::string> join_targets(const std::vector<std::string>& targets) {
  std::string out;
  for (const auto& t : targets) {
    if (t.find('\n') != std::string::npos) return std::nullopt;
    if (!out.empty()) out += '\n';
    out += t;
  }
  return out;
}

std::vector<std::string> split_targets(std::string_view text) {
  std::vector<std::string> out;
  for (std::size_t at = 0; at < text.size();) {
    const auto end = std::min(text.find('\n', at), text.size());
    out.emplace_back(text.substr(at, end - at));
    at = end + 1;
  }
  return out;
}

MaintenanceWindow as_created(const MaintenanceWindow& w, std::int64_t row) {
  MaintenanceWindow out = w;
  out.id = window_id(row);
  out.planned_to_ms = w.to_ms;
  out.ended_ms.reset();
  out.ended_by.clear();
  out.end_reason.clear();
  return out;
}

MaintenanceEvent::Action end_window(MaintenanceWindow& w, TimeMs at_ms, std::string_view who, std::string_view why) {
  w.to_ms = std::min(w.to_ms, std::max(w.from_ms, at_ms));
  w.ended_ms = at_ms;
  w.ended_by = std::string(who);
  w.end_reason = std::string(why);
  return at_ms <= w.from_ms ? MaintenanceEvent::Action::cancelled : MaintenanceEvent::Action::ended;
}

std::vector<catalogue::Maintenance> maintenance_as_catalogue(const std::vector<MaintenanceWindow>& windows) {
  std::vector<catalogue::Maintenance> out;
  for (const auto& w : windows) {
    if (w.to_ms <= w.from_ms) continue;  // cancelled before it began: nothing planned
    catalogue::Maintenance m;
    m.id = w.id;
    m.targets = w.targets;
    m.from = w.from_ms;
    m.to = w.to_ms;
    m.description = w.who + ": " + w.why;
    out.push_back(std::move(m));
  }
  return out;
}

catalogue::Catalogue with_stored_maintenance(const catalogue::Catalogue& cat,
                                             const std::vector<MaintenanceWindow>& windows,
                                             std::vector<std::string>* clashes) {
  catalogue::Catalogue out = cat;
  std::set<std::string, std::less<>> ids;
  for (const auto& m : cat.maintenance) ids.insert(m.id);
  for (auto& m : maintenance_as_catalogue(windows)) {
    if (ids.contains(m.id)) {
      if (clashes) clashes->push_back(m.id);
      continue;
    }
    out.maintenance.push_back(std::move(m));
  }
  return out;
}

}  // namespace slamon::store
