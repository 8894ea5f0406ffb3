// The field-by-field mapping between model values and slamon.proto, with the decode-side checks.
#include "common/wire/convert.h"

#include <array>
#include <cmath>
#include <cstdint>

namespace slamon::wire {
namespace {

namespace cat = catalogue;

// The instants RFC 3339 can write (0000-01-01T00:00:00Z .. 9999-12-31T23:59:59.999Z).
constexpr TimeMs kMinTimeMs = -62'167'219'200'000;
constexpr TimeMs kMaxTimeMs = 253'402'300'799'999;

v1::Status status_to_wire(Status s) {
  switch (s) {
    case Status::down: return v1::STATUS_DOWN;
    case Status::unknown: return v1::STATUS_UNKNOWN;
    case Status::degraded: return v1::STATUS_DEGRADED;
    case Status::up: return v1::STATUS_UP;
  }
  return v1::STATUS_UNSPECIFIED;
}

std::optional<Status> status_from_wire(v1::Status s) {
  switch (s) {
    case v1::STATUS_DOWN: return Status::down;
    case v1::STATUS_UNKNOWN: return Status::unknown;
    case v1::STATUS_DEGRADED: return Status::degraded;
    case v1::STATUS_UP: return Status::up;
    default: return std::nullopt;
  }
}

bool measurement_ok(double v) { return std::isfinite(v) && v >= 0; }

template <class T>
Decoded<T> refuse(std::string why) {
  return Decoded<T>{std::nullopt, std::move(why)};
}

v1::IpVersion ip_to_wire(cat::IpVersion v) {
  switch (v) {
    case cat::IpVersion::v4: return v1::IP_V4;
    case cat::IpVersion::v6: return v1::IP_V6;
    case cat::IpVersion::any: break;
  }
  return v1::IP_ANY;
}

std::optional<cat::IpVersion> ip_from_wire(v1::IpVersion v) {
  switch (v) {
    case v1::IP_ANY: return cat::IpVersion::any;
    case v1::IP_V4: return cat::IpVersion::v4;
    case v1::IP_V6: return cat::IpVersion::v6;
    default: return std::nullopt;
  }
}

void thresholds_to_wire(const std::vector<cat::Threshold>& in,
                        google::protobuf::RepeatedPtrField<v1::Threshold>& out) {
  for (const auto& t : in) {
    auto* w = out.Add();
    w->set_measurement(t.measurement);
    w->set_limit(t.limit);
  }
}

bool thresholds_from_wire(const google::protobuf::RepeatedPtrField<v1::Threshold>& in,
                          std::vector<cat::Threshold>& out) {
  for (const auto& w : in) {
    if (w.measurement().empty() || !std::isfinite(w.limit())) return false;
    out.push_back(cat::Threshold{w.measurement(), w.limit()});
  }
  return true;
}

void snmp_value_to_wire(const cat::SnmpValue& v, v1::SnmpValue& out) {
  out.set_numeric(v.numeric);
  out.set_number(v.number);
  out.set_text(v.text);
}

cat::SnmpValue snmp_value_from_wire(const v1::SnmpValue& w) { return cat::SnmpValue{w.numeric(), w.number(), w.text()}; }

void oids_to_wire(const std::vector<cat::SnmpOid>& in, google::protobuf::RepeatedPtrField<v1::SnmpOid>& out) {
  for (const auto& o : in) {
    auto* w = out.Add();
    w->set_oid(o.oid);
    if (!o.expect) continue;
    const auto& e = *o.expect;
    auto* we = w->mutable_expect();
    if (e.equals) snmp_value_to_wire(*e.equals, *we->mutable_equals());
    if (e.not_equals) snmp_value_to_wire(*e.not_equals, *we->mutable_not_equals());
    if (e.min) we->set_min(*e.min);
    if (e.max) we->set_max(*e.max);
    if (e.all_equal) snmp_value_to_wire(*e.all_equal, *we->mutable_all_equal());
    if (e.min_rows) we->set_min_rows(*e.min_rows);
  }
}

bool snmp_value_ok(const v1::SnmpValue& v) { return std::isfinite(v.number()); }

// False when an expectation holds a non-finite number (the catalogue cannot write one).
bool oids_from_wire(const google::protobuf::RepeatedPtrField<v1::SnmpOid>& in, std::vector<cat::SnmpOid>& out) {
  for (const auto& w : in) {
    cat::SnmpOid o;
    o.oid = w.oid();
    if (w.has_expect()) {
      const auto& we = w.expect();
      if ((we.has_equals() && !snmp_value_ok(we.equals())) || (we.has_not_equals() && !snmp_value_ok(we.not_equals())) ||
          (we.has_all_equal() && !snmp_value_ok(we.all_equal())) || (we.has_min() && !std::isfinite(we.min())) ||
          (we.has_max() && !std::isfinite(we.max())))
        return false;
      cat::SnmpExpect e;
      if (we.has_equals()) e.equals = snmp_value_from_wire(we.equals());
      if (we.has_not_equals()) e.not_equals = snmp_value_from_wire(we.not_equals());
      if (we.has_min()) e.min = we.min();
      if (we.has_max()) e.max = we.max();
      if (we.has_all_equal()) e.all_equal = snmp_value_from_wire(we.all_equal());
      if (we.has_min_rows()) e.min_rows = we.min_rows();
      o.expect = std::move(e);
    }
    out.push_back(std::move(o));
  }
  return true;
}

constexpr std::array<std::pair<cat::SnmpAuthProtocol, std::string_view>, 6> kAuth = {{
    {cat::SnmpAuthProtocol::MD5, "MD5"},
    {cat::SnmpAuthProtocol::SHA, "SHA"},
    {cat::SnmpAuthProtocol::SHA224, "SHA224"},
    {cat::SnmpAuthProtocol::SHA256, "SHA256"},
    {cat::SnmpAuthProtocol::SHA384, "SHA384"},
    {cat::SnmpAuthProtocol::SHA512, "SHA512"},
}};
constexpr std::array<std::pair<cat::SnmpPrivProtocol, std::string_view>, 6> kPriv = {{
    {cat::SnmpPrivProtocol::DES, "DES"},
    {cat::SnmpPrivProtocol::AES, "AES"},
    {cat::SnmpPrivProtocol::AES192, "AES192"},
    {cat::SnmpPrivProtocol::AES256, "AES256"},
    {cat::SnmpPrivProtocol::AES192C, "AES192C"},
    {cat::SnmpPrivProtocol::AES256C, "AES256C"},
}};

template <class E, std::size_t N>
std::string_view name_of(const std::array<std::pair<E, std::string_view>, N>& table, E e) {
  for (const auto& [v, n] : table)
    if (v == e) return n;
  return {};
}
template <class E, std::size_t N>
std::optional<E> value_of(const std::array<std::pair<E, std::string_view>, N>& table, std::string_view n) {
  for (const auto& [v, name] : table)
    if (name == n) return v;
  return std::nullopt;
}

}  // namespace

// ---- results ----

void to_wire(const ProbeResult& r, v1::Result& out) {
  out.set_probe(r.probe);
  out.set_ts_ms(r.ts);
  out.set_status(status_to_wire(r.status));
  if (r.latency_ms) out.set_latency_ms(*r.latency_ms);
  out.set_message(r.message);
  for (const auto& m : r.metrics) {
    auto* w = out.add_metrics();
    w->set_name(m.name);
    w->set_value(m.value);
  }
}

Decoded<ProbeResult> from_wire(const v1::Result& w, const std::string& agent) {
  ProbeResult r;
  if (w.probe().empty()) return refuse<ProbeResult>("result without a probe id");
  r.probe = w.probe();
  const auto st = status_from_wire(w.status());
  if (!st) return refuse<ProbeResult>("result for " + r.probe + " has no valid status");
  r.status = *st;
  r.ts = w.ts_ms();
  if (r.ts < kMinTimeMs || r.ts > kMaxTimeMs) return refuse<ProbeResult>("result for " + r.probe + " has a timestamp outside years 0000-9999");
  if (w.has_latency_ms()) {
    if (!measurement_ok(w.latency_ms()))
      return refuse<ProbeResult>("result for " + r.probe + " has a negative or non-finite latency_ms");
    r.latency_ms = w.latency_ms();
  }
  r.message = w.message();
  r.agent = agent;
  r.metrics.reserve(static_cast<std::size_t>(w.metrics_size()));
  for (const auto& m : w.metrics()) {
    if (m.name().empty()) return refuse<ProbeResult>("result for " + r.probe + " has a metric without a name");
    if (!std::isfinite(m.value()))
      return refuse<ProbeResult>("result for " + r.probe + " has a non-finite metric " + m.name());
    r.metrics.push_back(Metric{m.name(), m.value()});
  }
  return Decoded<ProbeResult>{std::move(r), {}};
}

std::uint64_t seq_width(const BatchEntry& e) {
  if (const auto* g = std::get_if<GapRecord>(&e)) return g->dropped;
  return 1;
}

std::uint64_t Batch::last_seq() const {
  std::uint64_t n = 0;
  for (const auto& e : entries) n += seq_width(e);
  return first_seq + n - 1;
}

void to_wire(const Batch& b, v1::ResultBatch& out) {
  out.set_epoch(b.epoch);
  out.set_first_seq(b.first_seq);
  out.set_last_seq(b.last_seq());
  for (const auto& e : b.entries) {
    auto* w = out.add_entries();
    if (const auto* r = std::get_if<ProbeResult>(&e)) {
      to_wire(*r, *w->mutable_result());
    } else {
      const auto& g = std::get<GapRecord>(e);
      auto* wg = w->mutable_gap();
      for (const auto& p : g.probes) wg->add_probes(p);
      wg->set_from_ms(g.from_ms);
      wg->set_to_ms(g.to_ms);
      wg->set_dropped(g.dropped);
    }
  }
}

Decoded<Batch> from_wire(const v1::ResultBatch& w, const std::string& agent) {
  // A gap stands for at most this many results (a day of a large agent is far below it); it keeps
  // every sum of widths far from overflowing.
  constexpr std::uint64_t kMaxGapWidth = std::uint64_t{1} << 40;
  Batch b;
  b.epoch = w.epoch();
  b.first_seq = w.first_seq();
  if (w.entries_size() == 0) return refuse<Batch>("empty batch");
  if (b.first_seq == 0) return refuse<Batch>("batch sequence numbers start at 1");
  if (b.first_seq > (std::uint64_t{1} << 62)) return refuse<Batch>("batch sequence number past 2^62");
  b.entries.reserve(static_cast<std::size_t>(w.entries_size()));
  std::uint64_t seq = b.first_seq;
  for (const auto& e : w.entries()) {
    const std::string at = "entry " + std::to_string(seq) + ": ";
    if (e.has_result()) {
      auto r = from_wire(e.result(), agent);
      if (!r) return refuse<Batch>(at + r.error);
      b.entries.emplace_back(std::move(*r.value));
      seq += 1;
    } else if (e.has_gap()) {
      const auto& wg = e.gap();
      if (wg.probes_size() == 0 || wg.from_ms() > wg.to_ms() || wg.from_ms() < kMinTimeMs || wg.to_ms() > kMaxTimeMs)
        return refuse<Batch>(at + "a gap needs probes and from_ms <= to_ms within years 0000-9999");
      if (wg.dropped() < 1 || wg.dropped() > kMaxGapWidth)
        return refuse<Batch>(at + "a gap stands for 1 to 2^40 dropped results, not " + std::to_string(wg.dropped()));
      GapRecord g{{wg.probes().begin(), wg.probes().end()}, wg.from_ms(), wg.to_ms(), wg.dropped()};
      b.entries.emplace_back(std::move(g));
      seq += wg.dropped();
    } else {
      return refuse<Batch>(at + "neither a result nor a gap");
    }
  }
  if (w.last_seq() != seq - 1)
    return refuse<Batch>("batch " + std::to_string(w.first_seq()) + ".." + std::to_string(w.last_seq()) +
                         " does not match its entries (they end at " + std::to_string(seq - 1) + ")");
  return Decoded<Batch>{std::move(b), {}};
}

// ---- probes ----

void to_wire(const cat::Probe& p, const std::optional<std::string>& ca_pem, v1::Probe& out) {
  out.set_id(p.id);
  out.set_ci(p.ci);
  out.set_interval_ms(p.interval_ms);
  out.set_timeout_ms(p.timeout_ms);
  out.set_stale_after_ms(p.stale_after_ms);
  out.set_confirm(p.confirm);
  out.set_weight(p.weight);
  thresholds_to_wire(p.degraded_if, *out.mutable_degraded_if());
  thresholds_to_wire(p.down_if, *out.mutable_down_if());
  for (const auto& [k, v] : p.labels) {
    auto* l = out.add_labels();
    l->set_key(k);
    l->set_value(v);
  }
  if (const auto* h = std::get_if<cat::HttpSpec>(&p.spec)) {
    auto* w = out.mutable_http();
    w->set_url(h->url);
    w->set_method(h->method);
    for (const auto& [n, v] : h->headers) {
      auto* hw = w->add_headers();
      hw->set_name(n);
      hw->set_value(v);
    }
    if (h->body) w->set_body(*h->body);
    w->set_follow_redirects(h->follow_redirects);
    for (const auto& s : h->expect_status) {
      auto* sw = w->add_expect_status();
      sw->set_lo(s.lo);
      sw->set_hi(s.hi);
    }
    if (h->body_contains) w->set_body_contains(*h->body_contains);
    if (h->body_not_contains) w->set_body_not_contains(*h->body_not_contains);
    if (h->body_regex) w->set_body_regex(*h->body_regex);
    if (h->cert_min_days) w->set_cert_min_days(*h->cert_min_days);
    if (ca_pem) w->set_tls_ca_pem(*ca_pem);
    w->set_tls_verify(h->tls_verify);
    if (h->tls_server_name) w->set_tls_server_name(*h->tls_server_name);
    w->set_ip_version(ip_to_wire(h->ip_version));
  } else if (const auto* i = std::get_if<cat::IcmpSpec>(&p.spec)) {
    auto* w = out.mutable_icmp();
    w->set_target(i->target);
    w->set_count(i->count);
    w->set_spacing_ms(i->spacing_ms);
    w->set_size(i->size);
    w->set_ip_version(ip_to_wire(i->ip_version));
  } else if (const auto* s = std::get_if<cat::SnmpSpec>(&p.spec)) {
    auto* w = out.mutable_snmp();
    w->set_target(s->target);
    w->set_port(s->port);
    w->set_version(s->version == cat::SnmpVersion::v1    ? v1::SnmpSpec::V1
                   : s->version == cat::SnmpVersion::v2c ? v1::SnmpSpec::V2C
                                                         : v1::SnmpSpec::V3);
    w->set_community(s->community.value());
    w->set_user(s->user);
    w->set_security_level(s->security_level == cat::SnmpSecurityLevel::noAuthNoPriv ? v1::SnmpSpec::NO_AUTH_NO_PRIV
                          : s->security_level == cat::SnmpSecurityLevel::authNoPriv ? v1::SnmpSpec::AUTH_NO_PRIV
                                                                                    : v1::SnmpSpec::AUTH_PRIV);
    if (s->auth_protocol) w->set_auth_protocol(std::string(name_of(kAuth, *s->auth_protocol)));
    w->set_auth_password(s->auth_password.value());
    if (s->priv_protocol) w->set_priv_protocol(std::string(name_of(kPriv, *s->priv_protocol)));
    w->set_priv_password(s->priv_password.value());
    w->set_context(s->context);
    w->set_retries(s->retries);
    w->set_max_repetitions(s->max_repetitions);
    oids_to_wire(s->get, *w->mutable_get());
    oids_to_wire(s->walk, *w->mutable_walk());
  } else {
    const auto& t = std::get<cat::TcpSpec>(p.spec);
    auto* w = out.mutable_tcp();
    w->set_host(t.host);
    w->set_port(t.port);
    if (t.banner_contains) w->set_banner_contains(*t.banner_contains);
    if (t.banner_regex) w->set_banner_regex(*t.banner_regex);
  }
}

Decoded<WireProbe> from_wire(const v1::Probe& w, const std::string& agent) {
  WireProbe out;
  cat::Probe& p = out.probe;
  const std::string who = "probe " + w.id() + ": ";
  if (w.id().empty()) return refuse<WireProbe>("probe without an id");
  p.id = w.id();
  p.ci = w.ci();
  p.agent = agent;
  if (w.interval_ms() <= 0 || w.timeout_ms() <= 0 || w.stale_after_ms() <= 0 || w.confirm() < 1 || w.weight() < 0)
    return refuse<WireProbe>(who + "interval, timeout and stale_after must be positive, confirm at least 1");
  p.interval_ms = w.interval_ms();
  p.timeout_ms = w.timeout_ms();
  p.stale_after_ms = w.stale_after_ms();
  p.confirm = w.confirm();
  p.weight = w.weight();
  if (!thresholds_from_wire(w.degraded_if(), p.degraded_if) || !thresholds_from_wire(w.down_if(), p.down_if))
    return refuse<WireProbe>(who + "a threshold without a measurement or with a non-finite limit");
  for (const auto& l : w.labels()) p.labels[l.key()] = l.value();
  switch (w.spec_case()) {
    case v1::Probe::kHttp: {
      const auto& h = w.http();
      cat::HttpSpec s;
      s.url = h.url();
      s.method = h.method();
      for (const auto& hw : h.headers()) s.headers.emplace_back(hw.name(), hw.value());
      if (h.has_body()) s.body = h.body();
      s.follow_redirects = h.follow_redirects();
      s.expect_status.clear();
      for (const auto& sw : h.expect_status()) s.expect_status.push_back(cat::StatusRange{sw.lo(), sw.hi()});
      if (s.expect_status.empty()) return refuse<WireProbe>(who + "no expected HTTP status");
      if (h.has_body_contains()) s.body_contains = h.body_contains();
      if (h.has_body_not_contains()) s.body_not_contains = h.body_not_contains();
      if (h.has_body_regex()) s.body_regex = h.body_regex();
      if (h.has_cert_min_days()) s.cert_min_days = h.cert_min_days();
      if (h.has_tls_ca_pem()) out.ca_pem = h.tls_ca_pem();
      s.tls_verify = h.tls_verify();
      if (h.has_tls_server_name()) s.tls_server_name = h.tls_server_name();
      const auto ip = ip_from_wire(h.ip_version());
      if (!ip) return refuse<WireProbe>(who + "unknown ip_version");
      s.ip_version = *ip;
      p.type = cat::ProbeType::http;
      p.spec = std::move(s);
      break;
    }
    case v1::Probe::kIcmp: {
      const auto& i = w.icmp();
      const auto ip = ip_from_wire(i.ip_version());
      if (!ip) return refuse<WireProbe>(who + "unknown ip_version");
      p.type = cat::ProbeType::icmp;
      p.spec = cat::IcmpSpec{i.target(), i.count(), i.spacing_ms(), i.size(), *ip};
      break;
    }
    case v1::Probe::kSnmp: {
      const auto& sw = w.snmp();
      cat::SnmpSpec s;
      s.target = sw.target();
      s.port = sw.port();
      switch (sw.version()) {
        case v1::SnmpSpec::V1: s.version = cat::SnmpVersion::v1; break;
        case v1::SnmpSpec::V2C: s.version = cat::SnmpVersion::v2c; break;
        case v1::SnmpSpec::V3: s.version = cat::SnmpVersion::v3; break;
        default: return refuse<WireProbe>(who + "unknown SNMP version");
      }
      s.community = cat::Secret(sw.community(), "");
      s.user = sw.user();
      switch (sw.security_level()) {
        case v1::SnmpSpec::NO_AUTH_NO_PRIV: s.security_level = cat::SnmpSecurityLevel::noAuthNoPriv; break;
        case v1::SnmpSpec::AUTH_NO_PRIV: s.security_level = cat::SnmpSecurityLevel::authNoPriv; break;
        case v1::SnmpSpec::AUTH_PRIV: s.security_level = cat::SnmpSecurityLevel::authPriv; break;
        default: return refuse<WireProbe>(who + "unknown SNMP security level");
      }
      if (sw.has_auth_protocol()) {
        s.auth_protocol = value_of(kAuth, sw.auth_protocol());
        if (!s.auth_protocol) return refuse<WireProbe>(who + "unknown SNMP auth protocol");
      }
      s.auth_password = cat::Secret(sw.auth_password(), "");
      if (sw.has_priv_protocol()) {
        s.priv_protocol = value_of(kPriv, sw.priv_protocol());
        if (!s.priv_protocol) return refuse<WireProbe>(who + "unknown SNMP priv protocol");
      }
      s.priv_password = cat::Secret(sw.priv_password(), "");
      s.context = sw.context();
      s.retries = sw.retries();
      s.max_repetitions = sw.max_repetitions();
      if (!oids_from_wire(sw.get(), s.get) || !oids_from_wire(sw.walk(), s.walk))
        return refuse<WireProbe>(who + "an SNMP expectation with a non-finite number");
      p.type = cat::ProbeType::snmp;
      p.spec = std::move(s);
      break;
    }
    case v1::Probe::kTcp: {
      const auto& t = w.tcp();
      if (t.port() < 1 || t.port() > 65535) return refuse<WireProbe>(who + "TCP port outside 1..65535");
      cat::TcpSpec s{t.host(), t.port(), std::nullopt, std::nullopt};
      if (t.has_banner_contains()) s.banner_contains = t.banner_contains();
      if (t.has_banner_regex()) s.banner_regex = t.banner_regex();
      p.type = cat::ProbeType::tcp;
      p.spec = std::move(s);
      break;
    }
    default: return refuse<WireProbe>(who + "no probe type");
  }
  return Decoded<WireProbe>{std::move(out), {}};
}

}  // namespace slamon::wire
