// The Prometheus exposition of the collector's figures (see metrics.h).
#include "collector/api/metrics.h"

#include <fmt/format.h>

#include <algorithm>

namespace slamon::collector::api {
namespace {

class Exposition {
 public:
  // # HELP and # TYPE once per family.
  void family(std::string_view name, std::string_view type, std::string_view help) {
    fmt::format_to(std::back_inserter(out_), "# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
  }
  void sample(std::string_view name, double value, std::string_view labels = {}) {
    if (labels.empty()) fmt::format_to(std::back_inserter(out_), "{} {}\n", name, value);
    else fmt::format_to(std::back_inserter(out_), "{}{{{}}} {}\n", name, labels, value);
  }
  void sample(std::string_view name, std::uint64_t value, std::string_view labels = {}) {
    if (labels.empty()) fmt::format_to(std::back_inserter(out_), "{} {}\n", name, value);
    else fmt::format_to(std::back_inserter(out_), "{}{{{}}} {}\n", name, labels, value);
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

std::string label(std::string_view name, std::string_view value) {
  return std::string(name) + "=\"" + escape_label_value(value) + "\"";
}

double seconds(std::int64_t ms) { return static_cast<double>(ms) / 1000.0; }

// A target in percent as a ratio, divided once (99.9 gives 0.999, not 0.9990000000000001).
double ratio(Decimal4 percent) { return static_cast<double>(percent.e4) / 1'000'000.0; }

}  // namespace

std::string escape_label_value(std::string_view v) {
  std::string out;
  for (const char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string render_metrics(const MetricsInput& in) {
  Exposition e;
  e.family("slamon_build_info", "gauge", "The collector's version (always 1).");
  e.sample("slamon_build_info", std::uint64_t{1}, label("version", in.version));
  e.family("slamon_start_time_seconds", "gauge", "When the collector started (Unix time).");
  e.sample("slamon_start_time_seconds", seconds(in.start_ms));

  if (in.catalogue) {
    e.family("slamon_catalogue_agents", "gauge", "Agents in the running catalogue.");
    e.sample("slamon_catalogue_agents", static_cast<std::uint64_t>(in.catalogue->agents.size()));
    e.family("slamon_catalogue_probes", "gauge", "Probes in the running catalogue.");
    e.sample("slamon_catalogue_probes", static_cast<std::uint64_t>(in.catalogue->probes));
  }
  if (const auto* c = in.catalogue_counters) {
    e.family("slamon_catalogue_loaded_timestamp_seconds", "gauge", "When the running catalogue was loaded (Unix time).");
    e.sample("slamon_catalogue_loaded_timestamp_seconds", seconds(c->loaded_ms));
    e.family("slamon_catalogue_reloads_total", "counter", "Catalogue reloads (SIGHUP), by result.");
    e.sample("slamon_catalogue_reloads_total", c->reloads_ok, label("result", "ok"));
    e.sample("slamon_catalogue_reloads_total", c->reloads_failed, label("result", "failed"));
  }

  e.family("slamon_link_sessions", "gauge", "Agent connections open.");
  e.sample("slamon_link_sessions", static_cast<std::uint64_t>(in.sessions));
  e.family("slamon_ingest_queue_batches", "gauge", "Batches waiting for the store thread.");
  e.sample("slamon_ingest_queue_batches", static_cast<std::uint64_t>(in.ingest_queued));
  e.family("slamon_http_store_jobs_queued", "gauge", "HTTP requests waiting for the store worker.");
  e.sample("slamon_http_store_jobs_queued", static_cast<std::uint64_t>(in.store_jobs_queued));
  if (const auto* n = in.notifications) {
    e.family("slamon_notification_attempts_total", "counter", "Notification delivery attempts, by outcome.");
    e.sample("slamon_notification_attempts_total", n->delivered.load(), label("outcome", "delivered"));
    e.sample("slamon_notification_attempts_total", n->retried.load(), label("outcome", "retry"));
    e.sample("slamon_notification_attempts_total", n->failed.load(), label("outcome", "failed"));
  }
  if (const auto* l = in.link) {
    e.family("slamon_link_connections_total", "counter", "TCP connections accepted from agents.");
    e.sample("slamon_link_connections_total", l->connections);
    e.family("slamon_link_tls_handshake_failures_total", "counter", "Agent connections whose TLS handshake failed.");
    e.sample("slamon_link_tls_handshake_failures_total", l->tls_handshake_failures);
    e.family("slamon_link_refusals_total", "counter", "Agent sessions ended by a Refusal, by reason.");
    if (l->refusals.empty()) e.sample("slamon_link_refusals_total", std::uint64_t{0}, label("reason", "UNSPECIFIED"));
    for (const auto& [reason, n] : l->refusals) e.sample("slamon_link_refusals_total", n, label("reason", reason));
    e.family("slamon_link_assignment_updates_total", "counter", "Assignment updates sent to agents after reloads.");
    e.sample("slamon_link_assignment_updates_total", l->assignment_updates);
    e.family("slamon_ingest_batches_total", "counter", "Result batches handled by the store thread, by outcome.");
    e.sample("slamon_ingest_batches_total", l->batches_stored, label("outcome", "stored"));
    e.sample("slamon_ingest_batches_total", l->batches_gap, label("outcome", "gap"));
    e.sample("slamon_ingest_batches_total", l->batches_failed, label("outcome", "failed"));
    e.family("slamon_ingest_results_total", "counter", "Result entries received in batches, by outcome.");
    e.sample("slamon_ingest_results_total", l->results_stored, label("outcome", "stored"));
    e.sample("slamon_ingest_results_total", l->results_duplicate, label("outcome", "duplicate"));
    e.sample("slamon_ingest_results_total", l->results_refused, label("outcome", "refused"));
  }

  if (in.agents && !in.agents->empty()) {
    e.family("slamon_agent_connected", "gauge", "1 while the agent has a session, else 0.");
    for (const auto& [name, r] : *in.agents)
      e.sample("slamon_agent_connected", std::uint64_t{r.connected ? 1u : 0u}, label("agent", name));
    e.family("slamon_agent_backlog_results", "gauge", "Results in the agent's spool not yet acknowledged (its last heartbeat).");
    for (const auto& [name, r] : *in.agents) e.sample("slamon_agent_backlog_results", r.backlog, label("agent", name));
    e.family("slamon_agent_clock_offset_seconds", "gauge", "Collector clock minus agent clock (heartbeats).");
    for (const auto& [name, r] : *in.agents)
      if (r.clock_offset_ms) e.sample("slamon_agent_clock_offset_seconds", seconds(*r.clock_offset_ms), label("agent", name));
    e.family("slamon_agent_last_seen_timestamp_seconds", "gauge", "When the agent last sent a message (Unix time).");
    for (const auto& [name, r] : *in.agents)
      if (r.last_seen_ms > 0)
        e.sample("slamon_agent_last_seen_timestamp_seconds", seconds(r.last_seen_ms), label("agent", name));
  }

  if (in.live && in.index) {
    // One sample per node and status value: 1 for its status now, 0 for the others (the enum idiom).
    e.family("slamon_node_status", "gauge", "1 for the node's live status (label status), else 0.");
    const Status all[] = {Status::up, Status::degraded, Status::down, Status::unknown};
    auto node = [&](const std::string& id, const char* kind, Status now) {
      for (const Status st : all)
        e.sample("slamon_node_status", std::uint64_t{st == now ? 1u : 0u},
                 label("node", id) + "," + label("kind", kind) + "," + label("status", to_string(st)));
    };
    for (const auto& [id, n] : in.live->nodes) node(id, in.index->services.count(id) > 0 ? "service" : "ci", n.status);
    e.family("slamon_engine_lag_seconds", "gauge",
             "How long the engine has been working through a backlog of stored results (0: caught up).");
    const double lag = in.live->catching_up_since ? seconds(std::max<std::int64_t>(0, in.now_ms - *in.live->catching_up_since)) : 0.0;
    e.sample("slamon_engine_lag_seconds", lag);
    e.family("slamon_engine_snapshot_timestamp_seconds", "gauge", "When the engine last published the live status (Unix time).");
    e.sample("slamon_engine_snapshot_timestamp_seconds", seconds(in.live->as_of));
    e.family("slamon_engine_applied_rows", "gauge", "The last store arrival applied by the engine, by table.");
    e.sample("slamon_engine_applied_rows", static_cast<std::uint64_t>(in.live->position.result_row), label("table", "results"));
    e.sample("slamon_engine_applied_rows", static_cast<std::uint64_t>(in.live->position.gap_row), label("table", "gaps"));
  }
  if (in.live) {
    e.family("slamon_leader", "gauge", "1 when this collector is the engine leader (persists the engine's work), else 0.");
    e.sample("slamon_leader", std::uint64_t{in.live->leader ? 1u : 0u});
    e.family("slamon_leader_epoch", "gauge", "The current engine leader's epoch (0: no election, a SQLite store).");
    e.sample("slamon_leader_epoch", static_cast<std::uint64_t>(in.live->leader_epoch));
  }
  if (const auto* o = in.overview) {
    auto sla_labels = [](const SlaFigures& f) { return label("sla", f.sla) + "," + label("service", f.service); };
    e.family("slamon_sla_availability_ratio", "gauge", "Availability of the SLA's current period so far (0-1).");
    for (const auto& f : o->slas)
      if (f.availability) e.sample("slamon_sla_availability_ratio", *f.availability / 100.0, sla_labels(f));
    e.family("slamon_sla_objective_ratio", "gauge", "The SLA's availability target in its current period (0-1).");
    for (const auto& f : o->slas)
      e.sample("slamon_sla_objective_ratio", ratio(f.target), sla_labels(f));
    e.family("slamon_sla_error_budget_remaining_ratio", "gauge", "Error budget left in the current period (0-1; below 0: overspent).");
    for (const auto& f : o->slas)
      if (f.error_budget_s > 0)
        e.sample("slamon_sla_error_budget_remaining_ratio", f.error_budget_remaining_s / f.error_budget_s, sla_labels(f));
    e.family("slamon_sla_error_budget_remaining_seconds", "gauge", "Error budget left in the current period.");
    for (const auto& f : o->slas) e.sample("slamon_sla_error_budget_remaining_seconds", f.error_budget_remaining_s, sla_labels(f));
    // Each OLA's and UC's figures for its own current period, from the same overview.
    auto agreement_labels = [](const AgreementFigures& f) {
      return label("agreement", f.agreement) + "," + label("provider", f.provider) + "," + label("kind", f.kind) + "," +
             label("covers", f.covers);
    };
    if (!o->agreements.empty()) {
      e.family("slamon_agreement_availability_ratio", "gauge", "Availability of the agreement's current period so far (0-1).");
      for (const auto& f : o->agreements)
        if (f.availability) e.sample("slamon_agreement_availability_ratio", *f.availability / 100.0, agreement_labels(f));
      e.family("slamon_agreement_objective_ratio", "gauge", "The agreement's availability target in its current period (0-1).");
      for (const auto& f : o->agreements)
        e.sample("slamon_agreement_objective_ratio", ratio(f.target), agreement_labels(f));
      e.family("slamon_agreement_error_budget_remaining_seconds", "gauge", "The agreement's error budget left in its current period.");
      for (const auto& f : o->agreements)
        e.sample("slamon_agreement_error_budget_remaining_seconds", f.error_budget_remaining_s, agreement_labels(f));
      e.family("slamon_agreement_longest_outage_seconds", "gauge", "The longest outage counted in the agreement's current period.");
      for (const auto& f : o->agreements) e.sample("slamon_agreement_longest_outage_seconds", f.longest_outage_s, agreement_labels(f));
      e.family("slamon_agreement_met", "gauge", "1 while the agreement's current period is met so far, 0 when not (absent: not judged).");
      for (const auto& f : o->agreements)
        if (f.met) e.sample("slamon_agreement_met", std::uint64_t{*f.met ? 1u : 0u}, agreement_labels(f));
    }
    e.family("slamon_sla_figures_timestamp_seconds", "gauge", "The instant the SLA figures are of (Unix time).");
    e.sample("slamon_sla_figures_timestamp_seconds", seconds(o->as_of));
    e.family("slamon_engine_arrivals_behind", "gauge",
             "Stored results and gap records the published live status did not include (counted with the SLA figures).");
    e.sample("slamon_engine_arrivals_behind", static_cast<std::uint64_t>(std::max<std::int64_t>(0, o->arrivals_behind)));
  }

  if (const auto* h = in.http) {
    e.family("slamon_http_connections_total", "counter", "HTTP connections accepted.");
    e.sample("slamon_http_connections_total", h->connections);
    e.family("slamon_http_responses_total", "counter", "HTTP responses sent, by status code.");
    if (h->responses.empty()) e.sample("slamon_http_responses_total", std::uint64_t{0}, label("code", "200"));
    for (const auto& [code, n] : h->responses) e.sample("slamon_http_responses_total", n, label("code", std::to_string(code)));
  }
  return e.take();
}

}  // namespace slamon::collector::api
