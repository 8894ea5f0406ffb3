// One SLA report for one period (interchange.md "Report object"), as plain values in integer
// milliseconds; formatters turn it into JSON, text, CSV or HTML.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "collector/engine/period.h"
#include "common/catalogue/model.h"
#include "common/decimal.h"

namespace slamon::engine {

struct OutageRecord {
  TimeMs start = 0;
  TimeMs end = 0;
  DurationMs down_ms = 0;  // counted-down time inside it
  bool continues_before = false;
  bool continues_after = false;
  std::vector<std::string> causes;  // CI ids, sorted
  bool operator==(const OutageRecord&) const = default;
};

struct ResponseTimeFigure {
  std::string probe;
  Decimal4 percentile{};
  std::optional<double> value_ms;  // nullopt when no result counted
  DurationMs under_ms = 0;
  std::size_t samples = 0;
  bool met = true;
  bool operator==(const ResponseTimeFigure&) const = default;
};

// Per local day of the period, for the availability bar of the HTML page.
struct DayFigure {
  LocalDate day;
  TimeMs start = 0;
  TimeMs end = 0;
  DurationMs service_ms = 0;
  DurationMs up_ms = 0;
  DurationMs down_ms = 0;
  DurationMs planned_ms = 0;
  DurationMs unknown_ms = 0;
  bool operator==(const DayFigure&) const = default;
};

// An agreement's report: what it is beside the figures (Report::sla then holds its id).
struct AgreementInfo {
  catalogue::AgreementKind kind = catalogue::AgreementKind::ola;
  std::string provider;
  std::optional<DurationMs> restore_within_ms;
  bool operator==(const AgreementInfo&) const = default;
};

// An agreement under an SLA's node, with its verdict for the SLA's period (agreement_report.h).
struct AgreementVerdict {
  std::string id;
  catalogue::AgreementKind kind = catalogue::AgreementKind::ola;
  std::string provider;
  std::string covers;
  std::string period;  // the label of its own period
  Decimal4 target{};
  std::optional<double> availability;
  DurationMs longest_outage_ms = 0;
  std::optional<DurationMs> restore_within_ms;
  std::optional<bool> met;
  bool operator==(const AgreementVerdict&) const = default;
};

struct Report {
  std::string sla;
  std::string service;
  std::string timezone;
  Period period;
  TimeMs as_of = 0;  // the end of the figures: min(as_of, period end)
  bool complete = true;
  Decimal4 target{};
  DurationMs service_time_ms = 0;
  DurationMs planned_ms = 0;
  DurationMs unknown_ms = 0;
  DurationMs unmonitored_ms = 0;
  DurationMs up_ms = 0;
  DurationMs down_ms = 0;
  DurationMs degraded_ms = 0;
  std::optional<double> availability;  // percent
  std::optional<double> coverage;      // percent
  double error_budget_s = 0;
  double error_budget_remaining_s = 0;
  int outage_count = 0;
  DurationMs longest_outage_ms = 0;
  std::optional<double> mtrs_s;
  std::optional<double> mtbf_s;
  std::optional<double> mtbsi_s;
  std::vector<OutageRecord> outages;
  std::vector<std::pair<std::string, double>> by_cause_s;  // sorted by CI id; only CIs with time
  double unattributed_s = 0;
  std::optional<ResponseTimeFigure> response_time;
  std::optional<bool> met;
  // Why it is not met: "availability", "outage_count", "longest_outage", "response_time" (in that order).
  std::vector<std::string> missed_by;
  std::vector<DayFigure> days;
  std::optional<AgreementInfo> agreement;   // set: this is an OLA's or UC's report
  std::vector<AgreementVerdict> agreements; // an SLA's: the agreements under its node
  // Who cost the budget (with agreements): by_cause_s attributed to the nearest agreements over each
  // cause CI (agreement_report.h), summed by agreement and by provider; causes without one: unbacked.
  std::vector<std::pair<std::string, double>> by_agreement_s;  // sorted by agreement id
  std::vector<std::pair<std::string, double>> by_provider_s;   // sorted by provider
  double unbacked_s = 0;
  bool operator==(const Report&) const = default;
};

// The SLA attainment KPI: met / (reports whose met is not null), in percent; nullopt when none.
std::optional<double> attainment_percent(const std::vector<Report>& reports);

}  // namespace slamon::engine
