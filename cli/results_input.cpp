// Reading the catalogue and a results file for the offline commands.
#include "cli/results_input.h"

#include <cstdio>
#include <filesystem>
#include <vector>

#include "common/catalogue/parser.h"
#include "common/catalogue/reader.h"
#include "common/results_reader.h"

namespace slamon::cli {

std::optional<catalogue::Catalogue> load_catalogue_file(const std::string& catalogue_file,
                                                        const std::string& maintenance_file) {
  catalogue::DiskFileSource disk;
  std::vector<std::filesystem::path> extra;
  if (!maintenance_file.empty()) extra.emplace_back(maintenance_file);
  auto r = catalogue::load_catalogue(catalogue_file, disk, extra);
  if (!r.catalogue) {
    for (const auto& d : r.errors) std::fprintf(stderr, "%s\n", format_diagnostic(d).c_str());
    return std::nullopt;
  }
  return std::move(r.catalogue);
}

int feed_results_file(const std::string& command, const std::string& results_file, engine::ResultIngest& ingest) {
  const char* cmd = command.c_str();
  std::string error;
  // Read once with diagnostics; a pipe or FIFO is copied as it is read, so that a second read (for
  // probes whose results are not in ts order) sees the same results.
  const auto input = ResultsInput::open(results_file, error);
  if (!input) {
    std::fprintf(stderr, "slamon %s: %s\n", cmd, error.c_str());
    return 2;
  }
  auto on_error = [](Diagnostic&& d) { std::fprintf(stderr, "%s\n", format_diagnostic(d).c_str()); };
  auto warn_unknown = [&](engine::ResultIngest::Outcome outcome, const std::string& probe) {
    if (outcome == engine::ResultIngest::Outcome::unknown_probe_first)
      std::fprintf(stderr, "%s: warning: unknown probe '%s': its results are ignored\n", results_file.c_str(),
                   probe.c_str());
  };
  auto stats = input->read([&](ProbeResult&& r) { warn_unknown(ingest.add(r), r.probe); }, on_error, error,
                           [&](ProbeGap&& g) { warn_unknown(ingest.add_gap(g.probe, g.from_ms), g.probe); });
  if (!stats) {
    std::fprintf(stderr, "slamon %s: %s\n", cmd, error.c_str());
    return 2;
  }
  if (ingest.needs_second_pass()) {
    // Some probes' results are not in ts order: read them again, all of them, and sort.
    auto again = input->read_again([&](ProbeResult&& r) { ingest.add_second_pass(r); }, error,
                                   [&](ProbeGap&& g) { ingest.add_gap_second_pass(g.probe, g.from_ms); });
    if (!again) {
      std::fprintf(stderr, "slamon %s: %s\n", cmd, error.c_str());
      return 2;
    }
  }
  return 0;
}

}  // namespace slamon::cli
