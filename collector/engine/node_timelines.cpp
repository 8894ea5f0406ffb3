// Roll-up and planned propagation as sweeps over the children's change points.
#include "collector/engine/node_timelines.h"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "collector/engine/calendar.h"
#include "collector/engine/rollup.h"

namespace slamon::engine {
namespace {

const StatusTimeline kEmpty;

struct Event {
  TimeMs t;
  int child;     // index into the node's children; -1 for the node itself
  int kind;      // 0: status change, 1: planned begins, 2: planned ends
  Status status;
};

// Depth-first over the graph with an explicit stack (a chain of services may be as deep as the
// catalogue is long): `ready(node)` says whether a node is done, `compute(node)` does it once every
// child for which `needed(child)` holds is done. The catalogue has no cycles (check refuses them);
// a path longer than the graph would be one, and stops the process.
template <class Ready, class Needed, class Compute>
void post_order(const Graph& g, int root, Ready&& ready, Needed&& needed, Compute&& compute) {
  std::vector<std::pair<int, std::size_t>> stack{{root, 0}};
  while (!stack.empty()) {
    const int n = stack.back().first;
    if (ready(n)) {
      stack.pop_back();
      continue;
    }
    const auto& children = g.node(n).children;
    std::size_t& next = stack.back().second;
    while (next < children.size() && (ready(children[next].node) || !needed(children[next].node))) ++next;
    if (next < children.size()) {
      const int c = children[next++].node;
      if (stack.size() > static_cast<std::size_t>(g.size())) throw std::logic_error("cycle in the service graph");
      stack.push_back({c, 0});
      continue;
    }
    compute(n);
    stack.pop_back();
  }
}

}  // namespace

NodeTimelines::NodeTimelines(const Graph& graph, const ProbeDataMap& probes)
    : graph_(graph), probes_(probes), status_(static_cast<std::size_t>(graph.size()), nullptr) {}

const StatusTimeline& NodeTimelines::status(int i) {
  if (const StatusTimeline* known = status_[static_cast<std::size_t>(i)]) return *known;
  post_order(
      graph_, i, [&](int n) { return status_[static_cast<std::size_t>(n)] != nullptr; }, [](int) { return true; },
      [&](int n) { compute_status(n); });
  return *status_[static_cast<std::size_t>(i)];
}

void NodeTimelines::compute_status(int i) {
  const Node& n = graph_.node(i);
  if (n.kind == NodeKind::probe) {
    auto it = probes_.find(n.id);
    status_[static_cast<std::size_t>(i)] = it == probes_.end() ? &kEmpty : &it->second.timeline;
    return;
  }
  std::vector<Event> ev;
  std::vector<const StatusTimeline*> tls;
  for (std::size_t c = 0; c < n.children.size(); ++c) tls.push_back(status_[static_cast<std::size_t>(n.children[c].node)]);
  std::size_t total = 0;
  for (auto* tl : tls) total += tl->size();
  ev.reserve(total);
  for (std::size_t c = 0; c < tls.size(); ++c)
    for (const auto& p : *tls[c]) ev.push_back({p.t, static_cast<int>(c), 0, p.status});
  std::stable_sort(ev.begin(), ev.end(), [](const Event& a, const Event& b) { return a.t < b.t; });
  Tally tally;
  std::vector<Status> cur(n.children.size(), Status::unknown);
  for (std::size_t c = 0; c < n.children.size(); ++c) tally.add(Status::unknown, n.children[c].weight);
  StatusTimeline out;
  const Status s0 = rollup(n.rule, tally);
  if (s0 != Status::unknown) out.push_back({kMinTime, s0});
  for (std::size_t k = 0; k < ev.size();) {
    const TimeMs t = ev[k].t;
    for (; k < ev.size() && ev[k].t == t; ++k) {
      const auto c = static_cast<std::size_t>(ev[k].child);
      tally.add(cur[c], n.children[c].weight, -1);
      cur[c] = ev[k].status;
      tally.add(cur[c], n.children[c].weight, 1);
    }
    append_change(out, t, rollup(n.rule, tally));
  }
  computed_.push_back(std::move(out));
  status_[static_cast<std::size_t>(i)] = &computed_.back();
}

IntervalSet NodeTimelines::own_windows(int i, Interval range) const {
  std::vector<Interval> v;
  for (const auto* m : graph_.node(i).maintenance) {
    if (m->every) {
      const auto set = recurring_intervals(*m->every, find_zone(m->timezone), range);
      v.insert(v.end(), set.begin(), set.end());
    } else if (m->from && m->to) {
      v.push_back({std::max(*m->from, range.begin), std::min(*m->to, range.end)});
    }
  }
  return normalize(std::move(v));
}

const IntervalSet& NodeTimelines::planned(int i, BadSet bad, Interval range) {
  auto key = [&](int n) { return std::make_tuple(n, bad.key(), range.begin, range.end); };
  if (auto it = planned_.find(key(i)); it != planned_.end()) return it->second;
  status(i);  // every status below i, computed once (iteratively) before the planned sweeps read them
  post_order(
      graph_, i, [&](int n) { return planned_.count(key(n)) > 0; },
      [&](int c) { return range.begin < range.end && graph_.node(c).kind != NodeKind::probe; },
      [&](int n) { planned_.emplace(key(n), compute_planned(n, bad, range)); });
  return planned_.at(key(i));
}

IntervalSet NodeTimelines::compute_planned(int i, BadSet bad, Interval range) {
  const Node& n = graph_.node(i);
  IntervalSet own = own_windows(i, range);
  if (n.children.empty() || range.begin >= range.end) return own;

  // Sweep over the node's status, the children's statuses and the children's planned sets.
  std::vector<Event> ev;
  const StatusTimeline& self = status(i);
  auto add_status_events = [&](const StatusTimeline& tl, int child) {
    auto it = std::upper_bound(tl.begin(), tl.end(), range.begin,
                               [](TimeMs v, const StatusPoint& p) { return v < p.t; });
    for (; it != tl.end() && it->t < range.end; ++it) ev.push_back({it->t, child, 0, it->status});
  };
  add_status_events(self, -1);
  std::vector<Status> cur(n.children.size());
  std::vector<char> cur_planned(n.children.size(), 0);
  for (std::size_t c = 0; c < n.children.size(); ++c) {
    const int ci = n.children[c].node;
    const StatusTimeline& tl = status(ci);
    cur[c] = status_at(tl, range.begin);
    add_status_events(tl, static_cast<int>(c));
    if (graph_.node(ci).kind == NodeKind::probe) continue;  // probes have no windows
    const IntervalSet& ps = planned_.at(std::make_tuple(ci, bad.key(), range.begin, range.end));
    for (const auto& iv : ps) {
      if (iv.begin <= range.begin) cur_planned[c] = 1;
      else ev.push_back({iv.begin, static_cast<int>(c), 1, Status::unknown});
      if (iv.end < range.end) ev.push_back({iv.end, static_cast<int>(c), 2, Status::unknown});
    }
  }
  std::stable_sort(ev.begin(), ev.end(), [](const Event& a, const Event& b) { return a.t < b.t; });
  Status self_status = status_at(self, range.begin);
  int bad_unplanned = 0;
  for (std::size_t c = 0; c < n.children.size(); ++c)
    if (is_bad(cur[c], bad) && !cur_planned[c]) ++bad_unplanned;
  std::vector<Interval> by_children;
  auto is_planned = [&] { return is_bad(self_status, bad) && bad_unplanned == 0; };
  TimeMs seg = range.begin;
  bool state = is_planned();
  for (std::size_t k = 0; k < ev.size();) {
    const TimeMs t = ev[k].t;
    for (; k < ev.size() && ev[k].t == t; ++k) {
      const Event& e = ev[k];
      if (e.child < 0) {
        self_status = e.status;
        continue;
      }
      const auto c = static_cast<std::size_t>(e.child);
      const bool before = is_bad(cur[c], bad) && !cur_planned[c];
      if (e.kind == 0) cur[c] = e.status;
      else cur_planned[c] = e.kind == 1 ? 1 : 0;
      const bool after = is_bad(cur[c], bad) && !cur_planned[c];
      bad_unplanned += static_cast<int>(after) - static_cast<int>(before);
    }
    const bool now = is_planned();
    if (now != state) {
      if (state) by_children.push_back({seg, t});
      seg = t;
      state = now;
    }
  }
  if (state) by_children.push_back({seg, range.end});
  return unite(own, by_children);
}

}  // namespace slamon::engine
