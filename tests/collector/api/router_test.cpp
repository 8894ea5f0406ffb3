// Tests for collector/api/router.h: the endpoints against a catalogue loaded from a file (the
// example's secrets plus an HTTP header that carries a credential), pagination over a list, agents
// from the link's records, health and readiness, access with tokens, errors as JSON, the web bundle.
#include "collector/api/router.h"

#include <doctest/doctest.h>

#include <simdjson.h>

#include "collector/session_logic.h"
#include "tests/common/catalogue_test_util.h"
#include "tests/temp_dir.h"

using namespace slamon;
using namespace slamon::collector;
using namespace slamon::collector::api;

namespace {

const char* kCatalogue = R"(version: 1
agents:
  - {name: a1, token_sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08, labels: {site: dc1}}
  - {name: a2, token_sha256: 60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752}
cis:
  - id: web
    name: Web front
    probes:
      - {id: web.http, type: http, agent: a1, url: "https://user:pw-in-url@web.example/health",
         headers: {Host: shop.example, Authorization: "Bearer header-secret", X-Api-Key: key-secret}, body: body-secret}
      - {id: web.tcp, type: tcp, agent: a1, target: "127.0.0.1:80"}
  - id: sw
    probes:
      - {id: sw.snmp, type: snmp, agent: a2, target: 192.0.2.1, community: community-secret, get: [{oid: 1.3.6.1.2.1.1.3.0}]}
      - {id: sw.v3, type: snmp, agent: a2, target: 192.0.2.1, version: 3, user: mon, security_level: authPriv,
         auth_protocol: SHA, auth_password: authpass-secret, priv_protocol: AES, priv_password: privpass-secret,
         get: [{oid: 1.3.6.1.2.1.1.3.0}]}
  - {id: db, probes: [{id: db.tcp, type: tcp, agent: a2, target: "127.0.0.1:5432"}]}
services:
  - {id: shop, name: Shop, children: [shop-app, sw]}
  - {id: shop-app, kind: application, children: [web, db]}
maintenance:
  - {id: patch, targets: [db], every: "sun 02:00-04:00"}
slas:
  - {id: shop-gold, service: shop, target: 99.5}
agreements:
  - {id: isp, kind: uc, provider: Example Telecom, covers: sw, target: 99.9}
)";

struct Fixture {
  Fixture() {
    const auto path = dir.write("cat.yaml", kCatalogue);
    auto loaded = load_served_catalogue(path.string());
    REQUIRE_MESSAGE(loaded.served, (loaded.errors.empty() ? "" : loaded.errors.front()));
    state.catalogue = std::make_shared<ApiCatalogue>(loaded.served, 1'700'000'000'000);
    store::AgentRecord r;
    r.name = "a1";
    r.connected = true;
    r.peer = "127.0.0.1:5000";
    r.last_seen_ms = 1'700'000'001'000;
    r.clock_offset_ms = 12;
    r.backlog = 3;
    r.assignment_version = loaded.served->find("a1")->assignment.version();
    records[r.name] = r;
    store::AgentRecord gone;
    gone.name = "old-agent";
    records[gone.name] = gone;
    state.agents = &records;
    state.store_open = true;
    state.metrics.agents = &records;
    state.web_missing = "no index.html in /nowhere";
  }
  Response get(const std::string& target, const std::string& auth = "") const {
    Request r;
    r.method = "GET";
    r.target = target;
    r.authorization = auth;
    return handle(r, state);
  }
  test::TempDir dir;
  AgentRecords records;
  ApiState state;
};

std::shared_ptr<const ServedCatalogue> loaded_again(const test::TempDir& dir) {
  return load_served_catalogue(dir.file("cat.yaml")).served;
}

simdjson::padded_string padded(const std::string& s) { return simdjson::padded_string(s); }

// The error object of a JSON error body: {"error": {"status": N, "message": "..."}}.
void check_error(const Response& r, int status) {
  CHECK(r.status == status);
  CHECK(r.content_type == "application/json");
  simdjson::dom::parser p;
  const auto doc = p.parse(padded(r.body));
  REQUIRE_MESSAGE(doc.error() == simdjson::SUCCESS, r.body);
  CHECK(int64_t(doc["error"]["status"]) == status);
  CHECK_FALSE(std::string_view(doc["error"]["message"]).empty());
}

}  // namespace

TEST_CASE_FIXTURE(Fixture, "the catalogue tree has every object and its relations, and never a secret") {
  const auto r = get("/api/v1/catalogue");
  REQUIRE(r.status == 200);
  for (const char* secret : {"header-secret", "key-secret", "body-secret", "community-secret", "authpass-secret",
                             "privpass-secret", "pw-in-url", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
                             "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752"})
    CHECK_MESSAGE(r.body.find(secret) == std::string::npos, secret);
  simdjson::dom::parser p;
  const auto doc = p.parse(padded(r.body));
  REQUIRE_MESSAGE(doc.error() == simdjson::SUCCESS, r.body);
  CHECK(int64_t(doc["counts"]["services"]) == 2);
  CHECK(int64_t(doc["counts"]["probes"]) == 5);
  CHECK(std::string_view(doc["roots"].at(0)) == "shop");
  CHECK(std::string_view(doc["services"].at(0)["children"].at(1)["kind"]) == "ci");
  CHECK(std::string_view(doc["services"].at(1)["id"]) == "shop-app");
  CHECK(std::string_view(doc["cis"].at(2)["parents"].at(0)) == "shop-app");  // web
  CHECK(std::string_view(doc["slas"].at(0)["versions"].at(0)["target_percent"]) == "99.5");
  CHECK(doc["slas"].at(0)["versions"].at(0)["effective_from"].is_null());
  CHECK(std::string_view(doc["agents"].at(0)["labels"]["site"]) == "dc1");
  CHECK(r.body.find("\"Host\":\"shop.example\"") != std::string::npos);  // a harmless header is shown
}

TEST_CASE_FIXTURE(Fixture, "lists are paginated with limit and an opaque cursor, in id order") {
  std::vector<std::string> seen;
  std::string target = "/api/v1/probes?limit=2";
  for (int page = 0; page < 10; ++page) {
    const auto r = get(target);
    REQUIRE(r.status == 200);
    simdjson::dom::parser p;
    const auto doc = p.parse(padded(r.body));
    for (auto item : doc["items"].get_array()) seen.emplace_back(std::string_view(item["id"]));
    if (doc["next_cursor"].is_null()) break;
    target = "/api/v1/probes?limit=2&cursor=" + std::string(std::string_view(doc["next_cursor"]));
  }
  CHECK(seen == std::vector<std::string>{"db.tcp", "sw.snmp", "sw.v3", "web.http", "web.tcp"});
  check_error(get("/api/v1/probes?limit=0"), 400);
  check_error(get("/api/v1/probes?cursor=!!"), 400);
}

TEST_CASE_FIXTURE(Fixture, "single objects by id; an unknown id or endpoint is a JSON 404") {
  const auto r = get("/api/v1/cis/web");
  REQUIRE(r.status == 200);
  CHECK(r.body.find("\"probes\":[\"web.http\",\"web.tcp\"]") != std::string::npos);
  CHECK(get("/api/v1/slas/shop-gold").status == 200);
  CHECK(get("/api/v1/agreements/isp").status == 200);
  CHECK(get("/api/v1/maintenance/patch").body.find("sun 02:00-04:00") != std::string::npos);
  check_error(get("/api/v1/cis/nope"), 404);
  check_error(get("/api/v1/nothing"), 404);
  check_error(get("/api/v2/cis"), 404);
  check_error(get("/api/v1/cis/web/extra/more"), 404);
  check_error(get("/no-such-file.js"), 404);
}

TEST_CASE_FIXTURE(Fixture, "agents: catalogue agents with the link's record, and agents only the store knows") {
  const auto r = get("/api/v1/agents");
  REQUIRE(r.status == 200);
  simdjson::dom::parser p;
  const auto doc = p.parse(padded(r.body));
  auto items = doc["items"].get_array();
  REQUIRE(items.size() == 3);
  const auto a1 = items.at(0);
  CHECK(std::string_view(a1["name"]) == "a1");
  CHECK(bool(a1["connected"]));
  CHECK(std::string_view(a1["last_seen"]) == "2023-11-14T22:13:21Z");
  CHECK(int64_t(a1["clock_offset_ms"]) == 12);
  CHECK(int64_t(a1["backlog"]) == 3);
  CHECK(bool(a1["assignment_current"]));
  CHECK(int64_t(a1["probes"]) == 2);
  CHECK_FALSE(bool(items.at(1)["connected"]));  // a2: never connected
  CHECK(items.at(1)["last_seen"].is_null());
  CHECK_FALSE(bool(items.at(2)["in_catalogue"]));  // old-agent
  CHECK(get("/api/v1/agents/a2").status == 200);
  check_error(get("/api/v1/agents/zz"), 404);
}

TEST_CASE_FIXTURE(Fixture, "healthz, readyz (store open and catalogue loaded) and metrics (catalogue figures from the running catalogue)") {
  CHECK(get("/healthz").body == "{\"status\":\"ok\"}");
  CHECK(get("/readyz").status == 200);
  state.store_open = false;
  CHECK(get("/readyz").status == 503);
  state.store_open = true;
  state.catalogue = nullptr;
  CHECK(get("/readyz").status == 503);
  check_error(get("/api/v1/catalogue"), 503);
  const auto m = get("/metrics");
  CHECK(m.status == 200);
  CHECK(m.content_type.find("text/plain; version=0.0.4") == 0);
  CHECK(m.body.find("slamon_agent_connected{agent=\"a1\"} 1") != std::string::npos);
  CHECK(m.body.find("slamon_catalogue_probes") == std::string::npos);  // no catalogue: no catalogue figures
  state.catalogue = std::make_shared<ApiCatalogue>(loaded_again(dir), 0);
  CHECK(get("/metrics").body.find("slamon_catalogue_probes 5\n") != std::string::npos);
}

TEST_CASE_FIXTURE(Fixture, "with a read token: the API and metrics need it, health does not; writes get 405") {
  state.access.read_token_sha256 = sha256_hex("secret-read");
  check_error(get("/api/v1/catalogue"), 401);
  check_error(get("/metrics"), 401);
  check_error(get("/api/v1/catalogue", "Bearer wrong"), 401);
  CHECK(get("/api/v1/catalogue", "Bearer secret-read").status == 200);
  CHECK(get("/healthz").status == 200);
  Request post;
  post.method = "POST";
  post.target = "/api/v1/catalogue";
  const auto r = handle(post, state);
  check_error(r, 405);
  CHECK(r.headers.at(0) == std::pair<std::string, std::string>{"Allow", "GET, HEAD"});
}

TEST_CASE_FIXTURE(Fixture, "maintenance writes: admin token, refused bodies answered at once, a writer job otherwise") {
  state.access.read_token_sha256 = sha256_hex("secret-read");
  state.access.admin_token_sha256 = sha256_hex("secret-admin");
  state.now_ms = 1'790'000'000'000;
  auto post = [&](const std::string& target, const std::string& body, const std::string& auth) {
    Request r;
    r.method = "POST";
    r.target = target;
    r.body = body;
    r.authorization = auth;
    return route(r, state);
  };
  const std::string ok = R"({"targets":["db"],"to":"2026-09-21T16:00:00Z","who":"alice","why":"patch"})";
  check_error(post("/api/v1/maintenance", ok, "").response, 401);
  check_error(post("/api/v1/maintenance", ok, "Bearer secret-read").response, 403);
  const auto refused = post("/api/v1/maintenance", R"({"targets":["web.http"],"to":"2026-09-21T16:00:00Z","who":"a","why":"b"})",
                            "Bearer secret-admin");
  CHECK_FALSE(refused.job);
  check_error(refused.response, 422);
  const auto accepted = post("/api/v1/maintenance", ok, "Bearer secret-admin");
  CHECK(accepted.job);
  CHECK(accepted.writes);
  const auto end = post("/api/v1/maintenance/mw-1/end", R"({"who":"bob","why":"done"})", "Bearer secret-admin");
  CHECK(end.job);
  CHECK(end.writes);
  // Without a store the job answers 503 (tests and fuzzing run no store).
  Request r;
  r.method = "POST";
  r.target = "/api/v1/maintenance";
  r.body = ok;
  r.authorization = "Bearer secret-admin";
  check_error(handle(r, state), 503);
  // Methods: GET on .../end, POST on one window.
  r.method = "GET";
  r.target = "/api/v1/maintenance/mw-1/end";
  auto wrong = handle(r, state);
  check_error(wrong, 405);
  CHECK(wrong.headers.at(0).second == "POST");
  check_error(post("/api/v1/maintenance/mw-1", ok, "Bearer secret-admin").response, 405);
  r.method = "DELETE";
  r.target = "/api/v1/maintenance";
  wrong = handle(r, state);
  CHECK(wrong.headers.at(0).second == "GET, HEAD, POST");
}

TEST_CASE_FIXTURE(Fixture, "maintenance list: the catalogue's windows and the API's, one API window with its history") {
  auto m = std::make_shared<StoredMaintenance>();
  store::MaintenanceWindow w;
  w.id = "mw-1";
  w.targets = {"db"};
  w.from_ms = 1'700'000'000'000;
  w.to_ms = w.planned_to_ms = w.from_ms + 3'600'000;
  w.who = "alice";
  w.why = "patch";
  w.created_ms = w.from_ms;
  m->windows = {w};
  store::MaintenanceEvent e;
  e.window = "mw-1";
  e.who = "alice";
  m->history = {e};
  state.catalogue = std::make_shared<ApiCatalogue>(state.catalogue->served, 1, m);
  // The reports' catalogue has the API's window beside the catalogue's.
  REQUIRE(state.catalogue->reported->maintenance.size() == 2);
  CHECK(state.catalogue->reported->maintenance[1].description == "alice: patch");
  CHECK(state.catalogue->served->catalogue->maintenance.size() == 1);
  const auto list = get("/api/v1/maintenance");
  CHECK(list.status == 200);
  CHECK(list.body.find(R"({"id":"mw-1","source":"api")") != std::string::npos);
  CHECK(list.body.find(R"({"id":"patch","source":"catalogue")") != std::string::npos);
  CHECK(list.body.find("history") == std::string::npos);
  const auto one = get("/api/v1/maintenance/mw-1");
  CHECK(one.body.find(R"("history":[{"action":"created")") != std::string::npos);
  check_error(get("/api/v1/maintenance/mw-2"), 404);
}

TEST_CASE_FIXTURE(Fixture, "the web UI: files from the bundle (gzip when accepted), or a note when it is absent") {
  const auto none = get("/");
  CHECK(none.status == 200);
  CHECK(none.body.find("web UI is not available") != std::string::npos);
  WebBundle b;
  b.files["index.html"] = WebFile{"text/html; charset=utf-8", "<html>", std::nullopt};
  b.files["app.js"] = WebFile{"text/javascript; charset=utf-8", "js", std::string("gz")};
  state.web = &b;
  CHECK(get("/").body == "<html>");
  CHECK(get("/app.js").body == "js");
  Request r;
  r.method = "GET";
  r.target = "/app.js";
  r.accept_encoding = "gzip, br";
  const auto z = handle(r, state);
  CHECK(z.body == "gz");
  CHECK(z.headers.at(0) == std::pair<std::string, std::string>{"Content-Encoding", "gzip"});
  check_error(get("/%2e%2e/secret"), 400);
}

TEST_CASE("load_web_bundle reads a folder with its gzip twins; no index.html is an error") {
  test::TempDir dir;
  std::string error;
  CHECK_FALSE(load_web_bundle(dir.path, error));
  CHECK(error.find("no index.html") != std::string::npos);
  dir.write("index.html", "<html>");
  dir.write("app.js", "js");
  dir.write("app.js.gz", "gz");
  const auto b = load_web_bundle(dir.path, error);
  REQUIRE(b);
  CHECK(b->files.size() == 2);
  CHECK(b->files.at("app.js").gzip == "gz");
  CHECK(b->files.at("app.js").content_type == "text/javascript; charset=utf-8");
}
