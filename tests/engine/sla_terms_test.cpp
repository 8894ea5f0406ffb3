// SLA version selection.
#include "collector/engine/sla_terms.h"

#include <doctest/doctest.h>

namespace slamon::engine {
using namespace std::chrono;

TEST_CASE("the version in effect at a date") {
  catalogue::Sla s;
  catalogue::SlaVersion v1;
  v1.terms.target = Decimal4{990000};
  catalogue::SlaVersion v2;
  v2.effective_from = 2027y / 1 / 1;
  v2.terms.target = Decimal4{999000};
  s.versions = {v1, v2};
  CHECK(terms_in_effect(s, 1990y / 1 / 1)->target == Decimal4{990000});
  CHECK(terms_in_effect(s, 2026y / 12 / 31)->target == Decimal4{990000});
  CHECK(terms_in_effect(s, 2027y / 1 / 1)->target == Decimal4{999000});
  s.versions[0].effective_from = 2026y / 1 / 1;
  CHECK(terms_in_effect(s, 2025y / 12 / 1) == nullptr);
  CHECK(terms_in_effect(s, 2026y / 1 / 1)->target == Decimal4{990000});
}

}  // namespace slamon::engine
