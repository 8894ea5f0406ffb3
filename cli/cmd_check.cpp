// slamon check [CATALOGUE] [--agent-config FILE] [--collector-config FILE] [--format text|json]
// [--feasibility [--date YYYY-MM-DD]]: validates a catalogue (and optionally an agent configuration
// against it, and a collector configuration, whose catalogue is the one checked when CATALOGUE is not
// given) and prints a summary, or every error, one per line on stderr (text) or as a JSON object on
// stdout. Exit 0 when valid, 1 on any error. With --feasibility, a valid catalogue's SLAs are checked
// against the agreements underneath (docs/feasibility.md): exit 1 when one is not feasible or an
// agreement under it is flagged.
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "collector/engine/feasibility.h"
#include "collector/engine/feasibility_format.h"
#include "collector/engine/graph.h"
#include "collector/store/open_store.h"
#include "collector/session_logic.h"
#include "common/agent_config.h"
#include "common/catalogue/parser.h"
#include "common/catalogue/reader.h"
#include "common/collector_config.h"
#include "common/json_writer.h"

namespace slamon::cli {
namespace {

using namespace slamon::catalogue;

struct CheckOptions {
  std::string catalogue;
  std::string agent_config;
  std::string collector_config;
  std::string format = "text";
  bool feasibility = false;
  std::string date;  // YYYY-MM-DD; default today in UTC
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

void json_counts(JsonWriter& w, const std::map<std::string, std::size_t>& m, const std::vector<std::string>& order) {
  w.begin_object().key("total").value(static_cast<std::int64_t>(total(m)));
  for (const auto& k : order) w.key(k).value(static_cast<std::int64_t>(m.at(k)));
  w.end_object();
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
  if (!found->token_sha256.empty() && collector::sha256_hex(a.token.value()) != found->token_sha256.value())
    errors.push_back(Diagnostic{path, 0, 0, "agent config",
                                "the SHA-256 of token_file does not match token_sha256 of agent '" + a.name +
                                    "' in the catalogue"});
}

std::string format_store(const StoreLocation& s) {
  return (s.kind == StoreLocation::Kind::sqlite ? "sqlite " : "postgresql ") + store::shown_location(s);
}

// The representative period's date: --date, else today in UTC (the CLI reads the clock, not the engine).
LocalDate feasibility_date(const CheckOptions& o) {
  if (!o.date.empty()) return *parse_local_date(o.date);
  return LocalDate{std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now())};
}

// --feasibility on a valid catalogue: 1 when an SLA is not feasible or an agreement under it is flagged.
int run_feasibility(const CheckOptions& o, const Catalogue& cat) {
  const engine::Graph graph(cat, {});
  const LocalDate on = feasibility_date(o);
  const auto result = engine::check_feasibility(cat, graph, on);
  bool findings = false;
  for (const auto& f : result)
    findings = findings || f.verdict == engine::FeasibilityVerdict::not_feasible || f.flagged();
  if (o.format == "json") {
    JsonWriter w;
    w.begin_object().key("ok").value(true).key("catalogue").value(o.catalogue);
    w.key("date").value(format_local_date(on)).key("feasibility");
    engine::write_feasibility_json(w, result);
    w.end_object();
    std::printf("%s\n", w.str().c_str());
  } else {
    std::printf("%s: OK\n%s", o.catalogue.c_str(), engine::feasibility_text(result).c_str());
  }
  return findings ? 1 : 0;
}

int run_check(CheckOptions o) {
  DiskFileSource disk;
  std::vector<Diagnostic> errors;
  std::optional<CollectorConfig> collector;
  if (!o.collector_config.empty()) {
    auto cr = load_collector_config(o.collector_config, disk);
    errors.insert(errors.end(), cr.errors.begin(), cr.errors.end());
    collector = std::move(cr.config);
    if (collector && o.catalogue.empty()) {
      o.catalogue = collector->catalogue;
    } else if (collector) {
      std::error_code ec;
      if (!std::filesystem::equivalent(o.catalogue, collector->catalogue, ec))
        errors.push_back(Diagnostic{o.collector_config, 0, 0, "collector config",
                                    "it serves the catalogue " + collector->catalogue + ", not " + o.catalogue +
                                        " (give one of them, or the same file)"});
    }
  }
  if (o.catalogue.empty()) {
    if (errors.empty())
      errors.push_back(Diagnostic{"slamon check", 0, 0, "", "give a CATALOGUE, or --collector-config naming one"});
    for (const auto& e : errors) std::fprintf(stderr, "%s\n", format_diagnostic(e).c_str());
    std::fprintf(stderr, "%zu error%s\n", errors.size(), errors.size() == 1 ? "" : "s");
    return 1;
  }
  const LoadResult r = load_catalogue(o.catalogue, disk);
  errors.insert(errors.begin(), r.errors.begin(), r.errors.end());
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
      JsonWriter w;
      w.begin_object().key("ok").value(false).key("catalogue").value(o.catalogue).key("errors").begin_array();
      for (const auto& e : errors)
        w.begin_object()
            .key("file").value(e.file)
            .key("line").value(e.line)
            .key("col").value(e.col)
            .key("object").value(e.object)
            .key("message").value(e.message)
            .end_object();
      w.end_array().end_object();
      std::printf("%s\n", w.str().c_str());
    } else {
      for (const auto& e : errors) std::fprintf(stderr, "%s\n", format_diagnostic(e).c_str());
      std::fprintf(stderr, "%zu error%s\n", errors.size(), errors.size() == 1 ? "" : "s");
    }
    return 1;
  }
  if (o.feasibility) return run_feasibility(o, *r.catalogue);
  const Summary s = summarize(*r.catalogue);
  if (json) {
    JsonWriter w;
    w.begin_object().key("ok").value(true).key("catalogue").value(o.catalogue).key("summary").begin_object();
    w.key("agents").value(static_cast<std::int64_t>(s.agents)).key("cis").value(static_cast<std::int64_t>(s.cis));
    w.key("probes");
    json_counts(w, s.probes, kProbeOrder);
    w.key("services");
    json_counts(w, s.services, kServiceOrder);
    w.key("slas").value(static_cast<std::int64_t>(s.slas));
    w.key("agreements");
    json_counts(w, s.agreements, kAgreementOrder);
    w.key("maintenance");
    json_counts(w, s.maintenance, kMaintenanceOrder);
    w.end_object();
    if (agent) {
      w.key("agent_config").begin_object()
          .key("file").value(o.agent_config)
          .key("name").value(agent->name)
          .key("collector").value(agent->collectors.front().text())
          .key("collectors").begin_array();
      for (const auto& c : agent->collectors) w.value(c.text());
      w.end_array().end_object();
    }
    if (collector)
      w.key("collector_config").begin_object()
          .key("file").value(o.collector_config)
          .key("listen").value(collector->listen_host + ":" + std::to_string(collector->listen_port))
          .key("http_listen").value(collector->http.listen_host + ":" + std::to_string(collector->http.listen_port))
          .key("http_tls").value(collector->http.tls.has_value())
          .key("http_read_token").value(!collector->http.read_token_sha256.empty())
          .key("http_admin_token").value(!collector->http.admin_token_sha256.empty())
          .key("store").value(format_store(collector->store))
          .key("retention_ms").value(std::int64_t{collector->retention_ms})
          .key("clock_skew_limit_ms").value(std::int64_t{collector->clock_skew_limit_ms})
          .end_object();
    w.end_object();
    std::printf("%s\n", w.str().c_str());
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
    std::printf("%s: OK (agent %s, collector%s %s)\n", o.agent_config.c_str(), agent->name.c_str(),
                agent->collectors.size() > 1 ? "s" : "", collectors_text(agent->collectors).c_str());
  if (collector)
    std::printf("%s: OK (listen %s:%d, store %s, retention %s, clock skew limit %s, http %s:%d%s%s)\n",
                o.collector_config.c_str(), collector->listen_host.c_str(), collector->listen_port,
                format_store(collector->store).c_str(), format_duration(collector->retention_ms).c_str(),
                format_duration(collector->clock_skew_limit_ms).c_str(), collector->http.listen_host.c_str(),
                collector->http.listen_port, collector->http.tls ? " HTTPS" : "",
                collector->http.read_token_sha256.empty() ? " without a token" : " with a read token");
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
      "--feasibility: for each SLA, the availability ceiling the OLAs and UCs underneath can guarantee\n"
      "(all: product, any: 1 - prod(1 - a), quorum and min_percent exactly, a shared part counted once),\n"
      "its verdict (feasible, not feasible, unbacked parts), the parts no agreement covers with the\n"
      "availability each would need, every part's share of the error budget, and flags on agreements\n"
      "whose hours, period or policies do not cover the SLA's, or whose restore_within exceeds its\n"
      "max_outage. Exit status 1 when an SLA is not feasible or an agreement is flagged (unbacked parts\n"
      "alone give 0); a catalogue with errors is reported as without --feasibility.\n"
      "Examples:\n"
      "  slamon check config/example.yaml\n"
      "  slamon check /etc/slamon/catalogue.yaml --agent-config /etc/slamon/agent.yaml --format json\n"
      "  slamon check --collector-config /etc/slamon/collector.yaml\n"
      "  slamon check --feasibility config/example.yaml --date 2026-10-01 --format json\n"
      "See docs/catalogue.md, docs/feasibility.md, docs/agent-config.md and docs/collector-config.md.\n");
  cmd->add_option("CATALOGUE", opts->catalogue,
                  "The catalogue's root YAML file (default: the one --collector-config names)");
  cmd->add_option("--agent-config", opts->agent_config,
                  "Also check an agent configuration file, and that its agent and token match the catalogue");
  cmd->add_option("--collector-config", opts->collector_config,
                  "Also check a collector configuration file (collector.yaml); its catalogue is checked too");
  cmd->add_option("--format", opts->format, "Output format: text (default) or json")
      ->check(CLI::IsMember({"text", "json"}));
  auto* feasibility = cmd->add_flag("--feasibility", opts->feasibility,
                "Check each SLA's target against the agreements (OLAs, UCs) underneath, instead of the summary");
  cmd->add_option("--date", opts->date,
                  "With --feasibility: the representative period is each SLA's period containing this local "
                  "date, YYYY-MM-DD (default: today in UTC)")
      ->check(CLI::Validator(
          [](const std::string& v) { return parse_local_date(v) ? std::string() : "not a date YYYY-MM-DD: " + v; },
          "YYYY-MM-DD"))
      ->needs(feasibility);
  cmd->callback([opts, &exit_code] { exit_code = run_check(*opts); });
}

}  // namespace slamon::cli
