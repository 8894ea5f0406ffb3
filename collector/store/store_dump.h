// A store's whole content as rows, for `slamon migrate`: one store dumps (StoreDumpSource), another
// loads (StoreDumpSink), keeping every row's arrival number, so that the live engine's bookkeeping is
// copied as it is (its position, probes, change points and checkpoints), not rebuilt: change points
// stay exact for times whose raw results retention already pruned.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "collector/store/engine_store.h"
#include "collector/store/store.h"

namespace slamon::store {

struct DumpedResult {
  std::int64_t arrival = 0;
  std::uint64_t epoch = 0;
  std::uint64_t seq = 0;
  ProbeResult result;  // its agent set
};

struct DumpedGap {
  std::int64_t arrival = 0;
  std::uint64_t epoch = 0;
  std::uint64_t seq = 0;
  StoredGap gap;
};

struct DumpedMark {
  std::string agent;
  std::uint64_t epoch = 0;
  std::uint64_t committed_seq = 0;
  wire::SeqRanges ranges;  // stored above the mark
};

struct DumpedEngine {
  EnginePosition position;
  std::vector<EngineProbe> probes;
  std::vector<std::pair<std::string, ChangePoint>> changes;           // (probe, point), per probe in t order
  std::vector<std::pair<std::string, EngineCheckpoint>> checkpoints;  // (probe, checkpoint), per probe in ts order
  std::optional<TimeMs> pruned_before;
};

// Where a dump goes. Each call is one transaction; rows arrive in arrival order.
class StoreDumpSink {
 public:
  virtual ~StoreDumpSink() = default;
  // True when the store holds nothing (no mark, result, gap record, agent record or engine state).
  virtual bool empty() = 0;
  virtual void load_marks(std::span<const DumpedMark> marks) = 0;
  virtual void load_results(std::span<const DumpedResult> rows) = 0;
  virtual void load_gaps(std::span<const DumpedGap> rows) = 0;
  virtual void load_agents(std::span<const AgentRecord> records) = 0;
  // Last: the engine's state, and the arrival numbers continue after every row loaded.
  virtual void load_engine(const DumpedEngine& engine) = 0;
};

// A store that can dump itself.
class StoreDumpSource {
 public:
  virtual ~StoreDumpSource() = default;
  // Feeds `sink` with everything, results and gap records in batches of up to `batch_rows`;
  // `on_rows(kind, n)` after each batch (progress).
  virtual void dump(StoreDumpSink& sink, std::size_t batch_rows,
                    const std::function<void(const char* kind, std::size_t n)>& on_rows) = 0;
};

}  // namespace slamon::store
