// Every node's current status as the collector's engine thread last published it
// (collector/live_thread.h), for readers on other threads (the HTTP API, /metrics): a value shared
// as shared_ptr-to-const, replaced as a whole at each publication.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "collector/store/engine_store.h"
#include "common/status.h"
#include "common/time.h"

namespace slamon::live {

// A node's status as of the snapshot's instant.
struct NodeNow {
  Status status = Status::unknown;
  std::optional<TimeMs> since;  // when the current status began, as far as the live state tells
};

struct LiveSnapshot {
  TimeMs as_of = 0;
  store::EnginePosition position;                     // the arrivals applied
  std::map<std::string, NodeNow, std::less<>> nodes;   // services and CIs
  std::map<std::string, NodeNow, std::less<>> probes;
  std::optional<TimeMs> catching_up_since;  // set while the engine works through a backlog (since when)
  // The engine leadership (store/election.h): whether this collector persists the engine's work
  // (always with SQLite), and the current leader's epoch (0: no election).
  bool leader = true;
  std::int64_t leader_epoch = 0;
};

}  // namespace slamon::live
