// What the live engine (collector/engine/live_engine.h) keeps in the store, beside the results: its
// position in the store's arrivals, each probe's timeline builder state, the confirmed status change
// points, and checkpoints to replay a probe from when late results change its past. A store that
// holds results implements this too (SQLite: schema version 3), so that reports and status read
// change points instead of raw results, and stay exact after raw results are pruned.
//
// The results an engine reads are the store's arrivals: every stored or replaced result and every gap
// record gets a row number above every earlier one (in arrival order, across processes), and the
// engine's position says up to which rows it has applied.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "common/time.h"

namespace slamon::store {

// A probe timeline builder's state (engine::ProbeTimelineBuilder::State), as the store keeps it.
struct BuilderState {
  Status confirmed = Status::unknown;
  Status pending = Status::unknown;
  int pending_count = 0;
  TimeMs pending_start = 0;
  bool has_prev = false;
  TimeMs prev_ts = 0;
  bool operator==(const BuilderState&) const = default;
};

// One probe as the engine left it.
struct EngineProbe {
  std::string probe;
  DurationMs stale_after_ms = 0;  // the parameters the state was built with
  int confirm = 1;
  BuilderState state;                // after every applied result, in ts order
  std::optional<TimeMs> horizon;     // the latest ts applied (a result's, or a gap record's start)
  std::optional<TimeMs> dirty_from;  // results from this ts on changed since: to be replayed
  bool operator==(const EngineProbe&) const = default;
};

// The builder's state after every result with ts <= `ts` (its prev_ts).
struct EngineCheckpoint {
  TimeMs ts = 0;
  BuilderState state;
  bool operator==(const EngineCheckpoint&) const = default;
};

struct ChangePoint {
  TimeMs t = 0;
  Status status = Status::unknown;
  bool operator==(const ChangePoint&) const = default;
};

// The last rows applied, of results and of gap records.
struct EnginePosition {
  std::int64_t result_row = 0;
  std::int64_t gap_row = 0;
  bool operator==(const EnginePosition&) const = default;
};

// A result or a gap record as the engine reads it.
struct StoredArrival {
  std::int64_t row = 0;
  bool gap = false;
  std::string probe;
  TimeMs ts = 0;  // a gap record's from_ms
  Status status = Status::unknown;
  std::optional<double> latency_ms;
  std::string agent;
  bool operator==(const StoredArrival&) const = default;
};

// One engine step, written in one transaction.
struct EngineCommit {
  EnginePosition expect;  // the position the step started from
  EnginePosition next;
  std::vector<EngineProbe> probes;  // created or replaced (by probe)
  // Per probe: change points from `from` on are replaced by `points`; checkpoints from
  // `checkpoints_from` on are replaced by `checkpoints` (all at or after their bound).
  struct Rewrite {
    std::string probe;
    TimeMs from = 0;
    std::vector<ChangePoint> points;
    TimeMs checkpoints_from = 0;
    std::vector<EngineCheckpoint> checkpoints;
  };
  std::vector<Rewrite> rewrites;
};

class EngineStore {
 public:
  virtual ~EngineStore() = default;

  virtual EnginePosition engine_position() = 0;
  // Every probe the engine has state for.
  virtual std::vector<EngineProbe> engine_probes() = 0;
  // Up to `limit` results with rows after from.result_row, then up to `limit` gap records after
  // from.gap_row, each in row order. Returns the position after them.
  virtual EnginePosition arrivals_after(const EnginePosition& from, std::size_t limit,
                                        const std::function<void(const StoredArrival&)>& on_arrival) = 0;
  // One probe's history after `after_ts` up to the rows of `upto`, in ts order: results with ts >
  // after_ts, gap records with from_ms > after_ts (a gap before the results of its ts), the results
  // of one ts in agent name order.
  virtual void probe_history(std::string_view probe, TimeMs after_ts, const EnginePosition& upto,
                             const std::function<void(const StoredArrival&)>& on_arrival) = 0;
  // The latest checkpoint with ts < before.
  virtual std::optional<EngineCheckpoint> checkpoint_before(std::string_view probe, TimeMs before) = 0;
  // The newest checkpoint's ts of every probe that has one.
  virtual std::vector<std::pair<std::string, TimeMs>> latest_checkpoints() = 0;
  // The latest change point with t < before.
  virtual std::optional<ChangePoint> change_point_before(std::string_view probe, TimeMs before) = 0;
  // Change points with from <= t < to, in t order.
  virtual std::vector<ChangePoint> change_points(std::string_view probe, TimeMs from, TimeMs to) = 0;
  // Writes the step, unless the stored position is no longer c.expect (another process applied
  // rows meanwhile): then nothing is written and false is returned.
  virtual bool engine_commit(const EngineCommit& c) = 0;
};

}  // namespace slamon::store
