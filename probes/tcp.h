// The TCP connect runner: resolves the target without blocking the loop, connects within the probe's
// timeout (latency_ms = the connect time of the address that answered) and, when the probe expects a
// banner, reads up to 4 KiB until banner_contains / banner_regex (RE2) is met or the timeout passes.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <memory>
#include <spdlog/fwd.h>
#include <string>

#include "probes/codec/evaluate.h"
#include "probes/runner.h"

namespace slamon::probes {

inline constexpr std::size_t kTcpBannerMaxBytes = 4096;

class TcpRunner final : public Runner {
 public:
  TcpRunner(boost::asio::any_io_executor executor, std::shared_ptr<spdlog::logger> log, std::string agent);

  catalogue::ProbeType type() const override { return catalogue::ProbeType::tcp; }
  boost::asio::awaitable<ProbeResult> run(const catalogue::Probe& probe, TimeMs started) override;

  // One run of `spec` within `timeout_ms`, before thresholds.
  boost::asio::awaitable<RunOutcome> measure(const catalogue::TcpSpec& spec, DurationMs timeout_ms);

 private:
  boost::asio::any_io_executor executor_;
  std::shared_ptr<spdlog::logger> log_;
  std::string agent_;
};

}  // namespace slamon::probes
