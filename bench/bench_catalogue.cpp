// Benchmark: load and validate a generated catalogue of 10,000 CIs, 30,000 probes and 2,000 services
// (plus SLAs, agreements and maintenance windows), against parsing the same YAML with yaml-cpp alone
// (YAML::LoadFile, no validation). Goal: load_catalogue under 2 s. Prints medians of alternating runs
// and the ratio ours / yaml-cpp.
//   bench_catalogue [--runs N] [--keep DIR]
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>
#include <unistd.h>

#include "common/catalogue/parser.h"

namespace fs = std::filesystem;

namespace {

constexpr int kCis = 10'000;
constexpr int kProbesPerCi = 3;
constexpr int kServices = 2'000;
constexpr int kAgents = 50;

std::string generate() {
  std::string y;
  y.reserve(12 << 20);
  y += "version: 1\ndefaults: {interval: 60s, timeout: 5s, confirm: 1}\nagents:\n";
  for (int a = 0; a < kAgents; ++a) y += "  - {name: agent-" + std::to_string(a) + ", labels: {site: dc" + std::to_string(a % 5) + "}}\n";
  y += "cis:\n";
  for (int c = 0; c < kCis; ++c) {
    const std::string id = "ci-" + std::to_string(c);
    const std::string agent = "agent-" + std::to_string(c % kAgents);
    const std::string ip = "192.0.2." + std::to_string(c % 250 + 1);
    y += "  - id: " + id + "\n    name: Host " + std::to_string(c) + "\n    type: host\n    owner: team-" +
         std::to_string(c % 20) + "\n    rule: all\n    probes:\n";
    y += "      - type: icmp\n        agent: " + agent + "\n        target: " + ip +
         "\n        count: 3\n        degraded_if: {loss_percent: 20, rtt_ms: 100}\n";
    y += "      - type: tcp\n        agent: " + agent + "\n        target: \"" + ip + ":" + std::to_string(1000 + c % 5000) +
         "\"\n        interval: 30s\n";
    if (c % 10 == 0) {
      y += "      - type: snmp\n        agent: " + agent + "\n        target: " + ip +
           "\n        community: public\n        get:\n          - oid: 1.3.6.1.2.1.1.3.0\n"
           "          - {oid: 1.3.6.1.2.1.2.2.1.8.1, expect: {equals: 1}}\n";
    } else {
      y += "      - type: http\n        agent: " + agent + "\n        url: http://" + ip + ":8080/health/" + id +
           "\n        expect: {status: [200-299], body_contains: ok}\n        degraded_if: {latency_ms: 800}\n";
    }
  }
  y += "services:\n";
  // Services 0..199 are top level over services; 200..1999 each hold 5 CIs (covering all 10,000... partly)
  for (int s = 0; s < kServices; ++s) {
    y += "  - id: svc-" + std::to_string(s) + "\n    kind: " + (s < 200 ? "business" : "application") +
         "\n    children: [";
    if (s < 200) {
      for (int k = 0; k < 9; ++k) y += (k ? ", " : "") + std::string("svc-") + std::to_string(200 + s * 9 + k);
      y += "]\n    rule: {quorum: 5}\n";
    } else {
      for (int k = 0; k < 5; ++k) y += (k ? ", " : "") + std::string("ci-") + std::to_string(((s - 200) * 5 + k) % kCis);
      y += "]\n";
    }
  }
  y += "maintenance:\n";
  for (int m = 0; m < 20; ++m)
    y += "  - {id: maint-" + std::to_string(m) + ", targets: [svc-" + std::to_string(m) +
         "], every: \"sun 02:00-04:00\", timezone: Europe/Paris}\n";
  y += "slas:\n";
  for (int s = 0; s < 10; ++s)
    y += "  - id: sla-" + std::to_string(s) + "\n    service: svc-" + std::to_string(s) +
         "\n    target: 99.9\n    period: month\n    timezone: Asia/Shanghai\n    hours: [\"mon-fri 08:00-18:00\"]\n"
         "    response_time: {probe: ci-" + std::to_string(s * 10 + 1) + ".http, percentile: 95, under: 500ms}\n"
         "    versions:\n      - {effective_from: 2027-01-01, target: 99.95}\n";
  y += "agreements:\n  - {id: isp, kind: uc, covers: svc-0, target: 99.9, underpins: [sla-0]}\n";
  return y;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// CPU time of this process: steadier than wall time on a shared machine.
double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  int runs = 5;
  std::string keep;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--runs") == 0 && i + 1 < argc) runs = std::max(1, std::atoi(argv[++i]));
    else if (std::strcmp(argv[i], "--keep") == 0 && i + 1 < argc) keep = argv[++i];
  }
  const fs::path dir = keep.empty() ? fs::temp_directory_path() / ("slamon-bench-catalogue-" + std::to_string(::getpid()))
                                    : fs::path(keep);
  fs::create_directories(dir);
  const fs::path file = dir / "catalogue.yaml";
  {
    std::ofstream out(file);
    out << generate();
  }
  std::printf("catalogue: %s (%.1f MB): %d CIs, %d probes, %d services, 10 SLAs\n", file.c_str(),
              static_cast<double>(fs::file_size(file)) / 1e6, kCis, kCis * kProbesPerCi, kServices);

  slamon::catalogue::DiskFileSource disk;
  std::vector<double> ours, peer, ours_cpu, peer_cpu;
  std::size_t probes = 0;
  for (int r = 0; r < runs; ++r) {
    auto t0 = std::chrono::steady_clock::now();
    double c0 = cpu_seconds();
    const auto result = slamon::catalogue::load_catalogue(file, disk);
    ours.push_back(seconds_since(t0));
    ours_cpu.push_back(cpu_seconds() - c0);
    if (!result.catalogue) {
      std::fprintf(stderr, "generated catalogue did not load: %zu errors, first: %s\n", result.errors.size(),
                   slamon::format_diagnostic(result.errors.front()).c_str());
      return 1;
    }
    probes = 0;
    for (const auto& c : result.catalogue->cis) probes += c.probes.size();
    t0 = std::chrono::steady_clock::now();
    c0 = cpu_seconds();
    const YAML::Node node = YAML::LoadFile(file.string());
    peer.push_back(seconds_since(t0));
    peer_cpu.push_back(cpu_seconds() - c0);
    if (node["cis"].size() != static_cast<std::size_t>(kCis)) return 1;
  }
  const double o = median(ours), p = median(peer), oc = median(ours_cpu), pc = median(peer_cpu);
  std::printf("load_catalogue (parse + validate, %zu probes loaded): median %.3f s wall, %.3f s CPU over %d runs "
              "(goal < 2 s: %s)\n",
              probes, o, oc, runs, o < 2.0 ? "met" : "MISSED");
  std::printf("YAML::LoadFile (yaml-cpp alone, no validation):      median %.3f s wall, %.3f s CPU\n", p, pc);
  std::printf("ratio load_catalogue / yaml-cpp: %.2f (wall), %.2f (CPU)\n", o / p, oc / pc);
  if (keep.empty()) fs::remove_all(dir);
  return 0;
}
