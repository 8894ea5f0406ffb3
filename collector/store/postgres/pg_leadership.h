// The engine leader's election and fencing on PostgreSQL (store/election.h, docs/postgresql.md):
// a session advisory lock (pg_try_advisory_lock) held on a connection of its own elects the leader;
// the winner increments the epoch in the one `leadership` row (schema version 4); every fenced write
// checks, in its own transaction, that the stored epoch is still its own (check_epoch, which takes
// the row FOR SHARE: a new leader's increment waits for a write in flight, and every later write of
// the former leader fails). The leader NOTIFYs `slamon_engine` after persisting; followers LISTEN
// (a hint only: they poll anyway).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "collector/store/election.h"

namespace slamon::store::postgres {

class PgConn;

// The advisory lock key of the engine leadership (session scoped).
constexpr std::int64_t kLeaderLock = 0x736c616d6f6e10;
// The channel the leader NOTIFYs after persisting engine work.
constexpr std::string_view kEngineChannel = "slamon_engine";

// Schema version 4 (from 3): the leadership row (epoch 0, no holder).
void create_leadership_table(PgConn& c);

// The fencing check, inside the caller's open transaction: throws FencedOut (naming the current
// leader) unless the stored epoch is `epoch`; holds the row FOR SHARE until the transaction ends.
void check_epoch(PgConn& c, std::int64_t epoch);
// Queues the hint to followers (sent when the caller's transaction commits).
void notify_followers(PgConn& c);

class PgElection final : public Election {
 public:
  // `holder`: how this collector names itself to the others (host, addresses, pid). Connects at the
  // first poll. Releasing: the destructor closes the connection (the lock goes with it).
  PgElection(std::string url, std::string holder);
  ~PgElection() override;

  Leadership poll() override;
  bool hinted() override;

 private:
  std::string url_, holder_;
  std::unique_ptr<PgConn> conn_;
  bool listening_ = false;  // LISTEN on the current session
  bool held_ = false;       // the lock, on the current session
  Leadership state_;
};

}  // namespace slamon::store::postgres
