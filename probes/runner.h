// The interface every probe type implements: run one probe once, on the event loop, within its
// timeout, and say what happened. A down target is a result, never an exception.
#pragma once

#include <boost/asio/awaitable.hpp>

#include "common/catalogue/model.h"
#include "common/probe_result.h"

namespace slamon::probes {

class Runner {
 public:
  virtual ~Runner() = default;
  virtual catalogue::ProbeType type() const = 0;
  // Runs `probe` once, starting now (`started` is the wall-clock ts to stamp), bounded by
  // probe.timeout_ms. Thresholds are applied: the result's status is final.
  virtual boost::asio::awaitable<ProbeResult> run(const catalogue::Probe& probe, TimeMs started) = 0;
};

}  // namespace slamon::probes
