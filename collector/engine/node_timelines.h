// Every node's actual status over all time (roll-up of its counted children, section 2) and its
// planned time for one SLA's notion of bad over a range (section 3), computed on demand by sweeps
// over change points and memoised, so SLAs sharing a subtree share the work. The graph is walked
// with an explicit stack: no recursion, however deep the catalogue.
#pragma once

#include <deque>
#include <map>
#include <optional>
#include <tuple>
#include <vector>

#include "collector/engine/graph.h"
#include "collector/engine/policy.h"
#include "collector/engine/probe_data.h"
#include "collector/engine/timeline.h"

namespace slamon::engine {

class NodeTimelines {
 public:
  NodeTimelines(const Graph& graph, const ProbeDataMap& probes);

  const Graph& graph() const { return graph_; }
  const StatusTimeline& status(int node);
  // The node's own maintenance windows within range.
  IntervalSet own_windows(int node, Interval range) const;
  // Planned instants of node within range under the bad set.
  const IntervalSet& planned(int node, BadSet bad, Interval range);

 private:
  // One node, its children done.
  void compute_status(int node);
  IntervalSet compute_planned(int node, BadSet bad, Interval range);

  const Graph& graph_;
  const ProbeDataMap& probes_;
  std::vector<const StatusTimeline*> status_;  // probes point into probes_, others into computed_
  std::deque<StatusTimeline> computed_;
  std::map<std::tuple<int, int, TimeMs, TimeMs>, IntervalSet> planned_;
};

}  // namespace slamon::engine
