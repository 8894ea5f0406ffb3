// An engine store that writes to memory over a real one: the CLI brings the engine's state up to date
// for its own catalogue (arrivals the collector has not applied yet, probes whose parameters differ)
// without writing to the store a collector owns. Reads see the base with the overlay's writes on top.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "collector/store/engine_store.h"

namespace slamon::live {

class OverlayEngineStore final : public store::EngineStore {
 public:
  explicit OverlayEngineStore(store::EngineStore& base) : base_(base) {}

  store::EnginePosition engine_position() override;
  std::vector<store::EngineProbe> engine_probes() override;
  store::EnginePosition arrivals_after(const store::EnginePosition& from, std::size_t limit,
                                       const std::function<void(const store::StoredArrival&)>& on_arrival) override;
  void probe_history(std::string_view probe, TimeMs after_ts, const store::EnginePosition& upto,
                     const std::function<void(const store::StoredArrival&)>& on_arrival) override;
  std::optional<store::EngineCheckpoint> checkpoint_before(std::string_view probe, TimeMs before) override;
  std::vector<std::pair<std::string, TimeMs>> latest_checkpoints() override;
  std::optional<store::ChangePoint> change_point_before(std::string_view probe, TimeMs before) override;
  std::vector<store::ChangePoint> change_points(std::string_view probe, TimeMs from, TimeMs to) override;
  bool engine_commit(const store::EngineCommit& c) override;

 private:
  // One probe's rewritten part: the base's points (checkpoints) from `cut` on are hidden.
  struct Probe {
    std::optional<TimeMs> points_cut;
    std::vector<store::ChangePoint> points;
    std::optional<TimeMs> checkpoints_cut;
    std::vector<store::EngineCheckpoint> checkpoints;
  };
  const Probe* find(std::string_view probe) const;

  store::EngineStore& base_;
  std::optional<store::EnginePosition> position_;
  std::map<std::string, store::EngineProbe, std::less<>> probes_;
  std::map<std::string, Probe, std::less<>> rewritten_;
};

}  // namespace slamon::live
