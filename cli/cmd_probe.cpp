// slamon probe: runs probes once and prints their results. With a subcommand (icmp, tcp, http, snmp)
// the probe is given on the command line; without one, probes come from a catalogue:
//   slamon probe --catalogue C --probe ID [--probe ID...] | --agent NAME  [--format text|jsonl]
// Exit 0 when every result is up, 1 when one is not, 2 when the probes could not be run.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "cli/commands.h"
#include "cli/option_checks.h"
#include "cli/probe_commands.h"
#include "cli/probe_once.h"
#include "common/catalogue/parser.h"

namespace slamon::cli {
namespace {

struct CatalogueProbeOptions {
  std::string catalogue;
  std::vector<std::string> probes;
  std::string agent;
  std::string format = "text";
  double icmp_rate = 10'000;
};

int run_catalogue_probes(const CatalogueProbeOptions& o) {
  const auto output = parse_probe_output(o.format);
  if (!output) {
    std::fprintf(stderr, "slamon probe: --format must be text or jsonl\n");
    return kProbeUsageError;
  }
  if (o.catalogue.empty() || (o.probes.empty() && o.agent.empty())) {
    std::fprintf(stderr,
                 "slamon probe: give a probe type (icmp, tcp, http, snmp), or --catalogue with --probe or --agent "
                 "(see slamon probe --help)\n");
    return kProbeUsageError;
  }
  const catalogue::DiskFileSource files;
  const auto loaded = catalogue::load_catalogue(o.catalogue, files);
  if (!loaded.catalogue) {
    for (const auto& d : loaded.errors) std::fprintf(stderr, "%s\n", format_diagnostic(d).c_str());
    return kProbeUsageError;
  }
  std::vector<catalogue::Probe> selected;
  std::vector<std::string> missing = o.probes;
  for (const auto& ci : loaded.catalogue->cis)
    for (const auto& p : ci.probes) {
      const bool by_id = std::erase(missing, p.id) > 0;
      if (by_id || (!o.agent.empty() && p.agent == o.agent)) selected.push_back(p);
    }
  for (const auto& id : missing) std::fprintf(stderr, "slamon probe: no probe '%s' in %s\n", id.c_str(), o.catalogue.c_str());
  if (!missing.empty()) return kProbeUsageError;
  if (!o.agent.empty()) {
    bool known = false;
    for (const auto& a : loaded.catalogue->agents) known = known || a.name == o.agent;
    if (!known) {
      std::fprintf(stderr, "slamon probe: no agent '%s' in %s\n", o.agent.c_str(), o.catalogue.c_str());
      return kProbeUsageError;
    }
  }
  if (selected.empty()) {
    std::fprintf(stderr, "slamon probe: agent '%s' has no probes\n", o.agent.c_str());
    return kProbeAllUp;
  }
  RunOnceOptions run;
  run.runners.icmp.max_sends_per_s = o.icmp_rate;
  run.agent = o.agent;
  return run_and_print(selected, run, *output);
}

}  // namespace

void add_probe_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("probe", "run probes once and print their results");
  cmd->footer(
      "Without a subcommand, runs catalogue probes: --catalogue C with --probe ID (repeatable) or --agent NAME.\n"
      "Exit status: 0 every result up, 1 some result not up, 2 the probes could not be run.");
  auto o = std::make_shared<CatalogueProbeOptions>();
  cmd->add_option("--catalogue", o->catalogue, "catalogue file (catalogue mode)");
  cmd->add_option("--probe", o->probes, "probe id to run (repeatable)");
  cmd->add_option("--agent", o->agent, "run every probe of this agent");
  cmd->add_option("--format", o->format, "text (default) or jsonl")->check(CLI::IsMember({"text", "jsonl"}));
  cmd->add_option("--icmp-rate", o->icmp_rate, "ICMP sends per second, all probes together (0: no limit)")
      ->check(finite_in(0, 1e9));
  cmd->require_subcommand(0, 1);
  add_probe_icmp_subcommand(*cmd, exit_code);
  add_probe_tcp_subcommand(*cmd, exit_code);
  add_probe_http_subcommand(*cmd, exit_code);
  add_probe_snmp_subcommand(*cmd, exit_code);
  cmd->callback([cmd, o, &exit_code] {
    if (!cmd->get_subcommands().empty()) return;  // the subcommand ran
    exit_code = run_catalogue_probes(*o);
  });
}

}  // namespace slamon::cli
