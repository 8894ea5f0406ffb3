// Which probes each agent is handed: the collector's share-out of the catalogue. Pure.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/catalogue/model.h"

namespace slamon::collector {

struct AgentAssignment {
  std::string agent;
  std::vector<const catalogue::Probe*> probes;  // in catalogue order; point into the catalogue
};

// One entry per agent of the catalogue, in catalogue order (agents without probes included).
std::vector<AgentAssignment> assign_probes(const catalogue::Catalogue& catalogue);

}  // namespace slamon::collector
