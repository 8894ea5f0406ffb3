// SLA feasibility (docs/feasibility.md): for each SLA, the availability ceiling that the OLAs and UCs
// underneath can guarantee, composed bottom-up on the service graph with the roll-up rules (a node
// shared by several paths counted once, by conditioning on its state), the parts that no agreement
// backs with the target each would need, each dependency's cost in the error budget, and the
// agreements whose terms do not match the SLA's (hours, period, policies, restore_within). Pure: no
// I/O and no clock; the representative period is the SLA's period containing a date the caller gives.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "collector/engine/graph.h"
#include "common/catalogue/model.h"

namespace slamon::engine {

// Ceilings are compared with targets to within this many percentage points (floating point).
inline constexpr double kFeasibilityTolerancePct = 1e-9;

struct FeasibilityOptions {
  // Shared parts (reached by several paths) with availability strictly between 0 and 100 % that are
  // conditioned on exactly; past this many, the rest are taken as independent and the result is
  // marked inexact (2^N evaluations of the structure per figure).
  int max_conditioned = 12;
  // Fewer when 2^N x (nodes under the SLA) x (figures: one per part, the ceiling and the bisection's
  // steps) would pass this many node evaluations, so that a large graph stays fast.
  std::int64_t max_work = std::int64_t{1} << 28;
  // false: every part taken as independent (the naive bottom-up value; for comparison and tests).
  bool condition_shared = true;
};

// A part whose availability is not computed from its children: a node covered by an agreement, or a
// CI (or a service without counted children) that no agreement covers: unbacked.
struct FeasibilityDependency {
  std::string node;
  NodeKind kind = NodeKind::ci;
  std::string agreement;               // the strictest agreement covering the node; empty: unbacked
  std::vector<std::string> also;       // the other agreements covering it (less strict or equal)
  double availability_pct = 100.0;     // the agreement's target; 100 when unbacked
  bool shared = false;                 // reached by several paths from the SLA's node
  double cost_pct = 0.0;               // the ceiling with this part perfect, minus the ceiling
  std::optional<double> budget_share_pct;  // cost / (100 - SLA target), in percent; none at target 100
                                           // and for unbacked parts
};

enum class FeasibilityFlagKind : std::uint8_t { hours, period, policy, restore_within };
std::string_view to_string(FeasibilityFlagKind k);

struct FeasibilityFlag {
  FeasibilityFlagKind kind = FeasibilityFlagKind::hours;
  std::string message;
};

// One agreement on a node under the SLA (or on the SLA's own node), its bases beside the SLA's.
struct AgreementBasis {
  std::string agreement;
  catalogue::AgreementKind kind = catalogue::AgreementKind::ola;
  std::string provider;
  std::string covers;
  bool used = false;                    // one of the ceiling's parts (else an agreement above shadows it)
  Decimal4 target{};
  std::string period_label;             // its own period (kind, timezone) containing the same date
  double service_time_min = 0;          // in that period
  double allowed_downtime_min = 0;      // (100 - target) % of it
  double uncovered_min = 0;             // the SLA's service time (its period) outside these hours
  std::vector<FeasibilityFlag> flags;
};

enum class FeasibilityVerdict : std::uint8_t { feasible, not_feasible, unbacked_parts };
std::string_view to_string(FeasibilityVerdict v);

struct SlaFeasibility {
  std::string sla;
  std::string service;
  std::string timezone;
  std::string period_label;             // the representative period, in the SLA's timezone
  Decimal4 target{};                    // of the version in effect then
  double service_time_min = 0;          // the SLA's service time in that period
  double allowed_downtime_min = 0;      // (100 - target) % of it
  double ceiling_pct = 100.0;           // unbacked parts at 100 %
  bool exact = true;                    // false when more shared parts than could be conditioned on
  std::vector<std::string> conditioned; // the shared parts conditioned on
  FeasibilityVerdict verdict = FeasibilityVerdict::feasible;
  // The availability every unbacked part needs (the same for all, rounded up to 4 decimals) for the
  // ceiling to reach the target; none when there are none, or when even 100 % is not enough.
  std::optional<Decimal4> unbacked_required_pct;
  std::vector<FeasibilityDependency> dependencies;  // in the order the graph is walked
  std::vector<AgreementBasis> agreements;           // catalogue order
  bool flagged() const;
};

// Every SLA of the catalogue, in catalogue order. `on` picks the representative period: each SLA's
// period containing that local date (the SLA version in effect at that period's start, else the
// first version). Unknown time zones throw std::runtime_error (the parser has checked them).
std::vector<SlaFeasibility> check_feasibility(const catalogue::Catalogue& cat, const Graph& graph,
                                              catalogue::LocalDate on, const FeasibilityOptions& options = {});
SlaFeasibility check_sla_feasibility(const catalogue::Catalogue& cat, const Graph& graph,
                                     const catalogue::Sla& sla, catalogue::LocalDate on,
                                     const FeasibilityOptions& options = {});

}  // namespace slamon::engine
