// Notifications from consecutive states: one per state change, nothing for planned time (an outage
// that began unplanned still closes), alerts and agents, stable dedup keys (also for a fresh caller
// after a restart that kept its open set), and routing by SLA, owner, severity and kind.
#include "collector/engine/notifications.h"

#include <doctest/doctest.h>

#include "tests/engine/engine_fixtures.h"

namespace slamon::engine::test {
namespace {

using Type = SubjectState::Type;

SubjectState outage(const char* subject, bool bad, bool planned, const char* since) {
  return SubjectState{Type::outage, subject, "gold", "web-team", "page", bad, planned, T(since)};
}

std::vector<NotifyKind> kinds(const std::vector<Notification>& ns) {
  std::vector<NotifyKind> out;
  for (const auto& n : ns) out.push_back(n.kind);
  return out;
}

}  // namespace

TEST_CASE("an outage opens once and closes once; repeating a state tells nothing") {
  OpenSubjects open;
  const catalogue::Notifications none;
  auto a = notifications_for({outage("shop", true, false, "2026-03-02T10:00:00Z")}, none, open);
  REQUIRE(a.size() == 1);
  CHECK(a[0].kind == NotifyKind::outage_opened);
  CHECK(a[0].dedup_key == "outage:shop:outage_opened:2026-03-02T10:00:00Z");
  CHECK(a[0].webhooks.empty());
  CHECK(notifications_for({outage("shop", true, false, "2026-03-02T10:00:00Z")}, none, open).empty());
  auto b = notifications_for({outage("shop", false, false, "2026-03-02T10:10:00Z")}, none, open);
  REQUIRE(b.size() == 1);
  CHECK(b[0].kind == NotifyKind::outage_closed);
  CHECK(b[0].at == T("2026-03-02T10:10:00Z"));
  CHECK(open.empty());
}

TEST_CASE("maintenance: bad planned time tells nothing, and an outage running into maintenance closes when it ends") {
  OpenSubjects open;
  const catalogue::Notifications none;
  CHECK(notifications_for({outage("db", true, true, "2026-03-02T02:10:00Z")}, none, open).empty());
  CHECK(notifications_for({outage("db", false, false, "2026-03-02T02:30:00Z")}, none, open).empty());
  // Unplanned, then into a window (still told open), then up: one opened, one closed.
  CHECK(kinds(notifications_for({outage("db", true, false, "2026-03-02T01:50:00Z")}, none, open)) ==
        std::vector<NotifyKind>{NotifyKind::outage_opened});
  CHECK(notifications_for({outage("db", true, true, "2026-03-02T02:00:00Z")}, none, open).empty());
  CHECK(kinds(notifications_for({outage("db", false, false, "2026-03-02T02:20:00Z")}, none, open)) ==
        std::vector<NotifyKind>{NotifyKind::outage_closed});
}

TEST_CASE("alerts fire and resolve, agents are lost and back; the open set carried over a restart suppresses repeats") {
  OpenSubjects open;
  const catalogue::Notifications none;
  const SubjectState firing{Type::alert, "gold/page/1h/5m", "gold", "web-team", "page", true, false, T("2026-03-02T10:00:51.840Z")};
  const SubjectState lost{Type::agent, "dc1", "", "", "ticket", true, false, T("2026-03-02T11:00:00Z")};
  auto a = notifications_for({firing, lost}, none, open);
  CHECK(kinds(a) == std::vector<NotifyKind>{NotifyKind::alert_firing, NotifyKind::agent_lost});
  CHECK(a[0].dedup_key == "alert:gold/page/1h/5m:alert_firing:2026-03-02T10:00:51.840Z");
  OpenSubjects after_restart = open;  // what a restarted collector reads back
  CHECK(notifications_for({firing, lost}, none, after_restart).empty());
  auto resolved = firing;
  resolved.active = false;
  resolved.since = T("2026-03-02T10:24:55.681Z");
  auto back = lost;
  back.active = false;
  back.since = T("2026-03-02T11:05:00Z");
  auto b = notifications_for({resolved, back}, none, after_restart);
  CHECK(kinds(b) == std::vector<NotifyKind>{NotifyKind::alert_resolved, NotifyKind::agent_back});
  // The same change computed twice gives the same key (deduplication by the deliverer).
  OpenSubjects other = open;
  CHECK(notifications_for({resolved}, none, other)[0].dedup_key == b[0].dedup_key);
}

TEST_CASE("routes pick webhooks and addresses by SLA, owner, severity and kind, each target once") {
  catalogue::Notifications cfg;
  cfg.routes.push_back({{"gold"}, {}, {"page"}, {}, {"ops"}, {"oncall@example.com"}});
  cfg.routes.push_back({{}, {"web-team"}, {}, {"outage_opened", "outage_closed"}, {"ops", "web"}, {}});
  cfg.routes.push_back({{"silver"}, {}, {}, {}, {"never"}, {}});
  OpenSubjects open;
  auto a = notifications_for({outage("shop", true, false, "2026-03-02T10:00:00Z")}, cfg, open);
  REQUIRE(a.size() == 1);
  CHECK(a[0].webhooks == std::vector<std::string>{"ops", "web"});
  CHECK(a[0].emails == std::vector<std::string>{"oncall@example.com"});
  const SubjectState ticket{Type::alert, "gold/ticket/3d/6h", "gold", "web-team", "ticket", true, false, T("2026-03-02T10:04:19.200Z")};
  auto b = notifications_for({ticket}, cfg, open);
  REQUIRE(b.size() == 1);
  CHECK(b[0].webhooks.empty());  // not a page, not an outage kind
  CHECK(b[0].emails.empty());
}

}  // namespace slamon::engine::test
