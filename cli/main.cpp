// slamon: the command line. Validate a catalogue, run probes once, produce reports.
#include <CLI/CLI.hpp>

#include "cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"slamon: service level monitor (check, probe, report)"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "slamon 0.1.0");
  int exit_code = 0;
  slamon::cli::add_check_command(app, exit_code);
  slamon::cli::add_probe_command(app, exit_code);
  slamon::cli::add_report_command(app, exit_code);
  CLI11_PARSE(app, argc, argv);
  return exit_code;
}
