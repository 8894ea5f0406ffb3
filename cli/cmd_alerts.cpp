// slamon alerts: every SLA's burn-rate alerts (firing and resolving instants per rule) over a span and
// the forecast of the period's end at its end, from a catalogue and a results file or the collector's
// store (docs/alerts.md). Reads and prints; every decision is the engine's (sla_alerts.h).
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <new>

#include "cli/commands.h"
#include "cli/results_input.h"
#include "cli/store_access.h"
#include "collector/engine/alerts_format.h"
#include "collector/engine/calendar.h"
#include "collector/engine/graph.h"
#include "collector/engine/node_timelines.h"
#include "collector/engine/period.h"
#include "collector/engine/result_ingest.h"
#include "collector/engine/sla_alerts.h"

namespace slamon::cli {
namespace {

struct AlertsOptions {
  std::string catalogue;
  std::string results;
  std::string db;
  std::string sla;
  std::string from;
  std::string to;
  std::string format = "text";
};

int run(const AlertsOptions& o) {
  if ((o.results.empty() ? 0 : 1) + (o.db.empty() ? 0 : 1) != 1) {
    std::fputs("slamon alerts: give the results with one of --results FILE or --db STORE\n", stderr);
    return 2;
  }
  const auto from = parse_time_option("alerts", "--from", o.from);
  if (!from) return 2;
  const auto to = parse_time_option("alerts", "--to", o.to);
  if (!to) return 2;
  if (!engine::writable_instant(*from) || !engine::writable_instant(*to)) {
    std::fputs("slamon alerts: --from and --to must lie in the years 0001-9999 (UTC)\n", stderr);
    return 2;
  }
  if (*to <= *from) {
    std::fprintf(stderr, "slamon alerts: --from %s is not before --to %s\n", o.from.c_str(), o.to.c_str());
    return 2;
  }
  const auto cat = load_catalogue_file(o.catalogue, "");
  if (!cat) return 2;
  std::vector<const catalogue::Sla*> slas;
  for (const auto& s : cat->slas)
    if (o.sla.empty() || s.id == o.sla) slas.push_back(&s);
  if (!o.sla.empty() && slas.empty()) {
    std::fprintf(stderr, "slamon alerts: unknown SLA '%s'\n", o.sla.c_str());
    return 2;
  }
  const engine::Interval window = engine::alerts_data_window(slas, *from, *to);
  // Results at or after --to are ignored, as a report cut at --to ignores them.
  engine::ResultIngest ingest(*cat, *to);
  std::optional<engine::ProbeDataMap> data;
  if (!o.results.empty()) {
    if (const int fed = feed_results_file("alerts", o.results, ingest); fed != 0) return fed;
  } else {
    const auto st = open_store("alerts", o.db, false);
    if (!st) return 2;
    try {
      data = probe_data_from_changes("alerts", *st, *cat, window, *to);
      if (!data)
        feed_from_store("alerts", *st, *cat, window, *to, ingest, [](const std::string& probe) {
          std::fprintf(stderr, "slamon alerts: warning: the store holds results for probe '%s', which the catalogue "
                               "does not know: they are ignored\n", probe.c_str());
        });
    } catch (const store::StoreFailure& e) {
      std::fprintf(stderr, "slamon alerts: %s\n", e.what());
      return 2;
    }
  }
  if (!data) data = ingest.finish();
  engine::Graph graph(*cat, {});
  engine::NodeTimelines nodes(graph, *data);
  std::vector<engine::SlaAlerts> out;
  for (const auto* s : slas) out.push_back(engine::compute_sla_alerts(nodes, *s, *from, *to));
  const std::string text =
      o.format == "json" ? engine::alerts_to_json(out, *from, *to) : engine::alerts_to_text(out, *from, *to);
  std::fwrite(text.data(), 1, text.size(), stdout);
  for (const auto& s : out)
    if (!s.error.empty()) return 2;
  return engine::any_firing_at_end(out) ? 1 : 0;
}

int run_or_fail(const AlertsOptions& o) {
  try {
    return run(o);
  } catch (const std::bad_alloc&) {
    std::fputs("slamon alerts: out of memory\n", stderr);
    return 2;
  }
}

}  // namespace

void add_alerts_command(CLI::App& app, int& exit_code) {
  auto opts = std::make_shared<AlertsOptions>();
  auto* cmd = app.add_subcommand("alerts", "Burn-rate alerts (firing and resolving instants) and the period forecast");
  cmd->add_option("--catalogue", opts->catalogue, "Catalogue YAML file")->required();
  cmd->add_option("--results", opts->results, "Probe results, JSON Lines");
  cmd->add_option("--db", opts->db, "The collector's store instead of --results: PATH, sqlite:PATH");
  cmd->add_option("--sla", opts->sla, "SLA id (default: every SLA)");
  cmd->add_option("--from", opts->from, "Start of the span (RFC 3339)")->required();
  cmd->add_option("--to", opts->to, "End of the span, included; the forecast is made there (RFC 3339)")->required();
  cmd->add_option("--format", opts->format, "text (default) or json")->check(CLI::IsMember({"text", "json"}));
  cmd->callback([opts, &exit_code] { exit_code = run_or_fail(*opts); });
}

}  // namespace slamon::cli
