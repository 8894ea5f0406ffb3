// Settling resends and building probe data from arrivals.
#include "collector/engine/probe_data.h"

#include <algorithm>
#include <bit>
#include <cstring>

namespace slamon::engine {
namespace {

struct Hasher {
  std::uint64_t h = 1469598103934665603ull;
  void bytes(const void* p, std::size_t n) {
    const auto* c = static_cast<const unsigned char*>(p);
    for (std::size_t i = 0; i < n; ++i) {
      h ^= c[i];
      h *= 1099511628211ull;
    }
  }
  void str(const std::string& s) {
    const std::uint64_t n = s.size();
    bytes(&n, sizeof n);
    bytes(s.data(), s.size());
  }
  void num(double d) {
    const auto u = std::bit_cast<std::uint64_t>(d);
    bytes(&u, sizeof u);
  }
};

}  // namespace

std::uint64_t content_hash(const ProbeResult& r) {
  Hasher h;
  h.str(r.probe);
  h.bytes(&r.ts, sizeof r.ts);
  const auto st = static_cast<std::uint8_t>(r.status);
  h.bytes(&st, 1);
  const std::uint8_t has_lat = r.latency_ms.has_value();
  h.bytes(&has_lat, 1);
  if (r.latency_ms) h.num(*r.latency_ms);
  h.str(r.message);
  h.str(r.agent);
  const std::uint64_t nm = r.metrics.size();
  h.bytes(&nm, sizeof nm);
  for (const auto& m : r.metrics) {
    h.str(m.name);
    h.num(m.value);
  }
  // final avalanche (splitmix64)
  std::uint64_t z = h.h + 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

Arrival to_arrival(const ProbeResult& r) {
  return Arrival{Sample{r.ts, r.status, r.latency_ms}, content_hash(r)};
}

void TsGroup::receive(const Arrival& a) {
  if (std::find(seen_.begin(), seen_.end(), a.content_hash) != seen_.end()) return;  // a resend
  seen_.push_back(a.content_hash);
  winner_ = a.sample;
}

bool ProbeStream::add(const Arrival& a) {
  if (group_ts_ && a.sample.ts < *group_ts_) return false;
  if (group_ts_ && a.sample.ts == *group_ts_) {
    group_->receive(a);
    return true;
  }
  commit();
  group_ts_ = a.sample.ts;
  group_.emplace(a);
  return true;
}

bool ProbeStream::add_gap(TimeMs from_ms) {
  if (group_ts_ && from_ms < *group_ts_) return false;
  // At the current group's ts the group is not fed yet: the gap goes first.
  if (group_ts_ && from_ms > *group_ts_) commit();
  builder_.gap(from_ms);
  return true;
}

void ProbeStream::commit() {
  if (!group_) return;
  const Sample& s = group_->winner();
  builder_.add(s.ts, s.status);
  if (keep_rt_ && s.latency_ms && (s.status == Status::up || s.status == Status::degraded))
    rt_.push_back({s.ts, *s.latency_ms});
  group_.reset();
}

ProbeData ProbeStream::finish() {
  commit();
  return ProbeData{builder_.finish(), std::move(rt_)};
}

ProbeData build_probe_data(ProbeParams params, bool keep_rt, std::vector<Arrival> arrivals,
                           std::vector<TimeMs> gaps) {
  std::stable_sort(arrivals.begin(), arrivals.end(),
                   [](const Arrival& a, const Arrival& b) { return a.sample.ts < b.sample.ts; });
  std::sort(gaps.begin(), gaps.end());
  ProbeStream s(params, keep_rt);
  auto g = gaps.begin();
  for (const auto& a : arrivals) {
    for (; g != gaps.end() && *g <= a.sample.ts; ++g) s.add_gap(*g);
    s.add(a);
  }
  for (; g != gaps.end(); ++g) s.add_gap(*g);
  return s.finish();
}

}  // namespace slamon::engine
