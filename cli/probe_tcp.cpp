// slamon probe tcp HOST:PORT... [--banner-contains S] [--banner-regex R] [--timeout D]
// [--format text|jsonl]: a TCP connect to each target ("host:port" or "[v6]:port"), with an
// optional expected banner. A target that is not HOST:PORT with a host name or address and a port
// 1-65535 is a usage error (exit 2).
#include <CLI/CLI.hpp>
#include <charconv>
#include <cstdio>

#include "cli/option_checks.h"
#include "cli/probe_commands.h"
#include "cli/probe_once.h"
#include "cli/targets.h"

namespace slamon::cli {
namespace {

struct TcpCommand {
  std::vector<std::string> targets;
  std::string banner_contains;
  std::string banner_regex;
  std::string timeout = "5s";
  std::string format = "text";
};

// "host:port" or "[v6]:port" to host and port.
std::optional<std::pair<std::string, int>> split_target(const std::string& t) {
  std::string host;
  std::string_view rest;
  if (!t.empty() && t[0] == '[') {
    const auto close = t.find(']');
    if (close == std::string::npos || close + 1 >= t.size() || t[close + 1] != ':') return std::nullopt;
    host = t.substr(1, close - 1);
    rest = std::string_view(t).substr(close + 2);
  } else {
    const auto colon = t.rfind(':');
    if (colon == std::string::npos || t.find(':') != colon) return std::nullopt;
    host = t.substr(0, colon);
    rest = std::string_view(t).substr(colon + 1);
  }
  int port = 0;
  const auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), port);
  if (host.empty() || ec != std::errc() || end != rest.data() + rest.size() || port < 1 || port > 65535 ||
      check_host(host))
    return std::nullopt;
  return std::pair{host, port};
}

int run_tcp(const TcpCommand& c) {
  const auto output = parse_probe_output(c.format);
  const auto timeout = parse_duration(c.timeout);
  if (!output || !timeout || *timeout <= 0) {
    std::fprintf(stderr, "slamon probe tcp: bad --format or --timeout\n");
    return kProbeUsageError;
  }
  std::vector<catalogue::Probe> probes;
  for (const auto& t : c.targets) {
    const auto hp = split_target(t);
    if (!hp) {
      std::fprintf(stderr, "slamon probe tcp: %s is not HOST:PORT or [V6]:PORT (a host name or address, a port 1-65535)\n",
                   quote_for_message(t).c_str());
      return kProbeUsageError;
    }
    catalogue::TcpSpec spec;
    spec.host = hp->first;
    spec.port = hp->second;
    if (!c.banner_contains.empty()) spec.banner_contains = c.banner_contains;
    if (!c.banner_regex.empty()) spec.banner_regex = c.banner_regex;
    catalogue::Probe p;
    p.id = t;
    p.type = catalogue::ProbeType::tcp;
    p.timeout_ms = *timeout;
    p.spec = spec;
    probes.push_back(std::move(p));
  }
  return run_and_print(probes, RunOnceOptions{}, *output, 1000);
}

}  // namespace

void add_probe_tcp_subcommand(CLI::App& probe, int& exit_code) {
  auto* cmd = probe.add_subcommand("tcp", "TCP connect to each HOST:PORT, with an optional expected banner");
  auto c = std::make_shared<TcpCommand>();
  cmd->add_option("targets", c->targets, "HOST:PORT or [V6]:PORT")->required();
  cmd->add_option("--banner-contains", c->banner_contains, "the banner (first 4 KiB) must contain this text");
  cmd->add_option("--banner-regex", c->banner_regex, "the banner must match this RE2 expression");
  cmd->add_option("--timeout", c->timeout, "bound of each run (default 5s; 1ms-1h)")->check(duration_in(1, kMaxRunDurationMs));
  cmd->add_option("--format", c->format, "text (default) or jsonl")->check(CLI::IsMember({"text", "jsonl"}));
  cmd->callback([c, &exit_code] { exit_code = run_tcp(*c); });
}

}  // namespace slamon::cli
