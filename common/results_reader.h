// Reading probe results in the JSON Lines interchange format (spec/interchange.md): one object per
// line, streamed in chunks through a reused simdjson parser (constant memory however big the file). A line
// that is not a valid result is reported as a Diagnostic with its line number and skipped; blank
// lines are skipped silently; keys the format does not name are ignored (keys may be added).
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "common/diagnostic.h"
#include "common/probe_result.h"

namespace slamon {

struct ResultsReadStats {
  std::size_t lines = 0;    // lines seen (including blank ones)
  std::size_t results = 0;  // valid results delivered
  std::size_t bad = 0;      // lines reported and skipped
};

using ResultSink = std::function<void(ProbeResult&&)>;
using DiagnosticSink = std::function<void(Diagnostic&&)>;

// Parses one line (without its newline). nullopt and `error` set when it is not a valid result.
std::optional<ProbeResult> parse_result_line(std::string_view line, std::string& error);

// Reads every line of `text`; `file` names the source in diagnostics.
ResultsReadStats read_results_text(std::string_view text, const std::string& file, const ResultSink& on_result,
                                   const DiagnosticSink& on_error);

// Streams a file. nullopt when it cannot be opened or read (then `error` says why).
std::optional<ResultsReadStats> read_results_file(const std::string& path, const ResultSink& on_result,
                                                  const DiagnosticSink& on_error, std::string& error);

}  // namespace slamon
