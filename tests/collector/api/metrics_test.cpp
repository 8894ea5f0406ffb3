// Tests for collector/api/metrics.h: the exposition's names, types, units and label escaping.
#include "collector/api/metrics.h"

#include <doctest/doctest.h>

using namespace slamon;
using namespace slamon::collector::api;

TEST_CASE("metrics: slamon_ names, counters in _total, seconds as base unit, agents labelled") {
  LinkCounters link;
  link.connections = 3;
  link.refusals["UNKNOWN_AGENT_OR_TOKEN"] = 2;
  link.results_stored = 40;
  HttpCounters http;
  http.responses[200] = 5;
  std::map<std::string, store::AgentRecord, std::less<>> agents;
  store::AgentRecord a;
  a.name = "a\"1";
  a.connected = true;
  a.clock_offset_ms = -1500;
  a.backlog = 7;
  a.last_seen_ms = 1'700'000'000'000;
  agents[a.name] = a;
  MetricsInput in;
  in.link = &link;
  in.http = &http;
  in.agents = &agents;
  in.start_ms = 1'700'000'000'500;
  in.version = "0.1.0";
  in.store_jobs_queued = 4;
  NotificationCounters notifications;
  notifications.delivered = 2;
  notifications.retried = 1;
  in.notifications = &notifications;
  const auto text = render_metrics(in);
  CHECK(text.find("# TYPE slamon_link_connections_total counter\nslamon_link_connections_total 3\n") != std::string::npos);
  CHECK(text.find("slamon_link_refusals_total{reason=\"UNKNOWN_AGENT_OR_TOKEN\"} 2\n") != std::string::npos);
  CHECK(text.find("slamon_ingest_results_total{outcome=\"stored\"} 40\n") != std::string::npos);
  CHECK(text.find("slamon_agent_connected{agent=\"a\\\"1\"} 1\n") != std::string::npos);
  CHECK(text.find("slamon_agent_clock_offset_seconds{agent=\"a\\\"1\"} -1.5\n") != std::string::npos);
  CHECK(text.find("slamon_agent_backlog_results{agent=\"a\\\"1\"} 7\n") != std::string::npos);
  CHECK(text.find("slamon_http_responses_total{code=\"200\"} 5\n") != std::string::npos);
  CHECK(text.find("slamon_start_time_seconds 1700000000.5\n") != std::string::npos);
  CHECK(text.find("slamon_http_store_jobs_queued 4\n") != std::string::npos);
  CHECK(text.find("slamon_notification_attempts_total{outcome=\"delivered\"} 2\n"
                  "slamon_notification_attempts_total{outcome=\"retry\"} 1\n"
                  "slamon_notification_attempts_total{outcome=\"failed\"} 0\n") != std::string::npos);
  // Every sample line's name starts with slamon_.
  std::size_t at = 0;
  while (at < text.size()) {
    const auto end = text.find('\n', at);
    const auto line = text.substr(at, end - at);
    if (!line.empty() && line[0] != '#') CHECK_MESSAGE(line.rfind("slamon_", 0) == 0, line);
    at = end + 1;
  }
}

TEST_CASE("escape_label_value escapes backslash, quote and newline") {
  CHECK(escape_label_value("a\\b\"c\nd") == "a\\\\b\\\"c\\nd");
}

TEST_CASE("metrics: slamon_leader and slamon_leader_epoch say whether this collector is the engine leader, and its epoch") {
  live::LiveSnapshot snap;
  snap.leader = false;
  snap.leader_epoch = 3;
  MetricsInput in;
  in.live = &snap;
  auto text = render_metrics(in);
  CHECK(text.find("# TYPE slamon_leader gauge\nslamon_leader 0\n") != std::string::npos);
  CHECK(text.find("# TYPE slamon_leader_epoch gauge\nslamon_leader_epoch 3\n") != std::string::npos);
  snap.leader = true;
  text = render_metrics(in);
  CHECK(text.find("slamon_leader 1\n") != std::string::npos);
  CHECK(render_metrics(MetricsInput{}).find("slamon_leader") == std::string::npos);  // no snapshot yet: not said
}
