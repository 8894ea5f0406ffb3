// What the engine keeps of a probe's results: its confirmed-status timeline and, for probes named by
// a response-time objective, the latencies of its up/degraded results. Built from results in arrival
// order, settling same-ts resends (semantics.md section 1: an identical resend is a no-op, otherwise
// the later arrival wins).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "collector/engine/probe_timeline.h"
#include "collector/engine/timeline.h"
#include "common/probe_result.h"

namespace slamon::engine {

// The parts of a result the engine uses.
struct Sample {
  TimeMs ts = 0;
  Status status = Status::unknown;
  std::optional<double> latency_ms;
  bool operator==(const Sample&) const = default;
};

// A result as it arrived: what the engine uses, and a hash of every field (to recognise resends).
struct Arrival {
  Sample sample;
  std::uint64_t content_hash = 0;
};

std::uint64_t content_hash(const ProbeResult& r);
Arrival to_arrival(const ProbeResult& r);

// One up/degraded result with a latency (response-time objectives).
struct RtSample {
  TimeMs ts = 0;
  double latency_ms = 0;
  bool operator==(const RtSample&) const = default;
};

struct ProbeData {
  StatusTimeline timeline;
  std::vector<RtSample> rt;  // in ts order; only kept for response-time probes
  bool operator==(const ProbeData&) const = default;
};

using ProbeDataMap = std::unordered_map<std::string, ProbeData>;

// The results at one ts: the winner and the hashes of every distinct content received.
class TsGroup {
 public:
  TsGroup(const Arrival& first) : winner_(first.sample), seen_{first.content_hash} {}
  void receive(const Arrival& a);
  const Sample& winner() const { return winner_; }

 private:
  Sample winner_;
  std::vector<std::uint64_t> seen_;
};

// One probe's results in arrival order with non-decreasing ts (streaming, constant memory apart from
// the response-time latencies).
class ProbeStream {
 public:
  ProbeStream(ProbeParams params, bool keep_rt) : builder_(params), keep_rt_(keep_rt) {}
  // False when a's ts is before the current group's: the caller must fall back to build_probe_data.
  bool add(const Arrival& a);
  // A gap record from from_ms (ProbeTimelineBuilder::gap): it applies before results of the same ts,
  // even those already received. False when from_ms is before the current group's ts (fall back).
  bool add_gap(TimeMs from_ms);
  ProbeData finish();

 private:
  void commit();
  ProbeTimelineBuilder builder_;
  bool keep_rt_;
  std::optional<TimeMs> group_ts_;
  std::optional<TsGroup> group_;
  std::vector<RtSample> rt_;
};

// Any arrival order: sorts by ts (stable, so arrival order decides within a ts); gap records (their
// from_ms, any order) apply before the results of their ts.
ProbeData build_probe_data(ProbeParams params, bool keep_rt, std::vector<Arrival> arrivals,
                           std::vector<TimeMs> gaps = {});

}  // namespace slamon::engine
