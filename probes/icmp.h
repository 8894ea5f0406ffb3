// The ICMP echo runner: every ICMP probe of the process shares one socket per address family (an
// unprivileged ping socket where net.ipv4.ping_group_range allows it, a raw socket otherwise).
// Requests are keyed by a 64-bit token carried in their payload, so any number can be in flight;
// replies are matched on identifier, sequence, token and source address, their checksum and type
// checked, duplicates and late replies counted apart, ICMP errors attributed through the request they
// embed. RTTs come from kernel receive timestamps. A global rate limit paces all sends.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <cstdint>
#include <memory>
#include <spdlog/fwd.h>
#include <string>

#include "probes/codec/evaluate.h"
#include "probes/codec/icmp_packet.h"
#include "probes/runner.h"

namespace slamon::probes {

struct IcmpOptions {
  enum class SocketMode : std::uint8_t { automatic, datagram, raw };
  SocketMode socket_mode = SocketMode::automatic;  // automatic: ping socket first, raw socket second
  double max_sends_per_s = 10'000;                 // global send-rate limit; 0 lifts it
  int receive_buffer_bytes = 8 << 20;
  DurationMs remember_after_run_ms = 30'000;       // how long late replies are recognised as ours
};

// Counters over the runner's life (all sockets).
struct IcmpStats {
  std::uint64_t sent = 0;
  std::uint64_t replies = 0;       // first replies, matched to a running probe
  std::uint64_t duplicates = 0;    // further replies to an answered request
  std::uint64_t late = 0;          // replies after their run ended
  std::uint64_t wrong_source = 0;  // matching token from another address: ignored
  std::uint64_t bad_checksum = 0;  // ignored
  std::uint64_t errors = 0;        // ICMP errors attributed to a request
  std::uint64_t foreign = 0;       // echo replies or errors that are not ours
  bool operator==(const IcmpStats&) const = default;
};

class IcmpRunner final : public Runner {
 public:
  IcmpRunner(boost::asio::any_io_executor executor, std::shared_ptr<spdlog::logger> log, IcmpOptions options,
             std::string agent);
  ~IcmpRunner() override;
  IcmpRunner(const IcmpRunner&) = delete;
  IcmpRunner& operator=(const IcmpRunner&) = delete;

  catalogue::ProbeType type() const override { return catalogue::ProbeType::icmp; }
  boost::asio::awaitable<ProbeResult> run(const catalogue::Probe& probe, TimeMs started) override;

  // One run of `spec` within `timeout_ms`, before thresholds.
  boost::asio::awaitable<RunOutcome> measure(const catalogue::IcmpSpec& spec, DurationMs timeout_ms);

  IcmpStats stats() const;
  // "datagram" or "raw" once a family's socket is open, "closed" before, or why it cannot be opened.
  std::string socket_kind(icmp::Family family) const;
  // Closes the sockets; running probes end at their deadline.
  void shutdown();

 private:
  class Impl;
  std::shared_ptr<Impl> impl_;
  std::string agent_;
};

}  // namespace slamon::probes
