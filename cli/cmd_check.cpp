// slamon check CATALOGUE [--agent-config FILE] [--format text|json]: validates a catalogue (and
// optionally an agent configuration against it) and prints a summary, or every error, one per line
// on stderr (text) or as a JSON object on stdout. Exit 0 when valid, 1 on any error.
#include <CLI/CLI.hpp>
#include <openssl/evp.h>

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "common/agent_config.h"
#include "common/catalogue/parser.h"
#include "common/json_writer.h"

namespace slamon::cli {
namespace {

using namespace slamon::catalogue;

struct CheckOptions {
  std::string catalogue;
  std::string agent_config;
  std::string format = "text";
};

struct Summary {
  std::size_t agents = 0, cis = 0, slas = 0;
  std::map<std::string, std::size_t> probes{{"http", 0}, {"icmp", 0}, {"snmp", 0}, {"tcp", 0}};
  std::map<std::string, std::size_t> services{{"business", 0}, {"application", 0}, {"infrastructure", 0}, {"network", 0}};
  std::map<std::string, std::size_t> agreements{{"ola", 0}, {"uc", 0}};
  std::map<std::string, std::size_t> maintenance{{"recurring", 0}, {"one_off", 0}};
};

Summary summarize(const Catalogue& c) {
  Summary s;
  s.agents = c.agents.size();
  s.cis = c.cis.size();
  s.slas = c.slas.size();
  for (const auto& ci : c.cis)
    for (const auto& p : ci.probes) ++s.probes[std::string(to_string(p.type))];
  for (const auto& sv : c.services) ++s.services[std::string(to_string(sv.kind))];
  for (const auto& a : c.agreements) ++s.agreements[a.kind == AgreementKind::uc ? "uc" : "ola"];
  for (const auto& m : c.maintenance) ++s.maintenance[m.every ? "recurring" : "one_off"];
  return s;
}

std::size_t total(const std::map<std::string, std::size_t>& m) {
  std::size_t n = 0;
  for (const auto& [k, v] : m) n += v;
  return n;
}

// Keys in the order the spec lists them, for stable output.
const std::vector<std::string> kProbeOrder = {"http", "icmp", "snmp", "tcp"};
const std::vector<std::string> kServiceOrder = {"business", "application", "infrastructure", "network"};
const std::vector<std::string> kAgreementOrder = {"ola", "uc"};
const std::vector<std::string> kMaintenanceOrder = {"recurring", "one_off"};

std::string breakdown(const std::map<std::string, std::size_t>& m, const std::vector<std::string>& order) {
  std::string out;
  for (const auto& k : order) {
    out += out.empty() ? "" : ", ";
    out += (k == "one_off" ? std::string("one-off") : k) + " " + std::to_string(m.at(k));
  }
  return out;
}

// A JSON string literal (common/json_writer.h escapes it as every JSON output of slamon does).
std::string json_string(std::string_view s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

std::string json_counts(const std::map<std::string, std::size_t>& m, const std::vector<std::string>& order) {
  std::string out = "{\"total\": " + std::to_string(total(m));
  for (const auto& k : order) out += ", " + json_string(k) + ": " + std::to_string(m.at(k));
  return out + "}";
}

std::string sha256_hex(const std::string& data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  std::string out;
  char buf[4];
  for (unsigned int i = 0; i < len; ++i) {
    std::snprintf(buf, sizeof buf, "%02x", md[i]);
    out += buf;
  }
  return out;
}

// Checks the agent configuration against the catalogue: the agent exists, and its token matches.
void cross_check(const AgentConfig& a, const std::string& path, const Catalogue& c, std::vector<Diagnostic>& errors) {
  const Agent* found = nullptr;
  for (const auto& x : c.agents)
    if (x.name == a.name) found = &x;
  if (found == nullptr) {
    errors.push_back(Diagnostic{path, 0, 0, "agent config", "agent '" + a.name + "' is not in the catalogue's agents"});
    return;
  }
  if (!found->token_sha256.empty() && sha256_hex(a.token.value()) != found->token_sha256.value())
    errors.push_back(Diagnostic{path, 0, 0, "agent config",
                                "the SHA-256 of token_file does not match token_sha256 of agent '" + a.name +
                                    "' in the catalogue"});
}

int run_check(const CheckOptions& o) {
  DiskFileSource disk;
  const LoadResult r = load_catalogue(o.catalogue, disk);
  std::vector<Diagnostic> errors = r.errors;
  std::optional<AgentConfig> agent;
  if (!o.agent_config.empty()) {
    auto ar = load_agent_config(o.agent_config, disk);
    errors.insert(errors.end(), ar.errors.begin(), ar.errors.end());
    agent = std::move(ar.config);
    if (agent && r.catalogue) cross_check(*agent, o.agent_config, *r.catalogue, errors);
  }
  const bool json = o.format == "json";
  if (!errors.empty()) {
    if (json) {
      std::string out = "{\"ok\": false, \"catalogue\": " + json_string(o.catalogue) + ", \"errors\": [";
      for (std::size_t i = 0; i < errors.size(); ++i) {
        const auto& e = errors[i];
        out += std::string(i ? ", " : "") + "{\"file\": " + json_string(e.file) + ", \"line\": " +
               std::to_string(e.line) + ", \"col\": " + std::to_string(e.col) + ", \"object\": " +
               json_string(e.object) + ", \"message\": " + json_string(e.message) + "}";
      }
      std::printf("%s]}\n", out.c_str());
    } else {
      for (const auto& e : errors) std::fprintf(stderr, "%s\n", format_diagnostic(e).c_str());
      std::fprintf(stderr, "%zu error%s\n", errors.size(), errors.size() == 1 ? "" : "s");
    }
    return 1;
  }
  const Summary s = summarize(*r.catalogue);
  if (json) {
    std::string out = "{\"ok\": true, \"catalogue\": " + json_string(o.catalogue) + ", \"summary\": {";
    out += "\"agents\": " + std::to_string(s.agents) + ", \"cis\": " + std::to_string(s.cis) +
           ", \"probes\": " + json_counts(s.probes, kProbeOrder) +
           ", \"services\": " + json_counts(s.services, kServiceOrder) + ", \"slas\": " + std::to_string(s.slas) +
           ", \"agreements\": " + json_counts(s.agreements, kAgreementOrder) +
           ", \"maintenance\": " + json_counts(s.maintenance, kMaintenanceOrder) + "}";
    if (agent)
      out += ", \"agent_config\": {\"file\": " + json_string(o.agent_config) + ", \"name\": " +
             json_string(agent->name) + ", \"collector\": " +
             json_string(agent->collector_host + ":" + std::to_string(agent->collector_port)) + "}";
    std::printf("%s}\n", out.c_str());
    return 0;
  }
  std::printf("%s: OK\n", o.catalogue.c_str());
  std::printf("  agents:              %zu\n", s.agents);
  std::printf("  CIs:                 %zu\n", s.cis);
  std::printf("  probes:              %zu (%s)\n", total(s.probes), breakdown(s.probes, kProbeOrder).c_str());
  std::printf("  services:            %zu (%s)\n", total(s.services), breakdown(s.services, kServiceOrder).c_str());
  std::printf("  SLAs:                %zu\n", s.slas);
  std::printf("  agreements:          %zu (%s)\n", total(s.agreements),
              breakdown(s.agreements, kAgreementOrder).c_str());
  std::printf("  maintenance windows: %zu (%s)\n", total(s.maintenance),
              breakdown(s.maintenance, kMaintenanceOrder).c_str());
  if (agent)
    std::printf("%s: OK (agent %s, collector %s:%d)\n", o.agent_config.c_str(), agent->name.c_str(),
                agent->collector_host.c_str(), agent->collector_port);
  return 0;
}

}  // namespace

void add_check_command(CLI::App& app, int& exit_code) {
  auto opts = std::make_shared<CheckOptions>();
  auto* cmd = app.add_subcommand(
      "check",
      "Validate a catalogue (and its includes and secret files) and print a summary, or every error");
  cmd->footer(
      "Errors are printed one per line as FILE:LINE:COL: error: OBJECT: MESSAGE, all of them at once.\n"
      "Exit status: 0 when the catalogue is valid, 1 on any error.\n"
      "Examples:\n"
      "  slamon check config/example.yaml\n"
      "  slamon check /etc/slamon/catalogue.yaml --agent-config /etc/slamon/agent.yaml --format json\n"
      "See docs/catalogue.md and docs/agent-config.md.\n");
  cmd->add_option("CATALOGUE", opts->catalogue, "The catalogue's root YAML file")->required();
  cmd->add_option("--agent-config", opts->agent_config,
                  "Also check an agent configuration file, and that its agent and token match the catalogue");
  cmd->add_option("--format", opts->format, "Output format: text (default) or json")
      ->check(CLI::IsMember({"text", "json"}));
  cmd->callback([opts, &exit_code] { exit_code = run_check(*opts); });
}

}  // namespace slamon::cli
