// The subcommands of `slamon`; each adds itself to the app and writes its exit code when it runs.
#pragma once

namespace CLI {
class App;
}

namespace slamon::cli {

void add_check_command(CLI::App& app, int& exit_code);
void add_probe_command(CLI::App& app, int& exit_code);
void add_report_command(CLI::App& app, int& exit_code);
void add_alerts_command(CLI::App& app, int& exit_code);
// Over the collector's store (--db).
void add_export_command(CLI::App& app, int& exit_code);
void add_import_command(CLI::App& app, int& exit_code);
void add_status_command(CLI::App& app, int& exit_code);
void add_migrate_command(CLI::App& app, int& exit_code);

}  // namespace slamon::cli
