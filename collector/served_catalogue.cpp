// The catalogue as the collector serves it (see served_catalogue.h).
#include "collector/served_catalogue.h"

#include <filesystem>

#include "collector/assignment.h"
#include "collector/enrollment.h"
#include "common/catalogue/parser.h"
#include "common/diagnostic.h"
#include "common/small_file.h"

namespace slamon::collector {

namespace {

// The enrolled agents' tokens into the catalogue's agents; the errors.
std::vector<std::string> merge_enrolled_file(catalogue::Catalogue& cat, const std::string& enrolled_path) {
  std::error_code ec;
  if (enrolled_path.empty() || !std::filesystem::exists(enrolled_path, ec)) return {};
  const auto text = read_small_file(enrolled_path, kMaxCatalogueFileBytes);
  if (!text.bytes) return {enrolled_path + ": error: cannot read the enrolled agents: " + text.error};
  auto parsed = parse_enrolled_agents(*text.bytes, enrolled_path);
  if (!parsed.enrolled) return parsed.errors;
  return merge_enrolled_tokens(cat.agents, *parsed.enrolled, enrolled_path);
}

}  // namespace

ServedLoad load_served_catalogue(const std::string& path, const std::string& enrolled_path) {
  ServedLoad out;
  const catalogue::DiskFileSource files;
  auto loaded = catalogue::load_catalogue(path, files);
  if (!loaded.catalogue) {
    for (const auto& e : loaded.errors) out.errors.push_back(format_diagnostic(e));
    return out;
  }
  out.errors = merge_enrolled_file(*loaded.catalogue, enrolled_path);
  if (!out.errors.empty()) return out;
  const auto read_ca = [&](const std::string& file) -> std::optional<std::string> {
    return read_small_file(file, kMaxSecretFileBytes).bytes;
  };
  auto served = std::make_shared<ServedCatalogue>();
  served->path = path;
  served->catalogue = std::make_shared<const catalogue::Catalogue>(*loaded.catalogue);
  for (const auto& share : assign_probes(*loaded.catalogue)) {
    ServedAgent a;
    for (const auto& agent : loaded.catalogue->agents)
      if (agent.name == share.agent) {
        a.known = KnownAgent{agent.name, agent.token_sha256.value()};
        a.enrolled = !enrolled_path.empty() && agent.token_sha256.source_file() == enrolled_path;
      }
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
