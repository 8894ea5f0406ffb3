// slamon report: the service level report from a catalogue and a results JSONL file (spec/interchange.md
// "The offline report"), or from the collector's store (--db, --config): the same report for the same
// results (docs/report.md). Reads and prints; every decision is the engine's.
#include <CLI/CLI.hpp>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>
#include <iostream>
#include <memory>
#include <new>

#include "cli/commands.h"
#include "cli/results_input.h"
#include "cli/store_access.h"
#include "collector/engine/graph.h"
#include "collector/engine/history_window.h"
#include "collector/engine/kpi.h"
#include "collector/engine/node_timelines.h"
#include "collector/engine/period.h"
#include "collector/engine/report_format.h"
#include "collector/engine/report_set.h"
#include "collector/engine/result_ingest.h"
#include "collector/store/maintenance_store.h"
#include "common/catalogue/parser.h"
#include "common/catalogue/reader.h"
#include "common/collector_config.h"
#include "common/results_reader.h"

namespace slamon::cli {
namespace {

namespace fs = std::filesystem;

extern "C" char** environ;

struct ReportOptions {
  std::string catalogue;
  std::string results;
  std::string db;
  std::string config;
  std::string sla;
  std::string period;
  std::string as_of;
  std::string maintenance;
  std::string format = "json";
  std::string output;
  int trend = 0;
  std::string agreement;
  bool agreements = false;
  bool kpi = false;
  std::string from;
  std::string to;
};

std::optional<catalogue::Catalogue> load(const ReportOptions& o, const std::string& catalogue_file) {
  return load_catalogue_file(catalogue_file, o.maintenance);
}

// Chromium for --format pdf: $SLAMON_CHROMIUM, else the first of chromium, chromium-browser,
// google-chrome on the PATH; empty when none is there.
std::string find_chromium() {
  if (const char* e = std::getenv("SLAMON_CHROMIUM"); e && *e) return e;
  const char* path = std::getenv("PATH");
  if (!path) return {};
  for (const char* name : {"chromium", "chromium-browser", "google-chrome"}) {
    std::string_view rest = path;
    while (!rest.empty()) {
      const auto colon = rest.find(':');
      const std::string dir(rest.substr(0, colon));
      rest = colon == std::string_view::npos ? std::string_view{} : rest.substr(colon + 1);
      if (dir.empty()) continue;
      const fs::path p = fs::path(dir) / name;
      if (::access(p.c_str(), X_OK) == 0) return p.string();
    }
  }
  return {};
}

// Prints the HTML page to a PDF at `output` through headless Chromium's print-to-PDF: the page in a
// temporary folder, Chromium (a profile of its own there, at most 120 s) printing to a temporary file
// beside `output`, which replaces `output` only when it is a PDF. Returns the exit code.
int print_pdf(const std::string& chromium, const std::string& html, const std::string& output) {
  std::error_code ec;
  std::string dir_template = (fs::temp_directory_path(ec) / "slamon-pdf-XXXXXX").string();
  if (ec || !::mkdtemp(dir_template.data())) {
    std::fprintf(stderr, "slamon report: cannot make a temporary folder for the PDF\n");
    return 1;
  }
  const fs::path dir = dir_template;
  struct Cleanup {
    fs::path d;
    ~Cleanup() { std::error_code e; fs::remove_all(d, e); }
  } cleanup{dir};
  const fs::path page = dir / "report.html";
  std::ofstream(page, std::ios::binary) << html;
  const fs::path out_abs = fs::absolute(output, ec);
  const std::string tmp_pdf = out_abs.string() + ".part";
  const std::vector<std::string> args = {
      chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
      "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-pdf-header-footer",
      "--user-data-dir=" + (dir / "profile").string(), "--print-to-pdf=" + tmp_pdf, "file://" + page.string()};
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  const std::string log = (dir / "chromium.log").string();
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, chromium.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) {
    std::fprintf(stderr, "slamon report: cannot run %s: %s\n", chromium.c_str(), std::strerror(spawned));
    return 1;
  }
  int status = 0;
  bool done = false;
  for (int i = 0; i < 1200 && !done; ++i) {  // 120 s
    const pid_t w = ::waitpid(pid, &status, WNOHANG);
    if (w == pid) done = true;
    else std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (!done) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
  }
  std::string head(4, '\0');
  std::ifstream(tmp_pdf, std::ios::binary).read(head.data(), 4);
  if (!done || !WIFEXITED(status) || WEXITSTATUS(status) != 0 || head != "%PDF") {
    const std::string why = !done                                           ? "no PDF within 120 s"
                            : !WIFEXITED(status) || WEXITSTATUS(status) != 0 ? "it failed"
                                                                              : "what it wrote is not a PDF";
    std::fprintf(stderr, "slamon report: %s did not print the PDF (%s), no PDF written; its output:\n",
                 chromium.c_str(), why.c_str());
    std::ifstream in(log);
    for (std::string line; std::getline(in, line);) std::fprintf(stderr, "  %s\n", line.c_str());
    fs::remove(tmp_pdf, ec);
    return 1;
  }
  fs::rename(tmp_pdf, out_abs, ec);
  if (ec) {
    std::fprintf(stderr, "slamon report: %s: cannot write: %s\n", output.c_str(), ec.message().c_str());
    fs::remove(tmp_pdf, ec);
    return 1;
  }
  return 0;
}

// The report on stdout, or in --output FILE.
int write_output(const ReportOptions& o, const std::string& out) {
  if (o.output.empty()) {
    std::fwrite(out.data(), 1, out.size(), stdout);
    return 0;
  }
  std::ofstream f(o.output, std::ios::binary);
  f << out;
  f.close();
  if (!f) {
    std::fprintf(stderr, "slamon report: %s: cannot write\n", o.output.c_str());
    return 1;
  }
  return 0;
}

// Computes the reports over the probe data and prints them in the asked format.
int print(const ReportOptions& o, const catalogue::Catalogue& cat, const engine::ProbeDataMap& data,
          const engine::ReportRequest& req) {
  engine::Graph graph(cat, {});
  engine::NodeTimelines nodes(graph, data);
  engine::ReportSet set;
  try {
    set = engine::run_reports(nodes, data, cat, req);
  } catch (const std::bad_alloc&) {
    throw;  // fatal, below
  } catch (const std::exception& e) {
    std::fprintf(stderr, "slamon report: %s\n", e.what());
    return 2;
  }
  for (const auto& l : set.left_out) std::fprintf(stderr, "slamon report: left out: %s\n", l.c_str());
  if (!set.error.empty()) {
    std::fprintf(stderr, "slamon report: %s\n", set.error.c_str());
    return 2;
  }
  std::string out;
  const bool single = (!o.sla.empty() && o.trend == 0) || !o.agreement.empty();
  if (o.format == "json") {
    out = single && set.reports.size() == 1 ? engine::report_to_json(set.reports.front())
                                            : engine::reports_to_json(set.reports);
    out += "\n";
  } else if (o.format == "text") {
    if (o.trend > 0) out = engine::trend_to_text(set.reports);
    else out = engine::reports_to_text(set.reports, o.sla.empty());
  } else if (o.format == "csv") {
    out = engine::reports_to_csv(set.reports);
  } else {
    out = engine::reports_to_html(set.reports, o.sla.empty());
  }
  if (o.format == "pdf") return print_pdf(find_chromium(), out, o.output);
  return write_output(o, out);
}

// The probe data from the store (--db, or collector.yaml's `store`): from the engine's change points
// when they give it exactly (every report but one cut before the newest result), else what the
// reports need of the raw results, fed to the ingest. Either way, exactly. `windows`: the maintenance
// windows created through the collector's API, which the reports honour like the catalogue's.
int from_store(const ReportOptions& o, const std::optional<StoreLocation>& location, const catalogue::Catalogue& cat,
               const engine::ReportRequest& req, const std::optional<engine::Interval>& window,
               engine::ResultIngest& ingest, std::optional<engine::ProbeDataMap>& data,
               std::vector<store::MaintenanceWindow>& windows) {
  const auto st = location ? open_store("report", *location, false) : open_store("report", o.db, false);
  if (!st) return 2;
  try {
    if (auto* ms = dynamic_cast<store::MaintenanceStore*>(st.get())) windows = ms->maintenance_windows();
    if (window) data = probe_data_from_changes("report", *st, cat, *window, req.as_of);
    if (window && !data)
      feed_from_store("report", *st, cat, *window, req.as_of, ingest, [](const std::string& probe) {
        std::fprintf(stderr, "slamon report: warning: the store holds results for probe '%s', which the catalogue "
                             "does not know: they are ignored\n", probe.c_str());
      });
  } catch (const store::StoreFailure& e) {
    std::fprintf(stderr, "slamon report: %s\n", e.what());
    return 2;
  }
  if (ingest.needs_second_pass()) {
    std::fputs("slamon report: internal error: the store's results were not fed in time order\n", stderr);
    return 2;
  }
  return 0;
}

int feed_file(const ReportOptions& o, engine::ResultIngest& ingest) {
  return feed_results_file("report", o.results, ingest);
}

int run(const ReportOptions& o) {
  const int sources = !o.results.empty() + !o.db.empty();
  if (sources > 1 || (sources == 0 && o.config.empty())) {
    std::fputs("slamon report: give the results with one of --results FILE, --db STORE or --config COLLECTOR.yaml\n", stderr);
    return 2;
  }
  if (o.catalogue.empty() && o.config.empty()) {
    std::fputs("slamon report: --catalogue is required (or --config COLLECTOR.yaml, which names it)\n", stderr);
    return 2;
  }
  if (o.kpi && (!o.period.empty() || !o.sla.empty() || o.trend > 0 || o.agreements || !o.agreement.empty())) {
    std::fputs("slamon report: --kpi covers every SLA over --from/--to: it does not go with --period, --sla, --trend or "
               "--agreement(s)\n", stderr);
    return 2;
  }
  if (!o.kpi && o.period.empty()) {
    std::fputs("slamon report: --period is required (or --kpi with --from and --to)\n", stderr);
    return 2;
  }
  if (o.kpi && o.format != "json" && o.format != "text") {
    std::fputs("slamon report: --kpi prints json or text\n", stderr);
    return 2;
  }
  if (o.format == "pdf" && o.output.empty()) {
    std::fputs("slamon report: --format pdf writes a file: give it with --output FILE\n", stderr);
    return 2;
  }
  // Chromium is looked for before the report is computed: without it nothing is written.
  if (o.format == "pdf" && find_chromium().empty()) {
    std::fputs("slamon report: --format pdf prints through headless Chromium, which is not installed (no chromium, "
               "chromium-browser or google-chrome on the PATH; or set SLAMON_CHROMIUM): no PDF written\n", stderr);
    return 1;
  }
  if ((!o.agreement.empty() || o.agreements) && (!o.sla.empty() || o.trend > 0)) {
    std::fputs("slamon report: --agreement/--agreements report OLAs and UCs: they do not go with --sla or --trend\n", stderr);
    return 2;
  }
  if (!o.config.empty() && !o.results.empty()) {
    std::fputs("slamon report: --config reads the collector's store: it does not go with --results\n", stderr);
    return 2;
  }
  std::optional<TimeMs> as_of;
  if (!o.as_of.empty()) {
    as_of = parse_rfc3339(o.as_of);
    if (!as_of) {
      std::fprintf(stderr, "slamon report: --as-of '%s' is not an RFC 3339 timestamp with an offset\n", o.as_of.c_str());
      return 2;
    }
    if (!engine::writable_instant(*as_of)) {
      std::fprintf(stderr, "slamon report: --as-of '%s' is outside the years 0001-9999 in UTC\n", o.as_of.c_str());
      return 2;
    }
  }
  // Where the catalogue and the results come from: --catalogue with --results or --db, or
  // collector.yaml (--config) naming both the catalogue and the store.
  std::string catalogue_file = o.catalogue;
  std::optional<StoreLocation> store_location;
  if (!o.config.empty()) {
    catalogue::DiskFileSource disk;
    auto c = load_collector_config(o.config, disk);
    if (!c.config) {
      for (const auto& d : c.errors) std::fprintf(stderr, "%s\n", format_diagnostic(d).c_str());
      return 2;
    }
    if (catalogue_file.empty()) catalogue_file = c.config->catalogue;
    if (o.db.empty()) store_location = c.config->store;
  }
  const auto cat = load(o, catalogue_file);
  if (!cat) return 2;

  engine::ReportRequest req;
  if (!o.sla.empty()) req.sla = o.sla;
  req.label = o.period;
  req.as_of = as_of;
  req.trend = o.trend;
  req.agreements = o.agreements || !o.agreement.empty();
  if (!o.agreement.empty()) req.agreement = o.agreement;
  std::optional<catalogue::LocalDate> from_day, to_day;
  if (o.kpi) {
    from_day = catalogue::parse_local_date(o.from);
    to_day = catalogue::parse_local_date(o.to);
    if (!from_day || !to_day) {
      std::fprintf(stderr, "slamon report: --kpi needs --from and --to as dates (YYYY-MM-DD)\n");
      return 2;
    }
    if (!(*from_day < *to_day)) {
      std::fprintf(stderr, "slamon report: --from %s is not before --to %s\n", o.from.c_str(), o.to.c_str());
      return 2;
    }
  }
  const auto window = o.kpi ? engine::kpi_window(*cat, *from_day, *to_day, as_of) : engine::report_window(*cat, req);
  engine::ResultIngest ingest(*cat, as_of);
  std::optional<engine::ProbeDataMap> data;
  std::vector<store::MaintenanceWindow> stored_windows;
  const int fed = o.results.empty() ? from_store(o, store_location, *cat, req, window, ingest, data, stored_windows)
                                    : feed_file(o, ingest);
  if (fed != 0) return fed;
  if (!data) data = ingest.finish();
  // The store's maintenance windows count like the catalogue's (a window the catalogue, or the
  // --maintenance file, has under the same id is not counted twice: theirs is used).
  std::optional<catalogue::Catalogue> with_windows;
  if (!stored_windows.empty()) {
    std::vector<std::string> clashes;
    with_windows = store::with_stored_maintenance(*cat, stored_windows, &clashes);
    for (const auto& id : clashes)
      std::fprintf(stderr, "slamon report: note: maintenance window '%s' of the store is also in the catalogue or "
                           "--maintenance file: that one is used\n", id.c_str());
  }
  const catalogue::Catalogue& reported = with_windows ? *with_windows : *cat;
  if (o.kpi) {
    engine::Graph graph(reported, {});
    engine::NodeTimelines nodes(graph, *data);
    const auto k = engine::compute_kpi(nodes, *data, reported, *from_day, *to_day, as_of);
    for (const auto& l : k.left_out) std::fprintf(stderr, "slamon report: left out: %s\n", l.c_str());
    if (!k.error.empty()) {
      std::fprintf(stderr, "slamon report: %s\n", k.error.c_str());
      return 2;
    }
    return write_output(o, o.format == "text" ? engine::kpi_to_text(k) : engine::kpi_to_json(k));
  }
  return print(o, reported, *data, req);
}

// Running out of memory stops the report with a message (never a skipped line or a partial report).
int run_or_fail(const ReportOptions& o) {
  try {
    return run(o);
  } catch (const std::bad_alloc&) {
    std::fputs("slamon report: out of memory\n", stderr);
    return 2;
  }
}

}  // namespace

void add_report_command(CLI::App& app, int& exit_code) {
  auto opts = std::make_shared<ReportOptions>();
  auto* cmd = app.add_subcommand("report", "Service level report from a catalogue and raw results (a file or the store)");
  cmd->add_option("--catalogue", opts->catalogue, "Catalogue YAML file (default with --config: the one it names)");
  cmd->add_option("--results", opts->results, "Probe results, JSON Lines");
  cmd->add_option("--db", opts->db, "The collector's store instead of --results: PATH, sqlite:PATH");
  cmd->add_option("--config", opts->config, "collector.yaml: its catalogue and its store");
  cmd->add_option("--sla", opts->sla, "SLA id (default: every SLA whose period kind matches the label)");
  cmd->add_option("--agreement", opts->agreement, "Report this OLA or UC instead of SLAs");
  cmd->add_flag("--agreements", opts->agreements, "Report every OLA and UC whose period kind matches the label");
  cmd->add_flag("--kpi", opts->kpi, "The SLA attainment KPI over every SLA period from --from to --to");
  cmd->add_option("--from", opts->from, "With --kpi: the first local date of the span (YYYY-MM-DD)");
  cmd->add_option("--to", opts->to, "With --kpi: the local date after the span (YYYY-MM-DD, exclusive)");
  cmd->add_option("--period", opts->period, "Period label: 2026-10-05, 2026-W41, 2026-10, 2026-Q4, 2026 (required but with --kpi)");
  cmd->add_option("--as-of", opts->as_of, "Cut the report at this RFC 3339 instant");
  cmd->add_option("--maintenance", opts->maintenance, "Extra maintenance windows (YAML, catalogue syntax)");
  cmd->add_option("--format", opts->format, "json (default), text, csv, html or pdf (headless Chromium, with --output)")
      ->check(CLI::IsMember({"json", "text", "csv", "html", "pdf"}));
  cmd->add_option("--output", opts->output, "Write the report to this file instead of stdout (required for pdf)");
  cmd->add_option("--trend", opts->trend, "The last N periods of one SLA side by side")->check(CLI::Range(1, 1000));
  cmd->callback([opts, &exit_code] { exit_code = run_or_fail(*opts); });
}

}  // namespace slamon::cli
