// Tests for collector/api/alert_routes.h: GET /api/v1/alerts and /api/v1/slas/{id}/alerts decided on
// the io thread (bad parameters 400, unknown SLA 404, no snapshot 503, a job otherwise, a cached
// answer without a job), and the JSON of the alerts now: firing, since when, burn rates, forecast.
#include "collector/api/alert_routes.h"

#include <doctest/doctest.h>

#include <simdjson.h>

#include "collector/api/router.h"
#include "tests/collector/api/route_fixture.h"

using namespace slamon;
using namespace slamon::collector;
using namespace slamon::collector::api;
using test_support::check_status;

namespace {

const char* kCatalogue = R"(version: 1
agents:
  - {name: a1, token_sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08}
cis:
  - {id: web, probes: [{id: web.tcp, type: tcp, agent: a1, target: "127.0.0.1:80"}]}
services:
  - {id: shop, owner: sales, children: [web]}
slas:
  - {id: shop-gold, service: shop, target: 99.5}
)";

struct Fixture : test_support::RouteFixture {
  Fixture() : RouteFixture(kCatalogue) {}
};

}  // namespace

TEST_CASE_FIXTURE(Fixture, "alerts endpoints: listed at /api/v1; 400, 404 and 503 at once; a store job otherwise") {
  CHECK(now("/api/v1").body.find("\"/api/v1/alerts\",\"/api/v1/slas/{id}/alerts\"") != std::string::npos);
  CHECK(at("/api/v1/alerts").job);
  CHECK(at("/api/v1/alerts?as_of=2026-10-01T00:00:00Z").job);
  check_status(now("/api/v1/alerts?as_of=yesterday"), 400);
  CHECK(at("/api/v1/slas/shop-gold/alerts").job);  // the last day up to the snapshot
  CHECK(at("/api/v1/slas/shop-gold/alerts?from=2026-10-01T00:00:00Z&to=2026-10-02T00:00:00Z").job);
  check_status(now("/api/v1/slas/shop-gold/alerts?from=2026-10-02T00:00:00Z&to=2026-10-01T00:00:00Z"), 400);
  check_status(now("/api/v1/slas/shop-gold/alerts?from=2024-10-01T00:00:00Z&to=2026-10-01T00:00:00Z"), 400);
  check_status(now("/api/v1/slas/shop-gold/alerts?from=soon"), 400);
  check_status(now("/api/v1/slas/nope/alerts"), 404);
  state.live = nullptr;
  check_status(now("/api/v1/alerts"), 503);
  check_status(now("/api/v1/slas/shop-gold/alerts"), 503);  // no snapshot to default `to` to
  CHECK(at("/api/v1/slas/shop-gold/alerts?to=2026-10-02T00:00:00Z").job);
  state.catalogue = nullptr;
  check_status(now("/api/v1/alerts"), 503);
}

TEST_CASE_FIXTURE(Fixture, "alerts now: a cached answer for this catalogue and engine position needs no job; a new position does") {
  auto first = at("/api/v1/alerts");
  REQUIRE(first.job);
  // What the job would have stored (the key is the route's own); the job itself needs a store.
  const std::string key = "alerts|" + std::to_string(state.catalogue->version) + "|" + std::to_string(state.live->as_of) + "|42/3";
  state.cache->put(key, std::make_shared<const Response>(json_ok("{\"cached\":true}")));
  CHECK(now("/api/v1/alerts").body == "{\"cached\":true}");
  auto moved = std::make_shared<live::LiveSnapshot>(*state.live);
  moved->position.result_row = 43;
  state.live = moved;
  CHECK(at("/api/v1/alerts").job);
}

TEST_CASE_FIXTURE(Fixture, "alerts now JSON: firing rules with since (null when it fired before the lookback), burn rates, the forecast") {
  const TimeMs to = state.live->as_of;
  const TimeMs from = to - kAlertsLookbackMs;
  engine::SlaAlerts a;
  a.sla = "shop-gold";
  const auto rules = catalogue::default_burn_rate_rules();
  REQUIRE(rules.size() == 3);
  engine::RuleOutcome page{rules[0], {}, 20.0, 30.0};
  page.alerts.changes = {{to - 7'200'000, true}, {to - 3'600'000, false}, {to - 600'000, true}};
  page.alerts.firing_at_end = true;
  engine::RuleOutcome six{rules[1], {}, 2.0, std::nullopt};  // not firing; short window without service time
  engine::RuleOutcome ticket{rules[2], {}, 1.5, 1.2};
  ticket.alerts.firing_at_start = true;  // firing all along
  ticket.alerts.firing_at_end = true;
  a.rules = {page, six, ticket};
  engine::Forecast f;
  f.period.label = "2026-09";
  f.period.start = 1'788'220'800'000;
  f.period.end = 1'790'812'800'000;
  f.at = to;
  f.target = Decimal4{995000};
  f.basis = "long window of the first rule";
  f.burn_rate = 20.0;
  f.projected_availability = 98.5;
  f.will_meet = false;
  a.forecast = f;
  engine::SlaAlerts broken;
  broken.sla = "other";
  broken.error = "no version";
  const auto j = alerts_now_to_json({a, broken}, *state.catalogue, *state.live, from, to);
  INFO(j);
  simdjson::dom::parser p;
  const auto d = p.parse(simdjson::padded_string(j));
  CHECK(std::string_view(d["as_of"]) == format_rfc3339(to));
  CHECK(std::string_view(d["lookback_from"]) == format_rfc3339(from));
  CHECK(int64_t(d["firing"]) == 2);
  const auto s = d["slas"].at(0);
  CHECK(std::string_view(s["service"]) == "shop");
  CHECK(int64_t(s["firing"]) == 2);
  const auto r0 = s["rules"].at(0);
  CHECK(std::string_view(r0["severity"]) == "page");
  CHECK(std::string_view(r0["long"]) == "1h");
  CHECK(std::string_view(r0["short"]) == "5m");
  CHECK(double(r0["factor"]) == 14.4);
  CHECK(bool(r0["firing"]));
  CHECK(std::string_view(r0["since"]) == format_rfc3339(to - 600'000));
  CHECK(double(r0["burn_rate_long"]) == 20.0);
  CHECK(double(r0["burn_rate_short"]) == 30.0);
  const auto r1 = s["rules"].at(1);
  CHECK_FALSE(bool(r1["firing"]));
  CHECK(r1["since"].is_null());
  CHECK(r1["burn_rate_short"].is_null());
  const auto r2 = s["rules"].at(2);
  CHECK(bool(r2["firing"]));
  CHECK(r2["since"].is_null());  // before the lookback
  CHECK(std::string_view(s["forecast"]["period"]) == "2026-09");
  CHECK(double(s["forecast"]["projected_availability"]) == 98.5);
  CHECK_FALSE(bool(s["forecast"]["will_meet"]));
  CHECK(std::string_view(d["slas"].at(1)["error"]) == "no version");
}
