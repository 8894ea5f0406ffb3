// The catalogue as plain values: agents, CIs with their probes, services, maintenance, SLAs,
// agreements and notification settings, exactly as spec/catalogue.md describes them, with every default already applied.
// The parser (parser.h) is the only producer; the engine, agent and collector only read it.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "common/catalogue/notifications.h"
#include "common/catalogue/secret.h"
#include "common/decimal.h"
#include "common/time.h"

namespace slamon::catalogue {

// Where an object was written, for error messages.
struct SourceLoc {
  std::string file;
  int line = 0;  // 1-based; 0 when unknown
  int col = 0;   // 1-based
  bool operator==(const SourceLoc&) const = default;
};

// ---- rules -------------------------------------------------------------------------------------

// How children combine into a node's status (semantics.md section 2).
struct Rule {
  enum class Kind : std::uint8_t { all, any, quorum, min_percent };
  Kind kind = Kind::all;
  int quorum = 0;              // K, for Kind::quorum
  Decimal4 min_percent{};      // P, for Kind::min_percent
  bool operator==(const Rule&) const = default;
};

// ---- calendars ---------------------------------------------------------------------------------

// One "DAYS HH:MM-HH:MM" entry. days bit 0 = Monday ... bit 6 = Sunday.
struct HoursWindow {
  std::uint8_t days = 0;
  int start_min = 0;  // minutes after local midnight, 0..1439
  int end_min = 0;    // start_min < end_min <= 1440 (24:00)
  bool operator==(const HoursWindow&) const = default;
};

// Service hours: 24x7 or a list of weekly windows in some timezone (held by the owner object).
struct ServiceHours {
  bool always = true;                // "24x7" (the default)
  std::vector<HoursWindow> windows;  // when !always
  bool operator==(const ServiceHours&) const = default;
};

using LocalDate = std::chrono::year_month_day;

enum class PeriodKind : std::uint8_t { day, week, month, quarter, year };

// ---- probes ------------------------------------------------------------------------------------

enum class ProbeType : std::uint8_t { http, icmp, snmp, tcp };
enum class IpVersion : std::uint8_t { any, v4, v6 };

// "a measurement reaches its limit when >= limit"; measurement names as in the spec's table.
struct Threshold {
  std::string measurement;  // latency_ms, loss_percent, rtt_ms, dns_ms, cert_days_left, ...
  double limit = 0;
  bool operator==(const Threshold&) const = default;
};

struct StatusRange {
  int lo = 200;
  int hi = 399;  // inclusive
  bool operator==(const StatusRange&) const = default;
};

struct HttpSpec {
  std::string url;
  std::string method = "GET";
  std::vector<std::pair<std::string, std::string>> headers;  // in catalogue order
  std::optional<std::string> body;
  bool follow_redirects = false;  // when true, at most 10
  std::vector<StatusRange> expect_status{StatusRange{}};
  std::optional<std::string> body_contains;
  std::optional<std::string> body_not_contains;
  std::optional<std::string> body_regex;  // RE2 syntax, validated
  std::optional<int> cert_min_days;
  std::optional<std::string> tls_ca_file;  // absolute path after loading
  bool tls_verify = true;
  std::optional<std::string> tls_server_name;
  IpVersion ip_version = IpVersion::any;
  bool operator==(const HttpSpec&) const = default;
};

struct IcmpSpec {
  std::string target;            // address or name
  int count = 3;                 // 1..100
  DurationMs spacing_ms = 200;   // between one target's requests
  int size = 56;                 // payload bytes
  IpVersion ip_version = IpVersion::any;
  bool operator==(const IcmpSpec&) const = default;
};

// A value an SNMP expectation compares with: numbers compare as numbers, strings as strings.
struct SnmpValue {
  bool numeric = false;
  double number = 0;
  std::string text;  // the value as written
  bool operator==(const SnmpValue&) const = default;
};

struct SnmpExpect {
  std::optional<SnmpValue> equals;
  std::optional<SnmpValue> not_equals;
  std::optional<double> min;        // inclusive
  std::optional<double> max;        // inclusive
  std::optional<SnmpValue> all_equal;  // walks only
  std::optional<int> min_rows;         // walks only
  bool operator==(const SnmpExpect&) const = default;
};

struct SnmpOid {
  std::string oid;  // numeric ("1.3.6.1.2.1.1.3.0") or a MIB name ("IF-MIB::ifOperStatus.3")
  std::optional<SnmpExpect> expect;
  SourceLoc loc;
  bool operator==(const SnmpOid&) const = default;
};

enum class SnmpVersion : std::uint8_t { v1, v2c, v3 };
enum class SnmpSecurityLevel : std::uint8_t { noAuthNoPriv, authNoPriv, authPriv };
enum class SnmpAuthProtocol : std::uint8_t { MD5, SHA, SHA224, SHA256, SHA384, SHA512 };
enum class SnmpPrivProtocol : std::uint8_t { DES, AES, AES192, AES256, AES192C, AES256C };

struct SnmpSpec {
  std::string target;
  int port = 161;
  SnmpVersion version = SnmpVersion::v2c;
  Secret community;  // v1, v2c
  std::string user;  // v3
  SnmpSecurityLevel security_level = SnmpSecurityLevel::noAuthNoPriv;
  std::optional<SnmpAuthProtocol> auth_protocol;
  Secret auth_password;
  std::optional<SnmpPrivProtocol> priv_protocol;
  Secret priv_password;
  std::string context;
  int retries = 1;
  int max_repetitions = 25;
  std::vector<SnmpOid> get;
  std::vector<SnmpOid> walk;
  bool operator==(const SnmpSpec&) const = default;
};

struct TcpSpec {
  std::string host;  // from target "host:port" or "[v6]:port"
  int port = 0;
  std::optional<std::string> banner_contains;
  std::optional<std::string> banner_regex;  // RE2 syntax, validated
  bool operator==(const TcpSpec&) const = default;
};

using ProbeSpec = std::variant<HttpSpec, IcmpSpec, SnmpSpec, TcpSpec>;

struct Probe {
  std::string id;      // default "<ci-id>.<type>"
  std::string ci;      // owning CI id
  ProbeType type = ProbeType::tcp;
  std::string agent;
  DurationMs interval_ms = 60'000;
  DurationMs timeout_ms = 5'000;
  DurationMs stale_after_ms = 180'000;  // default 3 x interval
  int confirm = 1;
  int weight = 1;
  std::vector<Threshold> degraded_if;
  std::vector<Threshold> down_if;  // icmp: {loss_percent: 100} unless given
  std::map<std::string, std::string> labels;
  ProbeSpec spec;
  SourceLoc loc;
  bool operator==(const Probe&) const = default;
};

// ---- the hierarchy -----------------------------------------------------------------------------

struct Agent {
  std::string name;
  Secret token_sha256;  // 64 lower-case hex digits
  std::map<std::string, std::string> labels;
  SourceLoc loc;
  bool operator==(const Agent&) const = default;
};

struct Ci {
  std::string id;
  std::string name;
  std::string type;
  std::string owner;
  Rule rule;
  std::vector<Probe> probes;
  std::map<std::string, std::string> labels;
  SourceLoc loc;
  bool operator==(const Ci&) const = default;
};

struct ChildRef {
  std::string id;  // a CI or a service
  int weight = 1;
  SourceLoc loc;
  bool operator==(const ChildRef&) const = default;
};

enum class ServiceKind : std::uint8_t { business, application, infrastructure, network };

struct Service {
  std::string id;
  std::string name;
  ServiceKind kind = ServiceKind::business;
  std::string owner;
  Rule rule;
  std::vector<ChildRef> children;
  std::map<std::string, std::string> labels;
  SourceLoc loc;
  bool operator==(const Service&) const = default;
};

// ---- maintenance -------------------------------------------------------------------------------

struct Maintenance {
  std::string id;
  std::vector<std::string> targets;  // CI and/or service ids
  // Recurring ("every") in `timezone`, or one-off [from, to).
  std::optional<ServiceHours> every;
  std::string timezone = "UTC";
  std::optional<TimeMs> from;
  std::optional<TimeMs> to;
  std::string description;
  SourceLoc loc;
  bool operator==(const Maintenance&) const = default;
};

// ---- agreements --------------------------------------------------------------------------------

enum class UnknownPolicy : std::uint8_t { exclude, up, down };
enum class DegradedPolicy : std::uint8_t { up, down };
enum class PlannedPolicy : std::uint8_t { exclude, ignore };

struct ResponseTimeObjective {
  std::string probe;
  Decimal4 percentile{};  // 0 < p <= 100
  DurationMs under_ms = 0;
  bool operator==(const ResponseTimeObjective&) const = default;
};

// The fields an SLA version may replace.
struct SlaTerms {
  Decimal4 target{};
  ServiceHours hours;
  std::vector<LocalDate> holidays;
  UnknownPolicy unknown = UnknownPolicy::exclude;
  DegradedPolicy degraded = DegradedPolicy::up;
  PlannedPolicy planned = PlannedPolicy::exclude;
  std::optional<int> max_outages;
  std::optional<DurationMs> max_outage_ms;
  std::optional<ResponseTimeObjective> response_time;
  bool operator==(const SlaTerms&) const = default;
};

struct SlaVersion {
  std::optional<LocalDate> effective_from;  // nullopt: from the beginning of time
  SlaTerms terms;
  SourceLoc loc;
  bool operator==(const SlaVersion&) const = default;
};

// One multi-window burn-rate alert (catalogue.md "Burn-rate alerts"): it fires when the burn rates
// over both windows ending at an instant are at least `factor`, and resolves when either falls below.
struct BurnRateRule {
  DurationMs long_ms = 0;
  DurationMs short_ms = 0;  // 0 < short_ms < long_ms
  Decimal4 factor{};        // > 0
  std::string severity;     // "page" or "ticket"
  bool operator==(const BurnRateRule&) const = default;
};

// 1 h with 5 m at 14.4 (page), 6 h with 30 m at 6 (page), 3 d with 6 h at 1 (ticket).
std::vector<BurnRateRule> default_burn_rate_rules();

struct Sla {
  std::string id;
  std::string name;
  std::string service;  // a service or a CI
  PeriodKind period = PeriodKind::month;
  std::string timezone = "UTC";
  std::vector<SlaVersion> versions;  // [0] = the top-level fields; sorted by effective_from
  std::string customer;
  std::optional<std::vector<BurnRateRule>> burn_rate;  // nullopt: the defaults; empty: none
  SourceLoc loc;
  bool operator==(const Sla&) const = default;
  // The burn-rate rules in effect: burn_rate, or the defaults.
  std::vector<BurnRateRule> burn_rate_rules() const;
};

enum class AgreementKind : std::uint8_t { ola, uc };

// An OLA or UC: the same terms as an SLA, on the CI or service it covers, plus who provides it.
struct Agreement {
  std::string id;
  AgreementKind kind = AgreementKind::ola;
  std::string provider;
  std::string covers;
  PeriodKind period = PeriodKind::month;
  std::string timezone = "UTC";
  SlaTerms terms;
  std::optional<DurationMs> restore_within_ms;
  std::vector<std::string> underpins;  // SLA ids (optional)
  SourceLoc loc;
  bool operator==(const Agreement&) const = default;
};

// ---- the whole catalogue -----------------------------------------------------------------------

struct Defaults {
  DurationMs interval_ms = 60'000;
  DurationMs timeout_ms = 5'000;
  int confirm = 1;
  std::optional<DurationMs> stale_after_ms;  // default 3 x interval
  bool operator==(const Defaults&) const = default;
};

struct Catalogue {
  int version = 1;
  std::string root_file;  // path of the root file as given
  Defaults defaults;
  std::vector<Agent> agents;
  std::vector<Ci> cis;
  std::vector<Service> services;
  std::vector<Maintenance> maintenance;
  std::vector<Sla> slas;
  std::vector<Agreement> agreements;
  Notifications notifications;  // root file only (docs/notifications.md)
  bool operator==(const Catalogue&) const = default;
};

std::string_view to_string(ProbeType t);
std::string_view to_string(ServiceKind k);
std::string_view to_string(PeriodKind k);
std::string_view to_string(AgreementKind k);  // "ola", "uc"

}  // namespace slamon::catalogue
