// bench_snmp: one SNMP v2c probe per target (a 10-value GET of .1.3.6.1.4.1.99999.1.2.1-10 and a
// walk of .1.3.6.1.4.1.99999.1.1) through the SNMP runner on one event-loop thread, at most C at a
// time, and one line for bench/snmp_bench.sh:
//   targets=N up=U values=V wall_s=W cpu_s=C values_per_s=R cpu_us_per_value=M
// CPU is the whole process (user + system) from getrusage.
//   bench_snmp --targets-file F --port P [--community C] [--concurrency C] [--max-repetitions N]
#include <sys/resource.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "probes/snmp.h"

namespace asio = boost::asio;
using namespace slamon;

namespace {

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

struct Totals {
  std::size_t next = 0, up = 0;
  double values = 0;
};

asio::awaitable<void> worker(probes::SnmpRunner& runner, const std::vector<catalogue::Probe>& probes, Totals& t) {
  while (t.next < probes.size()) {
    const auto& p = probes[t.next++];
    const auto r = co_await runner.run(p, 0);
    if (r.status == Status::up) ++t.up;
    else if (t.up == 0) std::fprintf(stderr, "bench_snmp: %s: %s\n", p.id.c_str(), r.message.c_str());
    for (const auto& m : r.metrics)
      if (m.name == "values") t.values += m.value;
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string targets_file, community = "public-test";
  int port = 161, concurrency = 50, reps = 25;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i], v = argv[i + 1];
    if (a == "--targets-file") targets_file = v;
    else if (a == "--port") port = std::atoi(v.c_str());
    else if (a == "--community") community = v;
    else if (a == "--concurrency") concurrency = std::atoi(v.c_str());
    else if (a == "--max-repetitions") reps = std::atoi(v.c_str());
  }
  std::ifstream in(targets_file);
  if (targets_file.empty() || !in) {
    std::fprintf(stderr, "usage: bench_snmp --targets-file F --port P [--community C] [--concurrency C]\n");
    return 2;
  }
  std::vector<catalogue::Probe> probes;
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    catalogue::Probe p;
    p.id = line;
    p.type = catalogue::ProbeType::snmp;
    p.timeout_ms = 10'000;
    catalogue::SnmpSpec s;
    s.target = line;
    s.port = port;
    s.community = catalogue::Secret(community, "");
    s.max_repetitions = reps;
    for (int k = 1; k <= 10; ++k) s.get.push_back({"1.3.6.1.4.1.99999.1.2." + std::to_string(k), std::nullopt, {}});
    s.walk.push_back({"1.3.6.1.4.1.99999.1.1", std::nullopt, {}});
    p.spec = s;
    probes.push_back(std::move(p));
  }
  asio::io_context io(1);
  auto runner = probes::make_snmp_runner(io.get_executor(), {}, nullptr);
  Totals t;
  const double cpu0 = cpu_seconds();
  const auto t0 = std::chrono::steady_clock::now();
  for (int w = 0; w < concurrency; ++w) asio::co_spawn(io, worker(*runner, probes, t), asio::detached);
  io.run();
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double cpu = cpu_seconds() - cpu0;
  std::printf("targets=%zu up=%zu values=%.0f wall_s=%.3f cpu_s=%.3f values_per_s=%.0f cpu_us_per_value=%.3f\n",
              probes.size(), t.up, t.values, wall, cpu, t.values / wall, cpu * 1e6 / t.values);
  return t.up == probes.size() ? 0 : 1;
}
