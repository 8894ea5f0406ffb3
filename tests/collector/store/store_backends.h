// The stores the conformance tests run against (TEST_CASE_TEMPLATE over SqliteBackend and
// PgBackend): each backend object is one fresh, empty store: a SQLite file in a temporary folder, or
// a database of its own on the test PostgreSQL server (tests/lib/pg.sh, started once by the CTest
// fixture `pg`; its URL in the file SLAMON_PG_URL_FILE names, or in SLAMON_PG_URL). Without a
// server the PostgreSQL cases fail, saying how to get one: they are never skipped.
#pragma once

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>

#include <unistd.h>

#include "collector/store/postgres/pg_conn.h"
#include "collector/store/postgres/pg_store.h"
#include "collector/store/sqlite/sqlite_store.h"
#include "tests/temp_dir.h"

namespace slamon::test {

// The test server's URL (of its `postgres` database). Throws when there is none.
inline std::string pg_server_url() {
  if (const char* url = std::getenv("SLAMON_PG_URL"); url != nullptr && *url != 0) return url;
  if (const char* file = std::getenv("SLAMON_PG_URL_FILE"); file != nullptr && *file != 0) {
    std::ifstream in(file);
    std::string url;
    if (std::getline(in, url) && !url.empty()) return url;
    throw std::runtime_error(std::string("no PostgreSQL test server: cannot read ") + file +
                             " (the CTest fixture pg.start failed: see its output; scripts/setup.sh installs postgresql-15)");
  }
  throw std::runtime_error(
      "no PostgreSQL test server: run through CTest (fixture pg: tests/lib/pg.sh) or set SLAMON_PG_URL");
}

// A new empty database on the test server, dropped again on destruction.
class PgTestDatabase {
 public:
  PgTestDatabase() : admin_(pg_server_url()) {
    static std::atomic<int> n{0};
    name_ = "slamon_t_" + std::to_string(::getpid()) + "_" + std::to_string(++n);
    admin_.exec("DROP DATABASE IF EXISTS " + name_);
    admin_.exec("CREATE DATABASE " + name_);
    const std::string base = pg_server_url();
    url_ = base.substr(0, base.rfind('/') + 1) + name_;
  }
  ~PgTestDatabase() {
    try {
      admin_.exec("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    } catch (...) {
    }
  }
  PgTestDatabase(const PgTestDatabase&) = delete;
  PgTestDatabase& operator=(const PgTestDatabase&) = delete;
  const std::string& url() const { return url_; }
  store::postgres::PgConn& admin() { return admin_; }

 private:
  store::postgres::PgConn admin_;
  std::string name_, url_;
};

// `durable` false: synchronous=NORMAL / synchronous_commit=off (tests that write a lot).
struct SqliteBackend {
  using Store = store::sqlite::SqliteStore;
  explicit SqliteBackend(bool durable = true) : options{.synchronous_full = durable} {}
  TempDir dir;
  store::sqlite::SqliteOptions options;
  std::unique_ptr<Store> s = std::make_unique<Store>(dir.file("s.db"), options);
  Store& store() { return *s; }
  // Closes the store and opens it again.
  Store& reopen() {
    s.reset();
    s = std::make_unique<Store>(dir.file("s.db"), options);
    return *s;
  }
  // Another connection to the same store (another process's, or the engine thread's).
  std::unique_ptr<Store> another() { return std::make_unique<Store>(dir.file("s.db"), options); }
};

struct PgBackend {
  using Store = store::postgres::PgStore;
  explicit PgBackend(bool durable = true) : options{.synchronous_commit = durable} {}
  PgTestDatabase db;
  store::postgres::PgOptions options;
  std::unique_ptr<Store> s = std::make_unique<Store>(db.url(), options);
  Store& store() { return *s; }
  Store& reopen() {
    s.reset();
    s = std::make_unique<Store>(db.url(), options);
    return *s;
  }
  std::unique_ptr<Store> another() { return std::make_unique<Store>(db.url(), options); }
};

}  // namespace slamon::test
