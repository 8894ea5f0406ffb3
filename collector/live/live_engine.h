// The live engine: each probe's confirmed-status timeline kept current as results reach the store,
// in any order, with memory bounded by the catalogue (a builder state and two points per probe).
//
// It reads the store's arrivals after its position (every stored or replaced result and gap record,
// in arrival order: store/engine_store.h), feeds each probe's timeline builder with those that come
// after everything the probe has seen, and writes the confirmed change points, the builder states
// and hourly checkpoints back in one transaction with its new position; a crash between two steps
// loses nothing (the next step starts from the stored position). A result or gap record at or before
// what its probe has seen (a back-fill, another agent's result for the same run time, a replaced
// result) marks the probe dirty from its ts; the probe is then replayed from the latest checkpoint
// before that, from the store's results, and its change points are rewritten from there. A report
// built from the change points (store_probe_data.h) thus equals one computed from every result.
//
// Pure over the store interfaces: no SQLite, no clock, no thread. The collector runs it on a thread
// of its own (collector/live_thread.h); the CLI runs it over an in-memory overlay (overlay_store.h).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "collector/engine/probe_timeline.h"
#include "collector/store/engine_store.h"
#include "common/catalogue/model.h"

namespace slamon::live {

struct LiveOptions {
  std::size_t step_arrivals = 20'000;         // results (and as many gap records) read per step
  DurationMs checkpoint_every_ms = 3'600'000;  // a checkpoint per probe at most this often (in ts)
  int replay_after_steps = 16;                 // a dirty probe waits at most this many busy steps
};

// A probe's status now (semantics.md section 1, staleness included) and since when.
struct ProbeNow {
  Status status = Status::unknown;
  std::optional<TimeMs> since;  // nullopt: never had a status
};

struct StepResult {
  std::size_t arrivals = 0;  // results and gap records read
  std::size_t replayed = 0;  // probes replayed
  bool more = false;         // arrivals are left, or probes still dirty: step again
  bool reloaded = false;     // another process had moved the position: state read again
  std::vector<std::string> changed;  // probes whose current status (or its start) changed
};

class LiveEngine {
 public:
  // The catalogue and the store must outlive the engine.
  LiveEngine(const catalogue::Catalogue& cat, store::EngineStore& st, LiveOptions options = {});

  // Reads the stored state. Probes new to the engine, and probes whose stale_after or confirm
  // changed, are replayed from the results still stored (older change points stay as they were).
  void load();
  // Applies the next arrivals, replays dirty probes when caught up (or when they waited long
  // enough), and commits. Throws store::StoreFailure (the state is then read again at the next step).
  StepResult step();

  // (After load() or step().) The probe's confirmed status as of `now`: its last change point, or unknown from its last
  // result + stale_after once that has passed. nullopt for a probe not in the catalogue.
  std::optional<ProbeNow> probe_now(const std::string& probe, TimeMs now) const;
  // The probe's latest change points as of `now` (the last two, and unknown for staleness when it has
  // come), never starting with unknown: enough to roll its current status up with since-when.
  engine::StatusTimeline recent_timeline(const std::string& probe, TimeMs now) const;
  // The earliest instant after `now` at which a probe with a known status turns unknown for
  // staleness.
  std::optional<TimeMs> next_staleness(TimeMs now) const;
  // When the probe turned unknown for staleness (its last result + stale_after), if that has come by
  // `now` and no result followed; nullopt otherwise (also for a probe never seen).
  std::optional<TimeMs> stale_since(const std::string& probe, TimeMs now) const;
  // The probes with a known status turning unknown for staleness in (after, upto].
  std::vector<std::string> stale_between(TimeMs after, TimeMs upto) const;
  store::EnginePosition position() const { return pos_; }
  std::size_t dirty() const;

 private:
  struct Probe {
    engine::ProbeParams params;
    engine::ProbeTimelineBuilder builder{params};
    engine::StatusTimeline written;          // the last points as stored (at most two)
    std::optional<TimeMs> horizon;           // the latest ts applied
    std::optional<TimeMs> dirty_from;
    int dirty_steps = 0;                     // busy steps it has waited
    std::optional<TimeMs> last_checkpoint;   // ts of its newest checkpoint
    std::vector<store::EngineCheckpoint> new_checkpoints;
    bool touched = false;                    // state changed in this step
  };
  void apply(const store::StoredArrival& a);
  void replay(const std::string& id, Probe& p, store::EngineCommit& commit);
  engine::StatusTimeline last_points_before(const std::string& id, TimeMs before);
  store::EngineProbe record(const std::string& id, const Probe& p) const;
  void maybe_checkpoint(Probe& p, TimeMs ts);
  // When a probe with a known status (its last change point is not unknown) turns unknown for
  // staleness, if no result comes: its last result + stale_after.
  static std::optional<TimeMs> stale_at(const Probe& p);

  const catalogue::Catalogue& cat_;
  store::EngineStore& st_;
  LiveOptions options_;
  std::unordered_map<std::string, Probe> probes_;
  store::EnginePosition pos_;
  bool loaded_ = false;
};

}  // namespace slamon::live
