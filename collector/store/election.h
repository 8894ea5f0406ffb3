// The live engine's leader among several collectors on one store (docs/postgresql.md, "Several
// collectors"): the engine work that persists (change points, checkpoints, retention, the
// notification log) is done by one collector at a time. A store that several collectors share
// elects it (PostgreSQL: a session advisory lock on a connection of its own, and an epoch in the
// `leadership` row that the winner increments); its engine writes are fenced by that epoch, so a
// former leader that lost its lock but still runs cannot write late. A SQLite store has no election:
// its one collector is always the leader.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "collector/store/store.h"

namespace slamon::store {

// What one collector knows of the leadership after a poll.
struct Leadership {
  bool leader = false;      // this collector
  std::int64_t epoch = 0;   // the current leader's epoch (this collector's when leader; 0: none yet)
  std::string holder;       // who the current leader is, as it wrote itself ("" before any)
  bool operator==(const Leadership&) const = default;
};

class Election {
 public:
  virtual ~Election() = default;
  // Tries to become the leader (never waits for the lock), or checks that this collector still is.
  // Throws StoreFailure when the database fails: this collector is then no leader (its lock went
  // with its connection); the next poll connects again.
  virtual Leadership poll() = 0;
  // Whether the leader said it persisted something since the last call (a hint: LISTEN/NOTIFY on
  // the election's connection; false when none came or the connection is down). Never blocks.
  virtual bool hinted() = 0;
};

// An engine store whose writes a leadership epoch fences.
class FencedWrites {
 public:
  virtual ~FencedWrites() = default;
  // nullopt: not fenced (one collector alone; the CLI). An epoch: every engine write first checks,
  // in its own transaction, that the stored epoch is still this one, and otherwise writes nothing
  // and throws FencedOut. kNoEpoch fences every write out (a follower).
  virtual void fence(std::optional<std::int64_t> epoch) = 0;
  static constexpr std::int64_t kNoEpoch = -1;
};

// An engine write refused: another collector became the leader (or this one is a follower).
class FencedOut : public StoreFailure {
 public:
  using StoreFailure::StoreFailure;
};

}  // namespace slamon::store
