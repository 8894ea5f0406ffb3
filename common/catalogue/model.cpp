// Names of the model's enumerations, as the catalogue spells them.
#include "common/catalogue/model.h"

namespace slamon::catalogue {

std::string_view to_string(ProbeType t) {
  switch (t) {
    case ProbeType::http: return "http";
    case ProbeType::icmp: return "icmp";
    case ProbeType::snmp: return "snmp";
    case ProbeType::tcp: return "tcp";
  }
  return "?";
}

std::string_view to_string(ServiceKind k) {
  switch (k) {
    case ServiceKind::business: return "business";
    case ServiceKind::application: return "application";
    case ServiceKind::infrastructure: return "infrastructure";
    case ServiceKind::network: return "network";
  }
  return "?";
}

std::string_view to_string(PeriodKind k) {
  switch (k) {
    case PeriodKind::day: return "day";
    case PeriodKind::week: return "week";
    case PeriodKind::month: return "month";
    case PeriodKind::quarter: return "quarter";
    case PeriodKind::year: return "year";
  }
  return "?";
}

std::string_view to_string(AgreementKind k) { return k == AgreementKind::uc ? "uc" : "ola"; }

std::vector<BurnRateRule> default_burn_rate_rules() {
  constexpr DurationMs m = 60'000, h = 60 * m, d = 24 * h;
  return {BurnRateRule{h, 5 * m, Decimal4{144'000}, "page"}, BurnRateRule{6 * h, 30 * m, Decimal4::from_int(6), "page"},
          BurnRateRule{3 * d, 6 * h, Decimal4::from_int(1), "ticket"}};
}

std::vector<BurnRateRule> Sla::burn_rate_rules() const { return burn_rate ? *burn_rate : default_burn_rate_rules(); }

}  // namespace slamon::catalogue
