// The SLA attainment KPI as the SLM process reviews it (issue 15, point 6): SLAs met / SLAs committed
// over a span of local dates, where every period of every SLA that lies inside the span counts (a
// monthly SLA contributes twelve periods to a year), by SLA, service, owner and provider, with every
// missed period and its reasons (availability, outage count, longest outage, response time) and the
// agreements underneath that were missed too. Pure over the catalogue and probe data.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "collector/engine/node_timelines.h"
#include "collector/engine/report.h"
#include "common/catalogue/model.h"

namespace slamon::engine {

struct KpiGroup {
  std::string key;       // an SLA, service, owner or provider
  int periods = 0;       // periods inside the span
  int committed = 0;     // of those, periods with a verdict
  int met = 0;
  std::optional<double> percent;  // met / committed, nullopt when nothing was committed
  bool operator==(const KpiGroup&) const = default;
};

struct MissedPeriod {
  std::string sla;
  std::string service;
  std::string period;  // its label
  std::optional<double> availability;
  Decimal4 target{};
  std::vector<std::string> reasons;            // Report::missed_by
  std::vector<std::string> agreements_missed;  // agreements underneath missed in the same period
  bool operator==(const MissedPeriod&) const = default;
};

struct Kpi {
  LocalDate from, to;  // the span of local dates [from, to), read in each SLA's timezone
  KpiGroup total;
  std::vector<KpiGroup> by_sla, by_service, by_owner, by_provider;  // each sorted by key
  std::vector<MissedPeriod> missed;                                 // by SLA (catalogue order), then period
  std::vector<std::string> left_out;                                // SLA periods not judged, with why
  std::optional<TimeMs> as_of;                                      // the cut, if any
  std::string error;
};

// Every period of each SLA with from <= its first local day and its end day <= to, reported with the
// terms in effect then. With as_of, a period that starts after it or has not ended by it (still
// running: its verdict so far is no verdict) is left out, in `left_out` with why.
Kpi compute_kpi(NodeTimelines& nodes, const ProbeDataMap& probes, const catalogue::Catalogue& cat, LocalDate from,
                LocalDate to, std::optional<TimeMs> as_of);

// The instants such a KPI looks at (for reading a store), nullopt when no period lies in the span.
std::optional<Interval> kpi_window(const catalogue::Catalogue& cat, LocalDate from, LocalDate to,
                                   std::optional<TimeMs> as_of);

std::string kpi_to_json(const Kpi& k);
std::string kpi_to_text(const Kpi& k);

}  // namespace slamon::engine
