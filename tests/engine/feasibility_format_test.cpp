// The feasibility check's text and JSON (collector/engine/feasibility_format.h).
#include "collector/engine/feasibility_format.h"

#include <doctest/doctest.h>

namespace slamon::engine {
namespace {

SlaFeasibility sample() {
  SlaFeasibility f;
  f.sla = "gold";
  f.service = "shop";
  f.timezone = "UTC";
  f.period_label = "2026-10";
  f.target = Decimal4{998000};
  f.service_time_min = 44640;
  f.allowed_downtime_min = 89.28;
  f.ceiling_pct = 100.0 * 0.999 * 0.999;
  f.verdict = FeasibilityVerdict::unbacked_parts;
  f.unbacked_required_pct = Decimal4{999900};
  FeasibilityDependency x;
  x.node = "x";
  x.agreement = "uc-x";
  x.availability_pct = 99.9;
  x.cost_pct = 0.0999;
  x.budget_share_pct = 49.95;
  FeasibilityDependency y;
  y.node = "y";
  f.dependencies = {x, y};
  AgreementBasis b;
  b.agreement = "uc-x";
  b.kind = catalogue::AgreementKind::uc;
  b.provider = "Example Telecom";
  b.covers = "x";
  b.used = true;
  b.target = Decimal4{999000};
  b.period_label = "2026-10";
  b.flags.push_back({FeasibilityFlagKind::restore_within, "restore_within 4h exceeds the SLA's max_outage 2h"});
  f.agreements = {b};
  return f;
}

}  // namespace

TEST_CASE("feasibility JSON: the ceiling rounded to 10 decimals, verdict keys, unbacked parts with their need") {
  JsonWriter w;
  write_feasibility_json(w, {sample()});
  const std::string j = w.str();
  CHECK(j.find("\"ceiling\":99.8001,") != std::string::npos);
  CHECK(j.find("\"verdict\":\"unbacked_parts\"") != std::string::npos);
  CHECK(j.find("\"node\":\"y\",\"kind\":\"ci\",\"agreement\":null") != std::string::npos);
  CHECK(j.find("\"required\":99.99}") != std::string::npos);
  CHECK(j.find("\"flags\":[{\"kind\":\"restore_within\"") != std::string::npos);
}

TEST_CASE("feasibility text: the verdict line, parts with their share, flags, and the summary") {
  const std::string t = feasibility_text({sample()});
  INFO(t);
  CHECK(t.find("gold on shop, 2026-10 (UTC): unbacked parts\n") != std::string::npos);
  CHECK(t.find("  target 99.8 %, ceiling 99.8001 %\n") != std::string::npos);
  CHECK(t.find("    x (ci): uc-x 99.9 %, costs 0.0999 points = 49.95 % of the error budget\n") != std::string::npos);
  CHECK(t.find("    y (ci): unbacked, needs 99.99 %\n") != std::string::npos);
  CHECK(t.find("      flag restore_within: restore_within 4h") != std::string::npos);
  CHECK(t.find("1 SLA: 0 feasible, 0 not feasible, 1 with unbacked parts; 1 agreement flagged\n") != std::string::npos);
}

}  // namespace slamon::engine
