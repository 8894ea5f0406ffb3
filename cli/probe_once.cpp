// Running probes once and printing them (see probe_once.h).
#include "cli/probe_once.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cmath>
#include <map>
#include <unordered_map>
#include <sys/resource.h>

#include "common/json_writer.h"
#include "common/results_jsonl.h"
#include "probes/codec/evaluate.h"

namespace slamon::cli {

namespace asio = boost::asio;

namespace {


// The runners bound every run by its timeout themselves; the scheduler adds a hard cut-off for the
// long-running agent, which a one-shot command can do without (it would cost two coroutines a run).
asio::awaitable<ProbeResult> run_one(probes::Runner* runner, const catalogue::Probe& probe, std::string agent) {
  const SystemClock clock;
  const TimeMs started = clock.now_ms();
  if (!runner)
    co_return probes::agent_side(probe, started, probes::ProbeError::no_runner, "no runner for " + std::string(catalogue::to_string(probe.type)) + " probes in this build",
                         agent);
  co_return co_await runner->run(probe, started);
}

std::string number(double v) {
  std::string s;
  append_json_number(s, v, false);
  return s;
}

}  // namespace

std::optional<ProbeOutput> parse_probe_output(const std::string& text) {
  if (text == "text") return ProbeOutput::text;
  if (text == "jsonl") return ProbeOutput::jsonl;
  return std::nullopt;
}

void run_probes_once(std::size_t count, const ProbeMaker& make, const RunOnceOptions& options,
                     const std::function<void(std::size_t, const ProbeResult&)>& on_result) {
  asio::io_context io(1);
  auto runners = agent::make_runners(io.get_executor(), options.runners, {}, options.agent);
  std::size_t next = 0, done = 0, running = 0;
  std::unordered_map<std::size_t, catalogue::Probe> in_flight;
  std::function<void()> start_more = [&] {
    while (running < std::max<std::size_t>(options.max_in_flight, 1) && next < count) {
      const std::size_t i = next++;
      ++running;
      // The probe lives in the map while it runs (node-based: the reference stays valid).
      const catalogue::Probe& probe = in_flight.emplace(i, make(i)).first->second;
      asio::co_spawn(io, run_one(runners.find(probe.type), probe, options.agent),
                     [&, i](std::exception_ptr e, ProbeResult r) {
                       if (e) {
                         try {
                           std::rethrow_exception(e);
                         } catch (const std::exception& ex) {
                           r = probes::agent_side(in_flight.at(i), SystemClock().now_ms(), probes::ProbeError::internal,
                                                  std::string("internal error: ") + ex.what(),
                                          options.agent);
                         }
                       }
                       --running;
                       ++done;
                       in_flight.erase(i);
                       on_result(i, r);
                       start_more();
                     });
    }
  };
  start_more();
  while (done < count) {
    if (io.stopped()) io.restart();
    io.run_one();
  }
  if (auto* icmp = runners.icmp()) icmp->shutdown();
  io.restart();
  io.poll();
}

std::string format_result_text(const ProbeResult& r) {
  std::string s = r.probe + "  " + std::string(to_string(r.status)) + "  ";
  s += r.latency_ms ? number(*r.latency_ms) + " ms" : std::string("-");
  if (!r.message.empty()) s += "  " + r.message;
  if (!r.metrics.empty()) {
    s += "  [";
    for (std::size_t i = 0; i < r.metrics.size(); ++i)
      s += (i ? " " : "") + r.metrics[i].name + "=" + number(r.metrics[i].value);
    s += "]";
  }
  return s;
}

int run_and_print(const std::vector<catalogue::Probe>& probes, const RunOnceOptions& options, ProbeOutput output,
                  std::optional<std::size_t> summary_over, std::FILE* out) {
  return run_and_print(
      probes.size(), [&probes](std::size_t i) { return probes[i]; }, options, output, summary_over, out);
}

int run_and_print(std::size_t count, const ProbeMaker& make, const RunOnceOptions& options, ProbeOutput output,
                  std::optional<std::size_t> summary_over, std::FILE* out) {
  const bool summary = output == ProbeOutput::text && summary_over && count > *summary_over;
  std::vector<std::optional<ProbeResult>> ordered;
  if (output == ProbeOutput::text && !summary) ordered.resize(count);
  std::map<Status, std::size_t> by_status;
  double sent = 0, received = 0;
  double rtt_min = INFINITY, rtt_max = 0, rtt_sum = 0;
  std::size_t rtt_n = 0;
  std::string line;
  const auto t0 = std::chrono::steady_clock::now();
  run_probes_once(count, make, options, [&](std::size_t i, const ProbeResult& r) {
    ++by_status[r.status];
    for (const auto& m : r.metrics) {
      if (m.name == "sent") sent += m.value;
      if (m.name == "received") received += m.value;
    }
    if (r.latency_ms) {
      rtt_min = std::min(rtt_min, *r.latency_ms);
      rtt_max = std::max(rtt_max, *r.latency_ms);
      rtt_sum += *r.latency_ms;
      ++rtt_n;
    }
    if (output == ProbeOutput::jsonl) {
      line.clear();
      append_result_line(line, r);
      std::fwrite(line.data(), 1, line.size(), out);
    } else if (!summary) {
      ordered[i] = r;
    }
  });
  const double wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (output == ProbeOutput::text && !summary) {
    for (const auto& r : ordered)
      if (r) std::fprintf(out, "%s\n", format_result_text(*r).c_str());
  }
  if (summary) {
    rusage ru{};
    ::getrusage(RUSAGE_SELF, &ru);
    const double cpu_s = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
    std::fprintf(out, "%zu probes: %zu up, %zu degraded, %zu down, %zu unknown\n", count,
                 by_status[Status::up], by_status[Status::degraded], by_status[Status::down],
                 by_status[Status::unknown]);
    if (sent > 0)
      std::fprintf(out, "echo requests: %.0f sent, %.0f received, %s%% loss\n", sent, received,
                   number(std::round((sent - received) / sent * 100 * 10000) / 10000).c_str());
    if (rtt_n > 0)
      std::fprintf(out, "latency ms: min %s, avg %s, max %s\n", number(rtt_min).c_str(),
                   number(std::round(rtt_sum / static_cast<double>(rtt_n) * 1000) / 1000).c_str(),
                   number(rtt_max).c_str());
    std::fprintf(out, "took %.3f s wall, %.3f s CPU\n", wall_s, cpu_s);
  }
  std::fflush(out);
  return by_status[Status::up] == count ? kProbeAllUp : kProbeNotAllUp;
}

}  // namespace slamon::cli
