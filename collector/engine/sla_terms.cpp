// Picking the SLA version for a period.
#include "collector/engine/sla_terms.h"

namespace slamon::engine {

const catalogue::SlaTerms* terms_in_effect(const catalogue::Sla& sla, catalogue::LocalDate day) {
  const catalogue::SlaTerms* found = nullptr;
  for (const auto& v : sla.versions) {
    if (!v.effective_from || *v.effective_from <= day) found = &v.terms;
  }
  return found;
}

}  // namespace slamon::engine
