// slamon-collector: the central server. This build loads and validates the catalogue and shows what
// each agent is handed (--dry-run); ingest, store and the HTTP API arrive with the link issue.
#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <map>

#include "collector/assignment.h"
#include "common/catalogue/parser.h"
#include "common/diagnostic.h"

int main(int argc, char** argv) {
  CLI::App app{"slamon-collector: the central server (catalogue, ingest, SLA engine, HTTP API)"};
  std::string catalogue_path;
  bool dry_run = false;
  std::string log_level = "info";
  app.add_option("--catalogue,-c", catalogue_path, "Catalogue (YAML) to serve")->required()->check(CLI::ExistingFile);
  app.add_flag("--dry-run", dry_run, "Load and validate the catalogue, print each agent's probes, and exit");
  app.add_option("--log-level", log_level, "trace|debug|info|warn|error")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}));
  CLI11_PARSE(app, argc, argv);

  auto log = spdlog::stderr_color_mt("collector");
  log->set_level(spdlog::level::from_str(log_level));

  const slamon::catalogue::DiskFileSource files;
  const auto loaded = slamon::catalogue::load_catalogue(catalogue_path, files);
  if (!loaded.catalogue) {
    for (const auto& e : loaded.errors) std::fprintf(stderr, "%s\n", slamon::format_diagnostic(e).c_str());
    log->error("{}: {} error(s); not starting", catalogue_path, loaded.errors.size());
    return 1;
  }
  const auto assignments = slamon::collector::assign_probes(*loaded.catalogue);
  for (const auto& a : assignments) {
    std::map<std::string_view, int> by_type;
    for (const auto* p : a.probes) ++by_type[slamon::catalogue::to_string(p->type)];
    std::string types;
    for (const auto& [t, n] : by_type) types += (types.empty() ? "" : ", ") + std::string(t) + " " + std::to_string(n);
    log->info("{}: {} probe(s){}{}{}", a.agent, a.probes.size(), types.empty() ? "" : " (", types, types.empty() ? "" : ")");
  }
  if (dry_run) return 0;
  log->error("serving agents needs the collector link, which this build does not have yet; use --dry-run");
  return 2;
}
