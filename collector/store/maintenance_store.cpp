// Maintenance windows of the store as catalogue windows (see maintenance_store.h).
#include "collector/store/maintenance_store.h"

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
