// Turning a results file into probe data with memory bounded by change points for time-ordered
// input: each probe's results stream through its timeline builder; a probe whose results come out
// of ts order is marked, and the caller reads the input a second time (ResultsInput::read_again: the
// same results, even from a pipe) for those probes only, which are then built from all their
// results (any order gives the same data as a full recomputation).
#pragma once

#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "collector/engine/probe_data.h"
#include "common/catalogue/model.h"

namespace slamon::engine {

class ResultIngest {
 public:
  // Results with ts >= cut are ignored (semantics.md section 4).
  ResultIngest(const catalogue::Catalogue& cat, std::optional<TimeMs> cut);

  enum class Outcome { used, after_cut, unknown_probe_first, unknown_probe, out_of_order_first };
  // Pass 1, in file order.
  Outcome add(const ProbeResult& r);
  // A gap record of `probe` from from_ms (ProbeTimelineBuilder::gap), in file order with the results.
  Outcome add_gap(const std::string& probe, TimeMs from_ms);
  // Whether a second pass is needed, and for which probes.
  bool needs_second_pass() const { return !reordered_.empty(); }
  const std::set<std::string>& reordered() const { return reordered_; }
  // Pass 2, in file order again: only the reordered probes' results are kept.
  void add_second_pass(const ProbeResult& r);
  void add_gap_second_pass(const std::string& probe, TimeMs from_ms);
  ProbeDataMap finish();

 private:
  struct Entry {
    ProbeParams params;
    bool keep_rt = false;
    std::optional<ProbeStream> stream;
    bool reordered = false;
    std::vector<Arrival> arrivals;  // pass 2 only
    std::vector<TimeMs> gaps;       // pass 2 only
  };
  Entry* find(const std::string& probe, Outcome& outcome);
  void mark_reordered(const std::string& probe, Entry& e);
  std::optional<TimeMs> cut_;
  std::unordered_map<std::string, Entry> probes_;
  std::set<std::string> unknown_;
  std::set<std::string> reordered_;
};

// The probes named by a response-time objective in any SLA version.
std::set<std::string> response_time_probes(const catalogue::Catalogue& cat);

}  // namespace slamon::engine
