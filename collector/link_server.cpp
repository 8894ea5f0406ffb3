// The collector's TLS listener and agent sessions (see link_server.h). One coroutine per connection
// runs three actors joined with `||` (any one ending ends the session): the reader (frames in, with
// the deadlines, the hello, batches to the store thread, backpressure), the writer (frames out, each
// with a deadline) and the ticker (heartbeats). Everything runs on the one io thread, so the session
// state needs no lock; the store thread reaches a session only through posted callbacks.
#include "collector/link_server.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <deque>
#include <map>
#include <optional>
#include <unordered_map>
#include <vector>

#include "collector/tcp_listen.h"

namespace slamon::collector {
namespace {

namespace asio = boost::asio;
namespace v1 = wire::v1;
using tcp = asio::ip::tcp;
using namespace asio::experimental::awaitable_operators;
using Stream = asio::ssl::stream<tcp::socket>;
using SteadyTime = std::chrono::steady_clock::time_point;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kReadChunk = 8 * 1024;  // bytes read at a time (per session, on the coroutine frame)
constexpr DurationMs kLingerMs = 1'000;       // after a Refusal, how long the agent's bytes are drained before closing

std::chrono::milliseconds ms(DurationMs d) { return std::chrono::milliseconds(d); }


// An OpenSSL or socket error as an operator reads it, with a hint for the common cases.
std::string tls_error_text(const boost::system::error_code& ec) {
  std::string m = ec.message();
  for (const std::string_view suffix : {" (SSL routines)", " (SSL routines, , )"})
    if (m.size() > suffix.size() && m.ends_with(suffix)) m.resize(m.size() - suffix.size());
  if (m.find("wrong version number") != std::string::npos || m.find("http request") != std::string::npos ||
      m.find("packet length too long") != std::string::npos || m.find("unknown protocol") != std::string::npos)
    m += " (not a TLS client?)";
  else if (m.find("peer did not return a certificate") != std::string::npos)
    m += " (tls.client_ca_file is set: the agent must present a client certificate)";
  else if (m.find("certificate verify failed") != std::string::npos || m.find("unknown ca") != std::string::npos)
    m += " (the agent's certificate is not signed by tls.client_ca_file)";
  return m;
}

// The printable start of something a peer sent (an agent name), for a log line.
std::string printable(std::string_view s) {
  std::string out;
  for (const char c : s.substr(0, 64)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
  if (s.size() > 64) out += "...";
  return out;
}

// A decision's reason without its leading "agent 'x' " (the log line names the agent first).
std::string without_agent(const std::string& reason, const std::string& agent) {
  const std::string prefix = "agent '" + printable(agent) + "' ";
  return reason.starts_with(prefix) ? reason.substr(prefix.size()) : reason;
}

}  // namespace

class Session;

struct LinkServer::Impl : std::enable_shared_from_this<LinkServer::Impl> {
  Impl(asio::io_context& io, Ingest& ingest, const Clock& clock, LinkOptions options,
       std::shared_ptr<const ServedCatalogue> catalogue, std::shared_ptr<spdlog::logger> log)
      : io(io), ingest(ingest), clock(clock), options(std::move(options)), tls(asio::ssl::context::tls_server),
        acceptor(io), catalogue(std::move(catalogue)), log(std::move(log)), shutdown_timer(io) {}

  asio::io_context& io;
  Ingest& ingest;
  const Clock& clock;
  LinkOptions options;
  asio::ssl::context tls;
  tcp::acceptor acceptor;
  std::shared_ptr<const ServedCatalogue> catalogue;
  std::shared_ptr<spdlog::logger> log;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions;  // every live connection
  std::map<std::string, std::weak_ptr<Session>, std::less<>> agents;  // the current session of each agent
  std::vector<std::weak_ptr<Session>> waiting_for_room;
  bool stopping = false;
  asio::steady_timer shutdown_timer;
  std::function<void()> shutdown_done;
  api::LinkCounters counters;
  std::function<void(const store::AgentRecord&)> on_agent;

  void setup_tls();
  asio::awaitable<void> accept_loop();
  void attach(const std::string& agent, const std::shared_ptr<Session>& s);
  void ended(Session* s);
  void finish_shutdown();
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(LinkServer::Impl& srv, tcp::socket socket, std::string peer)
      : srv_(srv),
        stream_(std::move(socket), srv.tls),
        peer_(std::move(peer)),
        decoder_(srv.options.max_frame_bytes),
        timer_(srv.io),
        stop_(srv.io),
        wake_(srv.io),
        send_signal_(srv.io),
        write_timer_(srv.io),
        heartbeat_timer_(srv.io) {
    stop_.expires_at(SteadyTime::max());
  }

  asio::awaitable<void> run();
  // Shutdown: stop reading, let the batches in flight be answered, then SHUTTING_DOWN.
  void stop() {
    stopping_ = true;
    stop_.cancel();
    wake_.cancel();
  }
  // Ends the session now with a Refusal (a newer connection of the agent, a reload that removed it).
  void refuse(v1::Refusal::Reason why, const std::string& detail) {
    send_refusal(why, detail);
    stop_.cancel();
    wake_.cancel();
  }
  void wake() { wake_.cancel(); }
  void catalogue_changed(const std::shared_ptr<const ServedCatalogue>& c);
  const std::string& agent() const { return agent_; }
  const std::string& peer() const { return peer_; }
  bool authenticated() const { return me_ != nullptr; }

 private:
  asio::awaitable<void> reader();
  asio::awaitable<void> writer();
  asio::awaitable<void> ticker();
  // The next frame's payload; nullopt when the session is to end (the reason is logged, and a
  // Refusal queued when the peer should hear it).
  asio::awaitable<std::optional<std::string>> next_frame();
  asio::awaitable<bool> hello(const std::string& payload);
  asio::awaitable<bool> batch(const v1::ResultBatch& wire_batch);
  void heartbeat(const v1::Heartbeat& hb);
  void assignment_reply(const v1::AssignmentReply& reply);
  void outcome(std::uint64_t first, std::uint64_t last, const BatchResult& r);
  asio::awaitable<void> drain_and_close();
  asio::awaitable<void> wait_wake(SteadyTime until);

  void send(const v1::CollectorMessage& m, bool final = false);
  void send_refusal(v1::Refusal::Reason why, const std::string& detail) {
    if (!closing_) ++srv_.counters.refusals[v1::Refusal::Reason_Name(why)];
    v1::CollectorMessage m;
    m.mutable_refusal()->set_reason(why);
    m.mutable_refusal()->set_detail(detail);
    send(m, true);
  }
  // The log line for a refusal (warn) and the Refusal itself.
  void refuse_logged(v1::Refusal::Reason why, const std::string& reason) {
    srv_.log->warn("{} refused ({}): {}", who(), v1::Refusal::Reason_Name(why), without_agent(reason, agent_));
    send_refusal(why, reason);
  }
  std::string who() const {
    return agent_.empty() ? peer_ : "agent '" + printable(agent_) + "' from " + peer_;
  }
  void publish(bool force);
  void abort_connection() {
    boost::system::error_code ignored;
    stream_.next_layer().close(ignored);
  }

  LinkServer::Impl& srv_;
  Stream stream_;
  std::string peer_;
  std::string agent_;  // from the hello (authenticated once me_ is set)
  std::shared_ptr<const ServedCatalogue> catalogue_;
  const ServedAgent* me_ = nullptr;
  std::uint64_t epoch_ = 0;
  std::uint64_t committed_seq_ = 0;
  std::uint64_t last_resend_from_ = 0;  // the ResendRequest last sent (0: none since the last ack)
  std::string sent_version_;     // the assignment version last sent
  std::string running_version_;  // the one the agent says it runs
  std::int64_t last_agent_clock_ms_ = 0;
  std::optional<std::int64_t> clock_offset_ms_;
  std::uint64_t backlog_ = 0;
  SkewWatch skew_;
  TimeMs last_seen_ms_ = 0;
  SteadyTime last_publish_{};
  bool ended_ = false;
  std::optional<AgentMarks> marks_;  // the store's answer to the hello's lookup
  std::string lookup_error_;
  bool looked_up_ = false;

  wire::FrameDecoder decoder_;
  std::string leftover_;  // bytes read past a completed frame (at most kReadChunk)
  SteadyTime read_since_{};     // the idle deadline counts from here (the last message, or reading resumed)
  std::optional<SteadyTime> frame_started_;
  SteadyTime hello_deadline_{};
  std::size_t in_flight_ = 0;
  bool stopping_ = false;
  bool closing_ = false;  // the final message is queued: nothing more is sent or read
  bool final_written_ = false;

  std::deque<std::pair<std::string, bool>> out_;  // frames to write, and whether each is the last
  std::size_t out_bytes_ = 0;
  asio::steady_timer timer_, stop_, wake_, send_signal_, write_timer_, heartbeat_timer_;
};

// ---- the session -----------------------------------------------------------------------------

asio::awaitable<void> Session::run() {
  const auto& o = srv_.options;
  timer_.expires_after(ms(o.handshake_timeout_ms));
  auto hs = co_await (stream_.async_handshake(asio::ssl::stream_base::server, kTuple) ||
                      timer_.async_wait(kTuple) || stop_.async_wait(kTuple));
  if (hs.index() == 1) {
    ++srv_.counters.tls_handshake_failures;
    srv_.log->warn("{}: TLS handshake failed: no handshake within {}", peer_, format_duration(o.handshake_timeout_ms));
    co_return;
  }
  if (hs.index() == 2) {
    srv_.log->debug("{}: closed during its TLS handshake: the collector is shutting down", peer_);
    co_return;
  }
  if (const auto [ec] = std::get<0>(hs); ec) {
    ++srv_.counters.tls_handshake_failures;
    srv_.log->warn("{}: TLS handshake failed: {}", peer_, tls_error_text(ec));
    co_return;
  }
  hello_deadline_ = std::chrono::steady_clock::now() + ms(o.hello_timeout_ms);
  read_since_ = std::chrono::steady_clock::now();
  co_await (reader() || writer() || ticker());
  ended_ = true;
  if (me_ != nullptr) {
    publish(true);
    srv_.log->info("{}: disconnected (epoch {}, committed {})", who(), epoch_, committed_seq_);
  }
  // After a final message (a Refusal), the agent must be able to read it: closing a socket that still
  // has unread bytes (batches the agent sent meanwhile) resets the connection, and the reset can
  // discard the Refusal on the agent's side. So: FIN, then the agent's bytes are read and dropped until
  // it closes (bounded), then the socket goes with the session.
  auto& socket = stream_.next_layer();
  if (final_written_ && socket.is_open()) {
    boost::system::error_code ignored;
    socket.shutdown(tcp::socket::shutdown_send, ignored);
    std::array<char, 4096> sink;
    timer_.expires_after(ms(kLingerMs));
    for (;;) {
      auto r = co_await (socket.async_read_some(asio::buffer(sink), kTuple) || timer_.async_wait(kTuple));
      if (r.index() == 1) break;                  // lingered long enough
      if (std::get<0>(std::get<0>(r))) break;     // the agent closed (or the socket failed)
      // otherwise: bytes read and dropped
    }
  }
}

void Session::send(const v1::CollectorMessage& m, bool final) {
  if (closing_) return;
  std::string payload;
  m.SerializeToString(&payload);
  std::string frame;
  wire::append_frame(frame, payload);
  if (!final && out_bytes_ + frame.size() > srv_.options.max_outbound_bytes) {
    srv_.log->warn("{}: closed: {} bytes queued for it and not read (limit {})", who(), out_bytes_,
                   srv_.options.max_outbound_bytes);
    closing_ = true;
    abort_connection();
    return;
  }
  out_bytes_ += frame.size();
  out_.emplace_back(std::move(frame), final);
  closing_ = final;
  send_signal_.cancel();
}

asio::awaitable<void> Session::writer() {
  for (;;) {
    while (out_.empty()) {
      send_signal_.expires_at(SteadyTime::max());
      co_await send_signal_.async_wait(kTuple);
      if (!stream_.next_layer().is_open()) co_return;
    }
    auto [frame, final] = std::move(out_.front());
    out_.pop_front();
    out_bytes_ -= frame.size();
    write_timer_.expires_after(ms(srv_.options.write_timeout_ms));
    auto r = co_await (asio::async_write(stream_, asio::buffer(frame), kTuple) || write_timer_.async_wait(kTuple));
    if (r.index() == 1) {
      srv_.log->warn("{}: closed: a {} byte frame not written within {}", who(), frame.size(),
                     format_duration(srv_.options.write_timeout_ms));
      co_return;
    }
    if (const auto [ec, n] = std::get<0>(r); ec) {
      if (!closing_) srv_.log->info("{}: closed while writing: {}", who(), tls_error_text(ec));
      co_return;
    }
    if (final) {
      final_written_ = true;
      co_return;
    }
  }
}

asio::awaitable<void> Session::ticker() {
  for (;;) {
    heartbeat_timer_.expires_after(ms(srv_.options.heartbeat_interval_ms));
    if (auto [ec] = co_await heartbeat_timer_.async_wait(kTuple); ec) co_return;
    if (me_ == nullptr || closing_) continue;
    v1::CollectorMessage m;
    m.mutable_heartbeat()->set_clock_ms(srv_.clock.now_ms());
    m.mutable_heartbeat()->set_echo_clock_ms(last_agent_clock_ms_);
    send(m);
  }
}

asio::awaitable<void> Session::wait_wake(SteadyTime until) {
  wake_.expires_at(until);
  co_await wake_.async_wait(kTuple);
}

asio::awaitable<std::optional<std::string>> Session::next_frame() {
  const auto& o = srv_.options;
  std::array<char, kReadChunk> buf;
  for (;;) {
    if (auto f = decoder_.next()) {
      frame_started_.reset();
      read_since_ = std::chrono::steady_clock::now();
      last_seen_ms_ = srv_.clock.now_ms();
      co_return f;
    }
    if (decoder_.error() == wire::FrameError::oversized) {
      refuse_logged(v1::Refusal::MALFORMED, "a frame header announced " + std::to_string(decoder_.announced()) +
                                                " bytes, more than the " + std::to_string(o.max_frame_bytes) +
                                                " byte limit");
      co_return std::nullopt;
    }
    std::string_view data;
    if (!leftover_.empty()) {
      data = leftover_;
    } else {
      if (stopping_ || closing_) co_return std::nullopt;
      SteadyTime deadline;
      std::string what;
      if (me_ == nullptr) {
        deadline = hello_deadline_;
        what = "no hello within " + format_duration(o.hello_timeout_ms) + " of the TLS handshake";
      } else if (frame_started_) {
        deadline = *frame_started_ + ms(o.frame_timeout_ms);
        what = "a frame started (" + std::to_string(decoder_.pending_bytes()) + " bytes received) and not completed within " +
               format_duration(o.frame_timeout_ms) + " (slow loris?)";
      } else {
        deadline = read_since_ + ms(o.idle_timeout_ms);
        what = "no message for " + format_duration(o.idle_timeout_ms);
      }
      timer_.expires_at(deadline);
      auto r = co_await (stream_.async_read_some(asio::buffer(buf), kTuple) || timer_.async_wait(kTuple) ||
                         stop_.async_wait(kTuple));
      if (r.index() == 1) {
        srv_.log->warn("{}: closed: {}", who(), what);
        abort_connection();
        co_return std::nullopt;
      }
      if (r.index() == 2) {  // stop() or refuse(): the caller drains or closes
        stop_.expires_at(SteadyTime::max());
        co_return std::nullopt;
      }
      const auto [ec, n] = std::get<0>(r);
      if (ec) {
        if (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated)
          srv_.log->info("{}: closed by the peer{}", who(),
                         decoder_.pending_bytes() > 0 ? " in the middle of a frame" : "");
        else if (!closing_)
          srv_.log->warn("{}: closed: read failed: {}", who(), tls_error_text(ec));
        co_return std::nullopt;
      }
      data = std::string_view(buf.data(), n);
    }
    const std::size_t used = decoder_.feed(data);
    if (!leftover_.empty())
      leftover_.erase(0, used);
    else if (used < data.size())
      leftover_.assign(data.substr(used));
    if (decoder_.pending_bytes() > 0 && !frame_started_) frame_started_ = std::chrono::steady_clock::now();
  }
}

asio::awaitable<void> Session::reader() {
  for (;;) {
    if (stopping_) {
      co_await drain_and_close();
      co_return;
    }
    if (closing_) break;
    auto payload = co_await next_frame();
    if (!payload) {
      if (stopping_ && !closing_) continue;
      break;
    }
    if (me_ == nullptr) {
      if (!co_await hello(*payload)) break;
      continue;
    }
    v1::AgentMessage m;
    if (!m.ParseFromString(*payload)) {
      refuse_logged(v1::Refusal::MALFORMED, "a frame of " + std::to_string(payload->size()) +
                                                " bytes that is not an AgentMessage");
      break;
    }
    bool go_on = true;
    switch (m.body_case()) {
      case v1::AgentMessage::kBatch:
        go_on = co_await batch(m.batch());
        break;
      case v1::AgentMessage::kHeartbeat:
        heartbeat(m.heartbeat());
        break;
      case v1::AgentMessage::kAssignmentReply:
        assignment_reply(m.assignment_reply());
        break;
      case v1::AgentMessage::kHello:
        refuse_logged(v1::Refusal::MALFORMED, "a second hello in one session");
        break;
      default:
        refuse_logged(v1::Refusal::MALFORMED, "a message without a body (from a newer agent?)");
        break;
    }
    if (!go_on) break;
  }
  // The final message (if any) is queued: the writer ends the session once it is written.
  if (closing_ && stream_.next_layer().is_open()) {
    wake_.expires_at(SteadyTime::max());
    co_await wake_.async_wait(kTuple);
    // Woken again (an outcome, a stop): keep waiting for the writer.
    while (stream_.next_layer().is_open()) co_await wait_wake(SteadyTime::max());
  }
}

asio::awaitable<void> Session::drain_and_close() {
  const auto until = std::chrono::steady_clock::now() + ms(srv_.options.shutdown_bound_ms);
  while (in_flight_ > 0 && std::chrono::steady_clock::now() < until && !closing_) co_await wait_wake(until);
  if (in_flight_ > 0)
    srv_.log->warn("{}: {} batch(es) not answered by the store within {}; the agent sends them again", who(),
                   in_flight_, format_duration(srv_.options.shutdown_bound_ms));
  send_refusal(v1::Refusal::SHUTTING_DOWN, "the collector is shutting down; reconnect later");
  while (stream_.next_layer().is_open()) co_await wait_wake(SteadyTime::max());
}

asio::awaitable<bool> Session::hello(const std::string& payload) {
  v1::AgentMessage m;
  if (!m.ParseFromString(payload) || !m.has_hello()) {
    refuse_logged(v1::Refusal::MALFORMED, "the first message is not a hello");
    co_return false;
  }
  const v1::Hello& h = m.hello();
  agent_ = h.agent();
  // What needs no store first (protocol, agent, token), so that a bad client costs no lookup.
  {
    const ServedAgent* a = srv_.catalogue->find(h.agent());
    auto d = decide_hello(h, a != nullptr ? &a->known : nullptr, AgentMarks{}, srv_.clock.now_ms());
    if (!d.accepted) {
      refuse_logged(d.refusal, d.reason);
      co_return false;
    }
  }
  // The answer lands in the session (not this frame), which the callback reaches only while it lives.
  std::weak_ptr<Session> weak = weak_from_this();
  srv_.ingest.lookup(h.agent(), h.spool_epoch(), [weak](std::optional<AgentMarks> m, std::string e) {
    if (auto s = weak.lock()) {
      s->marks_ = m;
      s->lookup_error_ = std::move(e);
      s->looked_up_ = true;
      s->wake();
    }
  });
  while (!looked_up_) {
    if (std::chrono::steady_clock::now() >= hello_deadline_) {
      srv_.log->warn("{}: closed: the store did not answer within the hello deadline ({} batches queued)", who(),
                     srv_.ingest.queued());
      send_refusal(v1::Refusal::UNSPECIFIED, "the collector's store is busy; try again later");
      co_return false;
    }
    co_await wait_wake(hello_deadline_);
    if (closing_) co_return false;
  }
  if (!marks_) {
    // During an outage the store thread logged it once: a line per agent only at debug then.
    srv_.log->log(srv_.ingest.store_down() ? spdlog::level::debug : spdlog::level::err,
                  "{}: refused: the store cannot be read: {}", who(), lookup_error_);
    send_refusal(v1::Refusal::UNSPECIFIED, "the collector's store failed; try again later");
    co_return false;
  }
  const AgentMarks marks = *marks_;
  if (stopping_) co_return true;  // the reader drains and says SHUTTING_DOWN
  // The catalogue may have been reloaded meanwhile: decide against the current one.
  catalogue_ = srv_.catalogue;
  const ServedAgent* a = catalogue_->find(h.agent());
  const auto d = decide_hello(h, a != nullptr ? &a->known : nullptr, marks, srv_.clock.now_ms());
  if (!d.accepted) {
    refuse_logged(d.refusal, d.reason);
    co_return false;
  }
  me_ = a;
  epoch_ = d.epoch;
  committed_seq_ = d.committed_seq;
  clock_offset_ms_ = d.clock_offset_ms;
  last_agent_clock_ms_ = h.agent_clock_ms();
  running_version_ = h.assignment_version();
  last_seen_ms_ = srv_.clock.now_ms();
  v1::CollectorMessage w;
  auto* welcome = w.mutable_welcome();
  welcome->set_protocol_version(wire::kProtocolVersion);
  welcome->set_epoch(epoch_);
  welcome->set_committed_seq(committed_seq_);
  wire::to_wire(d.stored, *welcome->mutable_stored());
  welcome->set_collector_clock_ms(srv_.clock.now_ms());
  sent_version_ = me_->assignment.version();
  if (h.assignment_version() != sent_version_) *welcome->mutable_assignment() = me_->assignment;
  srv_.attach(agent_, shared_from_this());
  send(w);
  srv_.log->info("{}: connected: {}; assignment {} ({} probes{})", who(), without_agent(d.reason, agent_),
                 sent_version_.substr(0, 12), me_->assignment.probes_size(),
                 welcome->has_assignment() ? ", sent" : ", current");
  if (skew_.update(*clock_offset_ms_, srv_.options.clock_skew_limit_ms) == SkewWatch::Change::went_over)
    srv_.log->warn("{}: clock offset {} ms at hello is past the clock skew limit of {} ms (collector clock minus agent "
                   "clock; results stamped further in the future are refused)",
                   who(), *clock_offset_ms_, srv_.options.clock_skew_limit_ms);
  publish(true);
  co_return true;
}

asio::awaitable<bool> Session::batch(const v1::ResultBatch& wire_batch) {
  auto decoded = wire::from_wire(wire_batch, agent_);
  if (!decoded) {
    refuse_logged(v1::Refusal::MALFORMED, "a malformed batch: " + decoded.error);
    co_return false;
  }
  auto b = std::make_shared<wire::Batch>(std::move(*decoded.value));
  const auto d = check_batch(*b, agent_, epoch_, me_->assigned, srv_.clock.now_ms(), srv_.options.clock_skew_limit_ms);
  if (!d.accepted) {
    refuse_logged(d.refusal, d.reason);
    co_return false;
  }
  srv_.counters.results_refused += d.not_assigned + d.in_future;
  if (!d.refused_summary.empty()) {
    const std::string prefix = "agent '" + printable(agent_) + "': ";
    const auto& line = d.refused_summary;
    srv_.log->warn("{}: {}", who(), line.starts_with(prefix) ? line.substr(prefix.size()) : line);
  }
  // Backpressure: at most max_batches_in_flight per session, and the store thread's queue bounded;
  // meanwhile this session does not read its socket.
  while (in_flight_ >= srv_.options.max_batches_in_flight && !stopping_ && !closing_)
    co_await wait_wake(SteadyTime::max());
  const std::uint64_t first = b->first_seq, last = b->last_seq();
  std::weak_ptr<Session> weak = weak_from_this();
  for (;;) {
    if (stopping_ || closing_) co_return true;  // not handed over: never acknowledged, sent again
    const bool queued = srv_.ingest.submit(agent_, b, [weak, first, last](BatchResult r) {
      if (auto s = weak.lock()) s->outcome(first, last, r);
    });
    if (queued) break;
    srv_.waiting_for_room.push_back(weak);
    co_await wait_wake(SteadyTime::max());
  }
  ++in_flight_;
  read_since_ = std::chrono::steady_clock::now();  // the idle deadline counts from reading again
  co_return true;
}

void Session::outcome(std::uint64_t first, std::uint64_t last, const BatchResult& r) {
  --in_flight_;
  wake_.cancel();
  if (!r.outcome) {
    ++srv_.counters.batches_failed;
    srv_.log->log(srv_.ingest.store_down() ? spdlog::level::debug : spdlog::level::err,
                  "{}: batch {}..{} of epoch {} not stored (store failure); closing the session, the agent sends it again",
                  who(), first, last, epoch_);
    send_refusal(v1::Refusal::UNSPECIFIED, "the collector's store failed; nothing of this batch was stored");
    stop_.cancel();
    return;
  }
  const auto& o = *r.outcome;
  v1::CollectorMessage m;
  if (o.kind == store::AppendOutcome::Kind::gap) {
    ++srv_.counters.batches_gap;
    const std::uint64_t from = o.committed_seq + 1;
    if (from == last_resend_from_) return;  // already asked; the later batches in flight say the same
    last_resend_from_ = from;
    srv_.log->info("{}: batch {}..{} of epoch {} not stored: it would leave more than {} stored ranges above the mark {} "
                   "({} now); asked to send again from {}, holes first",
                   who(), first, last, epoch_, wire::kMaxStoredRanges, o.committed_seq, o.stored_above.size(), from);
    m.mutable_resend()->set_epoch(epoch_);
    m.mutable_resend()->set_from_seq(from);
    send(m);
    return;
  }
  ++srv_.counters.batches_stored;
  srv_.counters.results_stored += o.stored;
  srv_.counters.results_duplicate += o.duplicates;
  if (o.duplicates > 0)
    srv_.log->info("{}: batch {}..{} of epoch {} was {} a resend: {} entr{} stored already ignored", who(), first,
                   last, epoch_, o.stored == 0 ? "entirely" : "partly", o.duplicates, o.duplicates == 1 ? "y" : "ies");
  if (o.committed_seq > committed_seq_) {
    committed_seq_ = o.committed_seq;
    last_resend_from_ = 0;
  }
  m.mutable_ack()->set_epoch(epoch_);
  m.mutable_ack()->set_committed_seq(o.committed_seq);
  wire::to_wire(o.stored_above, *m.mutable_ack()->mutable_stored());
  send(m);
  publish(false);
}

void Session::heartbeat(const v1::Heartbeat& hb) {
  const TimeMs now = srv_.clock.now_ms();
  last_agent_clock_ms_ = hb.clock_ms();
  backlog_ = hb.backlog();
  const auto offset = estimate_clock_offset(now, hb.clock_ms(), hb.echo_clock_ms(), srv_.options.max_echo_rtt_ms);
  clock_offset_ms_ = offset;
  switch (skew_.update(offset, srv_.options.clock_skew_limit_ms)) {
    case SkewWatch::Change::went_over:
      srv_.log->warn("{}: clock offset {} ms is past the clock skew limit of {} ms (collector clock minus agent clock; "
                     "results stamped further in the future are refused)",
                     who(), offset, srv_.options.clock_skew_limit_ms);
      break;
    case SkewWatch::Change::came_back:
      srv_.log->info("{}: clock offset {} ms is back within the clock skew limit of {} ms", who(), offset,
                     srv_.options.clock_skew_limit_ms);
      break;
    case SkewWatch::Change::none:
      break;
  }
  publish(false);
}

void Session::assignment_reply(const v1::AssignmentReply& reply) {
  switch (judge_assignment_reply(reply, sent_version_)) {
    case AssignmentAnswer::stale:
      srv_.log->info("{}: accepted assignment '{}', not the latest it was sent ({}); waiting for its answer to that",
                     who(), printable(reply.version()).substr(0, 64), sent_version_.substr(0, 12));
      break;
    case AssignmentAnswer::runs:
      running_version_ = reply.version();
      srv_.log->info("{}: runs assignment {}", who(), running_version_.substr(0, 12));
      publish(true);
      break;
    case AssignmentAnswer::refused:
      srv_.log->error("{}: refused assignment {}: {}; it keeps running its previous assignment {}", who(),
                      printable(reply.version()).substr(0, 12), printable(reply.reason()),
                      running_version_.empty() ? std::string("(none)") : running_version_.substr(0, 12));
      break;
  }
}

void Session::catalogue_changed(const std::shared_ptr<const ServedCatalogue>& c) {
  if (me_ == nullptr || closing_) return;
  const ServedAgent* a = c->find(agent_);
  if (a == nullptr) {
    srv_.log->warn("{}: closed: no longer in the catalogue ({})", who(), c->path);
    refuse(v1::Refusal::UNKNOWN_AGENT_OR_TOKEN, "this agent is no longer in the collector's catalogue");
    return;
  }
  if (a->known.token_sha256.empty() && me_->enrolled) {
    srv_.log->warn("{}: closed: its enrollment was revoked", who());
    refuse(v1::Refusal::UNKNOWN_AGENT_OR_TOKEN, "this agent's enrollment was revoked");
    return;
  }
  if (a->known.token_sha256 != me_->known.token_sha256) {
    srv_.log->warn("{}: closed: its token changed in the catalogue; it must connect again with the new one", who());
    refuse(v1::Refusal::UNKNOWN_AGENT_OR_TOKEN, "this agent's token changed in the collector's catalogue");
    return;
  }
  catalogue_ = c;
  me_ = a;
  if (a->assignment.version() == sent_version_) return;
  sent_version_ = a->assignment.version();
  v1::CollectorMessage m;
  *m.mutable_assignment()->mutable_assignment() = a->assignment;
  send(m);
  ++srv_.counters.assignment_updates;
  srv_.log->info("{}: sent assignment update {} ({} probes)", who(), sent_version_.substr(0, 12),
                 a->assignment.probes_size());
}

void Session::publish(bool force) {
  if (me_ == nullptr) return;
  store::AgentRecord r;
  r.name = agent_;
  // The current session of the agent speaks for it; an older one that ends says nothing.
  const auto it = srv_.agents.find(agent_);
  const bool current = it != srv_.agents.end() && it->second.lock().get() == this;
  if (!current) return;
  r.connected = !ended_;
  r.peer = peer_;
  r.last_seen_ms = last_seen_ms_;
  r.clock_offset_ms = clock_offset_ms_;
  r.backlog = backlog_;
  r.assignment_version = running_version_;
  r.epoch = epoch_;
  r.committed_seq = committed_seq_;
  // The API sees every change at once (a map entry on this thread); the store at most once a second
  // per session (the last state is always written: `force` at the ends of a session).
  if (srv_.on_agent) srv_.on_agent(r);
  const auto now = std::chrono::steady_clock::now();
  if (!force && now - last_publish_ < std::chrono::seconds(1)) return;
  last_publish_ = now;
  srv_.ingest.update_agent(std::move(r));
}

// ---- the server --------------------------------------------------------------------------------

void LinkServer::Impl::setup_tls() {
  auto* ctx = tls.native_handle();
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  tls.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_compression |
                  asio::ssl::context::single_dh_use);
  SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
  auto use = [&](const std::string& what, const std::string& file, auto&& f) {
    boost::system::error_code ec;
    f(ec);
    if (ec) throw std::runtime_error("cannot use " + what + " " + file + ": " + tls_error_text(ec));
  };
  use("tls.cert_file", options.tls.cert_file, [&](auto& ec) { tls.use_certificate_chain_file(options.tls.cert_file, ec); });
  use("tls.key_file", options.tls.key_file,
      [&](auto& ec) { tls.use_private_key_file(options.tls.key_file, asio::ssl::context::pem, ec); });
  if (SSL_CTX_check_private_key(ctx) != 1)
    throw std::runtime_error("tls.key_file " + options.tls.key_file + " does not match tls.cert_file " +
                             options.tls.cert_file);
  if (options.tls.client_ca_file) {
    const auto& ca = *options.tls.client_ca_file;
    use("tls.client_ca_file", ca, [&](auto& ec) { tls.load_verify_file(ca, ec); });
    if (STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(ca.c_str())) SSL_CTX_set_client_CA_list(ctx, names);
    tls.set_verify_mode(asio::ssl::verify_peer | asio::ssl::verify_fail_if_no_peer_cert);
  }
}

asio::awaitable<void> LinkServer::Impl::accept_loop() {
  auto self = shared_from_this();
  asio::steady_timer pause(io);
  while (!stopping) {
    auto [ec, socket] = co_await acceptor.async_accept(kTuple);
    if (stopping || ec == asio::error::operation_aborted) break;
    if (ec) {
      // Out of descriptors (EMFILE) or memory: the connection waits in the backlog; try again shortly.
      log->warn("accept failed: {} ({} connections open); retrying in 100 ms", ec.message(), sessions.size());
      pause.expires_after(std::chrono::milliseconds(100));
      co_await pause.async_wait(kTuple);
      continue;
    }
    ++counters.connections;
    boost::system::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    const auto ep = socket.remote_endpoint(ignored);
    auto s = std::make_shared<Session>(*this, std::move(socket), ignored ? std::string("?") : endpoint_text(ep));
    sessions.emplace(s.get(), s);
    asio::co_spawn(io, [s]() -> asio::awaitable<void> { co_await s->run(); },
                   [self, s](std::exception_ptr e) {
                     if (e) {
                       try {
                         std::rethrow_exception(e);
                       } catch (const std::exception& x) {
                         self->log->error("{}: session ended by an error: {}", s->peer(), x.what());
                       }
                     }
                     self->ended(s.get());
                   });
  }
}

void LinkServer::Impl::attach(const std::string& agent, const std::shared_ptr<Session>& s) {
  auto& slot = agents[agent];
  if (auto older = slot.lock(); older && older != s) {
    log->warn("agent '{}' from {}: connected again from {}; closing the older session", printable(agent),
              older->peer(), s->peer());
    older->refuse(v1::Refusal::UNSPECIFIED, "a newer connection of this agent replaced this one");
  }
  slot = s;
}

void LinkServer::Impl::ended(Session* s) {
  sessions.erase(s);
  if (auto it = agents.find(s->agent()); it != agents.end()) {
    const auto cur = it->second.lock();
    if (!cur || cur.get() == s) agents.erase(it);
  }
  if (stopping && sessions.empty()) finish_shutdown();
}

void LinkServer::Impl::finish_shutdown() {
  shutdown_timer.cancel();
  if (auto done = std::move(shutdown_done)) {
    shutdown_done = nullptr;
    done();
  }
}

LinkServer::LinkServer(asio::io_context& io, Ingest& ingest, const Clock& clock, LinkOptions options,
                       std::shared_ptr<const ServedCatalogue> catalogue, std::shared_ptr<spdlog::logger> log)
    : impl_(std::make_shared<Impl>(io, ingest, clock, std::move(options), std::move(catalogue), std::move(log))) {
  impl_->setup_tls();
}

LinkServer::~LinkServer() = default;

std::string LinkServer::listen() {
  auto& acc = impl_->acceptor;
  const auto& host = impl_->options.listen_host;
  const auto port = static_cast<unsigned short>(impl_->options.listen_port);
  open_listener(impl_->io, acc, host, port);
  asio::co_spawn(impl_->io, impl_->accept_loop(), asio::detached);
  return endpoint_text(acc.local_endpoint());
}

void LinkServer::set_catalogue(std::shared_ptr<const ServedCatalogue> catalogue) {
  impl_->catalogue = catalogue;
  std::vector<std::shared_ptr<Session>> live;
  for (auto& [_, w] : impl_->sessions)
    if (auto s = w.lock()) live.push_back(std::move(s));
  for (auto& s : live) s->catalogue_changed(catalogue);
}

void LinkServer::on_room() {
  auto waiting = std::move(impl_->waiting_for_room);
  impl_->waiting_for_room.clear();
  for (auto& w : waiting)
    if (auto s = w.lock()) s->wake();
}

void LinkServer::shutdown(std::function<void()> done) {
  auto& i = *impl_;
  if (i.stopping) return;
  i.stopping = true;
  i.shutdown_done = std::move(done);
  boost::system::error_code ignored;
  i.acceptor.close(ignored);
  std::vector<std::shared_ptr<Session>> live;
  for (auto& [_, w] : i.sessions)
    if (auto s = w.lock()) live.push_back(std::move(s));
  for (auto& s : live) s->stop();
  if (i.sessions.empty()) {
    i.finish_shutdown();
    return;
  }
  // The bound: answers within shutdown_bound_ms, then the last frames' write deadline, then done anyway.
  i.shutdown_timer.expires_after(ms(i.options.shutdown_bound_ms) + std::chrono::seconds(2));
  i.shutdown_timer.async_wait([self = impl_](const boost::system::error_code& ec) {
    if (ec) return;
    self->log->warn("{} session(s) still open after the shutdown bound; closing them", self->sessions.size());
    self->finish_shutdown();
  });
}

std::size_t LinkServer::sessions() const { return impl_->sessions.size(); }

const api::LinkCounters& LinkServer::counters() const { return impl_->counters; }

void LinkServer::set_on_agent(std::function<void(const store::AgentRecord&)> on_agent) {
  impl_->on_agent = std::move(on_agent);
}

}  // namespace slamon::collector
