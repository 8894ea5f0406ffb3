// Tests for collector/api/live_routes.h: what the router decides on the io thread, without a store:
// live status from the engine's snapshot (pagination, kinds, 404, 503 before a snapshot); 400s and
// 404s of the store-backed endpoints answered at once; a job for a valid request (run off the io
// thread, never here); an overview found in the report cache answered without a job; /metrics with
// node status, engine lag and per-SLA figures; the overview's JSON.
#include "collector/api/live_routes.h"

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
  - {id: db, probes: [{id: db.tcp, type: tcp, agent: a1, target: "127.0.0.1:5432"}]}
services:
  - {id: shop, owner: sales, children: [web, db]}
slas:
  - {id: shop-gold, service: shop, target: 99.5}
agreements:
  - {id: web-ola, kind: ola, provider: Web team, covers: web, target: 99.0}
)";

struct Fixture : test_support::RouteFixture {
  Fixture() : RouteFixture(kCatalogue) {
    snapshot->nodes["shop"] = live::NodeNow{Status::down, 1'789'999'000'000};
    snapshot->nodes["web"] = live::NodeNow{Status::down, 1'789'999'000'000};
    snapshot->nodes["db"] = live::NodeNow{Status::up, std::nullopt};
    snapshot->probes["web.tcp"] = live::NodeNow{Status::down, 1'789'999'000'000};
    snapshot->probes["db.tcp"] = live::NodeNow{Status::up, std::nullopt};
  }
};

}  // namespace

TEST_CASE_FIXTURE(Fixture, "status: every service, CI and probe from the snapshot, paginated by kind and id; one node; 404") {
  const auto page1 = now("/api/v1/status?limit=3");
  check_status(page1, 200);
  simdjson::dom::parser p;
  const auto d = p.parse(simdjson::padded_string(page1.body));
  CHECK(std::string_view(d["as_of"]) == "2026-09-21T14:13:20Z");
  CHECK(int64_t(d["engine_position"]["result_row"]) == 42);
  auto items = d["items"].get_array();
  REQUIRE(items.size() == 3);
  CHECK(std::string_view(items.at(0)["id"]) == "db");
  CHECK(std::string_view(items.at(0)["kind"]) == "ci");
  CHECK(items.at(0)["since"].is_null());
  CHECK(std::string_view(items.at(1)["id"]) == "db.tcp");
  CHECK(std::string_view(items.at(1)["kind"]) == "probe");
  CHECK(std::string_view(items.at(2)["kind"]) == "service");
  CHECK(std::string_view(items.at(2)["status"]) == "down");
  const std::string cursor{std::string_view(d["next_cursor"])};
  const auto page2 = now("/api/v1/status?limit=3&cursor=" + cursor);
  CHECK(page2.body.find("\"id\":\"web\",\"kind\":\"ci\"") != std::string::npos);
  CHECK(page2.body.find("\"next_cursor\":null") != std::string::npos);
  const auto one = now("/api/v1/status/web.tcp");
  CHECK(one.body.find("\"kind\":\"probe\",\"status\":\"down\",\"since\":\"2026-09-21T13:56:40Z\"") != std::string::npos);
  check_status(now("/api/v1/status/nope"), 404);
  check_status(now("/api/v1/status?limit=5000"), 400);
  state.live = nullptr;
  check_status(now("/api/v1/status"), 503);
  check_status(now("/api/v1/overview"), 503);
}

TEST_CASE_FIXTURE(Fixture, "store-backed endpoints: bad parameters are 400 and unknown ids 404 at once, valid requests a job") {
  check_status(now("/api/v1/services/shop/history?from=2026-10-01T00:00:00Z"), 400);
  check_status(now("/api/v1/services/shop/history?from=2026-10-02T00:00:00Z&to=2026-10-01T00:00:00Z"), 400);
  check_status(now("/api/v1/services/shop/history?from=2020-10-01T00:00:00Z&to=2026-10-01T00:00:00Z"), 400);
  check_status(now("/api/v1/services/shop/history?from=today&to=2026-10-01T00:00:00Z"), 400);
  check_status(now("/api/v1/services/web/history?from=2026-10-01T00:00:00Z&to=2026-10-02T00:00:00Z"), 404);  // a CI
  CHECK(at("/api/v1/services/shop/history?from=2026-10-01T00:00:00Z&to=2026-10-02T00:00:00Z").job);
  CHECK(at("/api/v1/cis/web/history?from=2026-10-01T00:00:00Z&to=2026-10-02T00:00:00Z").job);
  CHECK(at("/api/v1/probes/web.tcp/history?from=2026-10-01T00:00:00Z&to=2026-10-02T00:00:00Z").job);

  CHECK(at("/api/v1/probes/web.tcp/results?limit=10").job);
  check_status(now("/api/v1/probes/web.tcp/results?cursor=YWJj"), 400);  // "abc": not a results cursor
  check_status(now("/api/v1/probes/nope/results"), 404);

  CHECK(at("/api/v1/slas/shop-gold/report?period=2026-10").job);
  CHECK(at("/api/v1/slas/shop-gold/report").job);  // the current period
  check_status(now("/api/v1/slas/shop-gold/report?period=2026-13"), 400);
  check_status(now("/api/v1/slas/shop-gold/report?period=2026-10&as_of=later"), 400);
  check_status(now("/api/v1/slas/shop-gold/report?period=2026-10&format=pdf"), 400);
  CHECK(at("/api/v1/slas/shop-gold/report?period=2026-10&format=html").job);  // the print view's page
  check_status(now("/api/v1/slas/nope/report?period=2026-10"), 404);
  CHECK(at("/api/v1/agreements/web-ola/report?period=2026-10").job);
  check_status(now("/api/v1/agreements/nope/report"), 404);
  CHECK(at("/api/v1/kpi?from=2026-10-01&to=2026-11-01&format=csv").job);
  check_status(now("/api/v1/kpi?from=2026-10-01"), 400);
  check_status(now("/api/v1/kpi?from=2026-10-01&to=2026-09-01"), 400);
  CHECK(at("/api/v1/slas/shop-gold/feasibility").job);
  check_status(now("/api/v1/slas/shop-gold/feasibility?date=2026-02-30"), 400);
  CHECK(at("/api/v1/overview").job);
  // The router without a store (tests, fuzzing) answers a job with 503.
  Request r;
  r.method = "GET";
  r.target = "/api/v1/overview";
  check_status(handle(r, state), 503);
  // Without a snapshot, the current period has no instant to be cut at.
  state.live = nullptr;
  check_status(now("/api/v1/slas/shop-gold/report"), 503);
  CHECK(at("/api/v1/slas/shop-gold/report?period=2026-10").job);
}

TEST_CASE_FIXTURE(Fixture, "an overview in the report cache for this catalogue and engine position is answered without a job") {
  state.cache->put(overview_key(*state.catalogue, state.live->as_of, 42, 3),
                   std::make_shared<const Response>(json_ok("{\"cached\":true}")));
  CHECK(now("/api/v1/overview").body == "{\"cached\":true}");
  auto moved = std::make_shared<live::LiveSnapshot>(*state.live);
  moved->position.result_row = 43;  // the engine moved on: computed again
  state.live = moved;
  CHECK(at("/api/v1/overview").job);
}

TEST_CASE_FIXTURE(Fixture, "readyz: with a store worker, a job that asks the store; without a store open, 503 at once") {
  state.store_worker = true;
  CHECK(at("/readyz").job);
  state.store_open = false;
  const auto r = now("/readyz");
  CHECK(r.status == 503);
  CHECK(r.body == "{\"status\":\"not ready\",\"store_open\":false,\"catalogue_loaded\":true}");
}

TEST_CASE_FIXTURE(Fixture, "metrics: node status as 0/1 per status value, engine lag and arrivals behind, per-SLA figures from the cached overview (refreshed off the io thread)") {
  auto lagging = std::make_shared<live::LiveSnapshot>(*state.live);
  lagging->catching_up_since = state.now_ms - 2'500;
  state.live = lagging;
  auto first = at("/metrics");
  CHECK_FALSE(first.job);
  CHECK(first.background);  // no overview yet: one refresh
  CHECK_FALSE(at("/metrics").background);  // one at a time
  const auto& m = first.response.body;
  CHECK(m.find("slamon_node_status{node=\"shop\",kind=\"service\",status=\"down\"} 1\n") != std::string::npos);
  CHECK(m.find("slamon_node_status{node=\"shop\",kind=\"service\",status=\"up\"} 0\n") != std::string::npos);
  CHECK(m.find("slamon_node_status{node=\"db\",kind=\"ci\",status=\"up\"} 1\n") != std::string::npos);
  CHECK(m.find("slamon_engine_lag_seconds 2.5\n") != std::string::npos);
  CHECK(m.find("slamon_sla_availability_ratio") == std::string::npos);

  auto o = std::make_shared<Overview>();
  o->as_of = lagging->as_of;
  o->result_row = 42;
  o->gap_row = 3;
  SlaFigures f;
  f.sla = "shop-gold";
  f.service = "shop";
  f.target = Decimal4{995000};
  f.availability = 99.0;
  f.error_budget_s = 1000;
  f.error_budget_remaining_s = -250;
  o->slas.push_back(f);
  o->arrivals_behind = 7;
  state.cache->set_overview(o);
  state.cache->refresh_done();
  const auto second = at("/metrics");
  CHECK_FALSE(second.background);  // the overview is of this snapshot
  const auto& m2 = second.response.body;
  CHECK(m2.find("slamon_sla_availability_ratio{sla=\"shop-gold\",service=\"shop\"} 0.99\n") != std::string::npos);
  CHECK(m2.find("slamon_sla_objective_ratio{sla=\"shop-gold\",service=\"shop\"} 0.995\n") != std::string::npos);
  CHECK(m2.find("slamon_sla_error_budget_remaining_ratio{sla=\"shop-gold\",service=\"shop\"} -0.25\n") != std::string::npos);
  CHECK(m2.find("slamon_sla_error_budget_remaining_seconds{sla=\"shop-gold\",service=\"shop\"} -250\n") != std::string::npos);
  CHECK(m2.find("slamon_engine_arrivals_behind 7\n") != std::string::npos);
}

TEST_CASE("overview JSON: figures, budget left in percent, the KPI over SLAs with a verdict") {
  Overview o;
  o.as_of = 1'790'000'000'000;
  SlaFigures a;
  a.sla = "a";
  a.service = "s";
  a.owner = "o";
  a.period = "2026-09";
  a.target = Decimal4{995000};
  a.availability = 99.9;
  a.error_budget_s = 1000;
  a.error_budget_remaining_s = 400;
  a.met = true;
  SlaFigures b = a;
  b.sla = "b";
  b.met = std::nullopt;
  b.availability = std::nullopt;
  b.error_budget_s = 0;
  o.slas = {a, b};
  o.committed = 1;
  o.met = 1;
  const auto j = overview_to_json(o);
  INFO(j);
  CHECK(j.find("\"kpi\":{\"committed\":1,\"met\":1,\"percent\":100.0}") != std::string::npos);
  CHECK(j.find("\"sla\":\"a\",\"service\":\"s\",\"owner\":\"o\",\"period\":\"2026-09\",\"complete\":false,\"target\":\"99.5\","
               "\"availability\":99.9,\"error_budget_s\":1000.0,\"error_budget_remaining_s\":400.0,"
               "\"error_budget_remaining_percent\":40.0,\"met\":true") != std::string::npos);
  CHECK(j.find("\"availability\":null,\"error_budget_s\":0.0,\"error_budget_remaining_s\":400.0,\"error_budget_remaining_percent\":null,\"met\":null") != std::string::npos);
}

TEST_CASE_FIXTURE(Fixture, "metrics: each agreement's current-period figures from the cached overview, labelled agreement, provider, kind, covers; met absent when not judged") {
  auto o = std::make_shared<Overview>();
  o->as_of = state.live->as_of;
  o->result_row = 42;
  o->gap_row = 3;
  AgreementFigures a;
  a.agreement = "web-ola";
  a.kind = "ola";
  a.provider = "Web \"team\"";
  a.covers = "web";
  a.target = Decimal4{999000};
  a.availability = 98.0;
  a.error_budget_remaining_s = -120;
  a.longest_outage_s = 3600;
  a.met = false;
  AgreementFigures b = a;
  b.agreement = "web-uc";
  b.kind = "uc";
  b.availability = std::nullopt;
  b.met = std::nullopt;
  o->agreements = {a, b};
  state.cache->set_overview(o);
  const auto m = at("/metrics").response.body;
  INFO(m);
  const std::string l = "{agreement=\"web-ola\",provider=\"Web \\\"team\\\"\",kind=\"ola\",covers=\"web\"}";
  CHECK(m.find("slamon_agreement_availability_ratio" + l + " 0.98\n") != std::string::npos);
  CHECK(m.find("slamon_agreement_objective_ratio" + l + " 0.999\n") != std::string::npos);  // not 0.9990000000000001
  CHECK(m.find("slamon_agreement_error_budget_remaining_seconds" + l + " -120\n") != std::string::npos);
  CHECK(m.find("slamon_agreement_longest_outage_seconds" + l + " 3600\n") != std::string::npos);
  CHECK(m.find("slamon_agreement_met" + l + " 0\n") != std::string::npos);
  CHECK(m.find("slamon_agreement_met{agreement=\"web-uc\"") == std::string::npos);
  CHECK(m.find("slamon_agreement_availability_ratio{agreement=\"web-uc\"") == std::string::npos);
  CHECK(m.find("slamon_agreement_objective_ratio{agreement=\"web-uc\"") != std::string::npos);
}

TEST_CASE("overview JSON: each agreement's current period (kind, provider, node, target, longest outage vs restore_within, verdict)") {
  Overview o;
  o.as_of = 1'790'000'000'000;
  AgreementFigures a;
  a.agreement = "web-ola";
  a.kind = "ola";
  a.provider = "Web team";
  a.covers = "web";
  a.period = "2026-09";
  a.target = Decimal4{990000};
  a.availability = 99.5;
  a.error_budget_s = 600;
  a.error_budget_remaining_s = 300;
  a.longest_outage_s = 300;
  a.restore_within_s = 7200;
  a.met = true;
  o.agreements = {a};
  o.agreements_left_out = {"x: why"};
  const auto j = overview_to_json(o);
  INFO(j);
  CHECK(j.find("\"agreements\":[{\"agreement\":\"web-ola\",\"kind\":\"ola\",\"provider\":\"Web team\",\"covers\":\"web\","
               "\"period\":\"2026-09\",\"complete\":false,\"target\":\"99\",\"availability\":99.5,\"error_budget_s\":600.0,"
               "\"error_budget_remaining_s\":300.0,\"longest_outage_s\":300.0,\"restore_within_s\":7200.0,\"met\":true,"
               "\"missed_by\":[]}],\"agreements_left_out\":[\"x: why\"]") != std::string::npos);
}
