// What `slamon report` and `slamon alerts` read alike: the catalogue (plus a --maintenance file) and
// a results JSONL file fed to the engine's ingest. Errors go to stderr; the callers exit 2.
#pragma once

#include <optional>
#include <string>

#include "collector/engine/result_ingest.h"
#include "common/catalogue/model.h"

namespace slamon::cli {

// The catalogue, plus the maintenance file's windows read as a file of their own (validated like the
// catalogue's, errors naming that file and its lines); "" for none. nullopt after the diagnostics.
std::optional<catalogue::Catalogue> load_catalogue_file(const std::string& catalogue_file,
                                                        const std::string& maintenance_file);

// Feeds the ingest from a results file (gap lines included); 0, or 2 after "slamon COMMAND: why".
int feed_results_file(const std::string& command, const std::string& results_file, engine::ResultIngest& ingest);

}  // namespace slamon::cli
