// A probe's confirmed-status timeline from its results in ts order (semantics.md section 1):
// confirm runs backdated to their first result, staleness after stale_after without a result, and
// gap records (results an agent dropped from a full spool: unknown from the gap's start, exactly like
// staleness; docs/semantics-notes.md). Streaming: one event at a time, constant memory per probe.
#pragma once

#include "collector/engine/timeline.h"
#include "common/status.h"
#include "common/time.h"

namespace slamon::engine {

struct ProbeParams {
  DurationMs stale_after_ms = 180'000;
  int confirm = 1;
};

class ProbeTimelineBuilder {
 public:
  explicit ProbeTimelineBuilder(ProbeParams params) : params_(params) {}

  // The next result; ts strictly greater than the previous one (same-ts resends are settled before).
  void add(TimeMs ts, Status status);
  // A gap record starting at from_ms (>= every result added so far; it comes before results of the
  // same ts): staleness up to it applies first, then the status is unknown from from_ms and any
  // pending run is dropped. The next results need a fresh run of `confirm` equal ones.
  void gap(TimeMs from_ms);
  // Applies the final staleness (no further result) and returns the timeline.
  StatusTimeline finish();
  // The timeline so far, without the final staleness.
  const StatusTimeline& points() const { return timeline_; }

  // The whole state after some result, to replay from there when earlier results change.
  struct Checkpoint {
    Status confirmed = Status::unknown;
    Status pending = Status::unknown;
    int pending_count = 0;
    TimeMs pending_start = 0;
    bool has_prev = false;
    TimeMs prev_ts = 0;
    std::size_t size = 0;           // timeline points at that moment
    StatusPoint last{};             // the last of them (size > 0)
  };
  Checkpoint checkpoint() const;
  // Back to a checkpoint taken from this builder (or from one with the same points before it).
  // False (and nothing changed) when the points before it are no longer there.
  bool restore(const Checkpoint& c);

  // The live engine's use (collector/live/live_engine.h): the state without the points, kept in the
  // store; resuming from such a state with the last points written before it (up to two: enough
  // for append_change to replace or drop the last one exactly as with the whole timeline); and
  // forgetting the points already written.
  struct State {
    Status confirmed = Status::unknown;
    Status pending = Status::unknown;
    int pending_count = 0;
    TimeMs pending_start = 0;
    bool has_prev = false;
    TimeMs prev_ts = 0;
    bool operator==(const State&) const = default;
  };
  State state() const { return State{confirmed_, pending_, pending_count_, pending_start_, has_prev_, prev_ts_}; }
  void resume(const State& s, StatusTimeline last_points);
  void keep_last_points();  // the last two

 private:
  void to_unknown(TimeMs t);
  ProbeParams params_;
  StatusTimeline timeline_;
  Status confirmed_ = Status::unknown;
  Status pending_ = Status::unknown;
  int pending_count_ = 0;
  TimeMs pending_start_ = 0;
  bool has_prev_ = false;
  TimeMs prev_ts_ = 0;
};

}  // namespace slamon::engine
