// bench_http: runs N HTTP(S) probes (fresh connection each) against one URL through the HTTP runner on
// one event-loop thread, at most C at a time, and prints one line for bench/http_bench.sh:
//   probes=N up=U wall_s=W cpu_s=C probes_per_s=P cpu_ms_per_probe=M
// CPU is the whole process (user + system, every thread) from getrusage.
//   bench_http --url URL [--count N] [--concurrency C] [--ca-file F] [--insecure]
#include <sys/resource.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "probes/http.h"

namespace asio = boost::asio;
using namespace slamon;

namespace {

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

asio::awaitable<void> worker(probes::HttpRunner& runner, const catalogue::Probe& probe, int& next, int count, int& up) {
  while (next < count) {
    ++next;
    const auto r = co_await runner.run(probe, 0);
    if (r.status == Status::up) ++up;
    else if (up == 0 && next < 5) std::fprintf(stderr, "bench_http: %s\n", r.message.c_str());
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string url, ca_file;
  int count = 2000, concurrency = 50;
  bool insecure = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "bench_http: %s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--url") url = next();
    else if (a == "--count") count = std::atoi(next().c_str());
    else if (a == "--concurrency") concurrency = std::atoi(next().c_str());
    else if (a == "--ca-file") ca_file = next();
    else if (a == "--insecure") insecure = true;
    else {
      std::fprintf(stderr, "usage: bench_http --url URL [--count N] [--concurrency C] [--ca-file F] [--insecure]\n");
      return 2;
    }
  }
  if (url.empty() || count < 1 || concurrency < 1) {
    std::fprintf(stderr, "usage: bench_http --url URL [--count N] [--concurrency C] [--ca-file F] [--insecure]\n");
    return 2;
  }
  catalogue::Probe probe;
  probe.id = "bench.http";
  probe.type = catalogue::ProbeType::http;
  probe.timeout_ms = 10'000;
  catalogue::HttpSpec spec;
  spec.url = url;
  if (!ca_file.empty()) spec.tls_ca_file = ca_file;
  spec.tls_verify = !insecure;
  probe.spec = spec;

  asio::io_context io(1);
  auto runner = probes::make_http_runner(io.get_executor(), {}, nullptr);
  int next = 0, up = 0;
  const double cpu0 = cpu_seconds();
  const auto t0 = std::chrono::steady_clock::now();
  for (int w = 0; w < concurrency; ++w) asio::co_spawn(io, worker(*runner, probe, next, count, up), asio::detached);
  io.run();
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double cpu = cpu_seconds() - cpu0;
  std::printf("probes=%d up=%d wall_s=%.3f cpu_s=%.3f probes_per_s=%.1f cpu_ms_per_probe=%.4f\n", count, up, wall, cpu,
              count / wall, cpu * 1000.0 / count);
  return up == count ? 0 : 1;
}
