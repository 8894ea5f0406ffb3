// Building the node graph from the catalogue model.
#include "collector/engine/graph.h"

namespace slamon::engine {

Graph::Graph(const catalogue::Catalogue& cat, const std::vector<catalogue::Maintenance>& extra)
    : extra_(extra) {
  for (const auto& ci : cat.cis) {
    const int ci_index = static_cast<int>(nodes_.size());
    Node n;
    n.id = ci.id;
    n.kind = NodeKind::ci;
    n.rule = ci.rule;
    n.without_probes = ci.probes.empty();
    nodes_.push_back(std::move(n));
    by_id_.emplace(ci.id, ci_index);
    for (const auto& p : ci.probes) {
      const int pi = static_cast<int>(nodes_.size());
      Node pn;
      pn.id = p.id;
      pn.kind = NodeKind::probe;
      pn.probe = &p;
      nodes_.push_back(std::move(pn));
      probes_.emplace(p.id, pi);
      if (p.weight > 0) nodes_[static_cast<std::size_t>(ci_index)].children.push_back({pi, p.weight});
    }
  }
  for (const auto& s : cat.services) {
    Node n;
    n.id = s.id;
    n.kind = NodeKind::service;
    n.rule = s.rule;
    by_id_.emplace(s.id, static_cast<int>(nodes_.size()));
    nodes_.push_back(std::move(n));
  }
  for (const auto& s : cat.services) {
    Node& n = nodes_[static_cast<std::size_t>(by_id_.at(s.id))];
    for (const auto& c : s.children) {
      const int ci = find(c.id);
      if (ci < 0 || c.weight <= 0) continue;
      const Node& child = nodes_[static_cast<std::size_t>(ci)];
      if (child.without_probes) continue;  // no counted probes: weight 0
      n.children.push_back({ci, c.weight});
    }
  }
  auto attach = [&](const catalogue::Maintenance& m) {
    for (const auto& t : m.targets) {
      const int i = find(t);
      if (i < 0) {
        unknown_targets_.push_back(m.id + ": " + t);
        continue;
      }
      nodes_[static_cast<std::size_t>(i)].maintenance.push_back(&m);
    }
  };
  for (const auto& m : cat.maintenance) attach(m);
  for (const auto& m : extra_) attach(m);
}

int Graph::find(const std::string& id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? -1 : it->second;
}

int Graph::find_probe(const std::string& id) const {
  auto it = probes_.find(id);
  return it == probes_.end() ? -1 : it->second;
}

}  // namespace slamon::engine
