// The subjects notifications follow and the log rows a notification claims (collector/live/live_subjects.h).
#include "collector/live/live_subjects.h"

#include <doctest/doctest.h>

#include <map>

#include "collector/store/sqlite/sqlite_store.h"
#include "tests/engine/engine_fixtures.h"
#include "tests/temp_dir.h"

using namespace slamon;

TEST_CASE("claims_for: one row per webhook and per address, all pending now; an unrouted one without target") {
  engine::Notification n;
  n.kind = engine::NotifyKind::alert_firing;
  n.subject = "gold/page/1h/5m";
  n.sla = "gold";
  n.severity = "page";
  n.at = 1'000;
  n.dedup_key = "alert:gold/page/1h/5m:alert_firing:1970-01-01T00:00:01Z";
  n.webhooks = {"ops", "dev"};
  n.emails = {"a@example.com"};
  const auto rows = live::claims_for(n, 5'000);
  REQUIRE(rows.size() == 3);
  CHECK(rows[0].target == "webhook:ops");
  CHECK(rows[1].target == "webhook:dev");
  CHECK(rows[2].target == "email:a@example.com");
  for (const auto& r : rows) {
    CHECK(r.state == store::DeliveryState::pending);
    CHECK(r.next_attempt_ms == 5'000);
    CHECK(r.kind == "alert_firing");
    CHECK(r.payload == live::notification_json(n));
  }
  CHECK(live::notification_json(n) ==
        R"({"kind":"alert_firing","subject":"gold/page/1h/5m","sla":"gold","severity":"page",)"
        R"("at":"1970-01-01T00:00:01Z","dedup_key":"alert:gold/page/1h/5m:alert_firing:1970-01-01T00:00:01Z"})");
  n.webhooks.clear();
  n.emails.clear();
  const auto unrouted = live::claims_for(n, 5'000);
  REQUIRE(unrouted.size() == 1);
  CHECK(unrouted[0].target.empty());
  CHECK(unrouted[0].state == store::DeliveryState::unrouted);
}


namespace {

using slamon::engine::test::make_ci;
using slamon::engine::test::make_probe;
using slamon::engine::test::make_service;
using slamon::engine::test::make_sla;
using slamon::engine::test::one_off;

constexpr TimeMs kT0 = 1'790'000'000'000;  // 2026-09-20
constexpr TimeMs kMin = 60'000;

// Every minute from `from` to `to` (excluded) for `probe` of `agent`, in one batch after the
// agent's previous ones (epoch 1).
void send(store::Store& st, std::map<std::string, std::uint64_t>& next_seq, const std::string& agent,
          const std::string& probe, TimeMs from, TimeMs to, Status s) {
  wire::Batch b;
  b.epoch = 1;
  auto& seq = next_seq.try_emplace(agent, 1).first->second;
  b.first_seq = seq;
  for (TimeMs t = from; t < to; t += kMin) {
    b.entries.push_back(ProbeResult{probe, t, s, std::nullopt, "", agent, {}});
    ++seq;
  }
  REQUIRE(st.append(agent, b).kind == store::AppendOutcome::Kind::stored);
}

const engine::SubjectState* find(const std::vector<engine::SubjectState>& v, engine::SubjectState::Type t,
                                 const std::string& subject) {
  for (const auto& s : v)
    if (s.type == t && s.subject == subject) return &s;
  return nullptr;
}

}  // namespace

TEST_CASE("observe_subjects: an outage in a maintenance window is planned, up the graph too; unplanned once another child fails; an agent silent past stale_after is lost") {
  catalogue::Catalogue cat;
  auto db_probe = make_probe("db.p", "db");
  auto web_probe = make_probe("web.p", "web");
  web_probe.agent = "a2";
  cat.cis.push_back(make_ci("db", {db_probe}));
  cat.cis.push_back(make_ci("web", {web_probe}));
  cat.cis[1].owner = "ops";
  cat.services.push_back(make_service("shop", {{"db", 1, {}}, {"web", 1, {}}}));
  cat.services[0].owner = "sales";
  cat.slas.push_back(make_sla("gold", "shop", "99.5"));
  cat.maintenance.push_back(one_off("db-patch", {"db"}, kT0 + 10 * kMin, kT0 + 30 * kMin));
  test::TempDir dir;
  store::sqlite::SqliteStore st(dir.file("s.db"));
  std::map<std::string, std::uint64_t> seq;
  send(st, seq, "a1", "db.p", kT0, kT0 + 11 * kMin, Status::up);
  send(st, seq, "a1", "db.p", kT0 + 11 * kMin, kT0 + 20 * kMin, Status::down);
  send(st, seq, "a2", "web.p", kT0, kT0 + 12 * kMin, Status::up);
  send(st, seq, "a2", "web.p", kT0 + 12 * kMin, kT0 + 14 * kMin, Status::down);
  live::LiveEngine engine(cat, st);
  engine.load();
  for (int i = 0; i < 10 && engine.step().more; ++i) {
  }
  engine::Graph graph(cat, {});
  using Type = engine::SubjectState::Type;

  // Minute 11.5: db down inside its window; shop bad only through db: both planned.
  auto now = live::observe_subjects(engine, cat, graph, kT0 + 11 * kMin + 30'000);
  const auto* db = find(now, Type::outage, "db");
  REQUIRE(db);
  CHECK(db->active);
  CHECK(db->planned);
  CHECK(db->since == kT0 + 11 * kMin);
  CHECK(db->sla.empty());
  const auto* shop = find(now, Type::outage, "shop");
  REQUIRE(shop);
  CHECK(shop->active);
  CHECK(shop->planned);
  CHECK(shop->sla == "gold");
  CHECK(shop->owner == "sales");
  CHECK(shop->severity == "page");
  const auto* web = find(now, Type::outage, "web");
  REQUIRE(web);
  CHECK_FALSE(web->active);
  CHECK(web->owner == "ops");

  // Minute 12.5: web down too (no window): shop's badness is no longer all planned.
  now = live::observe_subjects(engine, cat, graph, kT0 + 12 * kMin + 30'000);
  shop = find(now, Type::outage, "shop");
  REQUIRE(shop);
  CHECK(shop->active);
  CHECK_FALSE(shop->planned);
  CHECK(shop->since == kT0 + 11 * kMin);
  const auto* a2 = find(now, Type::agent, "a2");
  REQUIRE(a2);
  CHECK_FALSE(a2->active);

  // a2's last result is at minute 13; stale_after 3 min: lost from minute 16, a1 not.
  now = live::observe_subjects(engine, cat, graph, kT0 + 16 * kMin + 1);
  a2 = find(now, Type::agent, "a2");
  REQUIRE(a2);
  CHECK(a2->active);
  CHECK(a2->since == kT0 + 16 * kMin);
  CHECK(a2->severity == "ticket");
  const auto* a1 = find(now, Type::agent, "a1");
  REQUIRE(a1);
  CHECK_FALSE(a1->active);
}
