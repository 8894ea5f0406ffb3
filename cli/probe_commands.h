// The subcommands of `slamon probe`, one per probe type, each in its own file (cli/probe_<type>.cpp).
// cli/cmd_probe.cpp adds them under `probe` and runs catalogue probes itself.
#pragma once

namespace CLI {
class App;
}

namespace slamon::cli {

void add_probe_icmp_subcommand(CLI::App& probe, int& exit_code);
void add_probe_tcp_subcommand(CLI::App& probe, int& exit_code);
void add_probe_http_subcommand(CLI::App& probe, int& exit_code);
void add_probe_snmp_subcommand(CLI::App& probe, int& exit_code);

}  // namespace slamon::cli
