// The catalogue as the collector serves it (see served_catalogue.h).
#include "collector/served_catalogue.h"

#include "collector/assignment.h"
#include "common/catalogue/parser.h"
#include "common/diagnostic.h"
#include "common/small_file.h"

namespace slamon::collector {

ServedLoad load_served_catalogue(const std::string& path) {
  ServedLoad out;
  const catalogue::DiskFileSource files;
  auto loaded = catalogue::load_catalogue(path, files);
  if (!loaded.catalogue) {
    for (const auto& e : loaded.errors) out.errors.push_back(format_diagnostic(e));
    return out;
  }
  const auto read_ca = [&](const std::string& file) -> std::optional<std::string> {
    return read_small_file(file, kMaxSecretFileBytes).bytes;
  };
  auto served = std::make_shared<ServedCatalogue>();
  served->path = path;
  served->catalogue = std::make_shared<const catalogue::Catalogue>(*loaded.catalogue);
  for (const auto& share : assign_probes(*loaded.catalogue)) {
    ServedAgent a;
    for (const auto& agent : loaded.catalogue->agents)
      if (agent.name == share.agent) a.known = KnownAgent{agent.name, agent.token_sha256.value()};
    std::string error;
    auto assignment = make_assignment(share, read_ca, error);
    if (!assignment) {
      out.errors.push_back(path + ": error: agent " + share.agent + ": " + error);
      continue;
    }
    a.assignment = std::move(*assignment);
    for (const auto* p : share.probes) a.assigned.insert(p->id);
    served->probes += share.probes.size();
    served->agents.emplace(share.agent, std::move(a));
  }
  served->catalogue = std::make_shared<const catalogue::Catalogue>(std::move(*loaded.catalogue));
  if (out.errors.empty()) out.served = std::move(served);
  return out;
}

}  // namespace slamon::collector
