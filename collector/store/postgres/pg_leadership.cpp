// The engine leader's election and fencing on PostgreSQL (see pg_leadership.h).
#include "collector/store/postgres/pg_leadership.h"

#include <chrono>

#include "collector/store/postgres/pg_conn.h"

namespace slamon::store::postgres {

void create_leadership_table(PgConn& c) {
  c.exec(
      "CREATE TABLE leadership ("
      " id integer PRIMARY KEY CHECK (id = 1),"
      " epoch bigint NOT NULL,"
      " holder text NOT NULL,"
      " since_ms bigint NOT NULL);"
      "INSERT INTO leadership (id, epoch, holder, since_ms) VALUES (1, 0, '', 0)");
}

void check_epoch(PgConn& c, std::int64_t epoch) {
  const PgResult r = c.query("SELECT epoch, holder FROM leadership WHERE id = 1 FOR SHARE");
  const std::int64_t stored = r.rows() > 0 ? r.int64(0, 0) : 0;
  if (stored == epoch) return;
  throw FencedOut("store " + c.shown_url() + ": fenced out: the engine leader is collector " +
                  std::string(r.rows() > 0 ? r.text(0, 1) : "-") + " epoch " + std::to_string(stored) +
                  (epoch == FencedWrites::kNoEpoch ? std::string(" (this collector is a follower)")
                                                   : "; this collector's epoch was " + std::to_string(epoch)));
}

void notify_followers(PgConn& c) {
  c.query("SELECT pg_notify($1, '')", PgParams().add(kEngineChannel));
}

PgElection::PgElection(std::string url, std::string holder) : url_(std::move(url)), holder_(std::move(holder)) {}

PgElection::~PgElection() = default;

Leadership PgElection::poll() {
  bool held = held_;  // the lock on the current session
  held_ = false;      // until this poll shows otherwise (a throw leaves it so)
  state_.leader = false;
  if (!conn_) {
    conn_ = std::make_unique<PgConn>(url_);
    listening_ = false;
  } else if (conn_->ensure_connected()) {
    listening_ = false;  // a new session: the lock went with the old one
    held = false;
  }
  if (held) {
    // The lock lives as long as the session; the epoch stored must still be ours.
    const PgResult r = conn_->query("SELECT epoch FROM leadership WHERE id = 1");
    if (r.rows() > 0 && r.int64(0, 0) == state_.epoch) {
      held_ = true;
      state_.leader = true;
      return state_;
    }
    conn_->query("SELECT pg_advisory_unlock($1)", PgParams().add(kLeaderLock));
  }
  const PgResult won = conn_->query("SELECT pg_try_advisory_lock($1)", PgParams().add(kLeaderLock));
  if (won.text(0, 0) == "t") {
    try {
      if (listening_) conn_->exec("UNLISTEN *");
      listening_ = false;
      const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::system_clock::now().time_since_epoch()).count();
      PgTransaction t(*conn_);
      const PgResult r = conn_->query(
          "UPDATE leadership SET epoch = epoch + 1, holder = $1::text, since_ms = $2::bigint WHERE id = 1"
          " RETURNING epoch",
          PgParams().add(std::string_view(holder_)).add(std::int64_t{now_ms}));
      t.commit();
      if (r.rows() == 0) conn_->fail("no leadership row");
      state_ = Leadership{true, r.int64(0, 0), holder_};
      held_ = true;
      return state_;
    } catch (...) {
      try {  // not the leader after all: let another collector win
        conn_->query("SELECT pg_advisory_unlock($1)", PgParams().add(kLeaderLock));
      } catch (const StoreFailure&) {  // the session is gone, and the lock with it
      }
      throw;
    }
  }
  if (!listening_) {
    conn_->exec("LISTEN " + std::string(kEngineChannel));
    listening_ = true;
  }
  const PgResult r = conn_->query("SELECT epoch, holder FROM leadership WHERE id = 1");
  state_ = Leadership{false, r.rows() > 0 ? r.int64(0, 0) : 0, r.rows() > 0 ? std::string(r.text(0, 1)) : ""};
  return state_;
}

bool PgElection::hinted() {
  if (!conn_ || !listening_) return false;
  return conn_->take_notifications() > 0;
}

}  // namespace slamon::store::postgres
