// The incremental interface for the collector: results arrive one by one, late and out of order
// (an agent's spool back-fill), and every report equals a full recomputation over the same results.
// Each probe keeps its results per ts (resends settled as they arrive) and its timeline builder
// with checkpoints; a result older than the newest marks the probe dirty from there, and the next
// report replays that probe from the checkpoint before it (only the affected range).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "collector/engine/graph.h"
#include "collector/engine/probe_data.h"
#include "collector/engine/report_set.h"
#include "collector/engine/sla_report.h"
#include "common/catalogue/model.h"

namespace slamon::engine {

class EngineState {
 public:
  // The catalogue must outlive the state.
  EngineState(const catalogue::Catalogue& cat, std::vector<catalogue::Maintenance> extra = {});

  enum class AddOutcome { stored, resend, unknown_probe };
  AddOutcome add_result(const ProbeResult& r);
  // A gap record of `probe` from from_ms (ProbeTimelineBuilder::gap), at any time: late ones replay the
  // probe from there like late results. The same gap start again is a resend.
  AddOutcome add_gap(const std::string& probe, TimeMs from_ms);

  // One SLA for one period label; as_of cuts it (results with ts >= as_of ignored).
  ReportOutcome report(const std::string& sla_id, const std::string& label, std::optional<TimeMs> as_of);
  ReportSet reports(const ReportRequest& req);

  // The probe data as of now (after replaying dirty probes), or with results before `cut` only.
  const ProbeDataMap& probe_data();
  ProbeDataMap probe_data_before(TimeMs cut);

 private:
  // What arrived for one ts: a gap starting there (applied first), and/or results.
  struct Group {
    TimeMs ts;
    std::optional<TsGroup> results;
    bool gap = false;
  };
  struct ProbeState {
    ProbeParams params;
    bool keep_rt = false;
    std::vector<Group> groups;  // sorted by ts
    ProbeTimelineBuilder builder;
    // checkpoints_[k] is the builder state after groups [0, (k + 1) * kEvery).
    std::vector<ProbeTimelineBuilder::Checkpoint> checkpoints;
    std::size_t fed = 0;  // groups fed to the builder (all groups before `fed` are current)
  };
  static constexpr std::size_t kEvery = 256;

  // Where a group for ts is (inserted if new), and the probe marked for replay from there.
  std::vector<Group>::iterator group_at(const std::string& id, ProbeState& p, TimeMs ts);
  static void feed_group(ProbeTimelineBuilder& b, const Group& g);
  static std::vector<RtSample> rt_of(const ProbeState& p, std::size_t upto);
  void feed(ProbeState& p, std::size_t upto);
  void refresh(const std::string& id, ProbeState& p);
  static ProbeData data_of(ProbeState& p, std::size_t upto);

  const catalogue::Catalogue& cat_;
  std::vector<catalogue::Maintenance> extra_;
  std::unordered_map<std::string, ProbeState> probes_;
  std::vector<std::string> dirty_;
  ProbeDataMap data_;
};

}  // namespace slamon::engine
