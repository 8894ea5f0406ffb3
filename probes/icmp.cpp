// The ICMP echo runner (see icmp.h). One Socket per address family, each with its receive loop
// coroutine; each run is a coroutine that sends its requests and sleeps on its own timer until the
// receive loop has seen every answer or the deadline passes.
#include "probes/icmp.h"

#include <linux/errqueue.h>
#include <linux/icmp.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <deque>
#include <random>
#include <spdlog/spdlog.h>
#include <unordered_map>

#include "common/catalogue/measurements.h"
#include "probes/resolve.h"

namespace slamon::probes {

namespace asio = boost::asio;
using icmp::Family;
using icmp::RawAddress;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
constexpr int kRecvBatch = 32;
constexpr std::size_t kRecvSlotBytes = 2048;
constexpr int kMaxDrainBatches = 4096;
constexpr int kSendsPerDrain = 16;  // per wake-up; bounded, then the loop yields once

std::int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::int64_t realtime_ns() {
  timespec ts{};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

std::string errno_text(int e) { return std::strerror(e); }

RawAddress to_raw(const asio::ip::address& a) {
  RawAddress r;
  if (a.is_v4()) {
    r.family = Family::v4;
    const auto b = a.to_v4().to_bytes();
    std::copy(b.begin(), b.end(), r.bytes.begin());
  } else {
    r.family = Family::v6;
    const auto b = a.to_v6().to_bytes();
    std::copy(b.begin(), b.end(), r.bytes.begin());
  }
  return r;
}

std::optional<RawAddress> to_raw(const sockaddr_storage& ss) {
  RawAddress r;
  if (ss.ss_family == AF_INET) {
    const auto& sin = reinterpret_cast<const sockaddr_in&>(ss);
    r.family = Family::v4;
    std::memcpy(r.bytes.data(), &sin.sin_addr, 4);
    return r;
  }
  if (ss.ss_family == AF_INET6) {
    const auto& sin6 = reinterpret_cast<const sockaddr_in6&>(ss);
    r.family = Family::v6;
    std::memcpy(r.bytes.data(), &sin6.sin6_addr, 16);
    return r;
  }
  return std::nullopt;
}

std::string address_text(const RawAddress& a) {
  if (a.family == Family::v4) {
    asio::ip::address_v4::bytes_type b;
    std::copy_n(a.bytes.begin(), 4, b.begin());
    return asio::ip::address_v4(b).to_string();
  }
  asio::ip::address_v6::bytes_type b;
  std::copy_n(a.bytes.begin(), 16, b.begin());
  return asio::ip::address_v6(b).to_string();
}

// Rounds to `decimals` places (dividing by a power of ten gives the nearest double, e.g. 0.009).
double round_to(double v, int decimals) {
  const double scale = std::pow(10.0, decimals);
  return std::round(v * scale) / scale;
}

}  // namespace

class IcmpRunner::Impl : public std::enable_shared_from_this<Impl> {
 public:
  Impl(asio::any_io_executor ex, std::shared_ptr<spdlog::logger> log, IcmpOptions options)
      : ex_(std::move(ex)), log_(std::move(log)), options_(options) {
    std::random_device rd;
    rng_.seed((static_cast<std::uint64_t>(rd()) << 32) ^ rd());
  }

  struct RunState {
    explicit RunState(const asio::any_io_executor& ex) : wake(ex) {}
    asio::steady_timer wake;
    int sent = 0;
    int replies = 0;
    int duplicates = 0;
    int errors = 0;
    int outstanding = 0;  // sent, neither answered nor errored
    bool all_sent = false;
    std::vector<double> rtts_ms;
    std::vector<std::uint64_t> tokens;
    std::string error_message;  // first ICMP error, with the reporting address
  };

  struct Pending {
    RunState* run = nullptr;  // null once the run ended (late replies are recognised for a while)
    RawAddress target;
    std::uint16_t sequence = 0;
    std::int64_t sent_realtime_ns = 0;
    bool answered = false;
  };

  struct RecvSlot {
    std::vector<std::uint8_t> data;
    sockaddr_storage from{};
    alignas(cmsghdr) std::array<char, 512> control{};
    iovec iov{};
  };

  struct Socket {
    Socket(const asio::any_io_executor& ex, int fd) : descriptor(ex, fd) {}
    Family family = Family::v4;
    bool raw = false;
    asio::posix::stream_descriptor descriptor;
    std::uint16_t identifier = 0;  // raw sockets; ping sockets get theirs from the kernel
    std::uint64_t salt = 0;        // high 32 bits of every token
    std::uint32_t counter = 0;     // low 32 bits; its low 16 bits are the sequence
    std::unordered_map<std::uint64_t, Pending> pending;
    std::deque<std::pair<std::int64_t, std::uint64_t>> forget;  // (steady ns, token) after the run
    std::vector<std::uint8_t> send_buffer;
    std::vector<RecvSlot> slots;
    std::vector<mmsghdr> headers;
    int sends_since_drain = 0;
  };

  // ---- sockets ---------------------------------------------------------------------------------

  Socket* socket_for(Family family, std::string& why) {
    auto& s = sockets_[static_cast<int>(family)];
    if (s) return s.get();
    if (closed_) {
      why = "ICMP runner shut down";
      socket_errors_[static_cast<int>(family)] = ProbeError::internal;
      return nullptr;
    }
    s = open_socket(family, why, socket_errors_[static_cast<int>(family)]);
    if (!s) {
      errors_[static_cast<int>(family)] = why;
      return nullptr;
    }
    errors_[static_cast<int>(family)].clear();
    if (log_)
      log_->info("ICMP{} {} socket open", family == Family::v4 ? "v4" : "v6", s->raw ? "raw" : "datagram (ping)");
    asio::co_spawn(ex_, receive_loop(shared_from_this(), s.get()), asio::detached);
    return s.get();
  }

  // On failure, `why` says what was tried and `cause` is no_privilege or no_socket (the agent's).
  std::unique_ptr<Socket> open_socket(Family family, std::string& why, ProbeError& cause) {
    const int domain = family == Family::v4 ? AF_INET : AF_INET6;
    const int proto = family == Family::v4 ? static_cast<int>(IPPROTO_ICMP) : static_cast<int>(IPPROTO_ICMPV6);
    const char* fam = family == Family::v4 ? "IPv4" : "IPv6";
    int fd = -1;
    bool raw = false;
    std::string dgram_error, raw_error;
    bool denied = false;  // some attempt failed for want of a privilege
    if (options_.socket_mode != IcmpOptions::SocketMode::raw) {
      fd = ::socket(domain, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
      if (fd < 0) denied = denied || errno == EACCES || errno == EPERM;
      if (fd < 0)
        dgram_error = "ping socket: " + errno_text(errno) +
                      (errno == EACCES ? " (group not in net.ipv4.ping_group_range)" : "");
    }
    if (fd < 0 && options_.socket_mode != IcmpOptions::SocketMode::datagram) {
      fd = ::socket(domain, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
      if (fd < 0) denied = denied || errno == EACCES || errno == EPERM;
      if (fd < 0) raw_error = "raw socket: " + errno_text(errno) + (errno == EPERM ? " (needs CAP_NET_RAW)" : "");
      else raw = true;
    }
    if (fd < 0) {
      why = std::string("no ICMP socket for ") + fam + ": " + dgram_error +
            (dgram_error.empty() || raw_error.empty() ? "" : "; ") + raw_error;
      cause = denied ? ProbeError::no_privilege : ProbeError::no_socket;
      return nullptr;
    }
    const int on = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
    const int rcvbuf = options_.receive_buffer_bytes;
    if (::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) != 0)
      ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    const int sndbuf = 1 << 20;
    if (::setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf, sizeof sndbuf) != 0)
      ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
    if (raw) {
      // Only echo replies and errors reach us; the kernel drops the rest (and our own requests).
      if (family == Family::v4) {
        icmp_filter filter{};
        filter.data = ~((1U << icmp::v4type::echo_reply) | (1U << icmp::v4type::dest_unreachable) |
                        (1U << icmp::v4type::source_quench) | (1U << icmp::v4type::time_exceeded) |
                        (1U << icmp::v4type::parameter_problem));
        ::setsockopt(fd, SOL_RAW, ICMP_FILTER, &filter, sizeof filter);
      } else {
        icmp6_filter filter;
        ICMP6_FILTER_SETBLOCKALL(&filter);
        ICMP6_FILTER_SETPASS(icmp::v6type::echo_reply, &filter);
        ICMP6_FILTER_SETPASS(icmp::v6type::dest_unreachable, &filter);
        ICMP6_FILTER_SETPASS(icmp::v6type::packet_too_big, &filter);
        ICMP6_FILTER_SETPASS(icmp::v6type::time_exceeded, &filter);
        ICMP6_FILTER_SETPASS(icmp::v6type::parameter_problem, &filter);
        ::setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &filter, sizeof filter);
      }
    } else if (family == Family::v4) {
      ::setsockopt(fd, IPPROTO_IP, IP_RECVERR, &on, sizeof on);
    } else {
      ::setsockopt(fd, IPPROTO_IPV6, IPV6_RECVERR, &on, sizeof on);
    }
    auto s = std::make_unique<Socket>(ex_, fd);
    s->family = family;
    s->raw = raw;
    s->identifier = static_cast<std::uint16_t>(rng_());
    s->salt = rng_() << 32;
    s->counter = static_cast<std::uint32_t>(rng_());
    resize_slots(*s, kRecvSlotBytes);
    return s;
  }

  static void resize_slots(Socket& s, std::size_t bytes) {
    s.slots.resize(kRecvBatch);
    s.headers.resize(kRecvBatch);
    for (auto& slot : s.slots) slot.data.resize(bytes);
  }

  // ---- receiving -------------------------------------------------------------------------------

  static asio::awaitable<void> receive_loop(std::shared_ptr<Impl> self, Socket* s) {
    for (;;) {
      auto [ec] = co_await s->descriptor.async_wait(asio::posix::descriptor_base::wait_read, use_tuple);
      if (ec || !s->descriptor.is_open()) co_return;
      self->drain(*s);
      if (!s->raw) self->drain_errors(*s);
    }
  }

  void drain(Socket& s) {
    const int fd = s.descriptor.native_handle();
    for (int batch = 0; batch < kMaxDrainBatches; ++batch) {
      for (int i = 0; i < kRecvBatch; ++i) {
        auto& slot = s.slots[i];
        slot.iov = {slot.data.data(), slot.data.size()};
        auto& h = s.headers[i].msg_hdr;
        h = {};
        h.msg_name = &slot.from;
        h.msg_namelen = sizeof slot.from;
        h.msg_iov = &slot.iov;
        h.msg_iovlen = 1;
        h.msg_control = slot.control.data();
        h.msg_controllen = slot.control.size();
      }
      const int n = ::recvmmsg(fd, s.headers.data(), kRecvBatch, MSG_DONTWAIT, nullptr);
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK && log_) log_->warn("ICMP receive: {}", errno_text(errno));
        return;
      }
      for (int i = 0; i < n; ++i) {
        const auto& h = s.headers[i];
        const std::size_t len = std::min<std::size_t>(h.msg_len, s.slots[i].data.size());
        handle_packet(s, std::span(s.slots[i].data.data(), len), (h.msg_hdr.msg_flags & MSG_TRUNC) != 0,
                      s.slots[i].from, receive_time(h.msg_hdr));
      }
      if (n < kRecvBatch) return;
    }
  }

  static std::int64_t receive_time(const msghdr& h) {
    for (auto* c = CMSG_FIRSTHDR(&h); c; c = CMSG_NXTHDR(const_cast<msghdr*>(&h), c)) {
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
        timespec ts;
        std::memcpy(&ts, CMSG_DATA(c), sizeof ts);
        return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
      }
    }
    return realtime_ns();
  }

  void handle_packet(Socket& s, std::span<const std::uint8_t> data, bool truncated, const sockaddr_storage& from,
                     std::int64_t rx_ns) {
    std::optional<icmp::Message> m;
    std::optional<RawAddress> source = to_raw(from);
    if (s.family == Family::v4) {
      m = icmp::parse_icmpv4(data, s.raw);
      if (m && m->ip_source) source = m->ip_source;
    } else {
      m = icmp::parse_icmpv6(data);
    }
    if (!m || !source) {
      ++stats_.foreign;
      return;
    }
    if (!m->checksum_ok && !truncated) {
      ++stats_.bad_checksum;
      if (log_) log_->debug("ICMP from {}: bad checksum, ignored", address_text(*source));
      return;
    }
    if (m->kind == icmp::Kind::echo_reply) {
      on_reply(s, m->echo, *source, rx_ns);
    } else if (m->kind == icmp::Kind::error && m->embeds_echo_request) {
      on_error(s, m->original, m->original_destination, icmp::describe_error(s.family, m->type, m->code),
               *source);
    } else {
      ++stats_.foreign;
    }
  }

  Pending* find(Socket& s, const icmp::EchoFields& f, bool check_identifier) {
    if (!f.token || (*f.token & 0xffffffff00000000ULL) != s.salt) return nullptr;
    if (check_identifier && s.raw && f.identifier != s.identifier) return nullptr;
    auto it = s.pending.find(*f.token);
    if (it == s.pending.end() || it->second.sequence != f.sequence) return nullptr;
    return &it->second;
  }

  void on_reply(Socket& s, const icmp::EchoFields& f, const RawAddress& source, std::int64_t rx_ns) {
    Pending* p = find(s, f, true);
    if (!p) {
      ++stats_.foreign;
      return;
    }
    if (!(source == p->target)) {
      ++stats_.wrong_source;
      if (log_)
        log_->debug("ICMP reply for {} from {}: wrong source, ignored", address_text(p->target),
                    address_text(source));
      return;
    }
    if (p->answered) {
      ++stats_.duplicates;
      if (p->run) ++p->run->duplicates;
      return;
    }
    p->answered = true;
    if (!p->run) {
      ++stats_.late;
      return;
    }
    ++stats_.replies;
    RunState& run = *p->run;
    const double rtt_ms = static_cast<double>(std::max<std::int64_t>(0, rx_ns - p->sent_realtime_ns)) / 1e6;
    run.rtts_ms.push_back(rtt_ms);
    ++run.replies;
    answered(run);
  }

  void on_error(Socket& s, const icmp::EchoFields& original, const RawAddress& original_destination,
                std::string what, const RawAddress& reporter) {
    Pending* p = find(s, original, true);
    if (!p || !(original_destination == p->target)) {
      ++stats_.foreign;
      return;
    }
    if (p->answered || !p->run) return;
    p->answered = true;
    ++stats_.errors;
    RunState& run = *p->run;
    ++run.errors;
    if (run.error_message.empty()) run.error_message = what + " from " + address_text(reporter);
    answered(run);
  }

  void answered(RunState& run) {
    --run.outstanding;
    if (run.all_sent && run.outstanding == 0) run.wake.cancel();
  }

  // Ping sockets report ICMP errors (and local send errors) on the socket's error queue.
  void drain_errors(Socket& s) {
    const int fd = s.descriptor.native_handle();
    std::array<std::uint8_t, 2048> data;
    for (int i = 0; i < kMaxDrainBatches; ++i) {
      sockaddr_storage to{};
      alignas(cmsghdr) std::array<char, 512> control{};
      iovec iov{data.data(), data.size()};
      msghdr h{};
      h.msg_name = &to;
      h.msg_namelen = sizeof to;
      h.msg_iov = &iov;
      h.msg_iovlen = 1;
      h.msg_control = control.data();
      h.msg_controllen = control.size();
      const ssize_t n = ::recvmsg(fd, &h, MSG_ERRQUEUE | MSG_DONTWAIT);
      if (n < 0) {
        if (errno == EINTR) continue;
        return;
      }
      const sock_extended_err* ee = nullptr;
      for (auto* c = CMSG_FIRSTHDR(&h); c; c = CMSG_NXTHDR(&h, c))
        if ((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_RECVERR) ||
            (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_RECVERR))
          ee = reinterpret_cast<const sock_extended_err*>(CMSG_DATA(c));
      const auto fields = icmp::parse_echo_request(s.family, std::span(data.data(), static_cast<std::size_t>(n)));
      const auto destination = to_raw(to);
      if (!ee || !fields || !destination) {
        ++stats_.foreign;
        continue;
      }
      std::string what;
      std::optional<RawAddress> reporter;
      if (ee->ee_origin == SO_EE_ORIGIN_ICMP || ee->ee_origin == SO_EE_ORIGIN_ICMP6) {
        what = icmp::describe_error(s.family, ee->ee_type, ee->ee_code);
        const auto* offender = reinterpret_cast<const sockaddr_storage*>(SO_EE_OFFENDER(ee));
        reporter = to_raw(*offender);
      } else {
        what = "send error: " + errno_text(static_cast<int>(ee->ee_errno));
      }
      on_error(s, *fields, *destination, what, reporter.value_or(*destination));
    }
  }

  // ---- sending ---------------------------------------------------------------------------------

  // Waits for this send's slot under the global rate limit (a 10 ms burst is allowed).
  asio::awaitable<void> rate_slot() {
    if (options_.max_sends_per_s <= 0) co_return;
    const auto interval_ns = static_cast<std::int64_t>(1e9 / options_.max_sends_per_s);
    const std::int64_t now = steady_ns();
    const std::int64_t slot = std::max(next_slot_ns_, now - 10'000'000);
    next_slot_ns_ = slot + interval_ns;
    if (slot <= now) co_return;
    asio::steady_timer t(ex_, std::chrono::nanoseconds(slot - now));
    co_await t.async_wait(asio::use_awaitable);
  }

  // Sends one request; returns 0 or the errno of a failure that ends the attempt.
  asio::awaitable<int> send_one(Socket& s, RunState& run, const RawAddress& target, std::size_t payload_bytes,
                                std::int64_t deadline_ns) {
    const std::uint32_t counter = s.counter++;
    const std::uint64_t token = s.salt | counter;
    const auto sequence = static_cast<std::uint16_t>(counter);
    icmp::build_echo_request(s.family, s.identifier, sequence, token, payload_bytes, s.send_buffer);
    if (s.slots.front().data.size() < s.send_buffer.size() + 128) resize_slots(s, s.send_buffer.size() + 128);
    sockaddr_storage to{};
    socklen_t to_len = 0;
    if (target.family == Family::v4) {
      auto& sin = reinterpret_cast<sockaddr_in&>(to);
      sin.sin_family = AF_INET;
      std::memcpy(&sin.sin_addr, target.bytes.data(), 4);
      to_len = sizeof sin;
    } else {
      auto& sin6 = reinterpret_cast<sockaddr_in6&>(to);
      sin6.sin6_family = AF_INET6;
      std::memcpy(&sin6.sin6_addr, target.bytes.data(), 16);
      to_len = sizeof sin6;
    }
    for (int attempt = 0;; ++attempt) {
      const std::int64_t sent_ns = realtime_ns();
      const ssize_t n = ::sendto(s.descriptor.native_handle(), s.send_buffer.data(), s.send_buffer.size(),
                                 MSG_DONTWAIT, reinterpret_cast<const sockaddr*>(&to), to_len);
      if (n >= 0) {
        Pending p;
        p.run = &run;
        p.target = target;
        p.sequence = sequence;
        p.sent_realtime_ns = sent_ns;
        s.pending.insert_or_assign(token, p);
        run.tokens.push_back(token);
        ++run.sent;
        ++run.outstanding;
        ++stats_.sent;
        // In a burst of sends the loop would reach the receive coroutine only after all of them:
        // read replies as we go, so that the receive buffer never overflows.
        if (++s.sends_since_drain >= kSendsPerDrain) {
          s.sends_since_drain = 0;
          drain(s);
        }
        co_return 0;
      }
      const int e = errno;
      if (e == EINTR) continue;
      if ((e == EAGAIN || e == EWOULDBLOCK || e == ENOBUFS) && steady_ns() < deadline_ns && attempt < 1000) {
        // The send buffer (or a queue below it) is full: wait a little and try again.
        asio::steady_timer t(ex_, std::chrono::microseconds(200));
        co_await t.async_wait(asio::use_awaitable);
        continue;
      }
      co_return e;
    }
  }

  // Ends a run: its requests stay known for a while so that late replies are recognised.
  void detach(Socket* s, RunState& run) {
    if (!s) return;
    const std::int64_t now = steady_ns();
    const std::int64_t forget_at = now + options_.remember_after_run_ms * 1'000'000;
    for (const auto token : run.tokens) {
      auto it = s->pending.find(token);
      if (it == s->pending.end()) continue;
      it->second.run = nullptr;
      s->forget.emplace_back(forget_at, token);
    }
    while (!s->forget.empty() && s->forget.front().first <= now) {
      s->pending.erase(s->forget.front().second);
      s->forget.pop_front();
    }
  }

  // ---- one run ---------------------------------------------------------------------------------

  asio::awaitable<RunOutcome> measure(catalogue::IcmpSpec spec, DurationMs timeout_ms) {
    RunOutcome out;
    const std::int64_t start_ns = steady_ns();
    const std::int64_t deadline_ns = start_ns + timeout_ms * 1'000'000;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    const auto addresses = co_await resolve_host(ex_, spec.target, spec.ip_version, deadline);
    if (!addresses) {
      out.error = ProbeError::name_unresolved;
      out.message = resolve_message(spec.target, spec.ip_version, addresses.error());
      co_return out;
    }
    const RawAddress target = to_raw(addresses->front());
    std::string why;
    Socket* s = socket_for(target.family, why);
    if (!s) {
      out.error = socket_errors_[static_cast<int>(target.family)];
      out.message = why;
      co_return out;
    }
    RunState run(ex_);
    struct Detach {
      Impl* impl;
      Socket* socket;
      RunState* run;
      ~Detach() { impl->detach(socket, *run); }
    } detach_guard{this, s, &run};

    const int count = std::clamp(spec.count, 1, 100);
    int send_errno = 0;
    for (int i = 0; i < count; ++i) {
      const std::int64_t send_at = start_ns + static_cast<std::int64_t>(i) * spec.spacing_ms * 1'000'000;
      if (send_at >= deadline_ns) break;
      if (i > 0 && send_at > steady_ns()) {
        run.wake.expires_after(std::chrono::nanoseconds(send_at - steady_ns()));
        co_await run.wake.async_wait(use_tuple);
      }
      co_await rate_slot();
      if (!s->descriptor.is_open()) break;
      send_errno = co_await send_one(*s, run, target, static_cast<std::size_t>(std::max(spec.size, 0)), deadline_ns);
      if (send_errno) break;
    }
    run.all_sent = true;
    while (run.outstanding > 0 && steady_ns() < deadline_ns && s->descriptor.is_open()) {
      run.wake.expires_after(std::chrono::nanoseconds(deadline_ns - steady_ns()));
      co_await run.wake.async_wait(use_tuple);
    }

    if (run.sent == 0) {
      // A local route (unreachable, blackhole, prohibit) or firewall refusing the send is the path's
      // failure (down); only the agent's own shortage (buffers, memory) is unknown.
      out.error = send_errno ? classify_errno(send_errno) : ProbeError::internal;
      out.message = send_errno ? "cannot send to " + address_text(target) + ": " + errno_text(send_errno) + " (" +
                                     make_error_code(out.error).message() + ")"
                               : "no request sent before the timeout";
      co_return out;
    }
    out.metrics.reserve(9);
    const double loss = 100.0 * (run.sent - run.replies) / run.sent;
    out.metrics.push_back({std::string(catalogue::measure::loss_percent), round_to(loss, 4)});
    if (!run.rtts_ms.empty()) {
      double sum = 0, sum_sq = 0, lo = run.rtts_ms.front(), hi = lo;
      for (const double r : run.rtts_ms) {
        sum += r;
        sum_sq += r * r;
        lo = std::min(lo, r);
        hi = std::max(hi, r);
      }
      const double n = static_cast<double>(run.rtts_ms.size());
      const double avg = sum / n;
      const double stddev = std::sqrt(std::max(0.0, sum_sq / n - avg * avg));
      out.latency_ms = round_to(avg, 3);
      out.metrics.push_back({std::string(catalogue::measure::rtt_ms), round_to(avg, 3)});
      out.metrics.push_back({std::string(catalogue::measure::rtt_min_ms), round_to(lo, 3)});
      out.metrics.push_back({std::string(catalogue::measure::rtt_max_ms), round_to(hi, 3)});
      out.metrics.push_back({std::string(catalogue::measure::rtt_stddev_ms), round_to(stddev, 3)});
    }
    out.metrics.push_back({std::string(catalogue::measure::sent), static_cast<double>(run.sent)});
    out.metrics.push_back({std::string(catalogue::measure::received), static_cast<double>(run.replies)});
    out.metrics.push_back({std::string(catalogue::measure::duplicates), static_cast<double>(run.duplicates)});
    out.metrics.push_back({std::string(catalogue::measure::errors), static_cast<double>(run.errors)});

    std::vector<std::string> notes;
    if (!run.error_message.empty()) notes.push_back(run.error_message);
    if (run.duplicates > 0) notes.push_back(std::to_string(run.duplicates) + " duplicate replies");
    if (run.sent < count)
      notes.push_back("only " + std::to_string(run.sent) + " of " + std::to_string(count) + " requests sent" +
                      (send_errno ? ": " + errno_text(send_errno) : " before the timeout"));
    if (run.replies == 0) {
      out.error = send_errno ? classify_errno(send_errno) : run.errors > 0 ? ProbeError::icmp_error : ProbeError::no_answer;
      if (out.error == ProbeError::internal) out.error = ProbeError::no_answer;
      notes.insert(notes.begin(), "no reply to " + std::to_string(run.sent) + " requests");
    }
    for (std::size_t i = 0; i < notes.size(); ++i) out.message += (i ? "; " : "") + notes[i];
    co_return out;
  }

  void shutdown() {
    closed_ = true;
    for (auto& s : sockets_) {
      if (!s) continue;
      boost::system::error_code ec;
      s->descriptor.close(ec);
      // Running probes hold pointers to their Socket: keep it until the runner goes.
      retired_.push_back(std::move(s));
    }
  }

  std::string socket_kind(Family f) const {
    const auto& s = sockets_[static_cast<int>(f)];
    if (s) return s->raw ? "raw" : "datagram";
    const auto& e = errors_[static_cast<int>(f)];
    return e.empty() ? "closed" : e;
  }

  IcmpStats stats_;

 private:
  asio::any_io_executor ex_;
  std::shared_ptr<spdlog::logger> log_;
  IcmpOptions options_;
  std::mt19937_64 rng_;
  std::unique_ptr<Socket> sockets_[2];
  std::vector<std::unique_ptr<Socket>> retired_;
  std::string errors_[2];
  ProbeError socket_errors_[2] = {ProbeError::no_socket, ProbeError::no_socket};
  std::int64_t next_slot_ns_ = 0;
  bool closed_ = false;
};

IcmpRunner::IcmpRunner(asio::any_io_executor executor, std::shared_ptr<spdlog::logger> log, IcmpOptions options,
                       std::string agent)
    : impl_(std::make_shared<Impl>(std::move(executor), std::move(log), options)), agent_(std::move(agent)) {}

IcmpRunner::~IcmpRunner() { impl_->shutdown(); }

asio::awaitable<ProbeResult> IcmpRunner::run(const catalogue::Probe& probe, TimeMs started) {
  const auto* spec = std::get_if<catalogue::IcmpSpec>(&probe.spec);
  if (!spec) {
    co_return agent_side(probe, started, ProbeError::internal, "not an ICMP probe", agent_);
  }
  auto impl = impl_;  // the runner may be destroyed while this run is suspended
  const std::string agent = agent_;
  co_return evaluate(probe, started, co_await impl->measure(*spec, probe.timeout_ms), agent);
}

asio::awaitable<RunOutcome> IcmpRunner::measure(const catalogue::IcmpSpec& spec, DurationMs timeout_ms) {
  auto impl = impl_;
  co_return co_await impl->measure(spec, timeout_ms);
}

IcmpStats IcmpRunner::stats() const { return impl_->stats_; }
std::string IcmpRunner::socket_kind(Family family) const { return impl_->socket_kind(family); }
void IcmpRunner::shutdown() { impl_->shutdown(); }

}  // namespace slamon::probes
