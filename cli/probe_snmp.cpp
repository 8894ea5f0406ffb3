// slamon probe snmp (placeholder until the snmp runner lands; replaced by the real subcommand).
#include <CLI/CLI.hpp>
#include <cstdio>

#include "cli/probe_commands.h"

namespace slamon::cli {

void add_probe_snmp_subcommand(CLI::App& probe, int& exit_code) {
  auto* cmd = probe.add_subcommand("snmp", "snmp probe (not available in this build)");
  cmd->callback([&exit_code] {
    std::fprintf(stderr, "slamon probe snmp: not available in this build\n");
    exit_code = 2;
  });
}

}  // namespace slamon::cli
