// SLA versions (catalogue.md "SLA versions"): a period is judged entirely under the version in
// effect at its first local day.
#pragma once

#include "common/catalogue/model.h"

namespace slamon::engine {

// The terms in effect on `day`, or nullptr when `day` is before the first version.
const catalogue::SlaTerms* terms_in_effect(const catalogue::Sla& sla, catalogue::LocalDate day);

}  // namespace slamon::engine
