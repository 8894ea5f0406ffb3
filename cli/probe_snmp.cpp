// slamon probe snmp [--version 1|2c|3] [--community C | --community-file F] [--user U
// --security-level L --auth-protocol P --auth-password-file F --priv-protocol P --priv-password-file F
// --context C] [--port P] [--retries N] [--max-repetitions N] [--walk] [--equals V] [--not-equals V]
// [--min X] [--max X] [--all-equal V] [--min-rows N] [--mib-dir D]... [--timeout D]
// [--format text|jsonl] HOST OID...: one SNMP probe run once, for trying a probe before it goes into
// the catalogue. Text output prints the values fetched under the result line; secrets only come
// from files (or --community) and are never printed.
// Exit status: 0 when the result is up, 1 when it is not, 2 on a usage error.
#include <CLI/CLI.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <cmath>
#include <cstdio>
#include <optional>

#include "cli/option_checks.h"
#include "cli/probe_commands.h"
#include "cli/probe_once.h"
#include "cli/targets.h"
#include "common/results_jsonl.h"
#include "common/small_file.h"
#include "probes/snmp.h"

namespace slamon::cli {
namespace {

struct SnmpCommand {
  std::string host;
  std::vector<std::string> oids;
  std::string version = "2c";
  std::optional<std::string> community, community_file;
  std::string user;
  std::string security_level = "noAuthNoPriv";
  std::optional<std::string> auth_protocol, auth_password_file, priv_protocol, priv_password_file;
  std::string context;
  int port = 161;
  int retries = 1;
  int max_repetitions = 25;
  bool walk = false;
  std::optional<std::string> equals, not_equals, all_equal;
  std::optional<double> min, max;
  std::optional<int> min_rows;
  std::vector<std::string> mib_dirs;
  std::string timeout = "5s";
  std::string id = "adhoc.snmp";
  std::string format = "text";
};

// A value written on the command line: a number when it reads fully as one.
catalogue::SnmpValue value_of(const std::string& text) {
  catalogue::SnmpValue v;
  v.text = text;
  char* end = nullptr;
  const double d = std::strtod(text.c_str(), &end);
  if (!text.empty() && end && *end == 0 && std::isfinite(d)) {
    v.numeric = true;
    v.number = d;
  }
  return v;
}

// A secret file through the same checks as the catalogue's (common/small_file.h): a regular file of
// at most 64 KiB, one line, no NUL byte. The error says which file and why.
std::optional<std::string> read_secret(const std::string& path, std::string& error) {
  auto f = read_secret_file(path);
  if (!f.bytes) error = "cannot read " + path + ": " + f.error;
  return std::move(f.bytes);
}

template <typename E>
std::optional<E> lookup(const std::string& text, std::initializer_list<std::pair<const char*, E>> table) {
  for (const auto& [name, value] : table)
    if (text == name) return value;
  return std::nullopt;
}

int run_snmp(const SnmpCommand& c) {
  const auto usage = [](const std::string& what) {
    std::fprintf(stderr, "slamon probe snmp: %s\n", what.c_str());
    return 2;
  };
  const auto timeout = parse_duration(c.timeout);
  if (!timeout || *timeout <= 0) return usage("bad --timeout (a duration like 5s or 500ms)");
  if (c.host.empty() || c.oids.empty()) return usage("give HOST and at least one OID");
  if (auto why = check_host(c.host)) return usage(*why);
  catalogue::SnmpSpec s;
  s.target = c.host;
  s.port = c.port;
  s.retries = c.retries;
  s.max_repetitions = c.max_repetitions;
  using V = catalogue::SnmpVersion;
  s.version = *lookup<V>(c.version, {{"1", V::v1}, {"2c", V::v2c}, {"3", V::v3}});
  if (s.version != V::v3) {
    if (c.community_file) {
      std::string why;
      auto secret = read_secret(*c.community_file, why);
      if (!secret) return usage(why);
      s.community = catalogue::Secret(*secret, *c.community_file);
    } else if (c.community) {
      s.community = catalogue::Secret(*c.community, "");
    } else {
      return usage("v1/v2c need --community-file F (or --community C)");
    }
  } else {
    using L = catalogue::SnmpSecurityLevel;
    using A = catalogue::SnmpAuthProtocol;
    using P = catalogue::SnmpPrivProtocol;
    if (c.user.empty()) return usage("v3 needs --user");
    s.user = c.user;
    s.context = c.context;
    const auto level = lookup<L>(c.security_level,
                                 {{"noAuthNoPriv", L::noAuthNoPriv}, {"authNoPriv", L::authNoPriv}, {"authPriv", L::authPriv}});
    if (!level) return usage("--security-level is noAuthNoPriv, authNoPriv or authPriv");
    s.security_level = *level;
    if (*level != L::noAuthNoPriv) {
      s.auth_protocol = lookup<A>(c.auth_protocol.value_or("SHA"), {{"MD5", A::MD5}, {"SHA", A::SHA}, {"SHA-224", A::SHA224},
                                                                    {"SHA-256", A::SHA256}, {"SHA-384", A::SHA384},
                                                                    {"SHA-512", A::SHA512}});
      if (!s.auth_protocol) return usage("--auth-protocol is MD5, SHA, SHA-224, SHA-256, SHA-384 or SHA-512");
      if (!c.auth_password_file) return usage(c.security_level + " needs --auth-password-file");
      std::string why;
      auto secret = read_secret(*c.auth_password_file, why);
      if (!secret) return usage(why);
      s.auth_password = catalogue::Secret(*secret, *c.auth_password_file);
    }
    if (*level == L::authPriv) {
      s.priv_protocol = lookup<P>(c.priv_protocol.value_or("AES"), {{"DES", P::DES}, {"AES", P::AES}, {"AES-192", P::AES192},
                                                                    {"AES-256", P::AES256}, {"AES-192C", P::AES192C},
                                                                    {"AES-256C", P::AES256C}});
      if (!s.priv_protocol) return usage("--priv-protocol is DES, AES, AES-192, AES-256, AES-192C or AES-256C");
      if (!c.priv_password_file) return usage("authPriv needs --priv-password-file");
      std::string why;
      auto secret = read_secret(*c.priv_password_file, why);
      if (!secret) return usage(why);
      s.priv_password = catalogue::Secret(*secret, *c.priv_password_file);
    }
  }
  std::optional<catalogue::SnmpExpect> expect;
  if (c.equals || c.not_equals || c.min || c.max || c.all_equal || c.min_rows) {
    catalogue::SnmpExpect e;
    if (c.equals) e.equals = value_of(*c.equals);
    if (c.not_equals) e.not_equals = value_of(*c.not_equals);
    e.min = c.min;
    e.max = c.max;
    if ((c.all_equal || c.min_rows) && !c.walk) return usage("--all-equal and --min-rows need --walk");
    if (c.all_equal) e.all_equal = value_of(*c.all_equal);
    e.min_rows = c.min_rows;
    expect = e;
  }
  for (const auto& o : c.oids) (c.walk ? s.walk : s.get).push_back({o, expect, {}});

  catalogue::Probe p;
  p.id = c.id;
  p.type = catalogue::ProbeType::snmp;
  p.timeout_ms = *timeout;
  p.spec = s;

  boost::asio::io_context io(1);
  probes::SnmpRunnerOptions options;
  options.mib_dirs = c.mib_dirs;
  auto runner = probes::make_snmp_runner(io.get_executor(), options, nullptr);
  std::optional<probes::SnmpRun> run;
  boost::asio::co_spawn(io, runner->fetch(p, SystemClock().now_ms()), [&](std::exception_ptr e, probes::SnmpRun r) {
    if (!e) run = std::move(r);
  });
  io.run();
  if (!run) return usage("internal error");
  if (c.format == "jsonl") {
    std::fputs(format_result_line(run->result).c_str(), stdout);
  } else {
    std::printf("%s\n", format_result_text(run->result).c_str());
    for (const auto& v : run->values) std::printf("  %s = %s\n", v.oid.c_str(), probes::describe(v).c_str());
  }
  return run->result.status == Status::up ? 0 : 1;
}

}  // namespace

void add_probe_snmp_subcommand(CLI::App& probe, int& exit_code) {
  auto* cmd = probe.add_subcommand("snmp", "SNMP GETs or walks (v1, v2c, v3), printing the values fetched");
  auto c = std::make_shared<SnmpCommand>();
  cmd->add_option("host", c->host, "agent address or name");
  cmd->add_option("oids", c->oids, "numeric OIDs, or MIB names when the MIB is loaded");
  cmd->add_option("--version", c->version, "1, 2c (default) or 3")->check(CLI::IsMember({"1", "2c", "3"}));
  cmd->add_option("--community", c->community, "community (v1, v2c); prefer --community-file");
  cmd->add_option("--community-file", c->community_file, "file holding the community (v1, v2c)");
  cmd->add_option("--user", c->user, "v3 user");
  cmd->add_option("--security-level", c->security_level, "noAuthNoPriv (default), authNoPriv or authPriv");
  cmd->add_option("--auth-protocol", c->auth_protocol, "MD5, SHA (default), SHA-224, SHA-256, SHA-384, SHA-512");
  cmd->add_option("--auth-password-file", c->auth_password_file, "file holding the v3 authentication password");
  cmd->add_option("--priv-protocol", c->priv_protocol, "DES, AES (default), AES-192, AES-256, AES-192C, AES-256C");
  cmd->add_option("--priv-password-file", c->priv_password_file, "file holding the v3 privacy password");
  cmd->add_option("--context", c->context, "v3 context name");
  cmd->add_option("--port", c->port, "UDP port (default 161; 1-65535)")->check(CLI::Range(1, 65535));
  cmd->add_option("--retries", c->retries, "retransmissions per request (default 1; 0-10)")->check(CLI::Range(0, 10));
  cmd->add_option("--max-repetitions", c->max_repetitions, "GETBULK size for walks (default 25; 1-1000)")
      ->check(CLI::Range(1, 1000));
  cmd->add_flag("--walk", c->walk, "walk each OID's subtree instead of GETting it");
  cmd->add_option("--equals", c->equals, "expect every value to equal this (numbers compare as numbers)");
  cmd->add_option("--not-equals", c->not_equals, "expect no value to equal this");
  cmd->add_option("--min", c->min, "expect every value to be at least this")->check(finite_number());
  cmd->add_option("--max", c->max, "expect every value to be at most this")->check(finite_number());
  cmd->add_option("--all-equal", c->all_equal, "walks: expect every row to equal this");
  cmd->add_option("--min-rows", c->min_rows, "walks: expect at least this many rows (0-1000000)")
      ->check(CLI::Range(0, 1'000'000));
  cmd->add_option("--mib-dir", c->mib_dirs, "folder of MIB files to load (repeatable)");
  cmd->add_option("--timeout", c->timeout, "bound of the whole run (default 5s; 1ms-1h)")
      ->check(duration_in(1, kMaxRunDurationMs));
  cmd->add_option("--id", c->id, "probe id printed in the result (default adhoc.snmp)");
  cmd->add_option("--format", c->format, "text (default) or jsonl")->check(CLI::IsMember({"text", "jsonl"}));
  cmd->callback([c, &exit_code] { exit_code = run_snmp(*c); });
}

}  // namespace slamon::cli
