// The agent's local configuration file (agent.yaml): where the collectors are, who the agent is, its
// token and TLS files, where it keeps its spool and state, how much it logs. Loaded with the same
// error quality as the catalogue (file:line:col, unknown keys with a suggestion, missing files).
// docs/agent-config.md describes the file; config/agent.yaml is an example.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/catalogue/model.h"
#include "common/catalogue/parser.h"
#include "common/diagnostic.h"
#include "common/time.h"

namespace slamon {

// The daemon's spdlog loggers, the names `log_levels` takes.
inline constexpr std::array<std::string_view, 7> kAgentLoggers = {"agent",     "uplink",     "spool",     "probe.icmp",
                                                                  "probe.tcp", "probe.http", "probe.snmp"};

struct AgentTlsConfig {
  std::string ca_file;                     // absolute; verifies the collector's certificate
  std::optional<std::string> cert_file;    // client certificate (optional, with key_file)
  std::optional<std::string> key_file;
  std::optional<std::string> server_name;  // name to verify when it differs from the collector's host
  bool operator==(const AgentTlsConfig&) const = default;
};

// One collector the agent may send to: from "host:port" or "[v6]:port".
struct CollectorAddress {
  std::string host;
  int port = 0;
  // "host:port", "[v6]:port": as log lines name the collector.
  std::string text() const;
  bool operator==(const CollectorAddress&) const = default;
};

struct AgentConfig {
  // `collector: ADDRESS` (one) or `collectors: [ADDRESS, ...]` (failover, agent/uplink_logic.h's
  // CollectorChoice): never empty, no address twice.
  std::vector<CollectorAddress> collectors;
  std::string name;            // the agent's name in the catalogue, [a-z0-9._-]{1,64}
  std::string token_file;      // absolute path
  catalogue::Secret token;     // the file's content, trailing newline stripped; never logged
  AgentTlsConfig tls;
  std::string spool_dir = "/var/lib/slamon-agent/spool";  // absolute
  std::string state_dir = "/var/lib/slamon-agent";        // absolute
  std::map<std::string, std::string> log_levels;  // by logger name (kAgentLoggers): instead of log_level
  std::string log_level = "info";  // trace | debug | info | warn | error | critical | off
  std::optional<std::string> results_log;  // optional JSONL of this agent's own results
  // The spool's limits: past either, the oldest results are replaced by a gap record (agent/spool.h).
  std::uint64_t spool_max_bytes = 1024ull * 1024 * 1024;  // 1GiB: about a day of 10,000 probes at 60 s
  DurationMs spool_max_age_ms = 24LL * 3600 * 1000;       // 24h
  bool operator==(const AgentConfig&) const = default;
};

constexpr std::uint64_t kMinSpoolBytes = 16 * 1024;

// The addresses as one line: "a:1, b:2".
std::string collectors_text(const std::vector<CollectorAddress>& collectors);

// "1GiB", "500MiB", "200KB", "200000": bytes (binary units KiB..TiB, decimal KB..TB, B or none).
std::optional<std::uint64_t> parse_size(std::string_view text);

struct AgentConfigResult {
  std::optional<AgentConfig> config;  // set exactly when errors is empty
  std::vector<Diagnostic> errors;
};

// Relative paths in the file are relative to its folder.
AgentConfigResult load_agent_config(const std::filesystem::path& path, const catalogue::FileSource& files);

}  // namespace slamon
