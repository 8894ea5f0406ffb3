// slamon probe http URL [--method M] [--header "Name: value"]... [--body S] [--follow-redirects]
// [--expect-status 200,301-302] [--body-contains S] [--body-not-contains S] [--body-regex RE]
// [--cert-min-days N] [--ca-file F] [--insecure] [--server-name NAME] [--ip-version 4|6|any]
// [--timeout D] [--degraded-if M=LIMIT]... [--down-if M=LIMIT]... [--format text|jsonl]:
// one HTTP(S) probe run once, printed as text or as a results JSONL line.
// Exit status: 0 when the result is up, 1 when it is not, 2 on a usage error.
#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdio>
#include <optional>

#include "cli/option_checks.h"
#include "cli/probe_commands.h"
#include "cli/probe_once.h"
#include "common/time.h"

namespace slamon::cli {
namespace {

struct HttpCommand {
  std::string url;
  std::string method = "GET";
  std::vector<std::string> headers;
  std::optional<std::string> body;
  bool follow_redirects = false;
  std::vector<std::string> expect_status;
  std::optional<std::string> body_contains, body_not_contains, body_regex;
  std::optional<int> cert_min_days;
  std::optional<std::string> ca_file;
  bool insecure = false;
  std::optional<std::string> server_name;
  std::string ip_version = "any";
  std::string timeout = "5s";
  std::vector<std::string> degraded_if, down_if;
  std::string id = "adhoc.http";
  std::string format = "text";
};

// "200", "200-399", comma lists of them.
bool parse_status_list(const std::string& text, std::vector<catalogue::StatusRange>& out) {
  std::size_t pos = 0;
  while (pos <= text.size()) {
    const auto comma = text.find(',', pos);
    const std::string item = text.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    int lo = 0, hi = 0;
    char extra = 0;
    if (std::sscanf(item.c_str(), "%d-%d%c", &lo, &hi, &extra) == 2) {
    } else if (std::sscanf(item.c_str(), "%d%c", &lo, &extra) == 1) {
      hi = lo;
    } else {
      return false;
    }
    if (lo < 100 || hi > 599 || lo > hi) return false;
    out.push_back({lo, hi});
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  return true;
}

bool parse_thresholds(const std::vector<std::string>& items, std::vector<catalogue::Threshold>& out) {
  for (const auto& item : items) {
    const auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0) return false;
    char* end = nullptr;
    const std::string value = item.substr(eq + 1);
    const double limit = std::strtod(value.c_str(), &end);
    if (value.empty() || *end != 0 || !std::isfinite(limit)) return false;
    out.push_back({item.substr(0, eq), limit});
  }
  return true;
}

int run_http(const HttpCommand& c) {
  const auto usage = [](const char* what) {
    std::fprintf(stderr, "slamon probe http: %s\n", what);
    return 2;
  };
  if (c.url.rfind("http://", 0) != 0 && c.url.rfind("https://", 0) != 0) return usage("URL must start with http:// or https://");
  const auto timeout = parse_duration(c.timeout);
  if (!timeout || *timeout <= 0) return usage("bad --timeout (a duration like 5s or 500ms)");
  catalogue::Probe p;
  p.id = c.id;
  p.type = catalogue::ProbeType::http;
  p.timeout_ms = *timeout;
  if (!parse_thresholds(c.degraded_if, p.degraded_if) || !parse_thresholds(c.down_if, p.down_if))
    return usage("bad --degraded-if/--down-if (MEASUREMENT=LIMIT, e.g. latency_ms=500)");
  catalogue::HttpSpec s;
  s.url = c.url;
  s.method = c.method;
  for (const auto& h : c.headers) {
    const auto colon = h.find(':');
    if (colon == std::string::npos || colon == 0) return usage("bad --header (\"Name: value\")");
    std::string value = h.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    s.headers.emplace_back(h.substr(0, colon), value);
  }
  s.body = c.body;
  s.follow_redirects = c.follow_redirects;
  if (!c.expect_status.empty()) {
    s.expect_status.clear();
    for (const auto& e : c.expect_status)
      if (!parse_status_list(e, s.expect_status)) return usage("bad --expect-status (e.g. 200,301-302)");
  }
  s.body_contains = c.body_contains;
  s.body_not_contains = c.body_not_contains;
  s.body_regex = c.body_regex;
  s.cert_min_days = c.cert_min_days;
  s.tls_ca_file = c.ca_file;
  s.tls_verify = !c.insecure;
  s.tls_server_name = c.server_name;
  s.ip_version = c.ip_version == "4"   ? catalogue::IpVersion::v4
                 : c.ip_version == "6" ? catalogue::IpVersion::v6
                                       : catalogue::IpVersion::any;
  p.spec = s;

  return run_and_print({p}, RunOnceOptions{}, parse_probe_output(c.format).value_or(ProbeOutput::text));
}

}  // namespace

void add_probe_http_subcommand(CLI::App& probe, int& exit_code) {
  auto* cmd = probe.add_subcommand("http", "HTTP(S) request over a fresh connection: status, body, certificate");
  auto c = std::make_shared<HttpCommand>();
  cmd->add_option("url", c->url, "http:// or https:// URL");
  cmd->add_option("--method", c->method, "request method (default GET)");
  cmd->add_option("--header", c->headers, "request header \"Name: value\" (repeatable)");
  cmd->add_option("--body", c->body, "request body");
  cmd->add_flag("--follow-redirects", c->follow_redirects, "follow redirects (at most 10)");
  cmd->add_option("--expect-status", c->expect_status, "accepted statuses: codes and ranges (default 200-399)");
  cmd->add_option("--body-contains", c->body_contains, "the body must contain this text");
  cmd->add_option("--body-not-contains", c->body_not_contains, "the body must not contain this text");
  cmd->add_option("--body-regex", c->body_regex, "the body must match this RE2 expression");
  cmd->add_option("--cert-min-days", c->cert_min_days, "degraded when a certificate expires sooner (0-100000 days)")
      ->check(CLI::Range(0, 100'000));
  cmd->add_option("--ca-file", c->ca_file, "CA certificates (PEM) to verify the server with");
  cmd->add_flag("--insecure", c->insecure, "do not verify the server's certificate");
  cmd->add_option("--server-name", c->server_name, "TLS server name (SNI, verification, Host) instead of the URL's");
  cmd->add_option("--ip-version", c->ip_version, "4, 6 or any (default)")->check(CLI::IsMember({"4", "6", "any"}));
  cmd->add_option("--timeout", c->timeout, "bound of the whole run (default 5s; 1ms-1h)")
      ->check(duration_in(1, kMaxRunDurationMs));
  cmd->add_option("--degraded-if", c->degraded_if, "MEASUREMENT=LIMIT, e.g. latency_ms=500 (repeatable)");
  cmd->add_option("--down-if", c->down_if, "MEASUREMENT=LIMIT (repeatable)");
  cmd->add_option("--id", c->id, "probe id printed in the result (default adhoc.http)");
  cmd->add_option("--format", c->format, "text (default) or jsonl")->check(CLI::IsMember({"text", "jsonl"}));
  cmd->callback([c, &exit_code] { exit_code = run_http(*c); });
}

}  // namespace slamon::cli
