// Benchmark of the health and SLA engine (issue 4, clarifications "Issue 4"): a generated month of
// 1,000 services over 20,000 CIs and 40,000 probes at 60 s intervals, results written around state
// changes plus hourly heartbeats (stale_after: 2h); and, apart, a complete 60-second month for 500
// probes. For 1x, 2x and 4x the state changes it prints: the results file's size, the time to parse
// it (reader only), the time to ingest it into change points, the time to compute every SLA's report
// from the change points, the ratio report/parse, and the peak memory (getrusage).
// Goal: every report of the month in under 5 s on one thread. Not run in CI.
//   bench_engine [--scales 1,2,4] [--dir /tmp] [--keep]
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "collector/engine/graph.h"
#include "collector/engine/node_timelines.h"
#include "collector/engine/result_ingest.h"
#include "collector/engine/sla_report.h"
#include "common/results_jsonl.h"
#include "common/results_reader.h"

namespace {

using namespace slamon;
using BenchClock = std::chrono::steady_clock;

double secs_since(BenchClock::time_point t0) { return std::chrono::duration<double>(BenchClock::now() - t0).count(); }

long peak_rss_mb() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss / 1024;
}

const TimeMs kMonth0 = *parse_rfc3339("2026-03-01T00:00:00Z");
const TimeMs kMonth1 = *parse_rfc3339("2026-04-01T00:00:00Z");
constexpr TimeMs kMin = 60'000;
constexpr TimeMs kHour = 3'600'000;

// The generated catalogue: n_services services of 20 CIs with 2 probes each; one SLA per service.
catalogue::Catalogue make_catalogue(int n_services, int cis_per_service, int probes_per_ci, DurationMs stale) {
  catalogue::Catalogue cat;
  for (int s = 0; s < n_services; ++s) {
    catalogue::Service svc;
    svc.id = "svc-" + std::to_string(s);
    switch (s % 3) {
      case 0: svc.rule.kind = catalogue::Rule::Kind::all; break;
      case 1: svc.rule.kind = catalogue::Rule::Kind::any; break;
      default: svc.rule = {catalogue::Rule::Kind::quorum, cis_per_service / 2, {}};
    }
    for (int c = 0; c < cis_per_service; ++c) {
      catalogue::Ci ci;
      ci.id = svc.id + "-ci-" + std::to_string(c);
      for (int p = 0; p < probes_per_ci; ++p) {
        catalogue::Probe pr;
        pr.id = ci.id + ".p" + std::to_string(p);
        pr.ci = ci.id;
        pr.agent = "agent";
        pr.interval_ms = 60'000;
        pr.stale_after_ms = stale;
        pr.confirm = p % 2 ? 3 : 1;
        ci.probes.push_back(pr);
      }
      svc.children.push_back({ci.id, 1, {}});
      cat.cis.push_back(std::move(ci));
    }
    if (s % 10 == 0) {  // some maintenance: recurring on one CI, one-off on the service
      catalogue::Maintenance m;
      m.id = "m-" + svc.id;
      m.targets = {svc.id + "-ci-0"};
      catalogue::ServiceHours every;
      every.always = false;
      every.windows.push_back({0x40, 120, 240});
      m.every = every;
      m.timezone = "Europe/Berlin";
      cat.maintenance.push_back(m);
      catalogue::Maintenance o;
      o.id = "o-" + svc.id;
      o.targets = {svc.id};
      o.from = kMonth0 + 10 * 24 * kHour;
      o.to = o.from.value() + 2 * kHour;
      cat.maintenance.push_back(o);
    }
    catalogue::Sla sla;
    sla.id = "sla-" + svc.id;
    sla.service = svc.id;
    sla.period = catalogue::PeriodKind::month;
    catalogue::SlaVersion v;
    v.terms.target = Decimal4{995000};
    if (s % 2) {
      sla.timezone = "Europe/Berlin";
      v.terms.hours.always = false;
      v.terms.hours.windows.push_back({0x1f, 480, 1080});
      v.terms.degraded = catalogue::DegradedPolicy::down;
    }
    if (s % 5 == 0) v.terms.response_time = catalogue::ResponseTimeObjective{svc.id + "-ci-0.p0", Decimal4{950000}, 200};
    sla.versions.push_back(v);
    cat.slas.push_back(std::move(sla));
    cat.services.push_back(std::move(svc));
  }
  return cat;
}

// Writes the results file: per probe in ts order; `flaps` state changes (a down or degraded run of
// 1-30 results, then up) plus hourly heartbeats; or every 60 s when `complete`. Returns lines.
std::size_t write_results(const catalogue::Catalogue& cat, const std::string& path, int flaps, bool complete,
                          std::uint32_t seed) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) {
    std::perror(path.c_str());
    std::exit(1);
  }
  std::mt19937 rng(seed);
  std::string buf;
  buf.reserve(1 << 22);
  std::size_t lines = 0;
  std::vector<std::pair<TimeMs, Status>> ev;
  ProbeResult r;
  r.agent = "agent";
  for (const auto& ci : cat.cis)
    for (const auto& p : ci.probes) {
      ev.clear();
      const TimeMs off = static_cast<TimeMs>(rng() % 60) * 1000;
      if (complete) {
        Status s = Status::up;
        for (TimeMs t = kMonth0 + off; t < kMonth1; t += kMin) {
          if (rng() % 2000 == 0) s = s == Status::up ? Status::down : Status::up;
          ev.push_back({t, s});
        }
      } else {
        std::vector<std::pair<TimeMs, TimeMs>> runs;
        for (int i = 0; i < flaps; ++i) {
          const TimeMs a = kMonth0 + off + static_cast<TimeMs>(rng() % (31 * 24 * 60)) * kMin;
          runs.push_back({a, a + (1 + static_cast<TimeMs>(rng() % 30)) * kMin});
        }
        std::sort(runs.begin(), runs.end());
        std::size_t k = 0;
        for (TimeMs h = kMonth0 + off; h < kMonth1; h += kHour) {
          for (; k < runs.size() && runs[k].first < h + kHour; ++k) {
            const Status bad = rng() % 4 ? Status::down : Status::degraded;
            if (runs[k].first > h) {
              if (ev.empty() || ev.back().first < h) ev.push_back({h, Status::up});
            }
            for (TimeMs t = std::max(runs[k].first, ev.empty() ? 0 : ev.back().first + kMin); t < runs[k].second; t += kMin)
              ev.push_back({t, bad});
            if (!ev.empty()) ev.push_back({ev.back().first + kMin, Status::up});
          }
          if (ev.empty() || ev.back().first < h) ev.push_back({h, Status::up});
        }
      }
      r.probe = p.id;
      for (const auto& [t, s] : ev) {
        if (t >= kMonth1) break;
        r.ts = t;
        r.status = s;
        r.latency_ms = s == Status::down ? std::nullopt : std::optional<double>(5.0 + rng() % 300);
        append_result_line(buf, r);
        ++lines;
        if (buf.size() > (1u << 22) - 512) {
          std::fwrite(buf.data(), 1, buf.size(), f);
          buf.clear();
        }
      }
    }
  std::fwrite(buf.data(), 1, buf.size(), f);
  std::fclose(f);
  return lines;
}

struct Figures {
  std::size_t lines = 0;
  double file_mb = 0, parse_s = 0, ingest_s = 0, report_s = 0;
  std::size_t change_points = 0;
  int reports = 0, met = 0;
};

Figures run(const catalogue::Catalogue& cat, const std::string& path) {
  Figures fig;
  fig.file_mb = static_cast<double>(std::filesystem::file_size(path)) / 1e6;
  std::string error;
  // 1. Parsing alone.
  auto t0 = BenchClock::now();
  std::size_t n = 0;
  read_results_file(path, [&](ProbeResult&&) { ++n; }, [](Diagnostic&&) {}, error);
  fig.parse_s = secs_since(t0);
  fig.lines = n;
  // 2. Ingest into change points (parse + timelines).
  t0 = BenchClock::now();
  engine::ResultIngest ingest(cat, std::nullopt);
  read_results_file(path, [&](ProbeResult&& r) { ingest.add(r); }, [](Diagnostic&&) {}, error);
  if (ingest.needs_second_pass())
    read_results_file(path, [&](ProbeResult&& r) { ingest.add_second_pass(r); }, [](Diagnostic&&) {}, error);
  const engine::ProbeDataMap data = ingest.finish();
  fig.ingest_s = secs_since(t0);
  for (const auto& [id, d] : data) fig.change_points += d.timeline.size();
  // 3. Every SLA's report for the month, from the change points: three runs (the machine is
  // shared), the median printed.
  std::vector<double> times;
  for (int rep = 0; rep < 3; ++rep) {
    t0 = BenchClock::now();
    engine::Graph graph(cat, {});
    engine::NodeTimelines nodes(graph, data);
    fig.reports = fig.met = 0;
    for (const auto& sla : cat.slas) {
      const auto p = engine::sla_period(sla, "2026-03");
      const auto o = engine::compute_report(nodes, data, sla, *p.period, std::nullopt);
      if (!o.report) std::abort();
      ++fig.reports;
      fig.met += o.report->met.value_or(false);
    }
    times.push_back(secs_since(t0));
  }
  std::sort(times.begin(), times.end());
  fig.report_s = times[1];
  return fig;
}

void print(const char* name, const Figures& f) {
  std::printf("%-26s lines %10zu  file %8.1f MB  change points %9zu  parse %7.3f s  ingest %7.3f s  "
              "reports %4d in %6.3f s  report/parse %.3f  peak RSS %ld MB\n",
              name, f.lines, f.file_mb, f.change_points, f.parse_s, f.ingest_s, f.reports, f.report_s,
              f.report_s / f.parse_s, peak_rss_mb());
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<int> scales{1, 2, 4};
  std::string dir = std::filesystem::temp_directory_path().string();
  bool keep = false;
  bool complete = true;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--scales") && i + 1 < argc) {
      scales.clear();
      std::string s = argv[++i];
      for (std::size_t p = 0; p < s.size();) {
        const auto q = s.find(',', p);
        scales.push_back(std::stoi(s.substr(p, q - p)));
        p = q == std::string::npos ? s.size() : q + 1;
      }
    } else if (!std::strcmp(argv[i], "--dir") && i + 1 < argc) {
      dir = argv[++i];
    } else if (!std::strcmp(argv[i], "--keep")) {
      keep = true;
    } else if (!std::strcmp(argv[i], "--no-complete")) {
      complete = false;
    } else {
      std::fprintf(stderr, "usage: bench_engine [--scales 1,2,4] [--dir DIR] [--keep] [--no-complete]\n");
      return 2;
    }
  }
  const auto cat = make_catalogue(1000, 20, 2, 2 * kHour);
  std::printf("catalogue: %zu services, %zu CIs, %zu probes, %zu SLAs (month 2026-03)\n", cat.services.size(),
              cat.cis.size(), cat.cis.size() * 2, cat.slas.size());
  for (int scale : scales) {
    const std::string path = dir + "/bench_engine_" + std::to_string(scale) + "x.jsonl";
    const auto t0 = BenchClock::now();
    write_results(cat, path, 10 * scale, false, 42u + static_cast<unsigned>(scale));
    std::printf("  (generated %dx in %.1f s)\n", scale, secs_since(t0));
    const Figures f = run(cat, path);
    const std::string name = "state changes " + std::to_string(scale) + "x";
    print(name.c_str(), f);
    if (!keep) std::filesystem::remove(path);
  }
  if (complete) {
    const auto small = make_catalogue(25, 10, 2, 180'000);  // 500 probes
    const std::string path = dir + "/bench_engine_complete.jsonl";
    write_results(small, path, 0, true, 7);
    print("complete 60 s, 500 probes", run(small, path));
    if (!keep) std::filesystem::remove(path);
  }
  return 0;
}
