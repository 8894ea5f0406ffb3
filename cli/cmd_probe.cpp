// slamon probe (placeholder until its issue lands; replaced by the real command).
#include <CLI/CLI.hpp>
#include <cstdio>

#include "cli/commands.h"

namespace slamon::cli {

void add_probe_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("probe", "probe (not available in this build)");
  cmd->callback([&exit_code] {
    std::fprintf(stderr, "slamon probe: not available in this build\n");
    exit_code = 2;
  });
}

}  // namespace slamon::cli
