// Tests for collector/api/maintenance_api.h: what a request to create or end a maintenance window
// may say, the rule that a window never starts before its creation, ending early only while it runs
// or is scheduled, and the window as the API shows it.
#include "collector/api/maintenance_api.h"

#include <doctest/doctest.h>

#include "tests/common/catalogue_test_util.h"

using namespace slamon;
using namespace slamon::collector::api;

namespace {

const char* kCatalogue = R"(version: 1
agents:
  - {name: a1, token_sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08}
cis:
  - {id: db, probes: [{id: db.tcp, type: tcp, agent: a1, target: "127.0.0.1:5432"}]}
  - {id: web, probes: [{id: web.tcp, type: tcp, agent: a1, target: "127.0.0.1:80"}]}
services:
  - {id: shop, children: [db, web]}
)";

constexpr TimeMs kNow = 1'790'000'000'000;  // 2026-09-21T...Z

struct Fixture {
  Fixture() : loaded(catalogue::test::load_text(kCatalogue)), index(*loaded.catalogue) {}
  catalogue::LoadResult loaded;
  CatalogueIndex index;
};

std::string at(TimeMs t) { return format_rfc3339(t); }

}  // namespace

TEST_CASE("a window from now on names its targets, who and why; 'from' omitted starts it now") {
  Fixture f;
  const auto p = plan_create(R"({"targets":["db","shop"],"to":")" + at(kNow + 3'600'000) +
                                 R"(","who":"alice","why":"kernel patch"})",
                             f.index, kNow);
  REQUIRE(p.window);
  CHECK(p.window->targets == std::vector<std::string>{"db", "shop"});
  CHECK(p.window->from_ms == kNow);
  CHECK(p.window->to_ms == kNow + 3'600'000);
  CHECK(p.window->planned_to_ms == kNow + 3'600'000);
  CHECK(p.window->created_ms == kNow);
  CHECK(p.window->who == "alice");
  CHECK(p.window->why == "kernel patch");
}

TEST_CASE("a window may not start before its creation: a past outage cannot be hidden") {
  Fixture f;
  const auto body = R"({"targets":["db"],"from":")" + at(kNow - 1) + R"(","to":")" + at(kNow + 60'000) +
                    R"(","who":"alice","why":"x"})";
  const auto p = plan_create(body, f.index, kNow);
  CHECK_FALSE(p.window);
  CHECK(p.refusal.status == 422);
  CHECK(p.refusal.body.find("before now") != std::string::npos);
  // The same request a millisecond earlier is accepted.
  CHECK(plan_create(body, f.index, kNow - 1).window);
}

TEST_CASE("bad bodies get a 4xx naming what is wrong") {
  Fixture f;
  const std::string to = at(kNow + 60'000);
  struct Case {
    std::string body;
    int status;
    std::string says;
  };
  const std::vector<Case> cases = {
      {"not json", 400, "not valid JSON"},
      {"[1,2]", 400, "JSON object"},
      {R"({"targets":["db"],"to":")" + to + R"(","who":"a","why":"b","extra":1})", 400, "unknown field 'extra'"},
      {R"({"to":")" + to + R"(","who":"a","why":"b"})", 422, "'targets' is required"},
      {R"({"targets":[],"to":")" + to + R"(","who":"a","why":"b"})", 422, "non-empty list"},
      {R"({"targets":"db","to":")" + to + R"(","who":"a","why":"b"})", 422, "non-empty list"},
      {R"({"targets":[1],"to":")" + to + R"(","who":"a","why":"b"})", 422, "must hold strings"},
      {R"({"targets":["nope"],"to":")" + to + R"(","who":"a","why":"b"})", 422, "'nope' is not a CI or service"},
      {R"({"targets":["db.tcp"],"to":")" + to + R"(","who":"a","why":"b"})", 422, "not a CI or service"},
      {R"({"targets":["db","db"],"to":")" + to + R"(","who":"a","why":"b"})", 422, "named twice"},
      {R"({"targets":["db"],"to":")" + to + R"(","why":"b"})", 422, "'who' is required"},
      {R"({"targets":["db"],"to":")" + to + R"(","who":"  ","why":"b"})", 422, "'who' must not be empty"},
      {R"({"targets":["db"],"to":")" + to + R"(","who":"a"})", 422, "'why' is required"},
      {R"({"targets":["db"],"to":")" + to + R"(","who":"a","why":7})", 422, "'why' must be a string"},
      {R"({"targets":["db"],"who":"a","why":"b"})", 422, "'to' is required"},
      {R"({"targets":["db"],"to":"tomorrow","who":"a","why":"b"})", 422, "not an RFC 3339"},
      {R"({"targets":["db"],"to":")" + at(kNow) + R"(","who":"a","why":"b"})", 422, "must be after 'from'"},
      {R"({"targets":["db"],"to":")" + at(kNow + 367LL * 86'400'000) + R"(","who":"a","why":"b"})", 422, "366 days"},
      {R"({"targets":["db"],"to":")" + to + R"(","who":")" + std::string(kMaxWhoBytes + 1, 'w') + R"(","why":"b"})",
       422, "longer than 200 bytes"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.body);
    const auto p = plan_create(c.body, f.index, kNow);
    CHECK_FALSE(p.window);
    CHECK(p.refusal.status == c.status);
    CHECK(p.refusal.body.find(c.says) != std::string::npos);
  }
}

TEST_CASE("ending early: while scheduled or active, once; never after it ran out") {
  store::MaintenanceWindow w;
  w.id = "mw-3";
  w.from_ms = kNow;
  w.to_ms = kNow + 3'600'000;
  const std::string body = R"({"who":"bob","why":"done early"})";
  auto ok = plan_end(body, &w, w.id, kNow + 60'000);
  REQUIRE(ok.who_why);
  CHECK(ok.who_why->first == "bob");
  CHECK(ok.who_why->second == "done early");
  CHECK(plan_end(body, &w, w.id, kNow - 60'000).who_why);  // scheduled: cancelled
  auto over = plan_end(body, &w, w.id, kNow + 3'600'000);
  CHECK(over.refusal.status == 409);
  CHECK(over.refusal.body.find("over already") != std::string::npos);
  auto ended = w;
  ended.ended_ms = kNow + 1000;
  ended.ended_by = "carol";
  auto again = plan_end(body, &ended, ended.id, kNow + 2000);
  CHECK(again.refusal.status == 409);
  CHECK(again.refusal.body.find("ended already") != std::string::npos);
  CHECK(plan_end(body, nullptr, "patch", kNow).refusal.status == 404);
  CHECK(plan_end(R"({"who":"bob"})", &w, w.id, kNow).refusal.status == 422);
  CHECK(plan_end("{", &w, w.id, kNow).refusal.status == 400);
}

TEST_CASE("a window's state and JSON, with its history") {
  store::MaintenanceWindow w;
  w.id = "mw-1";
  w.targets = {"db"};
  w.from_ms = kNow;
  w.to_ms = kNow + 1000;
  w.planned_to_ms = kNow + 1000;
  w.who = "alice";
  w.why = "patch \"db\"";
  w.created_ms = kNow - 5;
  CHECK(window_state(w, kNow - 1) == "scheduled");
  CHECK(window_state(w, kNow) == "active");
  CHECK(window_state(w, kNow + 1000) == "over");
  auto ended = w;
  ended.ended_ms = kNow + 400;
  ended.to_ms = kNow + 400;
  CHECK(window_state(ended, kNow + 500) == "ended");
  auto cancelled = w;
  cancelled.ended_ms = kNow - 2;
  cancelled.to_ms = kNow;
  CHECK(window_state(cancelled, kNow - 1) == "cancelled");

  std::vector<store::MaintenanceEvent> history(2);
  history[0].window = "mw-1";
  history[0].who = "alice";
  history[1].window = "mw-2";
  JsonWriter out;
  write_window(out, w, kNow - 1, &history);
  const auto json = out.take();
  CHECK(json.find(R"("id":"mw-1","source":"api","targets":["db"])") != std::string::npos);
  CHECK(json.find(R"("why":"patch \"db\"")") != std::string::npos);
  CHECK(json.find(R"("ended":null,"state":"scheduled","history":[{"action":"created")") != std::string::npos);
  CHECK(json.find("mw-2") == std::string::npos);  // another window's history is not shown
}
