// OLA and UC reports (issue 15, point 1): an agreement is reported exactly like an SLA on the node it
// covers, with its own hours, timezone, period, target and policies; its `restore_within` is an
// outage limit (no single outage's counted time may exceed it; with the agreement's own `max_outage`
// too, the stricter of the two). An SLA report lists the agreements on its node and below it (the
// nodes reachable by counted edges) with their verdicts for the same period: each agreement's own
// period that contains the SLA period's first day (a local date, read in the agreement's timezone),
// whole (or cut at --as-of). Pure over the catalogue and probe data.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "collector/engine/node_timelines.h"
#include "collector/engine/period.h"
#include "collector/engine/report.h"
#include "collector/engine/report_set.h"
#include "common/catalogue/model.h"

namespace slamon::engine {

// The agreement as an SLA of the same terms on the node it covers (its id and node kept).
catalogue::Sla agreement_as_sla(const catalogue::Agreement& a);

// The agreement's period (its own kind, in its timezone) containing the local date `day`.
Period agreement_period_at(const catalogue::Agreement& a, LocalDate day);

// The reports of `req.agreement`, or of every agreement whose period kind matches the label (the
// others named in left_out); req.sla and req.trend are not used. run_reports checks the label and
// as_of before it calls this.
ReportSet run_agreement_reports(NodeTimelines& nodes, const ProbeDataMap& probes, const catalogue::Catalogue& cat,
                                const ReportRequest& req);

// The verdicts of the agreements on `sla`'s node and below it, for `period` of the SLA (cut at as_of
// like the SLA's report), in catalogue order.
std::vector<AgreementVerdict> agreement_verdicts(NodeTimelines& nodes, const ProbeDataMap& probes,
                                                 const catalogue::Catalogue& cat, const catalogue::Sla& sla,
                                                 const Period& period, std::optional<TimeMs> as_of);

// Who cost the budget (issue 15, point 3): each cause CI's counted downtime (by_cause) goes to the
// agreements on the nearest covered nodes from that CI up towards `root` (the CI itself first, then its
// parents under root, level by level), shared equally among those of the nearest level; a cause with
// none under root is unbacked. Fills report.by_agreement_s, by_provider_s and unbacked_s.
void attribute_to_agreements(const Graph& g, const catalogue::Catalogue& cat, const std::string& root, Report& report);

// The instants the verdicts agreement_verdicts lists for an SLA period starting on local date `day`
// look at, for every agreement of the catalogue (from 1 ms before the earliest period's start to 1 ms
// after the latest cut); nullopt without agreements.
std::optional<Interval> agreement_periods_span(const catalogue::Catalogue& cat, LocalDate day,
                                               std::optional<TimeMs> as_of);

// The instants the agreement reports of `req` look at, as report_window does for SLAs.
std::optional<Interval> agreement_window(const catalogue::Catalogue& cat, const ReportRequest& req);

}  // namespace slamon::engine
