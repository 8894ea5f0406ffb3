// link_client: a small adversarial client of the collector, for the link tests. It connects (with TLS
// or without), then runs the steps given on the command line in order, and prints every message the
// collector sends as one machine-readable line on stdout:
//   welcome epoch=E committed_seq=C assignment=VERSION|none probes=N[ stored=A..B,...]
//   ack epoch=E committed_seq=C[ stored=A..B,...] | resend epoch=E from_seq=F | assignment version=V probes=N
//   heartbeat clock_ms=T echo_clock_ms=T | refusal reason=NAME detail=TEXT | closed | timeout
// Blocking OpenSSL over a POSIX socket (no Asio: it is a driver, not the agent). Exit 0 when every step
// ran; 1 when the connection failed or an `expect` step did not see what it waited for.
//
// Steps:
//   hello                              the Hello (--agent, --token, --epoch, --first-seq, --last-seq, ...)
//   batch:FIRST:COUNT[:PROBES[:SKEW]]  one batch of COUNT results from sequence FIRST, probes (comma-
//                                      separated) in turn, stamped --base-ts + 1 ms x seq (+ SKEW ms)
//   epoch-batch:EPOCH:FIRST:COUNT:PROBES  a batch in another epoch
//   stream:FIRST:COUNT:PER:PROBES      COUNT results in batches of PER, up to --window in flight, following
//                                      acks and resend requests until all are acknowledged
//   garbage:N                          a frame of N bytes that is not an AgentMessage
//   raw:N                              N bytes that are not even a frame
//   oversized                          a frame header announcing 0xFFFFFFF0 bytes
//   loris:MS                           a frame header for 100 bytes, then one byte every MS until closed
//   keepalive:MS                       a heartbeat a second for MS, printing what arrives (ends at a refusal)
//   heartbeat[:OFFSET]                 a heartbeat (clock + OFFSET ms, echo of the collector's last clock)
//   reply:accept|reply:refuse          an AssignmentReply for the last assignment received
//   expect:KIND[:MS]                   read (printing) until a message of KIND (welcome ack resend
//                                      assignment heartbeat refusal closed); fail after MS (default 5000)
//   read[:MS]                          print the next message (or "timeout")
//   sleep:MS
#include <CLI/CLI.hpp>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "common/catalogue/reader.h"
#include "common/time.h"
#include "common/wire/convert.h"
#include "common/wire/frame.h"

using namespace slamon;
namespace v1 = slamon::wire::v1;

namespace {

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::stringstream in(s);
  std::string part;
  while (std::getline(in, part, sep)) out.push_back(part);
  return out;
}

std::int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

struct Options {
  std::string connect;
  bool no_tls = false;
  std::string ca, cert, key, server_name = "localhost";
  std::string agent = "a1", token;
  std::uint64_t epoch = 1, first_seq = 0, last_seq = 0;
  std::uint32_t protocol = wire::kProtocolVersion;
  std::string assignment_version;
  std::int64_t base_ts = 0;
  int window = 4;
  int connect_timeout_ms = 5000;
  std::vector<std::string> steps;
};

class Client {
 public:
  explicit Client(const Options& o) : o_(o) {}
  ~Client() {
    if (ssl_) SSL_free(ssl_);
    if (ctx_) SSL_CTX_free(ctx_);
    if (fd_ >= 0) ::close(fd_);
  }

  bool connect() {
    const auto hp = catalogue::parse_host_port(o_.connect);
    if (!hp) return fail("connect-failed error=bad address '" + o_.connect + "'");
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    if (getaddrinfo(hp->first.c_str(), std::to_string(hp->second).c_str(), &hints, &res) != 0 || res == nullptr)
      return fail("connect-failed error=cannot resolve " + hp->first);
    fd_ = ::socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const int rc = ::connect(fd_, res->ai_addr, res->ai_addrlen);
    freeaddrinfo(res);
    if (rc != 0) return fail(std::string("connect-failed error=") + std::strerror(errno));
    const int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (o_.no_tls) return true;
    ctx_ = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_min_proto_version(ctx_, TLS1_2_VERSION);
    if (!o_.ca.empty()) {
      if (SSL_CTX_load_verify_locations(ctx_, o_.ca.c_str(), nullptr) != 1) return fail("tls-failed error=cannot load --ca");
      SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
    }
    if (!o_.cert.empty() && (SSL_CTX_use_certificate_chain_file(ctx_, o_.cert.c_str()) != 1 ||
                             SSL_CTX_use_PrivateKey_file(ctx_, o_.key.c_str(), SSL_FILETYPE_PEM) != 1))
      return fail("tls-failed error=cannot load --cert/--key");
    ssl_ = SSL_new(ctx_);
    SSL_set_fd(ssl_, fd_);
    SSL_set_tlsext_host_name(ssl_, o_.server_name.c_str());
    SSL_set1_host(ssl_, o_.server_name.c_str());
    timeval tv{o_.connect_timeout_ms / 1000, (o_.connect_timeout_ms % 1000) * 1000};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (SSL_connect(ssl_) != 1) return fail("tls-failed error=" + ssl_error());
    tv = {0, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return true;
  }

  // Runs every step; false when one failed.
  bool run() {
    for (const auto& step : o_.steps) {
      const auto a = split(step, ':');
      const std::string& verb = a.empty() ? step : a[0];
      auto arg = [&](std::size_t i, const std::string& def = "") { return i < a.size() ? a[i] : def; };
      auto num = [&](std::size_t i, std::int64_t def) { return i < a.size() ? std::stoll(a[i]) : def; };
      if (verb == "hello") {
        v1::AgentMessage m;
        auto* h = m.mutable_hello();
        h->set_protocol_version(o_.protocol);
        h->set_agent(o_.agent);
        h->set_token(o_.token);
        h->set_agent_clock_ms(SystemClock().now_ms());
        h->set_spool_epoch(o_.epoch);
        h->set_spool_first_seq(o_.first_seq);
        h->set_spool_last_seq(o_.last_seq);
        h->set_assignment_version(o_.assignment_version);
        if (!send(m)) return false;
        const auto kind = read_print(5000);
        if (kind == "welcome") continue;
        return false;
      } else if (verb == "batch" || verb == "epoch-batch") {
        const std::size_t k = verb == "batch" ? 1 : 2;
        const std::uint64_t epoch = verb == "batch" ? epoch_ : static_cast<std::uint64_t>(num(1, 1));
        if (!send_batch(epoch, static_cast<std::uint64_t>(num(k, 1)), num(k + 1, 1), split(arg(k + 2, "p"), ','),
                        num(k + 3, 0)))
          return false;
        const auto kind = read_print(5000);
        if (kind == "closed" || kind == "timeout") return false;
      } else if (verb == "stream") {
        if (!stream(static_cast<std::uint64_t>(num(1, 1)), num(2, 1), num(3, 100), split(arg(4, "p"), ','))) return false;
      } else if (verb == "garbage") {
        std::string junk(static_cast<std::size_t>(num(1, 64)), '\xff');
        std::string frame;
        wire::append_frame(frame, junk);
        if (!write(frame)) return false;
      } else if (verb == "raw") {
        if (!write(std::string(static_cast<std::size_t>(num(1, 64)), '\x16'))) return false;
      } else if (verb == "oversized") {
        if (!write(std::string("\xff\xff\xff\xf0", 4))) return false;
      } else if (verb == "loris") {
        loris(num(1, 1000));
      } else if (verb == "heartbeat") {
        v1::AgentMessage m;
        m.mutable_heartbeat()->set_clock_ms(SystemClock().now_ms() + num(1, 0));
        m.mutable_heartbeat()->set_echo_clock_ms(last_collector_clock_);
        m.mutable_heartbeat()->set_backlog(0);
        if (!send(m)) return false;
      } else if (verb == "keepalive") {
        if (!keepalive(num(1, 10000))) return false;
      } else if (verb == "reply") {
        v1::AgentMessage m;
        m.mutable_assignment_reply()->set_version(last_assignment_);
        m.mutable_assignment_reply()->set_accepted(arg(1) == "accept");
        if (arg(1) != "accept") m.mutable_assignment_reply()->set_reason("link_client was told to refuse it");
        if (!send(m)) return false;
      } else if (verb == "expect") {
        const auto until = steady_ms() + num(2, 5000);
        std::string kind;
        while (kind != arg(1)) {
          const auto left = until - steady_ms();
          if (left <= 0) {
            std::printf("expect-failed wanted=%s\n", arg(1).c_str());
            return false;
          }
          kind = read_print(static_cast<int>(left));
          if (kind == "closed" && arg(1) != "closed") {
            std::printf("expect-failed wanted=%s\n", arg(1).c_str());
            return false;
          }
        }
      } else if (verb == "read") {
        read_print(static_cast<int>(num(1, 5000)));
      } else if (verb == "sleep") {
        ::usleep(static_cast<useconds_t>(num(1, 100) * 1000));
      } else {
        std::fprintf(stderr, "link_client: unknown step '%s'\n", step.c_str());
        return false;
      }
    }
    return true;
  }

 private:
  bool fail(const std::string& line) {
    std::printf("%s\n", line.c_str());
    return false;
  }
  std::string ssl_error() {
    const unsigned long e = ERR_get_error();
    if (e == 0) return "connection closed (" + std::string(std::strerror(errno)) + ")";
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    return buf;
  }

  bool write(const std::string& bytes) {
    std::size_t off = 0;
    while (off < bytes.size()) {
      const int n = ssl_ ? SSL_write(ssl_, bytes.data() + off, static_cast<int>(bytes.size() - off))
                         : static_cast<int>(::send(fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL));
      if (n <= 0) {
        std::printf("closed\n");
        return false;
      }
      off += static_cast<std::size_t>(n);
    }
    return true;
  }
  bool send(const v1::AgentMessage& m) {
    std::string payload, frame;
    m.SerializeToString(&payload);
    wire::append_frame(frame, payload);
    return write(frame);
  }

  v1::ResultBatch make_batch(std::uint64_t epoch, std::uint64_t first, std::int64_t count,
                             const std::vector<std::string>& probes, std::int64_t skew_ms) {
    wire::Batch b;
    b.epoch = epoch;
    b.first_seq = first;
    for (std::int64_t i = 0; i < count; ++i) {
      const std::uint64_t seq = first + static_cast<std::uint64_t>(i);
      ProbeResult r;
      r.agent = o_.agent;
      r.probe = probes[seq % probes.size()];
      r.ts = base_ts_ + static_cast<TimeMs>(seq) + skew_ms;
      r.status = Status::up;
      r.latency_ms = 1.5;
      b.entries.emplace_back(std::move(r));
    }
    v1::ResultBatch w;
    wire::to_wire(b, w);
    return w;
  }
  bool send_batch(std::uint64_t epoch, std::uint64_t first, std::int64_t count, const std::vector<std::string>& probes,
                  std::int64_t skew_ms) {
    v1::AgentMessage m;
    *m.mutable_batch() = make_batch(epoch, first, count, probes, skew_ms);
    return send(m);
  }

  // Sends [first, first + count) in batches of `per`, at most --window unacknowledged, following acks
  // and resend requests; prints every reply.
  bool stream(std::uint64_t first, std::int64_t count, std::int64_t per, const std::vector<std::string>& probes) {
    const std::uint64_t end = first + static_cast<std::uint64_t>(count);  // one past the last
    std::uint64_t next = first, acked = first - 1;
    while (acked + 1 < end) {
      while (next < end && (next - acked - 1) < static_cast<std::uint64_t>(per * o_.window)) {
        const auto n = std::min<std::int64_t>(per, static_cast<std::int64_t>(end - next));
        if (!send_batch(epoch_, next, n, probes, 0)) return false;
        next += static_cast<std::uint64_t>(n);
      }
      v1::CollectorMessage m;
      const auto kind = read_print(10000, &m);
      if (kind == "ack") {
        acked = std::max<std::uint64_t>(acked, m.ack().committed_seq());
        // Another session of this agent may have stored past what this one sent: go on from there.
        next = std::max(next, std::min(acked + 1, end));
      } else if (kind == "resend") {
        next = m.resend().from_seq();
        acked = next - 1;
      } else if (kind == "closed" || kind == "timeout" || kind == "refusal") {
        return false;
      }
    }
    std::printf("streamed %llu..%llu\n", static_cast<unsigned long long>(first), static_cast<unsigned long long>(end - 1));
    return true;
  }

  // Heartbeats every second for total_ms, printing what arrives; ends early at a refusal (true) or
  // when the connection closes without one (false).
  bool keepalive(std::int64_t total_ms) {
    const auto until = steady_ms() + total_ms;
    while (steady_ms() < until) {
      v1::AgentMessage hb;
      hb.mutable_heartbeat()->set_clock_ms(SystemClock().now_ms());
      hb.mutable_heartbeat()->set_echo_clock_ms(last_collector_clock_);
      if (!send(hb)) return false;
      const auto next = steady_ms() + 1000;
      while (steady_ms() < next) {
        const auto kind = read_print(static_cast<int>(next - steady_ms()), nullptr, /*quiet_timeout=*/true);
        if (kind == "refusal") return true;
        if (kind == "closed") return false;
      }
    }
    return true;
  }

  void loris(std::int64_t interval_ms) {
    const auto t0 = steady_ms();
    if (!write(std::string("\x00\x00\x00\x64", 4))) return;
    for (int i = 0; i < 99; ++i) {
      v1::CollectorMessage m;
      const auto kind = read_print(static_cast<int>(interval_ms), &m, /*quiet_timeout=*/true);
      if (kind == "closed" || kind == "refusal") {
        std::printf("loris closed after %lld ms\n", static_cast<long long>(steady_ms() - t0));
        return;
      }
      if (!write(std::string(1, 'x'))) {
        std::printf("loris closed after %lld ms\n", static_cast<long long>(steady_ms() - t0));
        return;
      }
    }
    std::printf("loris not closed\n");
  }

  // Reads one message (within timeout_ms), prints it, returns its kind ("closed", "timeout" too).
  std::string read_print(int timeout_ms, v1::CollectorMessage* out = nullptr, bool quiet_timeout = false) {
    const auto until = steady_ms() + timeout_ms;
    for (;;) {
      if (auto f = decoder_.next()) {
        v1::CollectorMessage m;
        if (!m.ParseFromString(*f)) {
          std::printf("undecodable\n");
          return "undecodable";
        }
        const auto kind = print(m);
        if (out) *out = m;
        return kind;
      }
      if (!leftover_.empty()) {
        const auto used = decoder_.feed(leftover_);
        leftover_.erase(0, used);
        continue;
      }
      if (!ssl_ || SSL_pending(ssl_) == 0) {
        const auto left = until - steady_ms();
        pollfd p{fd_, POLLIN, 0};
        if (left <= 0 || ::poll(&p, 1, static_cast<int>(left)) == 0) {
          if (!quiet_timeout) std::printf("timeout\n");
          return "timeout";
        }
      }
      char buf[16384];
      const int n = ssl_ ? SSL_read(ssl_, buf, sizeof buf) : static_cast<int>(::recv(fd_, buf, sizeof buf, 0));
      if (n <= 0) {
        std::printf("closed\n");
        return "closed";
      }
      const std::string_view data(buf, static_cast<std::size_t>(n));
      const auto used = decoder_.feed(data);
      leftover_.assign(data.substr(used));
    }
  }

  // " stored=A..B,C..D" for the ranges above the mark, "" for none.
  static std::string stored_text(const google::protobuf::RepeatedPtrField<v1::SeqRange>& ranges) {
    std::string out;
    for (const auto& r : ranges)
      out += (out.empty() ? " stored=" : ",") + std::to_string(r.first_seq()) + ".." + std::to_string(r.last_seq());
    return out;
  }

  std::string print(const v1::CollectorMessage& m) {
    switch (m.body_case()) {
      case v1::CollectorMessage::kWelcome: {
        const auto& w = m.welcome();
        epoch_ = w.epoch();
        last_collector_clock_ = w.collector_clock_ms();
        if (w.has_assignment()) last_assignment_ = w.assignment().version();
        std::printf("welcome epoch=%llu committed_seq=%llu assignment=%s probes=%d%s\n",
                    static_cast<unsigned long long>(w.epoch()), static_cast<unsigned long long>(w.committed_seq()),
                    w.has_assignment() ? w.assignment().version().c_str() : "none",
                    w.has_assignment() ? w.assignment().probes_size() : 0, stored_text(w.stored()).c_str());
        return "welcome";
      }
      case v1::CollectorMessage::kAck:
        std::printf("ack epoch=%llu committed_seq=%llu%s\n", static_cast<unsigned long long>(m.ack().epoch()),
                    static_cast<unsigned long long>(m.ack().committed_seq()), stored_text(m.ack().stored()).c_str());
        return "ack";
      case v1::CollectorMessage::kResend:
        std::printf("resend epoch=%llu from_seq=%llu\n", static_cast<unsigned long long>(m.resend().epoch()),
                    static_cast<unsigned long long>(m.resend().from_seq()));
        return "resend";
      case v1::CollectorMessage::kAssignment: {
        const auto& a = m.assignment().assignment();
        last_assignment_ = a.version();
        std::string ids;
        for (const auto& p : a.probes()) ids += (ids.empty() ? "" : ",") + p.id();
        std::printf("assignment version=%s probes=%d ids=%s\n", a.version().c_str(), a.probes_size(), ids.c_str());
        return "assignment";
      }
      case v1::CollectorMessage::kHeartbeat:
        last_collector_clock_ = m.heartbeat().clock_ms();
        std::printf("heartbeat clock_ms=%lld echo_clock_ms=%lld\n", static_cast<long long>(m.heartbeat().clock_ms()),
                    static_cast<long long>(m.heartbeat().echo_clock_ms()));
        return "heartbeat";
      case v1::CollectorMessage::kRefusal:
        std::printf("refusal reason=%s detail=%s\n", v1::Refusal::Reason_Name(m.refusal().reason()).c_str(),
                    m.refusal().detail().c_str());
        return "refusal";
      default:
        std::printf("unknown\n");
        return "unknown";
    }
  }

  const Options& o_;
  int fd_ = -1;
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  wire::FrameDecoder decoder_;
  std::string leftover_;
  std::uint64_t epoch_ = o_.epoch;
  std::int64_t last_collector_clock_ = 0;
  std::string last_assignment_;
  TimeMs base_ts_ = o_.base_ts != 0 ? o_.base_ts : SystemClock().now_ms() - 3'600'000;
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"link_client: an adversarial test client of slamon-collector (see the file's opening comment)"};
  Options o;
  std::string token_file;
  // A later option wins (a test overrides what its helper passes).
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.add_option("--connect", o.connect, "host:port")->required();
  app.add_flag("--no-tls", o.no_tls, "plain TCP");
  app.add_option("--ca", o.ca, "CA that signed the collector's certificate (verified when given)");
  app.add_option("--cert", o.cert, "client certificate (mutual TLS)");
  app.add_option("--key", o.key, "client key");
  app.add_option("--server-name", o.server_name, "name checked in the collector's certificate (default localhost)");
  app.add_option("--agent", o.agent, "agent name in the Hello");
  app.add_option("--token", o.token, "token in the Hello");
  app.add_option("--token-file", token_file, "file holding the token");
  app.add_option("--epoch", o.epoch, "spool epoch in the Hello");
  app.add_option("--first-seq", o.first_seq, "oldest sequence in the spool (Hello)");
  app.add_option("--last-seq", o.last_seq, "newest sequence in the spool (Hello)");
  app.add_option("--protocol", o.protocol, "protocol version in the Hello");
  app.add_option("--assignment-version", o.assignment_version, "assignment version the client claims to run");
  app.add_option("--base-ts", o.base_ts, "results are stamped BASE + 1 ms x seq (default: now - 1 h)");
  app.add_option("--window", o.window, "batches in flight for stream steps (default 4)");
  app.add_option("steps", o.steps, "steps, in order (see the source)")
      ->required()
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  if (!token_file.empty()) {
    std::FILE* f = std::fopen(token_file.c_str(), "r");
    if (!f) return std::fprintf(stderr, "link_client: cannot read %s\n", token_file.c_str()), 2;
    char buf[512] = {};
    if (std::fgets(buf, sizeof buf, f)) o.token = buf;
    std::fclose(f);
    while (!o.token.empty() && (o.token.back() == '\n' || o.token.back() == '\r')) o.token.pop_back();
  }
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  std::signal(SIGPIPE, SIG_IGN);  // a write after the collector closed is reported as "closed", not fatal
  Client c(o);
  if (!c.connect()) return 1;
  return c.run() ? 0 : 1;
}
