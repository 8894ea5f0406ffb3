// The endpoints over the live engine's snapshot and the store (docs/api.md): live status, a node's
// history, a probe's results, SLA and agreement reports, the attainment KPI, an SLA's feasibility and
// the SLA overview. Parameters are checked here, on the io thread, without I/O (a bad one is a 400 at
// once); what needs the store is returned as a StoreJob holding values and shared_ptr-to-const only.
// Reports are computed exactly as `slamon report --db` computes them (collector/live/store_reports.h)
// and kept in the ReportCache.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "collector/api/request_target.h"
#include "collector/api/store_job.h"
#include "common/decimal.h"
#include "common/time.h"

namespace slamon::collector::api {

struct ApiState;

// The routes under /api/v1 this file serves; nullopt: the path is not one of them.
std::optional<Routed> route_live(const Target& t, const ApiState& s);

// Every SLA's figures for its current period at one instant (GET /api/v1/overview, /metrics).
struct SlaFigures {
  std::string sla, service, owner, period;
  bool complete = false;
  Decimal4 target{};
  std::optional<double> availability;  // percent
  double error_budget_s = 0;
  double error_budget_remaining_s = 0;
  std::optional<bool> met;
};

// Every OLA's and UC's figures for its own current period at the same instant (its report's).
struct AgreementFigures {
  std::string agreement, kind, provider, covers, period;
  bool complete = false;
  Decimal4 target{};
  std::optional<double> availability;  // percent
  double error_budget_s = 0;
  double error_budget_remaining_s = 0;
  double longest_outage_s = 0;
  std::optional<double> restore_within_s;
  std::optional<bool> met;
  std::vector<std::string> missed_by;
};

struct Overview {
  TimeMs as_of = 0;
  std::int64_t result_row = 0, gap_row = 0;  // the engine position the figures are of
  std::vector<SlaFigures> slas;               // catalogue order
  std::vector<std::string> left_out;          // SLAs without a current period's report, with why
  std::vector<AgreementFigures> agreements;   // catalogue order
  std::vector<std::string> agreements_left_out;
  int committed = 0, met = 0;                 // current periods with a verdict, and met
  // Stored results and gap records after the engine position above (what the published status does
  // not include yet), counted up to kArrivalsBehindCap each when the figures were computed.
  std::int64_t arrivals_behind = 0;
};

inline constexpr std::size_t kArrivalsBehindCap = 100'000;

// Counts the store's arrivals after `position` (results and gap records, up to kArrivalsBehindCap
// each). Throws store::StoreFailure.
std::int64_t count_arrivals_after(StoreContext& c, const store::EnginePosition& position);

// Computes the overview as of the snapshot's instant (one read of the store for every SLA).
// Throws store::StoreFailure.
struct ApiCatalogue;
Overview compute_overview(StoreContext& c, const ApiCatalogue& cat, TimeMs as_of);
std::string overview_to_json(const Overview& o);

// The key of the overview in the ReportCache for a catalogue and a snapshot.
std::string overview_key(const ApiCatalogue& cat, TimeMs as_of, std::int64_t result_row, std::int64_t gap_row);

}  // namespace slamon::collector::api
