// The catalogue as a graph the engine walks: one node per probe, CI and service, with only the
// counted edges (weight above 0; a CI without probes counts as weight 0 wherever it is a child),
// and each node's maintenance windows.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "common/catalogue/model.h"

namespace slamon::engine {

enum class NodeKind : std::uint8_t { probe, ci, service };

struct GraphChild {
  int node = -1;
  std::int64_t weight = 1;
};

struct Node {
  std::string id;
  NodeKind kind = NodeKind::service;
  catalogue::Rule rule;
  std::vector<GraphChild> children;           // counted children only
  const catalogue::Probe* probe = nullptr;    // for probes
  bool without_probes = false;                // a CI with no probes at all (weight 0 as a child)
  std::vector<const catalogue::Maintenance*> maintenance;  // windows targeting this node
};

class Graph {
 public:
  // `extra` maintenance (from --maintenance) is added to the catalogue's; windows naming unknown
  // targets are listed in unknown_targets().
  Graph(const catalogue::Catalogue& cat, const std::vector<catalogue::Maintenance>& extra);
  Graph(const Graph&) = delete;
  Graph& operator=(const Graph&) = delete;

  const Node& node(int i) const { return nodes_[static_cast<std::size_t>(i)]; }
  int size() const { return static_cast<int>(nodes_.size()); }
  // A CI or service by id; -1 when unknown.
  int find(const std::string& id) const;
  // A probe by id; -1 when unknown.
  int find_probe(const std::string& id) const;
  const std::vector<std::string>& unknown_targets() const { return unknown_targets_; }

 private:
  std::vector<Node> nodes_;
  std::vector<catalogue::Maintenance> extra_;
  std::unordered_map<std::string, int> by_id_;
  std::unordered_map<std::string, int> probes_;
  std::vector<std::string> unknown_targets_;
};

}  // namespace slamon::engine
