// The measured round trip of one SNMP target, and the per-try timeouts it gives (RFC 6298 style):
// a request is tried again after max(100 ms, 3 × srtt, srtt + 4 × rttvar) once the target has been
// measured, after min(1 s, timeout / tries) before that, each further try waiting twice as long as
// the one before. A lossy link then costs a few short waits per lost datagram, not a share of the
// run's whole timeout.
#pragma once

#include <algorithm>
#include <cmath>

namespace slamon::probes {

inline constexpr double kMinTryTimeoutMs = 100;
inline constexpr double kMaxInitialTryTimeoutMs = 1000;

class RoundTrip {
 public:
  // One round trip of a request answered on the try it was measured from (ms).
  void sample(double rtt_ms) {
    if (!(rtt_ms >= 0) || !std::isfinite(rtt_ms)) return;
    if (samples_ == 0) {
      srtt_ms_ = rtt_ms;
      rttvar_ms_ = rtt_ms / 2;
    } else {
      rttvar_ms_ = 0.75 * rttvar_ms_ + 0.25 * std::fabs(srtt_ms_ - rtt_ms);
      srtt_ms_ = 0.875 * srtt_ms_ + 0.125 * rtt_ms;
    }
    ++samples_;
  }
  bool measured() const { return samples_ > 0; }
  double srtt_ms() const { return srtt_ms_; }

  // How long the first try of a request waits for its answer, for a run of `timeout_ms` with `tries`.
  double first_try_ms(double timeout_ms, int tries) const {
    if (!measured()) return std::min(kMaxInitialTryTimeoutMs, timeout_ms / std::max(1, tries));
    return std::max({kMinTryTimeoutMs, 3 * srtt_ms_, srtt_ms_ + 4 * rttvar_ms_});
  }
  // Try `k` (0-based) waits first_try × 2^k.
  double try_ms(double timeout_ms, int tries, int k) const {
    return first_try_ms(timeout_ms, tries) * std::ldexp(1.0, std::clamp(k, 0, 16));
  }

 private:
  double srtt_ms_ = 0;
  double rttvar_ms_ = 0;
  int samples_ = 0;
};

}  // namespace slamon::probes
