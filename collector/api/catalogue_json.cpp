// The catalogue as JSON, without secrets (see catalogue_json.h).
#include "collector/api/catalogue_json.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "common/catalogue/hours.h"
#include "common/catalogue/reader.h"
#include "common/decimal.h"
#include "common/url.h"

namespace slamon::collector::api {
namespace {

using namespace slamon::catalogue;

void labels(JsonWriter& w, const std::map<std::string, std::string>& l) {
  w.key("labels").begin_object();
  for (const auto& [k, v] : l) w.key(k).value(v);
  w.end_object();
}

void rule(JsonWriter& w, const Rule& r) {
  switch (r.kind) {
    case Rule::Kind::all: w.key("rule").value("all"); break;
    case Rule::Kind::any: w.key("rule").value("any"); break;
    case Rule::Kind::quorum: w.key("rule").begin_object().key("quorum").value(r.quorum).end_object(); break;
    case Rule::Kind::min_percent:
      w.key("rule").begin_object().key("min_percent").value(format_decimal4(r.min_percent)).end_object();
      break;
  }
}

void ids(JsonWriter& w, std::string_view key, const std::vector<std::string>& v) {
  w.key(key).begin_array();
  for (const auto& s : v) w.value(s);
  w.end_array();
}

void thresholds(JsonWriter& w, std::string_view key, const std::vector<Threshold>& t) {
  w.key(key).begin_object();
  for (const auto& x : t) w.key(x.measurement).value(x.limit);
  w.end_object();
}

void hours(JsonWriter& w, std::string_view key, const ServiceHours& h) {
  w.key(key).begin_array();
  for (const auto& s : format_service_hours(h)) w.value(s);
  w.end_array();
}

std::string_view ip_text(IpVersion v) { return v == IpVersion::v4 ? "4" : v == IpVersion::v6 ? "6" : "any"; }

void terms(JsonWriter& w, const SlaTerms& t) {
  w.key("target_percent").value(format_decimal4(t.target));
  hours(w, "hours", t.hours);
  w.key("holidays").begin_array();
  for (const auto& d : t.holidays) w.value(format_local_date(d));
  w.end_array();
  w.key("unknown").value(t.unknown == UnknownPolicy::exclude ? "exclude" : t.unknown == UnknownPolicy::up ? "up" : "down");
  w.key("degraded").value(t.degraded == DegradedPolicy::up ? "up" : "down");
  w.key("planned").value(t.planned == PlannedPolicy::exclude ? "exclude" : "ignore");
  if (t.max_outages) w.key("max_outages").value(*t.max_outages);
  if (t.max_outage_ms) w.key("max_outage_ms").value(std::int64_t{*t.max_outage_ms});
  if (t.response_time)
    w.key("response_time").begin_object()
        .key("probe").value(t.response_time->probe)
        .key("percentile").value(format_decimal4(t.response_time->percentile))
        .key("under_ms").value(std::int64_t{t.response_time->under_ms})
        .end_object();
}

const std::vector<std::string> kNone;
const std::vector<std::string>& find_list(const std::map<std::string, std::vector<std::string>, std::less<>>& m,
                                          std::string_view id) {
  const auto it = m.find(id);
  return it == m.end() ? kNone : it->second;
}

}  // namespace

bool secret_header(std::string_view name) {
  std::string n;
  for (const char c : name) n += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (n == "authorization" || n == "proxy-authorization" || n == "cookie") return true;
  for (const std::string_view part : {"token", "key", "secret", "auth", "pass", "session", "signature", "credential"})
    if (n.find(part) != std::string::npos) return true;
  return false;
}

CatalogueIndex::CatalogueIndex(const Catalogue& c) : cat(c) {
  for (const auto& s : c.services) services.emplace(s.id, &s);
  for (const auto& ci : c.cis) {
    cis.emplace(ci.id, &ci);
    for (const auto& p : ci.probes) probes.emplace(p.id, &p);
  }
  for (const auto& s : c.slas) {
    slas.emplace(s.id, &s);
    slas_of[s.service].push_back(s.id);
  }
  for (const auto& a : c.agreements) {
    agreements.emplace(a.id, &a);
    agreements_of[a.covers].push_back(a.id);
  }
  for (const auto& m : c.maintenance) maintenance.emplace(m.id, &m);
  for (const auto& a : c.agents) agents.emplace(a.name, &a);
  for (const auto& s : c.services)
    for (const auto& ch : s.children) parents[ch.id].push_back(s.id);
  for (auto& [_, v] : parents) std::sort(v.begin(), v.end());
  for (const auto& [id, _] : services)
    if (!parents.contains(id)) roots.push_back(id);
}

void write_service(JsonWriter& w, const Service& s, const CatalogueIndex& idx) {
  w.begin_object().key("id").value(s.id).key("name").value(s.name).key("kind").value(to_string(s.kind));
  w.key("owner").value(s.owner);
  rule(w, s.rule);
  w.key("children").begin_array();
  for (const auto& ch : s.children)
    w.begin_object()
        .key("id").value(ch.id)
        .key("kind").value(idx.services.contains(ch.id) ? "service" : "ci")
        .key("weight").value(ch.weight)
        .end_object();
  w.end_array();
  ids(w, "parents", find_list(idx.parents, s.id));
  ids(w, "slas", find_list(idx.slas_of, s.id));
  ids(w, "agreements", find_list(idx.agreements_of, s.id));
  labels(w, s.labels);
  w.end_object();
}

void write_ci(JsonWriter& w, const Ci& ci, const CatalogueIndex& idx) {
  w.begin_object().key("id").value(ci.id).key("name").value(ci.name).key("type").value(ci.type);
  w.key("owner").value(ci.owner);
  rule(w, ci.rule);
  w.key("probes").begin_array();
  for (const auto& p : ci.probes) w.value(p.id);
  w.end_array();
  ids(w, "parents", find_list(idx.parents, ci.id));
  ids(w, "slas", find_list(idx.slas_of, ci.id));
  ids(w, "agreements", find_list(idx.agreements_of, ci.id));
  labels(w, ci.labels);
  w.end_object();
}

void write_probe(JsonWriter& w, const Probe& p) {
  w.begin_object().key("id").value(p.id).key("ci").value(p.ci).key("type").value(to_string(p.type));
  w.key("agent").value(p.agent);
  w.key("interval_ms").value(std::int64_t{p.interval_ms}).key("timeout_ms").value(std::int64_t{p.timeout_ms});
  w.key("stale_after_ms").value(std::int64_t{p.stale_after_ms}).key("confirm").value(p.confirm);
  w.key("weight").value(p.weight);
  thresholds(w, "degraded_if", p.degraded_if);
  thresholds(w, "down_if", p.down_if);
  labels(w, p.labels);
  if (const auto* h = std::get_if<HttpSpec>(&p.spec)) {
    w.key("target").value(mask_url_credentials(h->url));
    w.key("http").begin_object().key("url").value(mask_url_credentials(h->url)).key("method").value(h->method);
    w.key("headers").begin_object();
    for (const auto& [k, v] : h->headers) w.key(k).value(secret_header(k) ? std::string_view("(hidden)") : std::string_view(v));
    w.end_object();
    w.key("has_body").value(h->body.has_value());
    w.key("follow_redirects").value(h->follow_redirects);
    w.key("expect_status").begin_array();
    for (const auto& r : h->expect_status)
      w.value(r.lo == r.hi ? std::to_string(r.lo) : std::to_string(r.lo) + "-" + std::to_string(r.hi));
    w.end_array();
    if (h->body_contains) w.key("body_contains").value(*h->body_contains);
    if (h->body_not_contains) w.key("body_not_contains").value(*h->body_not_contains);
    if (h->body_regex) w.key("body_regex").value(*h->body_regex);
    if (h->cert_min_days) w.key("cert_min_days").value(*h->cert_min_days);
    w.key("tls_verify").value(h->tls_verify);
    if (h->tls_server_name) w.key("tls_server_name").value(*h->tls_server_name);
    w.key("ip_version").value(ip_text(h->ip_version));
    w.end_object();
  } else if (const auto* i = std::get_if<IcmpSpec>(&p.spec)) {
    w.key("target").value(i->target);
    w.key("icmp").begin_object()
        .key("target").value(i->target)
        .key("count").value(i->count)
        .key("spacing_ms").value(std::int64_t{i->spacing_ms})
        .key("size").value(i->size)
        .key("ip_version").value(ip_text(i->ip_version))
        .end_object();
  } else if (const auto* s = std::get_if<SnmpSpec>(&p.spec)) {
    // Never the community, the passwords, nor the v3 user's protocols' secrets.
    w.key("target").value(s->target + ":" + std::to_string(s->port));
    w.key("snmp").begin_object().key("target").value(s->target).key("port").value(s->port);
    w.key("version").value(s->version == SnmpVersion::v1 ? "1" : s->version == SnmpVersion::v2c ? "2c" : "3");
    w.key("get").begin_array();
    for (const auto& o : s->get) w.value(o.oid);
    w.end_array().key("walk").begin_array();
    for (const auto& o : s->walk) w.value(o.oid);
    w.end_array().end_object();
  } else if (const auto* t = std::get_if<TcpSpec>(&p.spec)) {
    const std::string hp = (t->host.find(':') != std::string::npos ? "[" + t->host + "]" : t->host) + ":" +
                           std::to_string(t->port);
    w.key("target").value(hp);
    w.key("tcp").begin_object().key("target").value(hp);
    if (t->banner_contains) w.key("banner_contains").value(*t->banner_contains);
    if (t->banner_regex) w.key("banner_regex").value(*t->banner_regex);
    w.end_object();
  }
  w.end_object();
}

void write_sla(JsonWriter& w, const Sla& s) {
  w.begin_object().key("id").value(s.id).key("name").value(s.name).key("service").value(s.service);
  w.key("customer").value(s.customer).key("period").value(to_string(s.period)).key("timezone").value(s.timezone);
  w.key("versions").begin_array();
  for (const auto& v : s.versions) {
    w.begin_object();
    if (v.effective_from) w.key("effective_from").value(format_local_date(*v.effective_from));
    else w.key("effective_from").null();
    terms(w, v.terms);
    w.end_object();
  }
  w.end_array().end_object();
}

void write_agreement(JsonWriter& w, const Agreement& a) {
  w.begin_object().key("id").value(a.id).key("kind").value(a.kind == AgreementKind::ola ? "ola" : "uc");
  w.key("provider").value(a.provider).key("covers").value(a.covers).key("period").value(to_string(a.period));
  w.key("timezone").value(a.timezone);
  terms(w, a.terms);
  if (a.restore_within_ms) w.key("restore_within_ms").value(std::int64_t{*a.restore_within_ms});
  ids(w, "underpins", a.underpins);
  w.end_object();
}

void write_maintenance(JsonWriter& w, const Maintenance& m) {
  w.begin_object().key("id").value(m.id).key("source").value("catalogue");
  ids(w, "targets", m.targets);
  w.key("description").value(m.description).key("timezone").value(m.timezone);
  if (m.every) hours(w, "every", *m.every);
  if (m.from) w.key("from").value(format_rfc3339(*m.from));
  if (m.to) w.key("to").value(format_rfc3339(*m.to));
  w.end_object();
}

void write_agent(JsonWriter& w, const Agent& a) {
  w.begin_object().key("name").value(a.name);
  labels(w, a.labels);
  w.end_object();
}

}  // namespace slamon::collector::api
