// What the collector serves from one catalogue: per agent, the token digest a hello is checked
// against, the assignment it is handed (with its version) and the probe ids it may send results for.
// Built off the io thread (at start and on reload: it reads the catalogue and the CA files its HTTP
// probes name) and then shared read-only, with the catalogue itself.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "collector/session_logic.h"
#include "common/catalogue/model.h"
#include "common/wire/slamon.pb.h"

namespace slamon::collector {

struct ServedAgent {
  KnownAgent known;
  wire::v1::Assignment assignment;            // its version: assignment.version()
  std::unordered_set<std::string> assigned;   // the ids of its probes
  bool enrolled = false;                      // its token comes from the enrolled agents, not the catalogue
};

struct ServedCatalogue {
  std::string path;
  std::shared_ptr<const catalogue::Catalogue> catalogue;  // the model (the engine and the HTTP API read it)
  std::map<std::string, ServedAgent, std::less<>> agents;  // by name
  std::size_t probes = 0;

  const ServedAgent* find(std::string_view agent) const {
    const auto it = agents.find(agent);
    return it == agents.end() ? nullptr : &it->second;
  }
};

struct ServedLoad {
  std::shared_ptr<const ServedCatalogue> served;  // set exactly when errors is empty
  std::vector<std::string> errors;                // each one printable as it is (FILE:LINE:COL: ...)
};

// Loads and validates the catalogue at `path`, fills in the tokens of the agents enrolled in
// `enrolled_path` (collector/enrollment.h; none when empty or missing), shares its probes out and
// builds every assignment.
ServedLoad load_served_catalogue(const std::string& path, const std::string& enrolled_path = {});

}  // namespace slamon::collector
