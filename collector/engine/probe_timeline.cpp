// The probe timeline state machine of semantics.md section 1.
#include "collector/engine/probe_timeline.h"

namespace slamon::engine {

void ProbeTimelineBuilder::to_unknown(TimeMs t) {
  append_change(timeline_, t, Status::unknown);
  confirmed_ = Status::unknown;
  pending_count_ = 0;
}

void ProbeTimelineBuilder::add(TimeMs ts, Status status) {
  // Stale: unknown from previous + S, pending run dropped; a fresh run is needed.
  if (has_prev_ && ts > prev_ts_ + params_.stale_after_ms) to_unknown(prev_ts_ + params_.stale_after_ms);
  if (status == confirmed_) {
    pending_count_ = 0;
  } else if (pending_count_ > 0 && status == pending_) {
    ++pending_count_;
  } else {
    pending_ = status;
    pending_start_ = ts;
    pending_count_ = 1;
  }
  if (pending_count_ >= params_.confirm) {
    append_change(timeline_, pending_start_, pending_);
    confirmed_ = pending_;
    pending_count_ = 0;
  }
  has_prev_ = true;
  prev_ts_ = ts;
}

void ProbeTimelineBuilder::gap(TimeMs from_ms) {
  // Staleness that falls before the gap comes first (the timeline's points stay in order); the
  // previous result stays the reference for the staleness of the next one.
  if (has_prev_ && from_ms > prev_ts_ + params_.stale_after_ms) to_unknown(prev_ts_ + params_.stale_after_ms);
  to_unknown(from_ms);
}

ProbeTimelineBuilder::Checkpoint ProbeTimelineBuilder::checkpoint() const {
  Checkpoint c{confirmed_, pending_, pending_count_, pending_start_, has_prev_, prev_ts_, timeline_.size(), {}};
  if (!timeline_.empty()) c.last = timeline_.back();
  return c;
}

bool ProbeTimelineBuilder::restore(const Checkpoint& c) {
  if (timeline_.size() < c.size) return false;
  confirmed_ = c.confirmed;
  pending_ = c.pending;
  pending_count_ = c.pending_count;
  pending_start_ = c.pending_start;
  has_prev_ = c.has_prev;
  prev_ts_ = c.prev_ts;
  timeline_.resize(c.size);
  if (c.size > 0) timeline_.back() = c.last;
  return true;
}

void ProbeTimelineBuilder::resume(const State& s, StatusTimeline last_points) {
  confirmed_ = s.confirmed;
  pending_ = s.pending;
  pending_count_ = s.pending_count;
  pending_start_ = s.pending_start;
  has_prev_ = s.has_prev;
  prev_ts_ = s.prev_ts;
  timeline_ = std::move(last_points);
  keep_last_points();
}

void ProbeTimelineBuilder::keep_last_points() {
  if (timeline_.size() > 2) timeline_.erase(timeline_.begin(), timeline_.end() - 2);
}

StatusTimeline ProbeTimelineBuilder::finish() {
  StatusTimeline out = timeline_;
  if (has_prev_) append_change(out, prev_ts_ + params_.stale_after_ms, Status::unknown);
  return out;
}

}  // namespace slamon::engine
