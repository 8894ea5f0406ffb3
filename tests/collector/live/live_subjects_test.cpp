// The subjects notifications follow and the log rows a notification claims (collector/live/live_subjects.h).
#include "collector/live/live_subjects.h"

#include <doctest/doctest.h>

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

