// slamon probe icmp HOST... [--count N] [--spacing D] [--size B] [--timeout D] [--targets-file FILE]
// [--ip-version 4|6|any] [--rate N] [--format text|jsonl]: ICMP echo to each target once; a targets
// file holds one address or name per line (blank lines and '#' comments skipped), for sweeps. Text
// output beyond 1,000 targets is a summary. A target that is neither an address nor a host name (on
// the command line, or a line of the targets file) is a usage error with its place, as is any option
// outside its range: exit 2 before anything is sent.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <sstream>

#include "cli/option_checks.h"
#include "cli/probe_commands.h"
#include "cli/probe_once.h"
#include "cli/targets.h"
#include "common/small_file.h"
#include "probes/codec/icmp_packet.h"

namespace slamon::cli {
namespace {

struct IcmpCommand {
  std::vector<std::string> hosts;
  std::string targets_file;
  int count = 3;
  std::string spacing = "200ms";
  int size = 56;
  std::string timeout = "5s";
  std::string ip_version = "any";
  double rate = 10'000;
  std::string socket = "auto";
  std::size_t parallel = 2'000;
  std::string format = "text";
};

constexpr std::size_t kSummaryOver = 1000;
// Bad lines of a targets file printed before "... and N more".
constexpr std::size_t kMaxErrorsShown = 20;
// The most targets probed at once (each holds a coroutine and its timers until it ends).
constexpr std::size_t kMaxParallel = 1'000'000;

int run_icmp(const IcmpCommand& c) {
  const auto output = parse_probe_output(c.format);
  const auto spacing = parse_duration(c.spacing);
  const auto timeout = parse_duration(c.timeout);
  if (!output || !spacing || !timeout || *timeout <= 0) {
    std::fprintf(stderr, "slamon probe icmp: bad --format, --spacing or --timeout (durations like 200ms, 5s)\n");
    return kProbeUsageError;
  }
  std::vector<std::string> targets = c.hosts;
  for (const auto& h : c.hosts)
    if (auto why = check_host(h)) {
      std::fprintf(stderr, "slamon probe icmp: %s\n", why->c_str());
      return kProbeUsageError;
    }
  if (!c.targets_file.empty()) {
    // A regular file of at most 16 MiB (common/small_file.h): a FIFO or device is refused, never read.
    const auto file = read_small_file(c.targets_file, kMaxTargetsFileBytes);
    if (!file.bytes) {
      std::fprintf(stderr, "slamon probe icmp: cannot read %s: %s\n", c.targets_file.c_str(), file.error.c_str());
      return kProbeUsageError;
    }
    auto list = parse_targets_file(*file.bytes, c.targets_file);
    if (!list.errors.empty()) {
      for (std::size_t i = 0; i < list.errors.size() && i < kMaxErrorsShown; ++i)
        std::fprintf(stderr, "%s\n", list.errors[i].c_str());
      if (list.errors.size() > kMaxErrorsShown)
        std::fprintf(stderr, "%s: ... and %zu more bad lines\n", c.targets_file.c_str(), list.errors.size() - kMaxErrorsShown);
      return kProbeUsageError;
    }
    targets.insert(targets.end(), std::make_move_iterator(list.targets.begin()), std::make_move_iterator(list.targets.end()));
  }
  if (targets.empty()) {
    std::fprintf(stderr, "slamon probe icmp: no target (give HOST... or --targets-file)\n");
    return kProbeUsageError;
  }
  catalogue::IcmpSpec spec;
  spec.count = c.count;
  spec.spacing_ms = *spacing;
  spec.size = c.size;
  spec.ip_version = c.ip_version == "4"   ? catalogue::IpVersion::v4
                    : c.ip_version == "6" ? catalogue::IpVersion::v6
                                          : catalogue::IpVersion::any;
  catalogue::Probe base;
  base.type = catalogue::ProbeType::icmp;
  base.timeout_ms = *timeout;
  base.down_if = {{"loss_percent", 100}};
  auto make = [&](std::size_t i) {
    catalogue::Probe p = base;
    p.id = targets[i];
    spec.target = targets[i];
    p.spec = spec;
    return p;
  };
  RunOnceOptions run;
  run.max_in_flight = c.parallel;
  run.runners.icmp.max_sends_per_s = c.rate;
  run.runners.icmp.socket_mode = c.socket == "raw"        ? probes::IcmpOptions::SocketMode::raw
                                 : c.socket == "datagram" ? probes::IcmpOptions::SocketMode::datagram
                                                          : probes::IcmpOptions::SocketMode::automatic;
  return run_and_print(targets.size(), make, run, *output, kSummaryOver);
}

}  // namespace

void add_probe_icmp_subcommand(CLI::App& probe, int& exit_code) {
  auto* cmd = probe.add_subcommand("icmp", "ICMP echo (ping) to each target");
  auto c = std::make_shared<IcmpCommand>();
  cmd->add_option("hosts", c->hosts, "addresses or names");
  cmd->add_option("--targets-file", c->targets_file, "file with one target per line (sweeps)");
  cmd->add_option("--count", c->count, "echo requests per target (1-100; default 3)")->check(CLI::Range(1, 100));
  cmd->add_option("--spacing", c->spacing, "time between one target's requests (default 200ms; at most 1h)")
      ->check(duration_in(0, kMaxRunDurationMs));
  cmd->add_option("--size", c->size, "payload bytes (default 56; 0-65000, raised to 8)")
      ->check(CLI::Range(0, static_cast<int>(probes::icmp::kMaxPayloadBytes)));
  cmd->add_option("--timeout", c->timeout, "bound of each target's run (default 5s; 1ms-1h)")
      ->check(duration_in(1, kMaxRunDurationMs));
  cmd->add_option("--ip-version", c->ip_version, "4, 6 or any (default)")->check(CLI::IsMember({"4", "6", "any"}));
  cmd->add_option("--rate", c->rate, "echo requests per second, all targets together (default 10000; 0: no limit)")
      ->check(finite_in(0, 1e9));
  cmd->add_option("--parallel", c->parallel,
                  "targets probed at once (default 2000; 1-1000000; raise it for sweeps where many targets do "
                  "not answer, as each of those holds its place until --timeout)")
      ->check(CLI::Range(std::size_t{1}, kMaxParallel));
  cmd->add_option("--socket", c->socket, "auto (ping socket, else raw), datagram or raw")
      ->check(CLI::IsMember({"auto", "datagram", "raw"}));
  cmd->add_option("--format", c->format, "text (default) or jsonl")->check(CLI::IsMember({"text", "jsonl"}));
  cmd->callback([c, &exit_code] { exit_code = run_icmp(*c); });
}

}  // namespace slamon::cli
