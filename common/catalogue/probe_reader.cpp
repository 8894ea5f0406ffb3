// Reading one probe: the common fields with defaults applied, then the fields of its type, then the
// checks that tie them together (timeout < interval < stale_after, thresholds the type measures,
// SNMP v3 security fields).
#include <array>
#include <charconv>
#include <cmath>
#include <re2/re2.h>
#include <vector>

#include "common/catalogue/load_context.h"
#include "common/catalogue/measurements.h"
#include "common/catalogue/suggest.h"
#include "common/url.h"

namespace slamon::catalogue {
namespace {

using Keys = std::vector<std::string_view>;

const Keys kCommon = {"id", "type", "agent", "interval", "timeout", "confirm", "stale_after", "weight",
                      "degraded_if", "down_if", "labels"};
const Keys kHttp = {"url", "method", "headers", "body", "follow_redirects", "expect", "tls", "ip_version"};
const Keys kIcmp = {"target", "count", "spacing", "size", "ip_version"};
const Keys kSnmp = {"target", "port", "version", "community", "community_file", "user", "security_level",
                    "auth_protocol", "auth_password", "auth_password_file", "priv_protocol", "priv_password",
                    "priv_password_file", "context", "retries", "max_repetitions", "get", "walk"};
const Keys kTcp = {"target", "expect"};


constexpr std::array<std::string_view, 4> kTypes = {"http", "icmp", "snmp", "tcp"};
constexpr std::array<std::string_view, 3> kIpVersions = {"any", "4", "6"};
constexpr std::array<std::string_view, 3> kSnmpVersions = {"1", "2c", "3"};
constexpr std::array<std::string_view, 3> kSecurityLevels = {"noAuthNoPriv", "authNoPriv", "authPriv"};
constexpr std::array<std::string_view, 6> kAuthProtocols = {"MD5", "SHA", "SHA-224", "SHA-256", "SHA-384", "SHA-512"};
constexpr std::array<std::string_view, 6> kPrivProtocols = {"DES", "AES", "AES-192", "AES-256", "AES-192C", "AES-256C"};
constexpr std::array<std::string_view, 5> kHttpExpectAll = {"status", "body_contains", "body_not_contains",
                                                            "body_regex", "cert_min_days"};
constexpr std::array<std::string_view, 3> kTlsKeys = {"ca_file", "verify", "server_name"};
constexpr std::array<std::string_view, 2> kTcpExpectKeys = {"banner_contains", "banner_regex"};
constexpr std::array<std::string_view, 2> kOidKeys = {"oid", "expect"};
constexpr std::array<std::string_view, 6> kSnmpExpectKeys = {"equals", "not_equals", "min", "max", "all_equal",
                                                             "min_rows"};

const Keys& type_keys(ProbeType t) {
  switch (t) {
    case ProbeType::http: return kHttp;
    case ProbeType::icmp: return kIcmp;
    case ProbeType::snmp: return kSnmp;
    case ProbeType::tcp: return kTcp;
  }
  return kTcp;
}

std::string a_probe(ProbeType t) {
  return std::string(t == ProbeType::tcp ? "a " : "an ") + std::string(to_string(t)) + " probe";
}

std::optional<std::string> read_regex(const Ctx& ctx, const YamlNode& n, std::string_view what) {
  auto s = read_string(ctx, n, what);
  if (!s) return std::nullopt;
  RE2::Options opts;
  opts.set_log_errors(false);
  const RE2 re(*s, opts);
  if (!re.ok()) {
    ctx.error(n, std::string(what) + ": invalid regular expression (RE2 syntax): " + re.error());
    return std::nullopt;
  }
  return s;
}

std::optional<IpVersion> read_ip_version(const Ctx& ctx, const YamlNode& n) {
  auto c = read_choice(ctx, n, "ip_version", kIpVersions);
  if (!c) return std::nullopt;
  return *c == 0 ? IpVersion::any : *c == 1 ? IpVersion::v4 : IpVersion::v6;
}

bool read_thresholds(const Ctx& ctx, const YamlNode& n, std::string_view what, ProbeType type,
                     std::vector<Threshold>& out) {
  if (!n.is_map()) {
    ctx.error(n, std::string(what) + " must be a map of measurement: limit, not " + std::string(kind_name(n)));
    return false;
  }
  MapView(ctx, n).check_duplicates();
  const Keys known = measurement_names(type);  // common/catalogue/measurements.h
  bool ok = true;
  std::vector<std::string_view> every;
  for (const auto& m : measurements()) every.push_back(m.name);
  for (std::size_t i = 0; i < n.map_size(); ++i) {
    const YamlNode& k = n.key(i);
    if (!k.is_scalar()) {
      ok = false;
      continue;
    }
    bool has = false;
    for (const auto m : known) has = has || m == k.text;
    if (!has) {
      bool elsewhere = false;
      for (const auto m : every) elsewhere = elsewhere || m == k.text;
      std::string msg = elsewhere ? a_probe(type) + " has no measurement '" + k.text + "'"
                                  : "unknown measurement '" + k.text.substr(0, 80) + "'";
      if (auto s = closest_word(k.text, known)) msg += "; did you mean '" + *s + "'?";
      std::string list;
      for (const auto m : known) list += (list.empty() ? "" : ", ") + std::string(m);
      ctx.error(k, std::string(what) + ": " + msg + " (" + std::string(to_string(type)) + " measures " + list + ")");
      ok = false;
      continue;
    }
    auto v = read_number(ctx, n.value(i), std::string(what) + "." + k.text);
    if (!v) {
      ok = false;
      continue;
    }
    out.push_back(Threshold{k.text, *v});
  }
  return ok;
}

std::optional<SnmpValue> read_snmp_value(const Ctx& ctx, const YamlNode& n, std::string_view what) {
  auto s = read_string(ctx, n, what);
  if (!s) return std::nullopt;
  SnmpValue v;
  v.text = *s;
  if (n.plain) {
    double d = 0;
    const auto r = std::from_chars(s->data(), s->data() + s->size(), d);
    if (r.ec == std::errc{} && r.ptr == s->data() + s->size() && std::isfinite(d)) {
      v.numeric = true;
      v.number = d;
    }
  }
  return v;
}

bool read_oids(const Ctx& ctx, LoadContext& lc, const FileInfo& file, const YamlNode& n, bool walk,
               std::vector<SnmpOid>& out) {
  const char* what = walk ? "walk" : "get";
  auto items = read_list(ctx, n, what, false);
  if (!items) return false;
  bool ok = true;
  for (const YamlNode* item : *items) {
    if (!item->is_map()) {
      ctx.error(*item, std::string(what) + " entries are maps {oid: ..., expect: ...}, not " +
                           std::string(kind_name(*item)));
      ok = false;
      continue;
    }
    MapView m(ctx, *item);
    m.check_keys(kOidKeys);
    SnmpOid o;
    o.loc = lc.loc(file, *item);
    if (auto* v = m.require("oid")) {
      if (auto s = read_string(ctx, *v, "oid")) {
        if (s->empty() || s->find_first_of(" \t") != std::string::npos) {
          ctx.error(*v, "oid must be a numeric OID or a MIB name, not '" + s->substr(0, 80) + "'");
          ok = false;
        } else {
          o.oid = *s;
        }
      } else {
        ok = false;
      }
    } else {
      ok = false;
    }
    if (auto* e = m.find("expect")) {
      if (!e->is_map()) {
        ctx.error(*e, "expect must be a map, not " + std::string(kind_name(*e)));
        ok = false;
      } else {
        MapView em(ctx, *e);
        em.check_keys(kSnmpExpectKeys);
        SnmpExpect x;
        if (auto* v = em.find("equals")) x.equals = read_snmp_value(ctx, *v, "equals");
        if (auto* v = em.find("not_equals")) x.not_equals = read_snmp_value(ctx, *v, "not_equals");
        if (auto* v = em.find("min")) x.min = read_number(ctx, *v, "min");
        if (auto* v = em.find("max")) x.max = read_number(ctx, *v, "max");
        for (const char* k : {"all_equal", "min_rows"})
          if (auto* v = em.find(k); v != nullptr && !walk)
            ctx.error(*v, std::string(k) + " applies to walk entries only");
        if (auto* v = em.find("all_equal"); v != nullptr && walk) x.all_equal = read_snmp_value(ctx, *v, "all_equal");
        if (auto* v = em.find("min_rows"); v != nullptr && walk) {
          auto r = read_int(ctx, *v, "min_rows", 0, 1'000'000);
          if (r) x.min_rows = static_cast<int>(*r);
        }
        if (x.min && x.max && *x.min > *x.max) ctx.error(*e, "expect.min is more than expect.max");
        o.expect = x;
      }
    }
    out.push_back(std::move(o));
  }
  return ok;
}

void read_http(LoadContext& lc, const FileInfo& file, const Ctx& ctx, const MapView& m, HttpSpec& h) {
  if (auto* v = m.require("url")) {
    if (auto s = read_string(ctx, *v, "url")) {
      std::string lower;
      for (const char c : s->substr(0, 8)) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      const bool http = lower.rfind("http://", 0) == 0;
      const bool https = lower.rfind("https://", 0) == 0;
      const std::string shown = mask_url_credentials(s->substr(0, 200));
      const std::size_t host_at = http ? 7 : 8;
      if (!http && !https)
        ctx.error(*v, "url must start with http:// or https://, not '" + shown + "'");
      else if (s->size() <= host_at || (*s)[host_at] == '/')
        ctx.error(*v, "url '" + shown + "' has no host");
      else if (auto why = check_http_url(*s))
        ctx.error(*v, "url '" + shown + "' cannot be fetched: " + *why);
      else
        h.url = *s;
    }
  }
  if (auto* v = m.find("method")) {
    if (auto s = read_string(ctx, *v, "method")) {
      bool ok = !s->empty() && s->size() <= 16;
      for (const char c : *s) ok = ok && c >= 'A' && c <= 'Z';
      if (ok) h.method = *s;
      else ctx.error(*v, "method must be an upper-case HTTP method such as GET or HEAD");
    }
  }
  if (auto* v = m.find("headers")) {
    if (auto p = read_string_pairs(ctx, *v, "headers")) {
      bool ok = true;
      for (std::size_t i = 0; i < p->size(); ++i) {
        if (!valid_header_name((*p)[i].first)) {
          ctx.error(v->key(i), "headers: '" + mask_url_credentials((*p)[i].first.substr(0, 80)) +
                                   "' is not a valid header name (letters, digits and !#$%&'*+-.^_`|~)");
          ok = false;
        } else if (!valid_header_value((*p)[i].second)) {
          ctx.error(v->value(i), "headers: the value of '" + (*p)[i].first +
                                     "' holds a control character (a line break, NUL, ...)");
          ok = false;
        }
      }
      if (ok) h.headers = std::move(*p);
    }
  }
  if (auto* v = m.find("body")) h.body = read_string(ctx, *v, "body");
  if (auto* v = m.find("follow_redirects"))
    if (auto b = read_bool(ctx, *v, "follow_redirects")) h.follow_redirects = *b;
  if (auto* v = m.find("ip_version"))
    if (auto ip = read_ip_version(ctx, *v)) h.ip_version = *ip;
  if (auto* e = m.find("expect")) {
    if (!e->is_map()) {
      ctx.error(*e, "expect must be a map, not " + std::string(kind_name(*e)));
    } else {
      MapView em(ctx, *e);
      em.check_keys(kHttpExpectAll);
      if (auto* v = em.find("status")) {
        if (auto items = read_list(ctx, *v, "expect.status", true)) {
          std::vector<StatusRange> ranges;
          bool ok = !items->empty();
          if (items->empty()) ctx.error(*v, "expect.status must list at least one code or range");
          for (const YamlNode* item : *items) {
            if (!item->is_scalar()) {
              ctx.error(*item, "expect.status entries are codes (200) or ranges (200-299)");
              ok = false;
              continue;
            }
            const std::string& t = item->text;
            const auto dash = t.find('-');
            auto code = [](std::string_view s) -> int {
              if (s.size() != 3) return -1;
              int c = 0;
              for (const char ch : s) {
                if (ch < '0' || ch > '9') return -1;
                c = c * 10 + (ch - '0');
              }
              return c >= 100 && c <= 599 ? c : -1;
            };
            const int lo = code(std::string_view(t).substr(0, dash));
            const int hi = dash == std::string::npos ? lo : code(std::string_view(t).substr(dash + 1));
            if (lo < 0 || hi < 0 || hi < lo) {
              ctx.error(*item, "bad HTTP status '" + t.substr(0, 40) + "' (a code 100-599 or a range such as 200-299)");
              ok = false;
              continue;
            }
            ranges.push_back(StatusRange{lo, hi});
          }
          if (ok) h.expect_status = std::move(ranges);
        }
      }
      if (auto* v = em.find("body_contains")) h.body_contains = read_string(ctx, *v, "expect.body_contains");
      if (auto* v = em.find("body_not_contains"))
        h.body_not_contains = read_string(ctx, *v, "expect.body_not_contains");
      if (auto* v = em.find("body_regex")) h.body_regex = read_regex(ctx, *v, "expect.body_regex");
      if (auto* v = em.find("cert_min_days")) {
        if (auto d = read_int(ctx, *v, "expect.cert_min_days", 0, 100'000)) h.cert_min_days = static_cast<int>(*d);
      }
    }
  }
  if (auto* t = m.find("tls")) {
    if (!t->is_map()) {
      ctx.error(*t, "tls must be a map, not " + std::string(kind_name(*t)));
    } else {
      MapView tm(ctx, *t);
      tm.check_keys(kTlsKeys);
      if (auto* v = tm.find("ca_file")) {
        if (auto s = read_string(ctx, *v, "tls.ca_file")) {
          const auto path = lc.resolve(file, *s);
          const auto text = lc.files().read(path, kMaxCatalogueFileBytes);
          if (!text.bytes)
            ctx.error(*v, "cannot read tls.ca_file '" + *s + "' (" + path.string() + "): " + text.error);
          else h.tls_ca_file = path.string();
        }
      }
      if (auto* v = tm.find("verify"))
        if (auto b = read_bool(ctx, *v, "tls.verify")) h.tls_verify = *b;
      if (auto* v = tm.find("server_name")) h.tls_server_name = read_string(ctx, *v, "tls.server_name");
    }
  }
}

void read_icmp(const Ctx& ctx, const MapView& m, IcmpSpec& s) {
  if (auto* v = m.require("target"))
    if (auto t = read_string(ctx, *v, "target")) {
      if (t->empty()) ctx.error(*v, "target must not be empty");
      s.target = *t;
    }
  if (auto* v = m.find("count"))
    if (auto c = read_int(ctx, *v, "count", 1, 100)) s.count = static_cast<int>(*c);
  if (auto* v = m.find("spacing"))
    if (auto d = read_duration(ctx, *v, "spacing")) s.spacing_ms = *d;
  if (auto* v = m.find("size"))
    if (auto c = read_int(ctx, *v, "size", 0, 65'000)) s.size = static_cast<int>(*c);
  if (auto* v = m.find("ip_version"))
    if (auto ip = read_ip_version(ctx, *v)) s.ip_version = *ip;
}

void read_tcp(const Ctx& ctx, const MapView& m, TcpSpec& s) {
  if (auto* v = m.require("target")) {
    if (auto t = read_string(ctx, *v, "target")) {
      if (auto hp = parse_host_port(*t)) {
        s.host = hp->first;
        s.port = hp->second;
      } else {
        ctx.error(*v, "target must be host:port or [v6-address]:port with a port 1-65535, not '" +
                          t->substr(0, 80) + "'");
      }
    }
  }
  if (auto* e = m.find("expect")) {
    if (!e->is_map()) {
      ctx.error(*e, "expect must be a map, not " + std::string(kind_name(*e)));
    } else {
      MapView em(ctx, *e);
      em.check_keys(kTcpExpectKeys);
      if (auto* v = em.find("banner_contains")) s.banner_contains = read_string(ctx, *v, "expect.banner_contains");
      if (auto* v = em.find("banner_regex")) s.banner_regex = read_regex(ctx, *v, "expect.banner_regex");
    }
  }
}

void read_snmp(LoadContext& lc, const FileInfo& file, const Ctx& ctx, const MapView& m, SnmpSpec& s) {
  if (auto* v = m.require("target"))
    if (auto t = read_string(ctx, *v, "target")) {
      if (t->empty()) ctx.error(*v, "target must not be empty");
      s.target = *t;
    }
  if (auto* v = m.find("port"))
    if (auto p = read_int(ctx, *v, "port", 1, 65535)) s.port = static_cast<int>(*p);
  if (auto* v = m.find("version"))
    if (auto c = read_choice(ctx, *v, "version", kSnmpVersions)) s.version = static_cast<SnmpVersion>(*c);
  if (auto* v = m.find("retries"))
    if (auto r = read_int(ctx, *v, "retries", 0, 10)) s.retries = static_cast<int>(*r);
  if (auto* v = m.find("max_repetitions"))
    if (auto r = read_int(ctx, *v, "max_repetitions", 1, 1000)) s.max_repetitions = static_cast<int>(*r);
  bool entries_ok = true;
  if (auto* v = m.find("get")) entries_ok = read_oids(ctx, lc, file, *v, false, s.get) && entries_ok;
  if (auto* v = m.find("walk")) entries_ok = read_oids(ctx, lc, file, *v, true, s.walk) && entries_ok;
  if (entries_ok && s.get.empty() && s.walk.empty())
    ctx.error(m.node(), "an snmp probe needs at least one 'get' or 'walk' entry");

  const bool v3 = s.version == SnmpVersion::v3;
  if (!v3) {
    for (const char* k : {"user", "security_level", "auth_protocol", "auth_password", "auth_password_file",
                          "priv_protocol", "priv_password", "priv_password_file", "context"})
      if (auto* v = m.find(k)) ctx.error(*v, std::string(k) + " applies to SNMP version 3 only");
    if (auto c = lc.read_secret(ctx, file, m, "community", "community_file")) {
      if (c->empty()) ctx.error(m.node(), "SNMP v1/v2c needs 'community' or 'community_file'");
      s.community = std::move(*c);
    }
    return;
  }
  for (const char* k : {"community", "community_file"})
    if (auto* v = m.find(k)) ctx.error(*v, std::string(k) + " applies to SNMP versions 1 and 2c only (v3 uses user)");
  if (auto* v = m.require("user")) {
    if (auto u = read_string(ctx, *v, "user")) {
      if (u->empty()) ctx.error(*v, "user must not be empty");
      s.user = *u;
    }
  }
  if (auto* v = m.find("context"))
    if (auto c = read_string(ctx, *v, "context")) s.context = *c;
  bool level_ok = true;
  if (auto* v = m.find("security_level")) {
    if (auto c = read_choice(ctx, *v, "security_level", kSecurityLevels)) s.security_level = static_cast<SnmpSecurityLevel>(*c);
    else level_ok = false;
  }
  if (auto* v = m.find("auth_protocol"))
    if (auto c = read_choice(ctx, *v, "auth_protocol", kAuthProtocols)) s.auth_protocol = static_cast<SnmpAuthProtocol>(*c);
  if (auto* v = m.find("priv_protocol"))
    if (auto c = read_choice(ctx, *v, "priv_protocol", kPrivProtocols)) s.priv_protocol = static_cast<SnmpPrivProtocol>(*c);
  auto auth = lc.read_secret(ctx, file, m, "auth_password", "auth_password_file");
  auto priv = lc.read_secret(ctx, file, m, "priv_password", "priv_password_file");
  if (auth) s.auth_password = std::move(*auth);
  if (priv) s.priv_password = std::move(*priv);
  if (!level_ok) return;
  const bool need_auth = s.security_level != SnmpSecurityLevel::noAuthNoPriv;
  const bool need_priv = s.security_level == SnmpSecurityLevel::authPriv;
  const std::string level(kSecurityLevels[static_cast<std::size_t>(s.security_level)]);
  // A password the level does not use would be silently ignored: the user meant another level.
  for (const char* k : {"auth_protocol", "auth_password", "auth_password_file"})
    if (auto* v = m.find(k); v != nullptr && !need_auth)
      ctx.error(*v, std::string(k) + " is not used at security_level " + level + " (authNoPriv or authPriv use it)");
  for (const char* k : {"priv_protocol", "priv_password", "priv_password_file"})
    if (auto* v = m.find(k); v != nullptr && !need_priv)
      ctx.error(*v, std::string(k) + " is not used at security_level " + level + " (only authPriv uses it)");
  if (need_auth) {
    if (!m.find("auth_protocol")) ctx.error(m.node(), "security_level " + level + " needs 'auth_protocol'");
    if (auth && s.auth_password.empty())
      ctx.error(m.node(), "security_level " + level + " needs 'auth_password' or 'auth_password_file'");
    if (!s.auth_password.empty() && s.auth_password.value().size() < 8)
      ctx.error(*(m.find("auth_password") ? m.find("auth_password") : m.find("auth_password_file")),
                "the auth password must be at least 8 characters long (SNMPv3)");
  }
  if (need_priv) {
    if (!m.find("priv_protocol")) ctx.error(m.node(), "security_level " + level + " needs 'priv_protocol'");
    if (priv && s.priv_password.empty())
      ctx.error(m.node(), "security_level " + level + " needs 'priv_password' or 'priv_password_file'");
    if (!s.priv_password.empty() && s.priv_password.value().size() < 8)
      ctx.error(*(m.find("priv_password") ? m.find("priv_password") : m.find("priv_password_file")),
                "the priv password must be at least 8 characters long (SNMPv3)");
  }
}

}  // namespace

std::optional<Probe> read_probe(LoadContext& lc, const FileInfo& file, const YamlNode& n, const std::string& ci_id,
                                std::size_t index) {
  Ctx ctx = lc.ctx(file, "probe #" + std::to_string(index + 1) + " of ci " + ci_id);
  if (!n.is_map()) {
    ctx.error(n, "a probe must be a map, not " + std::string(kind_name(n)));
    return std::nullopt;
  }
  MapView m(ctx, n);
  Probe p;
  p.ci = ci_id;
  p.loc = lc.loc(file, n);
  bool type_ok = false;
  if (auto* v = m.require("type")) {
    if (auto c = read_choice(ctx, *v, "type", kTypes)) {
      p.type = static_cast<ProbeType>(*c);
      type_ok = true;
    }
  }
  if (auto* v = m.find("id")) {
    if (auto id = read_id(ctx, *v, "id")) p.id = *id;
  } else if (type_ok) {
    p.id = ci_id + "." + std::string(to_string(p.type));
  }
  if (!p.id.empty()) ctx.object = "probe " + p.id;

  if (type_ok) {
    std::vector<std::string_view> allowed = kCommon;
    const Keys& own = type_keys(p.type);
    allowed.insert(allowed.end(), own.begin(), own.end());
    std::vector<std::string_view> elsewhere;
    for (const auto t : {ProbeType::http, ProbeType::icmp, ProbeType::snmp, ProbeType::tcp})
      if (t != p.type)
        for (const auto k : type_keys(t)) elsewhere.push_back(k);
    m.check_keys(allowed, elsewhere, a_probe(p.type));
  } else {
    m.check_duplicates();
  }

  if (auto* v = m.require("agent")) {
    if (auto a = read_string(ctx, *v, "agent")) {
      p.agent = *a;
      lc.add_ref(Reference::To::agent, *a, "agent", ctx, file, *v);
    }
  }
  const Defaults& d = lc.defaults;
  p.interval_ms = d.interval_ms;
  p.timeout_ms = d.timeout_ms;
  p.confirm = d.confirm;
  const YamlNode* interval = m.find("interval");
  const YamlNode* timeout = m.find("timeout");
  const YamlNode* stale = m.find("stale_after");
  bool interval_ok = true, timeout_ok = true, stale_ok = true;
  if (interval) {
    auto v = read_duration(ctx, *interval, "interval");
    interval_ok = v.has_value();
    if (v) p.interval_ms = *v;
  }
  if (timeout) {
    auto v = read_duration(ctx, *timeout, "timeout");
    timeout_ok = v.has_value();
    if (v) p.timeout_ms = *v;
  }
  p.stale_after_ms = d.stale_after_ms ? *d.stale_after_ms : 3 * p.interval_ms;
  if (stale) {
    auto v = read_duration(ctx, *stale, "stale_after");
    stale_ok = v.has_value();
    if (v) p.stale_after_ms = *v;
  }
  // With neither field on the probe, the defaults section reports the problem once.
  if ((interval || timeout) && interval_ok && timeout_ok && p.timeout_ms >= p.interval_ms)
    ctx.error(timeout ? *timeout : interval ? *interval : n,
              "timeout (" + format_duration(p.timeout_ms) + (timeout ? "" : ", from defaults") +
                  ") must be less than interval (" + format_duration(p.interval_ms) + ")");
  if ((interval || stale) && interval_ok && stale_ok && p.stale_after_ms <= p.interval_ms)
    ctx.error(stale ? *stale : interval ? *interval : n,
              "stale_after (" + format_duration(p.stale_after_ms) + (stale ? "" : ", from defaults") +
                  ") must be more than interval (" + format_duration(p.interval_ms) + ")");
  if (auto* v = m.find("confirm"))
    if (auto c = read_int(ctx, *v, "confirm", 1, 1000)) p.confirm = static_cast<int>(*c);
  if (auto* v = m.find("weight"))
    if (auto w = read_int(ctx, *v, "weight", 0, 1'000'000)) p.weight = static_cast<int>(*w);
  if (auto* v = m.find("labels"))
    if (auto l = read_labels(ctx, *v)) p.labels = std::move(*l);

  if (type_ok) {
    if (auto* v = m.find("degraded_if")) read_thresholds(ctx, *v, "degraded_if", p.type, p.degraded_if);
    if (auto* v = m.find("down_if")) read_thresholds(ctx, *v, "down_if", p.type, p.down_if);
    else if (p.type == ProbeType::icmp) p.down_if.push_back(Threshold{std::string(measure::loss_percent), 100});
    switch (p.type) {
      case ProbeType::http: {
        HttpSpec s;
        read_http(lc, file, ctx, m, s);
        p.spec = std::move(s);
        break;
      }
      case ProbeType::icmp: {
        IcmpSpec s;
        read_icmp(ctx, m, s);
        p.spec = std::move(s);
        break;
      }
      case ProbeType::snmp: {
        SnmpSpec s;
        read_snmp(lc, file, ctx, m, s);
        p.spec = std::move(s);
        break;
      }
      case ProbeType::tcp: {
        TcpSpec s;
        read_tcp(ctx, m, s);
        p.spec = std::move(s);
        break;
      }
    }
  }
  return p;
}

}  // namespace slamon::catalogue
