// Opening a store by its location (see open_store.h).
#include "collector/store/open_store.h"

#include "collector/store/postgres/pg_conn.h"
#include "collector/store/postgres/pg_leadership.h"
#include "collector/store/postgres/pg_store.h"
#include "collector/store/sqlite/sqlite_store.h"

namespace slamon::store {

std::string shown_location(const StoreLocation& loc) {
  return loc.kind == StoreLocation::Kind::postgresql ? postgres::redact_url(loc.target) : loc.target;
}

OpenedStore open_store(const StoreLocation& loc, const OpenOptions& options) {
  OpenedStore out;
  if (loc.kind == StoreLocation::Kind::postgresql) {
    auto s = std::make_unique<postgres::PgStore>(
        loc.target, postgres::PgOptions{.synchronous_commit = options.durable, .create = options.create});
    out.engine = s.get();
    out.store = std::move(s);
  } else {
    auto s = std::make_unique<sqlite::SqliteStore>(
        loc.target, sqlite::SqliteOptions{.synchronous_full = options.durable, .create = options.create});
    out.engine = s.get();
    out.store = std::move(s);
  }
  return out;
}

std::unique_ptr<Election> open_election(const StoreLocation& loc, const std::string& holder) {
  if (loc.kind != StoreLocation::Kind::postgresql) return nullptr;
  return std::make_unique<postgres::PgElection>(loc.target, holder);
}

}  // namespace slamon::store
