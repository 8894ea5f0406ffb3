// The alerts output: JSON keys and values (events, null burn rates, the forecast), the text lines,
// and the exit-status rule (an alert firing at --to).
#include "collector/engine/alerts_format.h"

#include <doctest/doctest.h>

#include "tests/engine/engine_fixtures.h"

namespace slamon::engine::test {

namespace {

SlaAlerts sample() {
  SlaAlerts s;
  s.sla = "gold";
  RuleOutcome r;
  r.rule = catalogue::BurnRateRule{3'600'000, 300'000, Decimal4{144'000}, "page"};
  r.alerts.changes = {AlertChange{T("2026-03-02T17:59:51.840Z"), true}, AlertChange{T("2026-03-03T08:05:55.681Z"), false}};
  r.long_rate_at_end = 0.0;
  s.rules.push_back(r);
  Forecast f;
  f.period.label = "2026-03";
  f.period.end = T("2026-04-01T00:00:00Z");
  f.at = T("2026-03-03T12:00:00Z");
  f.target = Decimal4{999'000};
  f.service_ms = 14 * 3'600'000;
  f.counted_ms = 14 * 3'600'000;
  f.down_ms = 120'000;
  f.remaining_ms = 200 * 3'600'000;
  f.basis = "long window of the first rule";
  f.burn_rate = 0.0;
  f.projected_availability = 99.99;
  f.will_meet = true;
  s.forecast = f;
  return s;
}

}  // namespace

TEST_CASE("alerts JSON lists events with their instants, null for a window without a rate, and the forecast") {
  const std::string j = alerts_to_json({sample()}, T("2026-03-02T12:00:00Z"), T("2026-03-03T12:00:00Z"));
  CHECK(j.find(R"("from":"2026-03-02T12:00:00Z","to":"2026-03-03T12:00:00Z")") != std::string::npos);
  CHECK(j.find(R"("severity":"page","long":"1h","short":"5m","factor":14.4,"firing_at_from":false)") != std::string::npos);
  CHECK(j.find(R"("events":[{"at":"2026-03-02T17:59:51.840Z","event":"firing"},{"at":"2026-03-03T08:05:55.681Z","event":"resolved"}])") !=
        std::string::npos);
  CHECK(j.find(R"("burn_rate_long":0.0,"burn_rate_short":null)") != std::string::npos);
  CHECK(j.find(R"("period":"2026-03","period_end":"2026-04-01T00:00:00Z")") != std::string::npos);
  CHECK(j.find(R"("down_so_far_s":120.0)") != std::string::npos);
  CHECK(j.find(R"("will_meet":true)") != std::string::npos);
}

TEST_CASE("alerts text: one line per event, the state at --to, and the forecast verdict") {
  auto s = sample();
  const std::string t = alerts_to_text({s}, T("2026-03-02T12:00:00Z"), T("2026-03-03T12:00:00Z"));
  CHECK(t.find("\nSLA gold\n  page 1h/5m at 14.4x\n    2026-03-02T17:59:51.840Z  firing\n"
               "    2026-03-03T08:05:55.681Z  resolved\n    at --to: not firing; burn rate 1h 0.00x, 5m n/a\n") !=
        std::string::npos);
  CHECK(t.find("forecast for period 2026-03 (target 99.9 %): 99.9900 % projected at burn rate 0.00x (long window of "
               "the first rule): will be met\n") != std::string::npos);
  CHECK_FALSE(any_firing_at_end({s}));
  s.rules[0].alerts.firing_at_end = true;
  CHECK(any_firing_at_end({s}));
  CHECK(alerts_to_text({s}, 0, 1).find("at --to: FIRING") != std::string::npos);
}

}  // namespace slamon::engine::test
