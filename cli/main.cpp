// slamon: the command line. Validate a catalogue, run probes once, produce reports and burn-rate alerts,
// and read or fill the collector's store (export, import, status, migrate).
// Exit codes are only 0, 1 and 2 (docs/): CLI11's own codes are mapped, --help and --version to 0 and
// every usage error it finds (unknown option, bad or out-of-range value, missing argument) to 2.
#include <CLI/CLI.hpp>

#include "cli/commands.h"

namespace {

constexpr int kUsageError = 2;

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"slamon: service level monitor (check, probe, report, alerts, export, import, status, migrate)"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "slamon 0.1.0");
  int exit_code = 0;
  slamon::cli::add_check_command(app, exit_code);
  slamon::cli::add_probe_command(app, exit_code);
  slamon::cli::add_report_command(app, exit_code);
  slamon::cli::add_alerts_command(app, exit_code);
  slamon::cli::add_export_command(app, exit_code);
  slamon::cli::add_import_command(app, exit_code);
  slamon::cli::add_status_command(app, exit_code);
  slamon::cli::add_migrate_command(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : kUsageError;  // app.exit prints the help, or the error and a hint
  }
  return exit_code;
}
