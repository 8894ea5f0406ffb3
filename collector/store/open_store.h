// Opening the store a location names (collector.yaml's `store`, the CLI's --db): a SQLite file or a
// PostgreSQL database, one object behind both interfaces (the results and the live engine's
// bookkeeping). Used by the collector daemon and by every `slamon` command that takes --db.
#pragma once

#include <memory>
#include <string>

#include "collector/store/election.h"
#include "collector/store/engine_store.h"
#include "collector/store/store.h"
#include "common/collector_config.h"

namespace slamon::store {

struct OpenOptions {
  // false: open an existing store only (nothing is created; a database without slamon's schema is
  // an error).
  bool create = true;
  // SQLite synchronous=FULL / PostgreSQL synchronous_commit=on (an acknowledged result is durable);
  // false: NORMAL / off (the engine's own connection, whose work is redone after a crash).
  bool durable = true;
};

struct OpenedStore {
  std::unique_ptr<Store> store;
  EngineStore* engine = nullptr;  // the same object's engine side
};

// The store as messages and logs name it: the SQLite path, or the PostgreSQL URL without its password.
std::string shown_location(const StoreLocation& loc);

// Opens (or creates) the store at `loc`. Throws StoreFailure naming the store (a PostgreSQL URL
// without its password) and the reason.
OpenedStore open_store(const StoreLocation& loc, const OpenOptions& options = {});

// The engine leader's election among the collectors sharing the store at `loc` (election.h), on a
// connection of its own (made at the first poll); `holder` names this collector to the others.
// nullptr for a SQLite store (its one collector is always the leader).
std::unique_ptr<Election> open_election(const StoreLocation& loc, const std::string& holder);

}  // namespace slamon::store
