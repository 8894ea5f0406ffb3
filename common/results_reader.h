// Reading probe results in the JSON Lines interchange format (spec/interchange.md): one object per
// line, streamed in chunks through a reused simdjson parser (constant memory however big the input). A
// line that is not a valid result is reported as a Diagnostic with its line number and skipped; blank
// lines are skipped silently; keys the format does not name are ignored (keys may be added). A line
// with `gap_until` is a gap record (common/probe_gap.h), delivered to its own sink: status `unknown`,
// `gap_until` after `ts`, `metrics.dropped` a whole number from 1 to 2^40 (default 1); its message is
// not kept (the writer makes it from the agent and the count).
//
// Limits (docs/report.md): a line holds at most kMaxResultLineBytes before its newline; a longer one
// is an invalid line, skipped without being held in memory. An input with kMaxLinesWithoutResult
// lines or kMaxBytesWithoutResult bytes in a row and no valid result among them is not a results file
// (/dev/zero, a binary file): the read stops with an error. Running out of memory throws
// std::bad_alloc, never a skipped line.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "common/diagnostic.h"
#include "common/probe_gap.h"
#include "common/probe_result.h"

namespace slamon {

inline constexpr std::size_t kMaxResultLineBytes = std::size_t{1} << 20;      // 1 MiB
inline constexpr std::uint64_t kMaxBytesWithoutResult = std::uint64_t{4} << 30;  // 4 GiB
inline constexpr std::uint64_t kMaxLinesWithoutResult = 1'000'000;
inline constexpr std::uint64_t kMaxGapDropped = std::uint64_t{1} << 40;  // as the wire protocol's gap records

struct ResultsReadStats {
  std::size_t lines = 0;    // lines seen (including blank ones)
  std::size_t results = 0;  // valid results delivered
  std::size_t gaps = 0;     // valid gap records delivered
  std::size_t bad = 0;      // lines reported and skipped
  std::uint64_t bytes = 0;  // bytes read
};

using ResultSink = std::function<void(ProbeResult&&)>;
using DiagnosticSink = std::function<void(Diagnostic&&)>;
// Where gap lines go. Without one (an empty function), a gap line is an invalid line.
using GapSink = std::function<void(ProbeGap&&)>;

// Parses one line (without its newline). nullopt and `error` set when it is not a valid result (a
// gap line is not one).
std::optional<ProbeResult> parse_result_line(std::string_view line, std::string& error);
// The same for a line that may be a result or a gap record.
using ResultsLine = std::variant<ProbeResult, ProbeGap>;
std::optional<ResultsLine> parse_results_line(std::string_view line, std::string& error);

// Reads every line of `text`; `file` names the source in diagnostics. nullopt (and `error`) when the
// reader gives up (see the limits above).
std::optional<ResultsReadStats> read_results_text(std::string_view text, const std::string& file,
                                                  const ResultSink& on_result, const DiagnosticSink& on_error,
                                                  std::string& error, const GapSink& on_gap = {});

// A results input that can be read a second time with the same valid results in the same order,
// whatever it is: a regular file is read again from its start, up to the bytes of the first read;
// anything else (a pipe, a FIFO, /dev/stdin, a device) can be read only once, so the first read keeps
// a copy of its valid lines in an unlinked temporary file (in $TMPDIR), and the second reads that.
class ResultsInput {
 public:
  // nullptr (and `error`) when `path` cannot be opened, is a directory, or a copy cannot be made.
  static std::unique_ptr<ResultsInput> open(const std::string& path, std::string& error);
  ~ResultsInput();
  ResultsInput(const ResultsInput&) = delete;
  ResultsInput& operator=(const ResultsInput&) = delete;

  // The first read: every line, invalid ones reported. nullopt (and `error`) on a read error, when
  // the temporary copy cannot be written, or when the reader gives up.
  std::optional<ResultsReadStats> read(const ResultSink& on_result, const DiagnosticSink& on_error,
                                       std::string& error, const GapSink& on_gap = {});
  // After read(): the same valid results (and gap records) again, in the same order.
  std::optional<ResultsReadStats> read_again(const ResultSink& on_result, std::string& error,
                                             const GapSink& on_gap = {});
  // Whether the input is read once and copied (not a regular file).
  bool copied() const { return spool_ != nullptr; }

 private:
  ResultsInput(std::string path, std::FILE* in, std::FILE* spool) : path_(std::move(path)), in_(in), spool_(spool) {}
  std::string path_;
  std::FILE* in_ = nullptr;
  std::FILE* spool_ = nullptr;
  std::uint64_t first_bytes_ = 0;   // bytes of the first read (regular files)
  std::uint64_t spool_bytes_ = 0;   // bytes written to the copy
  bool read_once_ = false;
};

// Opens and reads `path` once. nullopt (and `error`) as ResultsInput::open and read.
std::optional<ResultsReadStats> read_results_file(const std::string& path, const ResultSink& on_result,
                                                  const DiagnosticSink& on_error, std::string& error,
                                                  const GapSink& on_gap = {});

}  // namespace slamon
