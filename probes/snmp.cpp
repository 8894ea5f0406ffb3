// The SNMP runner: net-snmp single sessions pumped from a coroutine on the event loop, one per run
// at a time, kept in an idle pool between runs.
//
// A run: resolve the target (Asio), for v3 find the engine (cache, or our own discovery exchange),
// open the session without net-snmp's blocking probe, install the USM user with cached master keys,
// then send the GETs and walk each subtree (GETBULK, GETNEXT for v1), reading the session's socket
// when it is readable and calling snmp_sess_timeout when net-snmp's next retransmission is due.
// Responses reach a per-session table by request id, so a late answer to an abandoned request
// finds nothing and is dropped.
#include "probes/snmp.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/library/keytools.h>
#include <net-snmp/library/large_fd_set.h>
#include <net-snmp/library/lcd_time.h>
#include <net-snmp/library/scapi.h>
#include <net-snmp/library/snmpusm.h>
#include <poll.h>
#include <spdlog/spdlog.h>

// net-snmp spells GETBULK's fields as macros over errstat/errindex; they would rewrite our own names.
#undef non_repeaters
#undef max_repetitions

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <unordered_map>

#include "common/catalogue/measurements.h"
#include "probes/codec/evaluate.h"
#include "probes/codec/round_trip.h"
#include "probes/codec/snmp_discovery.h"
#include "probes/resolve.h"

namespace slamon::probes {
namespace asio = boost::asio;
using namespace boost::asio::experimental::awaitable_operators;
using Clock = std::chrono::steady_clock;

namespace {

// ---- process-wide net-snmp set-up (net-snmp's own state is global) ------------------------------

struct NetSnmpProcess {
  std::mutex mu;
  bool initialised = false;
  std::set<std::string> mib_dirs_loaded;
  std::shared_ptr<spdlog::logger> logger;  // net-snmp's own log lines, at debug level
};

NetSnmpProcess& netsnmp_process() {
  static NetSnmpProcess p;
  return p;
}

int on_netsnmp_log(int, int, void* server_arg, void* client_arg) {
  const auto* m = static_cast<snmp_log_message*>(server_arg);
  auto* logger = static_cast<spdlog::logger*>(client_arg);
  if (!m || !m->msg || !logger) return 0;
  std::string_view s(m->msg);
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.remove_suffix(1);
  logger->debug("net-snmp: {}", s);
  return 0;
}

void init_netsnmp(const SnmpRunnerOptions& options, const std::shared_ptr<spdlog::logger>& logger) {
  auto& p = netsnmp_process();
  std::lock_guard lock(p.mu);
  if (!p.initialised) {
    p.initialised = true;
    p.logger = logger;
    snmp_disable_log();
    if (p.logger) {
      snmp_register_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_LOGGING, &on_netsnmp_log, p.logger.get());
      snmp_enable_calllog();
    } else {
      netsnmp_register_loghandler(NETSNMP_LOGHANDLER_NONE, LOG_DEBUG);  // else net-snmp falls back to stderr
    }
    // Only our own state: no ~/.snmp, no /var/lib/snmp, no snmp.conf anywhere.
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_LOAD, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_SAVE, 1);
    netsnmp_ds_set_int(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_MIB_WARNINGS, 0);
    if (!options.state_dir.empty()) {
      const auto dir = std::filesystem::path(options.state_dir) / "snmp";
      std::error_code ec;
      std::filesystem::create_directories(dir, ec);
      set_persistent_directory(dir.c_str());
    }
    std::string mibdirs = "/usr/share/snmp/mibs";
    for (const auto& d : options.mib_dirs) mibdirs += ":" + d;
    netsnmp_set_mib_directory(mibdirs.c_str());
    init_snmp("slamon");
    read_all_mibs();
    p.mib_dirs_loaded.insert(options.mib_dirs.begin(), options.mib_dirs.end());
    return;
  }
  // Later runners may bring more MIB folders: load those once too.
  bool added = false;
  for (const auto& d : options.mib_dirs)
    if (p.mib_dirs_loaded.insert(d).second) added = add_mibdir(d.c_str()) >= 0 || added;
  if (added) read_all_mibs();
}

// ---- small conversions ------------------------------------------------------------------------

std::string oid_text(const oid* name, std::size_t len) {
  std::string out;
  for (std::size_t i = 0; i < len; ++i) {
    if (i) out += '.';
    out += std::to_string(name[i]);
  }
  return out;
}

bool printable(const u_char* s, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    const u_char c = s[i];
    if ((c < 0x20 || c > 0x7e) && c != '\t' && c != '\n' && c != '\r' && !(c == 0 && i + 1 == n)) return false;
  }
  return true;
}

std::string hex(const u_char* s, std::size_t n) {
  std::string out;
  char b[4];
  for (std::size_t i = 0; i < n; ++i) {
    std::snprintf(b, sizeof b, i ? " %02X" : "%02X", s[i]);
    out += b;
  }
  return out;
}

SnmpVarbind to_varbind(const netsnmp_variable_list* v) {
  SnmpVarbind out;
  out.oid = oid_text(v->name, v->name_length);
  auto number = [&](const char* type, double value) {
    out.type = type;
    out.numeric = true;
    out.number = value;
    out.text = std::to_string(static_cast<long long>(value));
  };
  switch (v->type) {
    case ASN_INTEGER: number("INTEGER", static_cast<double>(*v->val.integer)); break;
    case ASN_COUNTER: number("Counter32", static_cast<double>(static_cast<u_long>(*v->val.integer) & 0xffffffffUL)); break;
    case ASN_GAUGE: number("Gauge32", static_cast<double>(static_cast<u_long>(*v->val.integer) & 0xffffffffUL)); break;
    case ASN_TIMETICKS: number("Timeticks", static_cast<double>(static_cast<u_long>(*v->val.integer) & 0xffffffffUL)); break;
    case ASN_UINTEGER: number("UInteger32", static_cast<double>(static_cast<u_long>(*v->val.integer) & 0xffffffffUL)); break;
    case ASN_COUNTER64:
      number("Counter64", static_cast<double>(v->val.counter64->high) * 4294967296.0 +
                              static_cast<double>(v->val.counter64->low));
      out.text = std::to_string((static_cast<unsigned long long>(v->val.counter64->high) << 32) |
                                v->val.counter64->low);
      break;
    case ASN_OCTET_STR:
      if (printable(v->val.string, v->val_len)) {
        out.type = "STRING";
        std::size_t n = v->val_len;
        if (n && v->val.string[n - 1] == 0) --n;
        out.text.assign(reinterpret_cast<const char*>(v->val.string), n);
      } else {
        out.type = "Hex-STRING";
        out.text = hex(v->val.string, v->val_len);
      }
      break;
    case ASN_OBJECT_ID:
      out.type = "OID";
      out.text = oid_text(v->val.objid, v->val_len / sizeof(oid));
      break;
    case ASN_IPADDRESS:
      out.type = "IpAddress";
      if (v->val_len == 4) {
        const u_char* a = v->val.string;
        out.text = std::to_string(a[0]) + "." + std::to_string(a[1]) + "." + std::to_string(a[2]) + "." + std::to_string(a[3]);
      } else {
        out.text = hex(v->val.string, v->val_len);
      }
      break;
    case ASN_NULL: out.type = "NULL"; break;
    case SNMP_NOSUCHOBJECT: out.kind = SnmpVarbind::Kind::no_such_object; break;
    case SNMP_NOSUCHINSTANCE: out.kind = SnmpVarbind::Kind::no_such_instance; break;
    case SNMP_ENDOFMIBVIEW: out.kind = SnmpVarbind::Kind::end_of_mib_view; break;
    default:
      out.type = "Opaque";
      out.text = hex(v->val.string, v->val_len);
      break;
  }
  return out;
}

const char* auth_name(catalogue::SnmpAuthProtocol p) {
  using A = catalogue::SnmpAuthProtocol;
  switch (p) {
    case A::MD5: return "MD5";
    case A::SHA: return "SHA";
    case A::SHA224: return "SHA-224";
    case A::SHA256: return "SHA-256";
    case A::SHA384: return "SHA-384";
    case A::SHA512: return "SHA-512";
  }
  return "SHA";
}

const char* priv_name(catalogue::SnmpPrivProtocol p) {
  using P = catalogue::SnmpPrivProtocol;
  switch (p) {
    case P::DES: return "DES";
    case P::AES: return "AES";
    case P::AES192: return "AES-192";
    case P::AES256: return "AES-256";
    case P::AES192C: return "AES-192-C";
    case P::AES256C: return "AES-256-C";
  }
  return "AES";
}

// ---- one open session -------------------------------------------------------------------------

// A pending request's outcome, filled by net-snmp's callback.
struct Pending {
  bool done = false;
  bool timed_out = false;
  int reqid = 0;                    // the try that was answered
  netsnmp_pdu* response = nullptr;  // owned (a clone)
  ~Pending() {
    if (response) snmp_free_pdu(response);
  }
};

struct Session {
  Session(const asio::any_io_executor& ex) : sd(ex), timer(ex) {}
  ~Session() {
    if (sd.is_open()) (void)sd.release();  // net-snmp owns the socket
    if (handle) snmp_sess_close(handle);
  }
  void* handle = nullptr;
  asio::posix::stream_descriptor sd;
  asio::steady_timer timer;
  std::unordered_map<int, std::shared_ptr<Pending>> pending;  // by request id
  std::string usm_fingerprint;  // v3: the keys its USM user was installed with
  bool clean = true;            // no request abandoned on it (net-snmp would still resend that one)
  Clock::time_point idle_since;

  static int on_response(int op, netsnmp_session*, int reqid, netsnmp_pdu* pdu, void* magic) {
    auto* self = static_cast<Session*>(magic);
    if (op == NETSNMP_CALLBACK_OP_RESEND) return 1;  // a retransmission: still waiting
    auto it = self->pending.find(reqid);
    // A Report to a request it could not decrypt or authenticate (authPriv with a wrong key, an
    // unknown user) carries request id 0: net-snmp matched it by msgID to our one request in flight.
    if (it == self->pending.end() && pdu && pdu->command == SNMP_MSG_REPORT && !self->pending.empty() &&
        (op == NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE || op == NETSNMP_CALLBACK_OP_SEC_ERROR) &&
        std::all_of(self->pending.begin(), self->pending.end(),
                    [&](const auto& e) { return e.second == self->pending.begin()->second; }))
      it = self->pending.begin();
    if (it == self->pending.end()) return 1;  // abandoned, or already answered (SEC_ERROR then RECEIVED)
    auto& p = *it->second;
    if (p.done) {  // a second callback for an answered request (SEC_ERROR, then RECEIVED)
      self->pending.erase(it);
      return 1;
    }
    if (op == NETSNMP_CALLBACK_OP_TIMED_OUT) {  // one try expired; the others may still be answered
      self->pending.erase(it);
      return 1;
    }
    p.done = true;
    p.reqid = it->first;
    // SEC_ERROR carries a v3 Report (wrong digest, unknown user...): kept as the response.
    if ((op == NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE || op == NETSNMP_CALLBACK_OP_SEC_ERROR) && pdu)
      p.response = snmp_clone_pdu(pdu);
    else
      p.timed_out = true;
    self->pending.erase(it);
    return 1;
  }
};

// What one request came back with.
struct Reply {
  enum class Kind { response, timeout, error, cancelled };
  Kind kind = Kind::error;
  std::shared_ptr<Pending> pending;  // response in pending->response
  std::string error;
  ProbeError cause = ProbeError::internal;  // of an error: a local send failure is the path's
  int tries = 0;                            // tries sent
  netsnmp_pdu* pdu() const { return pending ? pending->response : nullptr; }
};

// A walk or GET that failed, with its cause in the failure table (probes/codec/failure.h).
struct Failure {
  std::string message;
  ProbeError error = ProbeError::expectation_failed;
  bool engine_suspect = false;  // no answer, or a Report saying the engine id or time is wrong
};

// How one run sends its requests: tries per request, with per-try timeouts from the target's
// measured round trip (probes/codec/round_trip.h), and what happened so far (for messages).
struct RunPlan {
  int tries = 1;                   // retries + 1
  double timeout_ms = 0;           // the run's
  RoundTrip* round_trip = nullptr; // the target's, updated by every answer to a try we can time
  int requests = 0;                // requests sent in this run (tries of one request count once)
  int answered = 0;                // of which answered
};

struct EngineKey {
  std::string endpoint;
  bool operator<(const EngineKey& o) const { return endpoint < o.endpoint; }
};

class SnmpRunnerImpl final : public SnmpRunner {
 public:
  SnmpRunnerImpl(asio::any_io_executor ex, SnmpRunnerOptions options, std::shared_ptr<spdlog::logger> logger)
      : executor_(ex), options_(std::move(options)), logger_(std::move(logger)), rng_(std::random_device{}()) {
    init_netsnmp(options_, logger_);
  }

  catalogue::ProbeType type() const override { return catalogue::ProbeType::snmp; }
  std::size_t in_flight() const override { return in_flight_; }
  std::size_t idle_sessions() const override { return idle_count_; }

  asio::awaitable<ProbeResult> run(const catalogue::Probe& probe, TimeMs started) override {
    auto r = co_await fetch(probe, started);
    co_return std::move(r.result);
  }

  asio::awaitable<SnmpRun> fetch(const catalogue::Probe& probe, TimeMs started) override {
    ++in_flight_;
    struct Count {
      std::size_t& n;
      ~Count() { --n; }
    } count{in_flight_};
    SnmpRun run;
    const auto t0 = Clock::now();
    RunOutcome outcome = co_await measure(probe, t0, run.values);
    const auto elapsed_us = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t0).count();
    outcome.latency_ms = static_cast<double>(elapsed_us) / 1000.0;
    outcome.metrics.insert(outcome.metrics.begin(), Metric{std::string(catalogue::measure::values), static_cast<double>(run.values.size())});
    if (logger_ && outcome.error != ProbeError::ok) logger_->debug("{}: {}", probe.id, outcome.message);
    run.result = evaluate(probe, started, std::move(outcome), options_.agent.empty() ? probe.agent : options_.agent);
    co_return run;
  }

 private:
  using Deadline = Clock::time_point;

  asio::awaitable<RunOutcome> measure(const catalogue::Probe& probe, Clock::time_point t0,
                                      std::vector<SnmpVarbind>& values) {
    RunOutcome out;
    const auto fail = [&out](Failure f) {
      out.error = f.error;
      out.message = std::move(f.message);
      return out;
    };
    const auto* spec = std::get_if<catalogue::SnmpSpec>(&probe.spec);
    if (!spec) co_return fail({"not an snmp probe", ProbeError::internal});
    const Deadline deadline = t0 + std::chrono::milliseconds(probe.timeout_ms);

    // OIDs first: a name no loaded MIB knows is the agent's configuration problem.
    std::vector<std::vector<oid>> get_oids, walk_oids;
    for (const auto& e : spec->get) {
      auto o = parse_oid(e.oid);
      if (o.empty()) co_return fail({"unknown OID '" + e.oid + "' (no loaded MIB defines it)", ProbeError::agent_config});
      get_oids.push_back(std::move(o));
    }
    for (const auto& e : spec->walk) {
      auto o = parse_oid(e.oid);
      if (o.empty()) co_return fail({"unknown OID '" + e.oid + "' (no loaded MIB defines it)", ProbeError::agent_config});
      walk_oids.push_back(std::move(o));
    }

    // Where to.
    const auto addresses = co_await resolve_host(executor_, spec->target, catalogue::IpVersion::any, deadline);
    if (!addresses)
      co_return fail({resolve_message(spec->target, catalogue::IpVersion::any, addresses.error()), ProbeError::name_unresolved});
    const std::optional<asio::ip::udp::endpoint> endpoint{
        std::in_place, addresses->front(), static_cast<unsigned short>(spec->port)};
    const std::string peer = (endpoint->address().is_v6() ? "udp6:[" + endpoint->address().to_string() + "]"
                                                          : "udp:" + endpoint->address().to_string()) +
                             ":" + std::to_string(endpoint->port());

    // Which engine (v3).
    std::optional<EngineInfo> engine;
    if (spec->version == catalogue::SnmpVersion::v3) {
      if (auto it = engines_.find(peer); it != engines_.end()) engine = it->second;
      else {
        auto found = co_await discover(*endpoint, *spec, deadline, static_cast<double>(probe.timeout_ms),
                                       round_trips_[peer]);
        if (!found) {
          // A local send error (a route, a firewall) is not "no answer" from the target.
          if (found.error() == ProbeError::no_answer)
            co_return fail({"no answer to SNMPv3 engine discovery from " + spec->target, ProbeError::no_answer});
          const auto cause = classify_errno(found.error().value());
          const auto why = cause == ProbeError::internal ? ProbeError::network_unreachable : cause;
          co_return fail({"cannot send to " + spec->target + ": " + found.error().message() + " (" +
                              make_error_code(why).message() + ")",
                          why});
        }
        engine = *found;
        engines_[peer] = *engine;
        set_enginetime(reinterpret_cast<const u_char*>(engine->id.data()), static_cast<u_int>(engine->id.size()),
                       engine->boots, engine->time_s, TRUE);
      }
    }

    const std::string key = session_key(*spec, peer, engine, probe.timeout_ms);
    std::unique_ptr<Session> owned = take_idle(key, engine, spec->user);
    if (!owned) {
      owned = std::make_unique<Session>(executor_);
      if (auto why = open(*owned, *spec, peer, engine, probe.timeout_ms)) co_return fail(std::move(*why));
    }
    // Back to the pool when the run ends, whichever way, if nothing was left in flight on it.
    struct GiveBack {
      SnmpRunnerImpl& runner;
      const std::string& key;
      std::unique_ptr<Session>& session;
      ~GiveBack() { runner.put_idle(key, std::move(session)); }
    } give_back{*this, key, owned};
    Session& session = *owned;

    if (round_trips_.size() > 100'000) round_trips_.clear();
    RunPlan plan;
    plan.tries = std::max(1, spec->retries + 1);
    plan.timeout_ms = static_cast<double>(probe.timeout_ms);
    plan.round_trip = &round_trips_[peer];

    // GETs, as few PDUs as the agent takes (halved on tooBig).
    if (!get_oids.empty()) {
      std::vector<SnmpVarbind> got;
      if (auto why = co_await get(session, *spec, get_oids, deadline, plan, got)) {
        if (why->engine_suspect) engines_.erase(peer);  // rediscover next time
        co_return fail(std::move(*why));
      }
      for (std::size_t i = 0; i < got.size(); ++i) {
        values.push_back(got[i]);
        const auto& entry = spec->get[i];
        if (auto why = check_value(entry.expect ? &*entry.expect : nullptr, got[i]))
          co_return fail({entry.oid + ": " + *why, ProbeError::expectation_failed});
      }
    }
    // Walks.
    for (std::size_t i = 0; i < walk_oids.size(); ++i) {
      std::vector<SnmpVarbind> rows;
      if (auto why = co_await walk(session, *spec, walk_oids[i], deadline, plan, rows)) {
        if (why->engine_suspect) engines_.erase(peer);
        values.insert(values.end(), rows.begin(), rows.end());
        co_return fail({"walk " + spec->walk[i].oid + ": " + why->message, why->error});
      }
      values.insert(values.end(), rows.begin(), rows.end());
      const auto& entry = spec->walk[i];
      if (auto why = check_walk(entry.expect ? &*entry.expect : nullptr, rows))
        co_return fail({"walk " + entry.oid + ": " + *why, ProbeError::expectation_failed});
    }
    co_return out;
  }

  // Everything a session's set-up depends on. Passwords are part of it (in memory only): a probe
  // whose credentials changed gets a new session.
  static std::string session_key(const catalogue::SnmpSpec& spec, const std::string& peer,
                                 const std::optional<EngineInfo>& engine, DurationMs timeout_ms) {
    std::string key = peer;
    const auto add = [&key](std::string_view part) {
      key += '\0';
      key += part;
    };
    add(std::to_string(static_cast<int>(spec.version)));
    add(std::to_string(spec.retries));
    add(std::to_string(timeout_ms));
    if (spec.version != catalogue::SnmpVersion::v3) {
      add(spec.community.value());
      return key;
    }
    add(engine ? engine->id : "");
    add(spec.user);
    add(spec.context);
    add(std::to_string(static_cast<int>(spec.security_level)));
    add(spec.auth_protocol ? std::to_string(static_cast<int>(*spec.auth_protocol)) : "-");
    add(spec.auth_password.value());
    add(spec.priv_protocol ? std::to_string(static_cast<int>(*spec.priv_protocol)) : "-");
    add(spec.priv_password.value());
    return key;
  }

  // An idle session for `key`, if one is kept and (v3) the USM table still holds its keys: another
  // probe with other keys for the same (engine, user) may have replaced them in the meantime.
  std::unique_ptr<Session> take_idle(const std::string& key, const std::optional<EngineInfo>& engine,
                                     const std::string& user) {
    auto it = idle_.find(key);
    if (it == idle_.end() || it->second.empty()) return nullptr;
    std::unique_ptr<Session> s = std::move(it->second.back());
    it->second.pop_back();
    if (it->second.empty()) idle_.erase(it);
    --idle_count_;
    if (engine) {
      auto u = users_.find(engine->id + '\0' + user);
      if (u == users_.end() || u->second != s->usm_fingerprint) return nullptr;  // closed here
    }
    return s;
  }

  // Keeps a session whose requests all ended for the next run to the same target; closes the rest,
  // and the idle ones past their time (checked at most every few seconds).
  void put_idle(const std::string& key, std::unique_ptr<Session> session) {
    const auto now = Clock::now();
    const auto ttl = std::chrono::milliseconds(options_.idle_session_ttl_ms);
    if (now - last_idle_sweep_ >= std::min<Clock::duration>(ttl, std::chrono::seconds(10))) {
      last_idle_sweep_ = now;
      for (auto it = idle_.begin(); it != idle_.end();) {
        auto& v = it->second;
        const auto old = std::remove_if(v.begin(), v.end(), [&](const auto& s) { return now - s->idle_since > ttl; });
        idle_count_ -= static_cast<std::size_t>(v.end() - old);
        v.erase(old, v.end());
        it = v.empty() ? idle_.erase(it) : std::next(it);
      }
    }
    if (!session || !session->handle || !session->clean || !session->pending.empty()) return;
    if (idle_count_ >= options_.max_idle_sessions) return;
    session->idle_since = now;
    idle_[key].push_back(std::move(session));
    ++idle_count_;
  }

  // Numeric OIDs always; names through the loaded MIBs. Cached per text.
  std::vector<oid> parse_oid(const std::string& text) {
    if (auto it = oids_.find(text); it != oids_.end()) return it->second;
    oid buf[MAX_OID_LEN];
    std::size_t len = MAX_OID_LEN;
    std::vector<oid> out;
    if (snmp_parse_oid(text.c_str(), buf, &len)) out.assign(buf, buf + len);
    if (!out.empty()) oids_[text] = out;
    return out;
  }

  // RFC 3414 discovery over a UDP socket of our own, retried like a request.
  // Errors: ProbeError::no_answer, or the local send error (errno).
  asio::awaitable<boost::system::result<EngineInfo>> discover(const asio::ip::udp::endpoint& to,
                                                              const catalogue::SnmpSpec& spec, Deadline deadline,
                                                              double timeout_ms, RoundTrip& round_trip) {
    boost::system::error_code open_ec;
    asio::ip::udp::socket sock(executor_);
    sock.open(to.protocol(), open_ec);
    if (open_ec) co_return open_ec;
    const auto msg_id = static_cast<std::uint32_t>(rng_());
    const auto request = build_discovery_request(msg_id, static_cast<std::uint32_t>(rng_()));
    const int tries = std::max(1, spec.retries + 1);
    std::array<std::uint8_t, 2048> buf;
    for (int attempt = 0; attempt < tries && Clock::now() < deadline; ++attempt) {
      boost::system::error_code ec;
      const auto sent_at = Clock::now();
      sock.send_to(asio::buffer(request), to, 0, ec);  // UDP send does not block
      if (ec) co_return ec;
      // Per-try waits from the target's round trip, like requests; the last try waits to the deadline.
      const auto try_us = static_cast<std::int64_t>(round_trip.try_ms(timeout_ms, tries, attempt) * 1000);
      asio::steady_timer timer(executor_, attempt + 1 == tries ? deadline
                                                               : std::min(deadline, sent_at + std::chrono::microseconds(try_us)));
      for (;;) {
        asio::ip::udp::endpoint from;
        auto r = co_await (sock.async_receive_from(asio::buffer(buf), from, asio::redirect_error(asio::use_awaitable, ec)) ||
                           timer.async_wait(asio::as_tuple(asio::use_awaitable)));
        if (r.index() != 0) break;  // this try timed out
        if (ec) break;
        if (auto info = parse_discovery_response(std::span(buf.data(), std::get<0>(r)), msg_id)) {
          // Only the first try's answer can be timed (later tries carry the same message id).
          if (attempt == 0) round_trip.sample(std::chrono::duration<double, std::milli>(Clock::now() - sent_at).count());
          co_return *info;
        }
      }
    }
    co_return boost::system::error_code(ProbeError::no_answer);
  }

  // Opens the session (no blocking probe) and, for v3, installs its USM user.
  std::optional<Failure> open(Session& session, const catalogue::SnmpSpec& spec, const std::string& peer,
                              const std::optional<EngineInfo>& engine, DurationMs timeout_ms) {
    netsnmp_session s;
    snmp_sess_init(&s);
    std::string peername = peer;
    s.peername = peername.data();
    // We send each try ourselves (request()), so net-snmp never resends; its timeout is set per try.
    s.retries = 0;
    s.timeout = static_cast<long>(timeout_ms * 1000);
    s.flags |= SNMP_FLAGS_DONT_PROBE;
    if (options_.max_message_bytes > 0) s.rcvMsgMaxSize = options_.max_message_bytes;
    s.callback = &Session::on_response;
    s.callback_magic = &session;
    std::string community, user, context, fingerprint;
    if (spec.version != catalogue::SnmpVersion::v3) {
      s.version = spec.version == catalogue::SnmpVersion::v1 ? SNMP_VERSION_1 : SNMP_VERSION_2c;
      community = spec.community.value();
      s.community = reinterpret_cast<u_char*>(community.data());
      s.community_len = community.size();
    } else {
      s.version = SNMP_VERSION_3;
      user = spec.user;
      context = spec.context;
      s.securityName = user.data();
      s.securityNameLen = user.size();
      s.securityModel = SNMP_SEC_MODEL_USM;
      s.contextName = context.data();
      s.contextNameLen = context.size();
      s.securityEngineID = reinterpret_cast<u_char*>(const_cast<char*>(engine->id.data()));
      s.securityEngineIDLen = engine->id.size();
      s.contextEngineID = s.securityEngineID;
      s.contextEngineIDLen = s.securityEngineIDLen;
      using L = catalogue::SnmpSecurityLevel;
      s.securityLevel = spec.security_level == L::authPriv     ? SNMP_SEC_LEVEL_AUTHPRIV
                        : spec.security_level == L::authNoPriv ? SNMP_SEC_LEVEL_AUTHNOPRIV
                                                               : SNMP_SEC_LEVEL_NOAUTH;
      fingerprint = std::to_string(s.securityLevel);
      // Levels below authPriv still name their (absent) protocols explicitly for the USM table.
      s.securityAuthProto = usmNoAuthProtocol;
      s.securityAuthProtoLen = OID_LENGTH(usmNoAuthProtocol);
      s.securityPrivProto = usmNoPrivProtocol;
      s.securityPrivProtoLen = OID_LENGTH(usmNoPrivProtocol);
      if (spec.security_level != L::noAuthNoPriv) {
        const int auth_type = usm_lookup_auth_type(auth_name(spec.auth_protocol.value_or(catalogue::SnmpAuthProtocol::SHA)));
        std::size_t len = 0;
        s.securityAuthProto = sc_get_auth_oid(auth_type, &len);
        s.securityAuthProtoLen = len;
        if (!s.securityAuthProto) return Failure{"authentication protocol not supported by net-snmp", ProbeError::agent_config};
        const auto& ku = master_key(s.securityAuthProto, len, spec.auth_password.value());
        if (ku.empty()) return Failure{"cannot derive the authentication key", ProbeError::agent_config};
        std::copy(ku.begin(), ku.end(), s.securityAuthKey);
        s.securityAuthKeyLen = ku.size();
        fingerprint += "|" + std::to_string(auth_type) + "|" + ku;
        if (spec.security_level == L::authPriv) {
          const int priv_type = usm_lookup_priv_type(priv_name(spec.priv_protocol.value_or(catalogue::SnmpPrivProtocol::AES)));
          std::size_t plen = 0;
          s.securityPrivProto = sc_get_priv_oid(priv_type, &plen);
          s.securityPrivProtoLen = plen;
          if (!s.securityPrivProto || priv_type < 0) return Failure{"privacy protocol not supported by net-snmp", ProbeError::agent_config};
          // The privacy master key is derived with the authentication hash (RFC 3414).
          const auto& kp = master_key(s.securityAuthProto, len, spec.priv_password.value());
          if (kp.empty()) return Failure{"cannot derive the privacy key", ProbeError::agent_config};
          std::copy(kp.begin(), kp.end(), s.securityPrivKey);
          s.securityPrivKeyLen = kp.size();
          fingerprint += "|" + std::to_string(priv_type) + "|" + kp;
        }
      }
    }
    session.usm_fingerprint = fingerprint;
    if (spec.version == catalogue::SnmpVersion::v3) {
      // The USM table is keyed by (engine, user): keep the entry while its keys are the ones we need
      // (its localized keys are then reused, not recomputed); replace it when they changed.
      const std::string key = engine->id + '\0' + spec.user;
      auto* existing = usm_get_user(reinterpret_cast<const u_char*>(engine->id.data()), engine->id.size(),
                                    const_cast<char*>(spec.user.c_str()));
      auto it = users_.find(key);
      if (existing && (it == users_.end() || it->second != fingerprint)) {
        usm_remove_user(existing);
        usm_free_user(existing);
        existing = nullptr;
      }
      if (!existing) {
        if (usm_create_user_from_session(&s) != SNMPERR_SUCCESS)
          return Failure{"cannot set up the SNMPv3 user", ProbeError::agent_config};
        users_[key] = fingerprint;
      }
    }
    session.handle = snmp_sess_open(&s);
    if (!session.handle) {
      return Failure{std::string("cannot open an SNMP session: ") + snmp_api_errstring(s.s_snmp_errno),
                     s.s_errno == ENOMEM ? ProbeError::no_memory : ProbeError::no_socket};
    }
    netsnmp_transport* t = snmp_sess_transport(session.handle);
    if (!t || t->sock < 0) return Failure{"SNMP session has no socket", ProbeError::no_socket};
    session.sd.assign(t->sock);
    return std::nullopt;
  }

  // Ku for (hash, password), computed once (it hashes a megabyte).
  const std::string& master_key(const oid* proto, std::size_t proto_len, const std::string& password) {
    std::string key = oid_text(proto, proto_len) + '\0' + password;
    auto& slot = master_keys_[key];
    if (slot.empty() && !password.empty()) {
      u_char ku[USM_AUTH_KU_LEN];
      std::size_t ku_len = sizeof ku;
      if (generate_Ku(proto, static_cast<u_int>(proto_len), reinterpret_cast<const u_char*>(password.data()),
                      password.size(), ku, &ku_len) == SNMPERR_SUCCESS)
        slot.assign(reinterpret_cast<const char*>(ku), ku_len);
    }
    return slot;
  }

  // Sends `pdu` (consumed) up to plan.tries times and pumps the session until an answer to any try,
  // or the end of the last try: each try waits its own timeout from the target's round trip (doubling
  // from try to try), the last one until `deadline` when `last_to_deadline`. Every try is a request
  // of its own (own request id), so the round trip of the try that was answered is known exactly.
  asio::awaitable<Reply> request(Session& session, netsnmp_pdu* pdu, Deadline deadline, RunPlan& plan,
                                 bool last_to_deadline) {
    Reply reply;
    auto pending = std::make_shared<Pending>();
    std::vector<std::pair<int, Clock::time_point>> sent;  // (request id, when) of each try
    struct Forget {  // tries still open when we stop waiting: their late answers find nothing
      Session& session;
      std::vector<std::pair<int, Clock::time_point>>& sent;
      netsnmp_pdu* original;
      ~Forget() {
        for (const auto& [id, at] : sent) session.pending.erase(id);
        snmp_free_pdu(original);
      }
    } forget{session, sent, pdu};
    ++plan.requests;
    const int fd = snmp_sess_transport(session.handle)->sock;
    netsnmp_session* ns = snmp_sess_session(session.handle);
    for (int k = 0; k < plan.tries && !pending->done; ++k) {
      const auto now = Clock::now();
      if (now >= deadline) break;
      const bool last = k + 1 == plan.tries;
      const auto try_ms = plan.round_trip->try_ms(plan.timeout_ms, plan.tries, k);
      const Deadline try_until =
          last && last_to_deadline
              ? deadline
              : std::min(deadline, now + std::chrono::microseconds(static_cast<std::int64_t>(try_ms * 1000)));
      // net-snmp keeps each try until the run's deadline, so that a late answer to an earlier try counts.
      ns->timeout = std::max<long>(1000, static_cast<long>(
                                             std::chrono::duration_cast<std::chrono::microseconds>(deadline - now).count()));
      netsnmp_pdu* copy = snmp_clone_pdu(pdu);
      if (!copy) {
        reply.error = "out of memory";
        reply.cause = ProbeError::no_memory;
        co_return reply;
      }
      // A request id (and v3 message id) of its own: which try was answered, and when it was sent.
      copy->reqid = snmp_get_next_reqid();
      copy->msgid = snmp_get_next_msgid();
      const int reqid = snmp_sess_async_send(session.handle, copy, &Session::on_response, &session);
      if (reqid == 0) {
        snmp_free_pdu(copy);
        session.clean = false;
        int err = 0, snmp_err = 0;
        char* text = nullptr;
        snmp_sess_error(session.handle, &err, &snmp_err, &text);
        reply.error = text ? text : "send failed";
        SNMP_FREE(text);
        // sendto's errno: a local route (unreachable, blackhole, prohibit) or firewall is the path's
        // failure (down), never "no answer"; only the agent's own shortage stays unknown.
        reply.cause = err ? classify_errno(err) : ProbeError::internal;
        if (err)
          reply.error = "cannot send to the target: " + std::string(std::strerror(err)) + " (" +
                        make_error_code(reply.cause).message() + ")";
        co_return reply;
      }
      session.pending[reqid] = pending;
      sent.emplace_back(reqid, now);
      reply.tries = k + 1;
      while (!pending->done) {
        // Read what is already there (the descriptor is edge-triggered for Asio).
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 0) > 0 && (p.revents & POLLIN)) {
          read(session, fd);
          continue;
        }
        const auto t = Clock::now();
        if (t >= try_until) break;  // this try is over: the next one, or no answer
        int numfds = 0, block = 0;
        timeval tv{3600, 0};
        netsnmp_large_fd_set fdset;
        netsnmp_large_fd_set_init(&fdset, fd + 1);
        snmp_sess_select_info2(session.handle, &numfds, &fdset, &tv, &block);
        netsnmp_large_fd_set_cleanup(&fdset);
        auto wake = try_until;
        if (!block) wake = std::min(wake, t + std::chrono::seconds(tv.tv_sec) + std::chrono::microseconds(tv.tv_usec));
        session.timer.expires_at(wake);
        boost::system::error_code ec;
        auto r = co_await (session.sd.async_wait(asio::posix::stream_descriptor::wait_read,
                                                 asio::redirect_error(asio::use_awaitable, ec)) ||
                           session.timer.async_wait(asio::redirect_error(asio::use_awaitable, ec)));
        if ((co_await asio::this_coro::cancellation_state).cancelled() != asio::cancellation_type::none) {
          session.clean = false;
          reply.kind = Reply::Kind::cancelled;
          co_return reply;
        }
        if (r.index() == 0) read(session, fd);
        else snmp_sess_timeout(session.handle);  // expires tries of earlier runs (never resends: retries 0)
      }
    }
    if (!pending->done || !pending->response) {
      if (Clock::now() >= deadline) session.clean = false;  // abandoned at the run's deadline
      reply.kind = Reply::Kind::timeout;
      co_return reply;
    }
    // The round trip of the try that was answered (reports carry no request id: not timed).
    for (const auto& [id, at] : sent)
      if (id == pending->reqid)
        plan.round_trip->sample(std::chrono::duration<double, std::milli>(Clock::now() - at).count());
    ++plan.answered;
    reply.pending = pending;
    reply.kind = Reply::Kind::response;
    co_return reply;
  }

  static void read(Session& session, int fd) {
    netsnmp_large_fd_set fdset;
    netsnmp_large_fd_set_init(&fdset, fd + 1);
    NETSNMP_LARGE_FD_SET(fd, &fdset);
    snmp_sess_read2(session.handle, &fdset);
    netsnmp_large_fd_set_cleanup(&fdset);
  }

  // A response's failure, if any: a v3 Report, or a non-zero error status.
  // A v3 Report's cause (RFC 3414 usmStats counters) in the failure table.
  static ProbeError report_cause(int code) {
    switch (code) {
      case SNMPERR_AUTHENTICATION_FAILURE: return ProbeError::snmp_wrong_digest;
      case SNMPERR_UNKNOWN_USER_NAME: return ProbeError::snmp_unknown_user;
      case SNMPERR_DECRYPTION_ERR: return ProbeError::snmp_decryption_error;
      case SNMPERR_UNSUPPORTED_SEC_LEVEL: return ProbeError::snmp_unsupported_level;
      case SNMPERR_UNKNOWN_ENG_ID:
      case SNMPERR_NOT_IN_TIME_WINDOW: return ProbeError::snmp_engine_mismatch;
      default: return ProbeError::bad_reply;
    }
  }

  // A response's failure, if any: a v3 Report, or a non-zero error status.
  static std::optional<Failure> response_error(netsnmp_pdu* pdu, const std::string& what) {
    if (pdu->command == SNMP_MSG_REPORT) {
      const int code = snmpv3_get_report_type(pdu);
      const ProbeError cause = report_cause(code);
      const std::string text = cause == ProbeError::bad_reply ? std::string("Report: ") + snmp_api_errstring(code)
                                                              : make_error_code(cause).message();
      return Failure{what + ": " + text, cause, cause == ProbeError::snmp_engine_mismatch};
    }
    if (pdu->errstat != SNMP_ERR_NOERROR)
      return Failure{what + ": error " + snmp_errstring(static_cast<int>(pdu->errstat)) +
                         (pdu->errindex > 0 ? " at varbind " + std::to_string(pdu->errindex) : ""),
                     ProbeError::snmp_error_status};
    return std::nullopt;
  }

  // "no response from HOST:PORT (wrong community, or no agent)" while nothing of the run was answered;
  // once the target has answered, what happened: "no answer to request 49 (5 tries) after 1180 rows".
  static std::string no_answer(const catalogue::SnmpSpec& spec, const RunPlan& plan, std::size_t rows, int tries) {
    if (plan.answered > 0)
      return "no answer to request " + std::to_string(plan.requests) + " (" + std::to_string(tries) +
             (tries == 1 ? " try" : " tries") + ") after " + std::to_string(rows) + " rows";
    using L = catalogue::SnmpSecurityLevel;
    return "no response from " + spec.target + ":" + std::to_string(spec.port) +
           (spec.version != catalogue::SnmpVersion::v3       ? " (wrong community, or no agent)"
            : spec.security_level == L::authPriv ? " (wrong password, or no agent)"
                                                 : "");
  }

  asio::awaitable<std::optional<Failure>> get(Session& session, const catalogue::SnmpSpec& spec,
                                              const std::vector<std::vector<oid>>& oids, Deadline deadline, RunPlan& plan,
                                              std::vector<SnmpVarbind>& out) {
    std::size_t chunk = oids.size();
    std::size_t i = 0;
    while (i < oids.size()) {
      const std::size_t n = std::min(chunk, oids.size() - i);
      netsnmp_pdu* pdu = snmp_pdu_create(SNMP_MSG_GET);
      for (std::size_t k = 0; k < n; ++k) snmp_add_null_var(pdu, oids[i + k].data(), oids[i + k].size());
      auto reply = co_await request(session, pdu, deadline, plan, true);
      if (reply.kind == Reply::Kind::error) co_return Failure{reply.error, reply.cause};
      if (reply.kind == Reply::Kind::cancelled) co_return Failure{"cancelled", ProbeError::internal};
      if (reply.kind == Reply::Kind::timeout) co_return Failure{no_answer(spec, plan, 0, reply.tries), ProbeError::no_answer, true};
      netsnmp_pdu* resp = reply.pdu();
      if (resp->command != SNMP_MSG_REPORT && resp->errstat == SNMP_ERR_TOOBIG && n > 1) {
        chunk = std::max<std::size_t>(1, n / 2);
        continue;
      }
      if (resp->command != SNMP_MSG_REPORT && resp->errstat != SNMP_ERR_NOERROR && resp->errindex > 0 &&
          static_cast<std::size_t>(resp->errindex) <= n) {
        // v1 noSuchName and friends: name the OID as written in the catalogue.
        co_return Failure{spec.get[i + resp->errindex - 1].oid + ": error " +
                              snmp_errstring(static_cast<int>(resp->errstat)),
                          ProbeError::snmp_error_status};
      }
      if (auto why = response_error(resp, "GET")) co_return why;
      std::size_t got = 0;
      for (auto* v = resp->variables; v && got < n; v = v->next_variable, ++got) out.push_back(to_varbind(v));
      if (got < n) co_return Failure{"GET: the response has " + std::to_string(got) + " of " + std::to_string(n) + " values", ProbeError::bad_reply};
      i += n;
    }
    co_return std::nullopt;
  }

  asio::awaitable<std::optional<Failure>> walk(Session& session, const catalogue::SnmpSpec& spec,
                                               const std::vector<oid>& root, Deadline deadline, RunPlan& plan,
                                               std::vector<SnmpVarbind>& rows) {
    constexpr std::size_t max_rows = 1'000'000;
    const bool bulk = spec.version != catalogue::SnmpVersion::v1;
    int reps = std::max(1, spec.max_repetitions);
    std::vector<oid> cur = root;
    for (;;) {
      netsnmp_pdu* pdu = snmp_pdu_create(bulk ? SNMP_MSG_GETBULK : SNMP_MSG_GETNEXT);
      if (bulk) {
        pdu->errstat = 0;     // non-repeaters
        pdu->errindex = reps;  // max-repetitions
      }
      snmp_add_null_var(pdu, cur.data(), cur.size());
      // Each request is tried plan.tries times with short per-try timeouts (from the measured round
      // trip): a plain loss costs one short wait and never shrinks the bulk. Only when every try of
      // a bulk request went unanswered (a size-related loss is then evident: the same request lost
      // each time, while a single datagram is lost rarely) is the bulk halved and the walk goes on;
      // at size 1 (or GETNEXT) the last try waits for all that is left of the run.
      const bool may_halve = bulk && reps > 1;
      auto reply = co_await request(session, pdu, deadline, plan, !may_halve);
      if (reply.kind == Reply::Kind::error) co_return Failure{reply.error, reply.cause};
      if (reply.kind == Reply::Kind::cancelled) co_return Failure{"cancelled", ProbeError::internal};
      if (reply.kind == Reply::Kind::timeout) {
        if (may_halve && Clock::now() < deadline) {
          reps = halve_repetitions(reps);
          if (logger_)
            logger_->debug("{}: no answer to a bulk request in {} tries, bulk size now {}", spec.target, reply.tries, reps);
          continue;
        }
        co_return Failure{no_answer(spec, plan, rows.size(), reply.tries), ProbeError::no_answer, true};
      }
      netsnmp_pdu* resp = reply.pdu();
      if (resp->command != SNMP_MSG_REPORT && resp->errstat == SNMP_ERR_TOOBIG && bulk && reps > 1) {
        reps = halve_repetitions(reps);
        if (logger_) logger_->debug("{}: tooBig, bulk size now {}", spec.target, reps);
        continue;
      }
      if (!bulk && resp->command != SNMP_MSG_REPORT && resp->errstat == SNMP_ERR_NOSUCHNAME) co_return std::nullopt;
      if (auto why = response_error(resp, bulk ? "GETBULK" : "GETNEXT")) co_return why;
      bool progressed = false;
      for (auto* v = resp->variables; v; v = v->next_variable) {
        if (v->type == SNMP_ENDOFMIBVIEW || v->type == SNMP_NOSUCHOBJECT || v->type == SNMP_NOSUCHINSTANCE)
          co_return std::nullopt;
        if (netsnmp_oid_is_subtree(root.data(), root.size(), v->name, v->name_length) != 0) co_return std::nullopt;
        // Stop when the agent's OIDs stop increasing (a broken agent would loop forever), and say so:
        // the rows past that point are unknown.
        if (snmp_oid_compare(v->name, v->name_length, cur.data(), cur.size()) <= 0)
          co_return Failure{"OID not increasing: " + oid_text(v->name, v->name_length) + " after " +
                            oid_text(cur.data(), cur.size()) + " (" + std::to_string(rows.size()) + " rows)",
                            ProbeError::not_increasing};
        rows.push_back(to_varbind(v));
        cur.assign(v->name, v->name + v->name_length);
        progressed = true;
        if (rows.size() >= max_rows) co_return Failure{"more than " + std::to_string(max_rows) + " rows", ProbeError::agent_config};
      }
      if (!progressed) co_return std::nullopt;
    }
  }

  asio::any_io_executor executor_;
  SnmpRunnerOptions options_;
  std::shared_ptr<spdlog::logger> logger_;
  std::mt19937 rng_;
  std::size_t in_flight_ = 0;
  std::unordered_map<std::string, std::vector<oid>> oids_;          // parsed OIDs by text
  std::map<std::string, EngineInfo> engines_;                       // by "udp:addr:port"
  std::unordered_map<std::string, RoundTrip> round_trips_;          // measured round trip by "udp:addr:port"
  std::unordered_map<std::string, std::string> master_keys_;        // Ku by (hash OID, password)
  std::unordered_map<std::string, std::string> users_;              // installed USM keys by (engine, user)
  std::unordered_map<std::string, std::vector<std::unique_ptr<Session>>> idle_;  // kept sessions by key
  std::size_t idle_count_ = 0;
  Clock::time_point last_idle_sweep_{};
};

}  // namespace

std::unique_ptr<SnmpRunner> make_snmp_runner(asio::any_io_executor executor, SnmpRunnerOptions options,
                                             std::shared_ptr<spdlog::logger> logger) {
  return std::make_unique<SnmpRunnerImpl>(std::move(executor), std::move(options), std::move(logger));
}

}  // namespace slamon::probes
