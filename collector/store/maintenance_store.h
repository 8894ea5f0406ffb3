// Maintenance windows created through the collector's API (docs/api.md, "Maintenance windows"),
// kept in the store with their history: who created each, why, when, and who ended it early. The
// reports over the store honour them exactly like the catalogue's own windows (they are added to the
// catalogue's `maintenance` list: maintenance_as_catalogue), and `slamon export --maintenance`
// writes them in the catalogue's syntax for `slamon report --maintenance` offline.
//
// The rules (a window never starts before its creation, ending early only shortens it) are the
// API's (collector/api/maintenance_api.h); the store keeps what it is given, in one transaction per
// change with its history event.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/catalogue/model.h"
#include "common/time.h"

namespace slamon::store {

struct MaintenanceWindow {
  std::string id;  // "mw-N", given by the store
  std::vector<std::string> targets;  // CI and/or service ids
  TimeMs from_ms = 0;
  TimeMs to_ms = 0;          // the end in force: the planned end, or when it was ended early
  TimeMs planned_to_ms = 0;  // the end it was created with
  std::string who;           // who asked for it
  std::string why;
  TimeMs created_ms = 0;
  std::optional<TimeMs> ended_ms;  // when it was ended early (to_ms = max(from_ms, ended_ms))
  std::string ended_by;
  std::string end_reason;
  bool operator==(const MaintenanceWindow&) const = default;
};

// One change of a window, in the order they happened.
struct MaintenanceEvent {
  std::int64_t seq = 0;
  std::string window;
  enum class Action : std::uint8_t { created, ended, cancelled };  // cancelled: ended before it began
  Action action = Action::created;
  TimeMs at_ms = 0;
  std::string who;
  std::string why;
  TimeMs from_ms = 0;  // the window as it stood after the change
  TimeMs to_ms = 0;
  bool operator==(const MaintenanceEvent&) const = default;
};

std::string_view to_string(MaintenanceEvent::Action a);
// The action as stored ("created", "ended", "cancelled"); anything else reads as created.
MaintenanceEvent::Action parse_action(std::string_view text);

// What every store shares of the windows' rows: the id "mw-N" of row N and back (nullopt for any
// other text), targets as one text column, one id per line (nullopt when an id holds a line break),
// the window as stored when created, and ending it early.
std::string window_id(std::int64_t row);
std::optional<std::int64_t> window_row(std::string_view id);
std::optional<std::string> join_targets(const std::vector<std::string>& targets);
std::vector<std::string> split_targets(std::string_view text);
MaintenanceWindow as_created(const MaintenanceWindow& w, std::int64_t row);
// Ends `w` at `at_ms`: its end becomes max(from, at) when that is earlier; `cancelled` when at_ms is
// at or before its start, else `ended`.
MaintenanceEvent::Action end_window(MaintenanceWindow& w, TimeMs at_ms, std::string_view who, std::string_view why);

class MaintenanceStore {
 public:
  virtual ~MaintenanceStore() = default;
  // Every window, in creation order (ids mw-1, mw-2, ...). Throws StoreFailure.
  virtual std::vector<MaintenanceWindow> maintenance_windows() = 0;
  // The history of one window (empty id: of every window), oldest first.
  virtual std::vector<MaintenanceEvent> maintenance_history(std::string_view id) = 0;
  // Stores a new window (its id is ignored: the store gives the next "mw-N") with its `created`
  // event, in one transaction; returns it as stored.
  virtual MaintenanceWindow create_maintenance(const MaintenanceWindow& w) = 0;
  // Ends a window early at `at_ms`: to_ms becomes max(from_ms, at_ms), with an `ended` event
  // (`cancelled` when at_ms <= from_ms), in one transaction. nullopt: no such window.
  virtual std::optional<MaintenanceWindow> end_maintenance(std::string_view id, TimeMs at_ms, std::string_view who,
                                                           std::string_view why) = 0;
};

// The windows as catalogue maintenance windows (one-off, UTC, description "who: why"), leaving out
// those with nothing left (cancelled before they began).
std::vector<catalogue::Maintenance> maintenance_as_catalogue(const std::vector<MaintenanceWindow>& windows);

// `cat` with `windows` added to its maintenance list, for the reports. A window whose id the
// catalogue already has is left out and named in `clashes` (the catalogue's wins).
catalogue::Catalogue with_stored_maintenance(const catalogue::Catalogue& cat,
                                             const std::vector<MaintenanceWindow>& windows,
                                             std::vector<std::string>* clashes = nullptr);

}  // namespace slamon::store
