// Share-out of probes to agents.
#include "collector/assignment.h"

#include <unordered_map>

namespace slamon::collector {

std::vector<AgentAssignment> assign_probes(const catalogue::Catalogue& catalogue) {
  std::vector<AgentAssignment> out;
  std::unordered_map<std::string, std::size_t> index;
  for (const auto& a : catalogue.agents) {
    index.emplace(a.name, out.size());
    out.push_back({a.name, {}});
  }
  for (const auto& ci : catalogue.cis)
    for (const auto& p : ci.probes)
      if (const auto it = index.find(p.agent); it != index.end()) out[it->second].probes.push_back(&p);
  return out;
}

}  // namespace slamon::collector
