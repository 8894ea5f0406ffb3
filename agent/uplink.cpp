// The uplink coroutine (see uplink.h): the only translation unit of the agent with Asio's TLS.
#include "agent/uplink.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <spdlog/spdlog.h>

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <deque>
#include <random>
#include <stdexcept>

#include "agent/stored_batch.h"
#include "common/wire/frame.h"

namespace slamon::agent {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
namespace v1 = wire::v1;
using tcp = asio::ip::tcp;
using namespace asio::experimental::awaitable_operators;
using Stream = ssl::stream<tcp::socket>;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// Why a session ended; `logged`: the line saying so was already written (a refusal).
struct SessionEnd : std::runtime_error {
  SessionEnd(const std::string& why, bool logged_already = false) : std::runtime_error(why), logged(logged_already) {}
  bool logged;
};

std::chrono::steady_clock::time_point after(DurationMs ms) {
  return std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
}

std::string seconds(DurationMs ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", static_cast<double>(ms) / 1000.0);
  return buf;
}

// The last OpenSSL error queued, or "" (the handshake's error code alone says little).
std::string openssl_errors() {
  std::string out;
  while (const unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    out = buf;
  }
  return out;
}

}  // namespace

struct Uplink::Impl : std::enable_shared_from_this<Impl> {
  Impl(asio::any_io_executor ex, const AgentConfig& cfg, Spool& sp, const Clock& clk, std::shared_ptr<spdlog::logger> lg,
       UplinkHooks h, UplinkOptions o, UniformRandom random)
      : executor(ex),
        config(cfg),
        spool(sp),
        clock(clk),
        log(std::move(lg)),
        hooks(std::move(h)),
        options(o),
        choice(cfg.collectors.size(), random),
        backoff(std::move(random), o.backoff_initial_ms, o.backoff_max_ms),
        tls(ssl::context::tls_client),
        wake(ex),
        fallback(ex) {
    if (config.collectors.empty()) throw std::runtime_error("no collector address in the agent configuration");
    peer = address().text();
    setup_tls();
  }

  void setup_tls() {
    SSL_CTX* ctx = tls.native_handle();
    tls.set_options(ssl::context::default_workarounds | ssl::context::no_compression | ssl::context::no_sslv2 |
                    ssl::context::no_sslv3);
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
    boost::system::error_code ec;
    tls.load_verify_file(config.tls.ca_file, ec);
    if (ec)
      throw std::runtime_error("tls.ca_file " + config.tls.ca_file + ": cannot load the CA certificates: " +
                               ec.message() + " " + openssl_errors());
    tls.set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
    if (config.tls.cert_file) {
      tls.use_certificate_chain_file(*config.tls.cert_file, ec);
      if (ec)
        throw std::runtime_error("tls.cert_file " + *config.tls.cert_file + ": cannot load the client certificate: " +
                                 ec.message() + " " + openssl_errors());
    }
    if (config.tls.key_file) {
      tls.use_private_key_file(*config.tls.key_file, ssl::context::pem, ec);
      if (ec)
        throw std::runtime_error("tls.key_file " + *config.tls.key_file + ": cannot load the client key: " +
                                 ec.message() + " " + openssl_errors());
    }
  }

  // The collector to try now.
  const CollectorAddress& address() const { return config.collectors[choice.current()]; }

  // Arms the stream's name checks: the certificate must name `server_name` (or the collector host);
  // an IP address is checked as an address; a name is also sent as SNI.
  void verify_name(Stream& stream) const {
    const std::string name = config.tls.server_name.value_or(address().host);
    X509_VERIFY_PARAM* param = SSL_get0_param(stream.native_handle());
    boost::system::error_code ec;
    (void)asio::ip::make_address(name, ec);
    if (!ec) {
      X509_VERIFY_PARAM_set1_ip_asc(param, name.c_str());
    } else {
      X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
      X509_VERIFY_PARAM_set1_host(param, name.c_str(), name.size());
      SSL_set_tlsext_host_name(stream.native_handle(), name.c_str());
    }
  }

  void wake_writer() {
    wake_pending = true;
    wake.cancel();
  }

  // ---- frames ----

  asio::awaitable<void> write_frame(Stream& stream, const std::string& frame) {
    asio::steady_timer timer(executor, after(options.write_timeout_ms));
    auto r = co_await (asio::async_write(stream, asio::buffer(frame), use_tuple) || timer.async_wait(use_tuple));
    if (r.index() == 1) throw SessionEnd("a write to the collector took longer than " + seconds(options.write_timeout_ms) + " s");
    const boost::system::error_code ec = std::get<0>(std::get<0>(r));
    if (ec) throw boost::system::system_error(ec);
  }

  asio::awaitable<void> send(Stream& stream, const v1::AgentMessage& m) {
    std::string frame;
    wire::append_frame(frame, m.SerializeAsString());
    co_await write_frame(stream, frame);
  }

  // The next whole message from the collector, within `limit_ms`.
  asio::awaitable<v1::CollectorMessage> read_message(Stream& stream, DurationMs limit_ms, const char* waiting_for) {
    const auto deadline = after(limit_ms);
    for (;;) {
      if (auto payload = decoder.next()) {
        v1::CollectorMessage m;
        if (!m.ParseFromString(*payload)) throw SessionEnd("the collector sent a message that does not decode");
        co_return m;
      }
      if (!unread.empty()) {
        const std::size_t n = decoder.feed(unread);
        unread.erase(0, n);
        if (decoder.error() == wire::FrameError::oversized)
          throw SessionEnd("the collector announced a frame of " + std::to_string(decoder.announced()) +
                           " bytes (at most " + std::to_string(decoder.max_frame_bytes()) + ")");
        continue;
      }
      asio::steady_timer timer(executor, deadline);
      auto r = co_await (stream.async_read_some(asio::buffer(chunk), use_tuple) || timer.async_wait(use_tuple));
      if (r.index() == 1)
        throw SessionEnd(std::string("no ") + waiting_for + " from the collector for " + seconds(limit_ms) + " s");
      const boost::system::error_code ec = std::get<0>(std::get<0>(r));
      const std::size_t n = std::get<1>(std::get<0>(r));
      if (ec == asio::error::eof || ec == ssl::error::stream_truncated) throw SessionEnd("the collector closed the connection");
      if (ec) throw boost::system::system_error(ec);
      unread.append(chunk.data(), n);
    }
  }

  // ---- the session ----

  // Applies what the session logic decided about one collector message.
  void apply(Reaction& r, UplinkSession& session) {
    if (!r.log.empty() && log) {
      const auto level = r.level == LogLevel::error  ? spdlog::level::err
                         : r.level == LogLevel::warn ? spdlog::level::warn
                         : r.level == LogLevel::info ? spdlog::level::info
                                                     : spdlog::level::debug;
      log->log(level, "{}: {}", config.name, r.log);
    }
    if (r.close) throw SessionEnd(r.log, true);
    if (r.new_epoch) {
      try {
        spool.start_epoch(*r.new_epoch);
      } catch (const std::invalid_argument&) {
        throw SessionEnd("the collector's epoch " + std::to_string(*r.new_epoch) + " is not above the spool's " +
                         std::to_string(spool.state().epoch));
      }
    }
    if (r.acknowledge) {
      stats.acknowledged += spool.acknowledge(r.acknowledge->first, r.acknowledge->second);
      for (const auto& range : r.acknowledge_ranges.ranges())
        stats.acknowledged += spool.acknowledge_range(r.acknowledge->first, range.first, range.last);
    }
    if (r.assignment) {
      const auto outcome = hooks.apply_assignment ? hooks.apply_assignment(*r.assignment)
                                                  : AssignmentOutcome{false, "this agent takes no assignments"};
      outbox.push_back(make_assignment_reply(r.assignment->version(), outcome.accepted, outcome.reason));
      r.wake_sender = true;
    }
    if (r.wake_sender) wake_writer();
    (void)session;
  }

  // The first reason the reader or the writer ended for (the other one is then cancelled).
  void ended(const std::string& why, bool logged) {
    if (ending.empty()) {
      ending = why;
      ending_logged = logged;
    }
  }

  // The reader and the writer end normally, their reason in `ending`: `a || b` waits for the first
  // to end *without* an exception, so an exception would leave the other one running.
  asio::awaitable<void> reader(Stream& stream, UplinkSession& session) {
    try {
      for (;;) {
        auto m = co_await read_message(stream, options.silence_limit_ms, "message");
        const auto held = spool.state();
        auto r = session.on_message(m, SpoolMarks{held.epoch, held.first_seq, held.last_seq}, clock.now_ms());
        apply(r, session);
      }
    } catch (const SessionEnd& e) {
      ended(e.what(), e.logged);
    } catch (const boost::system::system_error& e) {
      ended(e.code() == ssl::error::stream_truncated || e.code() == asio::error::eof ? "the collector closed the connection"
                                                                                      : e.code().message(),
            false);
    } catch (const sqlite::Error& e) {
      ended(std::string("spool: ") + e.what(), false);
    }
  }

  asio::awaitable<void> writer(Stream& stream, UplinkSession& session) {
    try {
      co_await write_loop(stream, session);
    } catch (const SessionEnd& e) {
      ended(e.what(), e.logged);
    } catch (const boost::system::system_error& e) {
      ended(e.code().message(), false);
    } catch (const sqlite::Error& e) {
      ended(std::string("spool: ") + e.what(), false);
    }
  }

  asio::awaitable<void> write_loop(Stream& stream, UplinkSession& session) {
    auto next_heartbeat = after(options.heartbeat_every_ms);
    for (;;) {
      if (stopping) co_return;
      wake_pending = false;
      while (!outbox.empty()) {
        const auto m = outbox.front();
        outbox.pop_front();
        co_await send(stream, m);
      }
      if (std::chrono::steady_clock::now() >= next_heartbeat) {
        const auto heartbeat = make_heartbeat(clock.now_ms(), session.last_collector_clock_ms(), spool.state().entries);
        co_await send(stream, heartbeat);
        next_heartbeat = after(options.heartbeat_every_ms);
      }
      auto& window = session.window();
      // Live results first, the back-fill in the other slots (SendWindow::next).
      while (!stopping && outbox.empty()) {
        const auto next = window.next(spool.state().last_seq);
        if (!next) break;
        // The entries as stored, framed without decoding them (agent/stored_batch.h).
        spool.read_stored(next->from_seq, options.max_batch_entries, batch);
        batch.clip(next->until_seq);
        if (batch.entries.empty()) {
          window.not_held(next->from_seq, next->until_seq);
          continue;
        }
        if (batch.first_seq != next->from_seq) {
          if (log) log->debug("{}: the spool holds no entry {}; sending from {}", config.name, next->from_seq, batch.first_seq);
          window.not_held(next->from_seq, batch.first_seq - 1);
        }
        const auto range = encode_stored_batch(batch, payload);
        if (!range)
          throw SessionEnd("spool entry " + std::to_string(batch.first_seq) + " is larger than a frame (" +
                           std::to_string(wire::kDefaultMaxFrameBytes) + " bytes)");
        frame.clear();
        wire::append_frame(frame, payload);
        // Counted as sent before the write: a ResendRequest or an Ack read meanwhile then finds the
        // window as it will be (the write fails only with the session).
        window.sent(range->first_seq, range->last_seq, next->live);
        co_await write_frame(stream, frame);
        ++stats.batches_sent;
        stats.entries_sent += range->entries;
      }
      if (wake_pending || stopping) continue;
      wake.expires_at(next_heartbeat);
      co_await wake.async_wait(use_tuple);
      if ((co_await asio::this_coro::cancellation_state).cancelled() != asio::cancellation_type::none) co_return;
    }
  }

  asio::awaitable<void> session() {
    // Connect: resolve and TCP within connect_timeout_ms.
    tcp::resolver resolver(executor);
    asio::steady_timer timer(executor, after(options.connect_timeout_ms));
    const std::string host = address().host;
    const std::string port = std::to_string(address().port);
    auto resolved = co_await (resolver.async_resolve(host, port, use_tuple) || timer.async_wait(use_tuple));
    if (resolved.index() == 1) throw SessionEnd("resolving " + host + " took longer than " + seconds(options.connect_timeout_ms) + " s");
    const boost::system::error_code rec = std::get<0>(std::get<0>(resolved));
    if (rec) throw SessionEnd("cannot resolve " + host + ": " + rec.message());
    const tcp::resolver::results_type endpoints = std::get<1>(std::get<0>(resolved));
    Stream stream(executor, tls);
    auto connected = co_await (asio::async_connect(stream.lowest_layer(), endpoints, use_tuple) || timer.async_wait(use_tuple));
    if (connected.index() == 1) throw SessionEnd("TCP connect took longer than " + seconds(options.connect_timeout_ms) + " s");
    const boost::system::error_code cec = std::get<0>(std::get<0>(connected));
    if (cec) throw SessionEnd("TCP connect: " + cec.message());
    // TLS within handshake_timeout_ms.
    verify_name(stream);
    timer.expires_at(after(options.handshake_timeout_ms));
    auto shaken = co_await (stream.async_handshake(ssl::stream_base::client, use_tuple) || timer.async_wait(use_tuple));
    if (shaken.index() == 1) throw SessionEnd("TLS handshake took longer than " + seconds(options.handshake_timeout_ms) + " s");
    const boost::system::error_code hec = std::get<0>(std::get<0>(shaken));
    if (hec) {
      std::string why = "TLS handshake failed: " + hec.message();
      const long verify = SSL_get_verify_result(stream.native_handle());
      if (verify != X509_V_OK)
        why += " (the collector's certificate: " + std::string(X509_verify_cert_error_string(verify)) + "; checked against " + config.tls.ca_file +
               " for the name " + config.tls.server_name.value_or(host) + ")";
      throw SessionEnd(why);
    }
    decoder = wire::FrameDecoder();
    unread.clear();

    // Hello, then Welcome or Refusal.
    const auto st = spool.state();
    // (No temporaries in a co_await expression: g++ 12 destroys some of them twice.)
    std::string version;
    if (hooks.assignment_version) version = hooks.assignment_version();
    const auto hello = make_hello(config.name, config.token.value(), clock.now_ms(), SpoolMarks{st.epoch, st.first_seq, st.last_seq}, version);
    co_await send(stream, hello);
    UplinkSession session(peer, options.max_in_flight);
    auto first = co_await read_message(stream, options.welcome_timeout_ms, "Welcome");
    if (!first.has_welcome() && !first.has_refusal())
      throw SessionEnd("the collector answered Hello with something else than Welcome or Refusal");
    const auto held = spool.state();
    auto r = session.on_message(first, SpoolMarks{held.epoch, held.first_seq, held.last_seq}, clock.now_ms());
    apply(r, session);
    established = true;
    current = &session;
    stats.connected = true;
    ++stats.sessions;
    backoff.reset();
    choice.connected();
    if (log) {
      const auto now = spool.state();
      log->info("{}: connected to collector {}, {}, epoch {}, committed {}, stored above: {}, backlog {} entries",
                config.name, peer, SSL_get_version(stream.native_handle()), session.window().epoch(),
                session.window().committed_seq(), wire::to_string(session.window().stored()), now.entries);
    }
    ending.clear();
    co_await (reader(stream, session) || writer(stream, session));
    established = false;
    current = nullptr;
    stats.connected = false;
    if (stopping) {
      // A clean TLS close, bounded.
      asio::steady_timer close_timer(executor, after(options.shutdown_timeout_ms));
      co_await (stream.async_shutdown(use_tuple) || close_timer.async_wait(use_tuple));
      boost::system::error_code ignored;
      stream.lowest_layer().close(ignored);
      if (log) log->info("{}: disconnected from collector {} (stopping)", config.name, peer);
      co_return;
    }
    if (ending.empty()) ending = "the session ended";
    throw SessionEnd(ending, ending_logged);
  }

  asio::awaitable<void> run() {
    while (!stopping) {
      std::string why;
      bool logged = false;
      const std::uint64_t sessions_before = stats.sessions;
      try {
        co_await session();
        if (stopping) break;
        why = "the session ended";
      } catch (const SessionEnd& e) {
        why = e.what();
        logged = e.logged;
      } catch (const boost::system::system_error& e) {
        why = e.code().message();
      } catch (const sqlite::Error& e) {
        why = std::string("spool: ") + e.what();
      }
      established = false;
      current = nullptr;
      stats.connected = false;
      if (stopping) break;
      const bool was_connected = stats.sessions > sessions_before;
      if (log) {
        if (was_connected)
          log->warn("{}: connection to collector {} lost ({})", config.name, peer, why);
        else if (!logged)
          log->error("{}: cannot connect to collector {}: {}", config.name, peer, why);
      }
      // The next collector at once, unless every one failed since the round began: then the backoff.
      const bool round_over = choice.failed();
      peer = address().text();
      if (!round_over) {
        if (log) log->info("{}: trying collector {} next", config.name, peer);
        continue;
      }
      const DurationMs delay = backoff.next();
      if (log) {
        if (choice.count() == 1)
          log->info("{}: retrying collector {} in {} s", config.name, peer, seconds(delay));
        else
          log->info("{}: each of the {} collectors failed; retrying from collector {} in {} s", config.name,
                    choice.count(), peer, seconds(delay));
      }
      asio::steady_timer t(executor, after(delay));
      co_await t.async_wait(use_tuple);
      if ((co_await asio::this_coro::cancellation_state).cancelled() != asio::cancellation_type::none) break;
    }
  }

  asio::any_io_executor executor;
  AgentConfig config;
  Spool& spool;
  const Clock& clock;
  std::shared_ptr<spdlog::logger> log;
  UplinkHooks hooks;
  UplinkOptions options;
  CollectorChoice choice;  // which of config.collectors (declared before backoff: both draw from `random`)
  Backoff backoff;
  ssl::context tls;
  std::string peer;  // the collector tried now, "host:port"
  asio::steady_timer wake;       // the writer waits here; notify() cancels it
  bool wake_pending = false;     // something for the writer arrived (checked before it waits)
  asio::steady_timer fallback;   // stop(): cut the session if the clean close takes too long
  asio::cancellation_signal cancel;
  std::deque<v1::AgentMessage> outbox;  // replies the reader queued for the writer
  wire::FrameDecoder decoder;
  std::string unread;  // bytes read, not yet fed to the decoder
  std::array<char, 64 * 1024> chunk{};
  StoredBatch batch;    // the writer's buffers, reused from batch to batch
  std::string payload;
  std::string frame;
  UplinkStats stats;
  std::string ending;  // why the session ended (the reader's or the writer's reason, the first one)
  bool ending_logged = false;
  UplinkSession* current = nullptr;  // the session's logic while one is established
  bool established = false;
  bool stopping = false;
  bool running = false;
  bool done = false;
};

Uplink::Uplink(asio::any_io_executor executor, const AgentConfig& config, Spool& spool, const Clock& clock,
               std::shared_ptr<spdlog::logger> log, UplinkHooks hooks, UplinkOptions options, UniformRandom random) {
  if (!random) {
    auto rng = std::make_shared<std::mt19937_64>(std::random_device{}());
    random = [rng] { return std::uniform_real_distribution<double>(0.0, 1.0)(*rng); };
  }
  impl_ = std::make_shared<Impl>(executor, config, spool, clock, std::move(log), std::move(hooks), options, std::move(random));
}

Uplink::~Uplink() {
  if (impl_ && impl_->running && !impl_->done) impl_->cancel.emit(asio::cancellation_type::terminal);
}

void Uplink::start() {
  if (impl_->running) return;
  impl_->running = true;
  auto impl = impl_;
  asio::co_spawn(impl->executor, impl->run(),
                 asio::bind_cancellation_slot(impl->cancel.slot(), [impl](std::exception_ptr e) {
                   impl->done = true;
                   impl->fallback.cancel();
                   if (!e || !impl->log) return;
                   try {
                     std::rethrow_exception(e);
                   } catch (const std::exception& x) {
                     if (!impl->stopping) impl->log->error("{}: uplink to collector {} ended: {}", impl->config.name, impl->peer, x.what());
                   }
                 }));
}

void Uplink::notify() { impl_->wake_writer(); }

void Uplink::dropped(std::uint64_t first_seq, std::uint64_t last_seq) {
  if (impl_->current) impl_->current->window().on_dropped(first_seq, last_seq);
  impl_->wake_writer();
}

void Uplink::stop() {
  auto& i = *impl_;
  if (i.stopping) return;
  i.stopping = true;
  if (!i.running || i.done) {
    i.done = true;
    return;
  }
  if (!i.established) {
    i.cancel.emit(asio::cancellation_type::terminal);  // connecting or waiting to retry: nothing to close cleanly
    return;
  }
  i.wake_writer();  // the writer ends the session, then the TLS close (bounded)
  i.fallback.expires_after(std::chrono::milliseconds(i.options.shutdown_timeout_ms + 1'000));
  i.fallback.async_wait([impl = impl_](const boost::system::error_code& ec) {
    if (!ec && !impl->done) impl->cancel.emit(asio::cancellation_type::terminal);
  });
}

bool Uplink::stopped() const { return impl_->done; }
UplinkStats Uplink::stats() const { return impl_->stats; }
const std::string& Uplink::peer() const { return impl_->peer; }

}  // namespace slamon::agent
