// The catalogue writer: block style for objects, flow style for small maps and lists, strings plain
// when YAML reads them back unchanged and double-quoted otherwise.
#include "common/catalogue/writer.h"

#include <charconv>
#include <cstdio>

#include "common/catalogue/hours.h"
#include "common/catalogue/reader.h"

namespace slamon::catalogue {
namespace {

bool plain_safe(std::string_view s) {
  if (s.empty() || s == "null" || s == "Null" || s == "NULL" || s == "~") return false;
  const char c0 = s[0];
  if (!((c0 >= 'a' && c0 <= 'z') || (c0 >= 'A' && c0 <= 'Z') || (c0 >= '0' && c0 <= '9') || c0 == '_' || c0 == '/'))
    return false;
  for (const char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
          c == '-' || c == '/' || c == '+'))
      return false;
  return true;
}

std::string q(std::string_view s) {
  if (plain_safe(s)) return std::string(s);
  std::string out = "\"";
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char ch = s[i];
    const auto c = static_cast<unsigned char>(ch);
    // YAML reads NEL, LS, PS as line breaks and a BOM as nothing: escape them (UTF-8 kept as is).
    const std::string_view rest = s.substr(i);
    if (rest.starts_with("\xC2\x85")) { out += "\\u0085"; ++i; continue; }
    if (rest.starts_with("\xE2\x80\xA8")) { out += "\\u2028"; i += 2; continue; }
    if (rest.starts_with("\xE2\x80\xA9")) { out += "\\u2029"; i += 2; continue; }
    if (rest.starts_with("\xEF\xBB\xBF")) { out += "\\ufeff"; i += 2; continue; }
    switch (ch) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02x", c);
          out += buf;
        } else {
          out += ch;
        }
    }
  }
  return out + "\"";
}

std::string num(double v) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  std::string s(buf, r.ptr);
  if (s.find_first_of("eE") != std::string::npos) {  // the reader takes fixed notation only
    char big[400];
    std::snprintf(big, sizeof big, "%.17f", v);
    s = big;
    while (!s.empty() && s.back() == '0') s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
  }
  return s;
}

std::string dur(DurationMs d) { return format_duration_single_unit(d); }

std::string flow_map(const std::vector<std::pair<std::string, std::string>>& kv) {
  std::string out = "{";
  for (std::size_t i = 0; i < kv.size(); ++i) out += (i ? ", " : "") + q(kv[i].first) + ": " + q(kv[i].second);
  return out + "}";
}

std::string flow_map(const std::map<std::string, std::string>& m) {
  return flow_map(std::vector<std::pair<std::string, std::string>>(m.begin(), m.end()));
}

std::string flow_list(const std::vector<std::string>& items, bool quote = true) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + (quote ? q(items[i]) : items[i]);
  return out + "]";
}

std::string rule_text(const Rule& r) {
  switch (r.kind) {
    case Rule::Kind::all: return "all";
    case Rule::Kind::any: return "any";
    case Rule::Kind::quorum: return "{quorum: " + std::to_string(r.quorum) + "}";
    case Rule::Kind::min_percent: return "{min_percent: " + format_decimal4(r.min_percent) + "}";
  }
  return "all";
}

std::string thresholds(const std::vector<Threshold>& t) {
  std::string out = "{";
  for (std::size_t i = 0; i < t.size(); ++i) out += (i ? ", " : "") + t[i].measurement + ": " + num(t[i].limit);
  return out + "}";
}

std::string hours_text(const ServiceHours& h) { return flow_list(format_service_hours(h)); }

std::string ip_text(IpVersion v) { return v == IpVersion::v4 ? "4" : v == IpVersion::v6 ? "6" : "any"; }

std::string snmp_value(const SnmpValue& v) {
  if (v.numeric) return v.text;
  std::string s = q(v.text);
  if (s.front() != '"') s = "\"" + s + "\"";  // keep it a string when read back
  return s;
}

class Out {
 public:
  explicit Out(const WriteOptions& o) : opt_(o) {}
  void line(int indent, const std::string& text) {
    s_.append(static_cast<std::size_t>(indent), ' ');
    s_ += text;
    s_ += '\n';
  }
  void kv(int indent, std::string_view key, const std::string& value) { line(indent, std::string(key) + ": " + value); }
  void item(int indent, std::string_view key, const std::string& value) {
    line(indent, "- " + std::string(key) + ": " + value);
  }
  void secret(int indent, std::string_view key, const Secret& s) {
    if (s.empty()) return;
    if (!s.source_file().empty()) kv(indent, std::string(key) + "_file", q(s.source_file()));
    else if (opt_.inline_secrets) kv(indent, key, q(s.value()));
    else line(indent, "# " + std::string(key) + ": inline secret not written");
  }
  std::string take() { return std::move(s_); }

 private:
  const WriteOptions& opt_;
  std::string s_;
};

void write_probe(Out& o, const Probe& p) {
  constexpr int I = 8;
  o.item(6, "id", q(p.id));
  o.kv(I, "type", std::string(to_string(p.type)));
  o.kv(I, "agent", q(p.agent));
  o.kv(I, "interval", dur(p.interval_ms));
  o.kv(I, "timeout", dur(p.timeout_ms));
  o.kv(I, "stale_after", dur(p.stale_after_ms));
  o.kv(I, "confirm", std::to_string(p.confirm));
  o.kv(I, "weight", std::to_string(p.weight));
  if (!p.labels.empty()) o.kv(I, "labels", flow_map(p.labels));
  if (!p.degraded_if.empty()) o.kv(I, "degraded_if", thresholds(p.degraded_if));
  if (!p.down_if.empty() || p.type == ProbeType::icmp) o.kv(I, "down_if", thresholds(p.down_if));
  if (const auto* h = std::get_if<HttpSpec>(&p.spec)) {
    o.kv(I, "url", q(h->url));
    o.kv(I, "method", q(h->method));
    if (!h->headers.empty()) o.kv(I, "headers", flow_map(h->headers));
    if (h->body) o.kv(I, "body", q(*h->body));
    o.kv(I, "follow_redirects", h->follow_redirects ? "true" : "false");
    o.kv(I, "ip_version", ip_text(h->ip_version));
    o.line(I, "expect:");
    std::vector<std::string> codes;
    for (const auto& r : h->expect_status)
      codes.push_back(r.lo == r.hi ? std::to_string(r.lo) : std::to_string(r.lo) + "-" + std::to_string(r.hi));
    o.kv(I + 2, "status", flow_list(codes, false));
    if (h->body_contains) o.kv(I + 2, "body_contains", q(*h->body_contains));
    if (h->body_not_contains) o.kv(I + 2, "body_not_contains", q(*h->body_not_contains));
    if (h->body_regex) o.kv(I + 2, "body_regex", q(*h->body_regex));
    if (h->cert_min_days) o.kv(I + 2, "cert_min_days", std::to_string(*h->cert_min_days));
    o.line(I, "tls:");
    o.kv(I + 2, "verify", h->tls_verify ? "true" : "false");
    if (h->tls_ca_file) o.kv(I + 2, "ca_file", q(*h->tls_ca_file));
    if (h->tls_server_name) o.kv(I + 2, "server_name", q(*h->tls_server_name));
  } else if (const auto* c = std::get_if<IcmpSpec>(&p.spec)) {
    o.kv(I, "target", q(c->target));
    o.kv(I, "count", std::to_string(c->count));
    o.kv(I, "spacing", dur(c->spacing_ms));
    o.kv(I, "size", std::to_string(c->size));
    o.kv(I, "ip_version", ip_text(c->ip_version));
  } else if (const auto* s = std::get_if<SnmpSpec>(&p.spec)) {
    static constexpr const char* kVersions[] = {"1", "2c", "3"};
    static constexpr const char* kLevels[] = {"noAuthNoPriv", "authNoPriv", "authPriv"};
    static constexpr const char* kAuth[] = {"MD5", "SHA", "SHA-224", "SHA-256", "SHA-384", "SHA-512"};
    static constexpr const char* kPriv[] = {"DES", "AES", "AES-192", "AES-256", "AES-192C", "AES-256C"};
    o.kv(I, "target", q(s->target));
    o.kv(I, "port", std::to_string(s->port));
    o.kv(I, "version", kVersions[static_cast<int>(s->version)]);
    o.kv(I, "retries", std::to_string(s->retries));
    o.kv(I, "max_repetitions", std::to_string(s->max_repetitions));
    if (s->version != SnmpVersion::v3) {
      o.secret(I, "community", s->community);
    } else {
      o.kv(I, "user", q(s->user));
      o.kv(I, "security_level", kLevels[static_cast<int>(s->security_level)]);
      if (!s->context.empty()) o.kv(I, "context", q(s->context));
      if (s->auth_protocol) o.kv(I, "auth_protocol", kAuth[static_cast<int>(*s->auth_protocol)]);
      o.secret(I, "auth_password", s->auth_password);
      if (s->priv_protocol) o.kv(I, "priv_protocol", kPriv[static_cast<int>(*s->priv_protocol)]);
      o.secret(I, "priv_password", s->priv_password);
    }
    for (const auto* list : {&s->get, &s->walk}) {
      if (list->empty()) continue;
      o.line(I, list == &s->get ? "get:" : "walk:");
      for (const auto& e : *list) {
        o.item(I + 2, "oid", q(e.oid));
        if (!e.expect) continue;
        const SnmpExpect& x = *e.expect;
        std::vector<std::pair<std::string, std::string>> kv;
        if (x.equals) kv.emplace_back("equals", snmp_value(*x.equals));
        if (x.not_equals) kv.emplace_back("not_equals", snmp_value(*x.not_equals));
        if (x.min) kv.emplace_back("min", num(*x.min));
        if (x.max) kv.emplace_back("max", num(*x.max));
        if (x.all_equal) kv.emplace_back("all_equal", snmp_value(*x.all_equal));
        if (x.min_rows) kv.emplace_back("min_rows", std::to_string(*x.min_rows));
        std::string m = "{";
        for (std::size_t i = 0; i < kv.size(); ++i) m += (i ? ", " : "") + kv[i].first + ": " + kv[i].second;
        o.kv(I + 4, "expect", m + "}");
      }
    }
  } else if (const auto* t = std::get_if<TcpSpec>(&p.spec)) {
    const bool v6 = t->host.find(':') != std::string::npos;
    o.kv(I, "target", q((v6 ? "[" + t->host + "]" : t->host) + ":" + std::to_string(t->port)));
    if (t->banner_contains || t->banner_regex) {
      o.line(I, "expect:");
      if (t->banner_contains) o.kv(I + 2, "banner_contains", q(*t->banner_contains));
      if (t->banner_regex) o.kv(I + 2, "banner_regex", q(*t->banner_regex));
    }
  }
}

// The terms of `t` that differ from `prev` (all of them when prev is null).
void write_terms(Out& o, int indent, const SlaTerms& t, const SlaTerms* prev) {
  static constexpr const char* kUnknown[] = {"exclude", "up", "down"};
  static constexpr const char* kDegraded[] = {"up", "down"};
  static constexpr const char* kPlanned[] = {"exclude", "ignore"};
  if (!prev || t.target != prev->target) o.kv(indent, "target", format_decimal4(t.target));
  if (!prev || t.hours != prev->hours) o.kv(indent, "hours", hours_text(t.hours));
  if ((!prev && !t.holidays.empty()) || (prev && t.holidays != prev->holidays)) {
    std::vector<std::string> days;
    for (const auto& d : t.holidays) days.push_back(format_local_date(d));
    o.kv(indent, "holidays", flow_list(days, false));
  }
  if (!prev || t.unknown != prev->unknown) o.kv(indent, "unknown", kUnknown[static_cast<int>(t.unknown)]);
  if (!prev || t.degraded != prev->degraded) o.kv(indent, "degraded", kDegraded[static_cast<int>(t.degraded)]);
  if (!prev || t.planned != prev->planned) o.kv(indent, "planned", kPlanned[static_cast<int>(t.planned)]);
  if (t.max_outages && (!prev || t.max_outages != prev->max_outages))
    o.kv(indent, "max_outages", std::to_string(*t.max_outages));
  if (t.max_outage_ms && (!prev || t.max_outage_ms != prev->max_outage_ms))
    o.kv(indent, "max_outage", dur(*t.max_outage_ms));
  if (t.response_time && (!prev || t.response_time != prev->response_time))
    o.kv(indent, "response_time",
         "{probe: " + q(t.response_time->probe) + ", percentile: " + format_decimal4(t.response_time->percentile) +
             ", under: " + dur(t.response_time->under_ms) + "}");
}

}  // namespace

std::string format_duration_single_unit(DurationMs d) {
  struct Unit {
    DurationMs ms;
    const char* name;
  };
  constexpr Unit units[] = {{86'400'000, "d"}, {3'600'000, "h"}, {60'000, "m"}, {1000, "s"}};
  if (d != 0)
    for (const auto& u : units)
      if (d % u.ms == 0) return std::to_string(d / u.ms) + u.name;
  return std::to_string(d) + "ms";
}

std::string write_catalogue_yaml(const Catalogue& cat, const WriteOptions& options) {
  static constexpr const char* kPeriods[] = {"day", "week", "month", "quarter", "year"};
  Out o(options);
  o.line(0, "# slamon catalogue (written by slamon)");
  o.kv(0, "version", std::to_string(cat.version));
  if (cat.defaults != Defaults{}) {
    o.line(0, "defaults:");
    o.kv(2, "interval", dur(cat.defaults.interval_ms));
    o.kv(2, "timeout", dur(cat.defaults.timeout_ms));
    o.kv(2, "confirm", std::to_string(cat.defaults.confirm));
    if (cat.defaults.stale_after_ms) o.kv(2, "stale_after", dur(*cat.defaults.stale_after_ms));
  }
  if (!cat.agents.empty()) {
    o.line(0, "agents:");
    for (const auto& a : cat.agents) {
      o.item(2, "name", q(a.name));
      o.secret(4, "token_sha256", a.token_sha256);
      if (!a.labels.empty()) o.kv(4, "labels", flow_map(a.labels));
    }
  }
  if (!cat.cis.empty()) {
    o.line(0, "cis:");
    for (const auto& ci : cat.cis) {
      o.item(2, "id", q(ci.id));
      if (!ci.name.empty()) o.kv(4, "name", q(ci.name));
      if (!ci.type.empty()) o.kv(4, "type", q(ci.type));
      if (!ci.owner.empty()) o.kv(4, "owner", q(ci.owner));
      o.kv(4, "rule", rule_text(ci.rule));
      if (!ci.labels.empty()) o.kv(4, "labels", flow_map(ci.labels));
      if (!ci.probes.empty()) {
        o.line(4, "probes:");
        for (const auto& p : ci.probes) write_probe(o, p);
      }
    }
  }
  if (!cat.services.empty()) {
    o.line(0, "services:");
    for (const auto& s : cat.services) {
      o.item(2, "id", q(s.id));
      if (!s.name.empty()) o.kv(4, "name", q(s.name));
      o.kv(4, "kind", std::string(to_string(s.kind)));
      if (!s.owner.empty()) o.kv(4, "owner", q(s.owner));
      o.kv(4, "rule", rule_text(s.rule));
      if (!s.labels.empty()) o.kv(4, "labels", flow_map(s.labels));
      if (!s.children.empty()) {
        o.line(4, "children:");
        for (const auto& c : s.children)
          o.line(6, c.weight == 1 ? "- " + q(c.id) : "- {id: " + q(c.id) + ", weight: " + std::to_string(c.weight) + "}");
      }
    }
  }
  if (!cat.maintenance.empty()) {
    o.line(0, "maintenance:");
    for (const auto& w : cat.maintenance) {
      o.item(2, "id", q(w.id));
      o.kv(4, "targets", flow_list(w.targets));
      if (!w.description.empty()) o.kv(4, "description", q(w.description));
      if (w.every) o.kv(4, "every", hours_text(*w.every));
      o.kv(4, "timezone", q(w.timezone));
      if (w.from) o.kv(4, "from", format_rfc3339(*w.from));
      if (w.to) o.kv(4, "to", format_rfc3339(*w.to));
    }
  }
  if (!cat.slas.empty()) {
    o.line(0, "slas:");
    for (const auto& s : cat.slas) {
      o.item(2, "id", q(s.id));
      if (!s.name.empty()) o.kv(4, "name", q(s.name));
      if (!s.customer.empty()) o.kv(4, "customer", q(s.customer));
      o.kv(4, "service", q(s.service));
      o.kv(4, "period", kPeriods[static_cast<int>(s.period)]);
      o.kv(4, "timezone", q(s.timezone));
      if (s.burn_rate) {
        std::string rules = "[";
        for (const auto& r : *s.burn_rate) {
          if (rules.size() > 1) rules += ", ";
          rules += "{long: " + dur(r.long_ms) + ", short: " + dur(r.short_ms) +
                   ", factor: " + format_decimal4(r.factor) + ", severity: " + r.severity + "}";
        }
        o.kv(4, "burn_rate", rules + "]");
      }
      if (s.versions.empty()) continue;
      write_terms(o, 4, s.versions[0].terms, nullptr);
      if (s.versions[0].effective_from) o.kv(4, "effective_from", format_local_date(*s.versions[0].effective_from));
      if (s.versions.size() > 1) {
        o.line(4, "versions:");
        for (std::size_t i = 1; i < s.versions.size(); ++i) {
          const auto& v = s.versions[i];
          o.item(6, "effective_from", v.effective_from ? format_local_date(*v.effective_from) : "\"\"");
          write_terms(o, 8, v.terms, &s.versions[i - 1].terms);
        }
      }
    }
  }
  if (!cat.agreements.empty()) {
    o.line(0, "agreements:");
    for (const auto& a : cat.agreements) {
      o.item(2, "id", q(a.id));
      o.kv(4, "kind", a.kind == AgreementKind::uc ? "uc" : "ola");
      if (!a.provider.empty()) o.kv(4, "provider", q(a.provider));
      o.kv(4, "covers", q(a.covers));
      o.kv(4, "period", kPeriods[static_cast<int>(a.period)]);
      o.kv(4, "timezone", q(a.timezone));
      write_terms(o, 4, a.terms, nullptr);
      if (a.restore_within_ms) o.kv(4, "restore_within", dur(*a.restore_within_ms));
      if (!a.underpins.empty()) o.kv(4, "underpins", flow_list(a.underpins));
    }
  }
  const Notifications& n = cat.notifications;
  if (!n.webhooks.empty() || n.smtp || !n.routes.empty()) {
    o.line(0, "notifications:");
    if (!n.webhooks.empty()) {
      o.line(2, "webhooks:");
      for (const auto& w : n.webhooks) {
        o.item(4, "id", q(w.id));
        o.kv(6, "url", q(w.url));
        o.secret(6, "token", w.token);
        if (!w.ca_file.empty()) o.kv(6, "ca_file", q(w.ca_file));
      }
    }
    if (n.smtp) {
      o.line(2, "smtp:");
      o.kv(4, "server", q(n.smtp->server));
      o.kv(4, "from", q(n.smtp->from));
      if (!n.smtp->user.empty()) o.kv(4, "user", q(n.smtp->user));
      o.secret(4, "password", n.smtp->password);
      o.kv(4, "starttls", n.smtp->starttls ? "true" : "false");
      if (!n.smtp->ca_file.empty()) o.kv(4, "ca_file", q(n.smtp->ca_file));
    }
    if (!n.routes.empty()) {
      o.line(2, "routes:");
      for (const auto& r : n.routes) {
        bool first = true;
        auto field = [&](std::string_view key, const std::vector<std::string>& v) {
          if (v.empty()) return;
          if (first) o.item(4, key, flow_list(v));
          else o.kv(6, key, flow_list(v));
          first = false;
        };
        field("slas", r.slas);
        field("owners", r.owners);
        field("severities", r.severities);
        field("kinds", r.kinds);
        field("webhooks", r.webhooks);
        field("emails", r.emails);
      }
    }
  }
  return o.take();
}

}  // namespace slamon::catalogue
