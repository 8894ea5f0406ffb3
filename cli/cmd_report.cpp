// slamon report: the offline service level report from a catalogue and a results JSONL file
// (spec/interchange.md "The offline report"). Reads and prints; every decision is the engine's.
#include <CLI/CLI.hpp>
#include <yaml-cpp/yaml.h>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <new>
#include <regex>

#include "cli/commands.h"
#include "collector/engine/graph.h"
#include "collector/engine/node_timelines.h"
#include "collector/engine/period.h"
#include "collector/engine/report_format.h"
#include "collector/engine/report_set.h"
#include "collector/engine/result_ingest.h"
#include "common/catalogue/parser.h"
#include "common/results_reader.h"

namespace slamon::cli {
namespace {

namespace fs = std::filesystem;

struct ReportOptions {
  std::string catalogue;
  std::string results;
  std::string sla;
  std::string period;
  std::string as_of;
  std::string maintenance;
  std::string format = "json";
  int trend = 0;
};

// The disk, except that the root catalogue file also includes the --maintenance file, so that its
// windows are read and validated (targets must exist) exactly like the catalogue's own.
class MaintenanceOverlay final : public catalogue::FileSource {
 public:
  MaintenanceOverlay(fs::path root, std::string root_text) : root_(std::move(root)), root_text_(std::move(root_text)) {}
  std::optional<std::string> read(const fs::path& path) const override {
    std::error_code ec;
    fs::path abs = fs::absolute(path, ec).lexically_normal();
    if (abs == root_) return root_text_;
    return disk_.read(path);
  }
  std::vector<fs::path> glob(const fs::path& pattern) const override { return disk_.glob(pattern); }

 private:
  catalogue::DiskFileSource disk_;
  fs::path root_;
  std::string root_text_;
};

std::string quoted_yaml(const std::string& s) {
  std::string o = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') o += '\\';
    o += c;
  }
  return o + "\"";
}

// The root file's text with the maintenance file added to its include list.
std::optional<std::string> root_with_maintenance(const std::string& text, const std::string& maintenance_abs,
                                                 std::string& error) {
  static const std::regex top_include("(^|\n)include[ \t]*:");
  if (!std::regex_search(text, top_include)) {
    return text + (text.empty() || text.back() == '\n' ? "" : "\n") + "include: [" + quoted_yaml(maintenance_abs) + "]\n";
  }
  try {
    YAML::Node root = YAML::Load(text);
    YAML::Node inc = root["include"];
    if (inc.IsScalar()) {
      const std::string one = inc.as<std::string>();
      root["include"] = YAML::Node(YAML::NodeType::Sequence);
      root["include"].push_back(one);
    }
    root["include"].push_back(maintenance_abs);
    YAML::Emitter out;
    out << root;
    return std::string(out.c_str()) + "\n";
  } catch (const std::exception& e) {
    error = e.what();
    return std::nullopt;
  }
}

std::optional<catalogue::Catalogue> load(const ReportOptions& o) {
  catalogue::DiskFileSource disk;
  auto print_errors = [](const catalogue::LoadResult& r) {
    for (const auto& d : r.errors) std::fprintf(stderr, "%s\n", format_diagnostic(d).c_str());
  };
  auto plain = catalogue::load_catalogue(o.catalogue, disk);
  if (!plain.catalogue) {
    print_errors(plain);
    return std::nullopt;
  }
  if (o.maintenance.empty()) return std::move(plain.catalogue);
  std::error_code ec;
  const fs::path root_abs = fs::absolute(o.catalogue, ec).lexically_normal();
  const fs::path m_abs = fs::absolute(o.maintenance, ec).lexically_normal();
  if (!fs::exists(m_abs)) {
    std::fprintf(stderr, "slamon report: cannot read maintenance file '%s'\n", o.maintenance.c_str());
    return std::nullopt;
  }
  const auto text = disk.read(root_abs);
  std::string error;
  const auto overlaid = text ? root_with_maintenance(*text, m_abs.string(), error) : std::nullopt;
  if (!overlaid) {
    std::fprintf(stderr, "slamon report: cannot add the maintenance file: %s\n", error.c_str());
    return std::nullopt;
  }
  MaintenanceOverlay overlay(root_abs, *overlaid);
  auto with = catalogue::load_catalogue(root_abs, overlay);
  if (!with.catalogue) {
    print_errors(with);
    return std::nullopt;
  }
  with.catalogue->root_file = o.catalogue;
  return std::move(with.catalogue);
}

int run(const ReportOptions& o) {
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
  const auto cat = load(o);
  if (!cat) return 2;

  engine::ResultIngest ingest(*cat, as_of);
  std::string error;
  // Read once with diagnostics; a pipe or FIFO is copied as it is read, so that a second read (for
  // probes whose results are not in ts order) sees the same results.
  const auto input = ResultsInput::open(o.results, error);
  if (!input) {
    std::fprintf(stderr, "slamon report: %s\n", error.c_str());
    return 2;
  }
  auto on_error = [](Diagnostic&& d) { std::fprintf(stderr, "%s\n", format_diagnostic(d).c_str()); };
  auto stats = input->read(
      [&](ProbeResult&& r) {
        if (ingest.add(r) == engine::ResultIngest::Outcome::unknown_probe_first)
          std::fprintf(stderr, "%s: warning: unknown probe '%s': its results are ignored\n", o.results.c_str(),
                       r.probe.c_str());
      },
      on_error, error);
  if (!stats) {
    std::fprintf(stderr, "slamon report: %s\n", error.c_str());
    return 2;
  }
  if (ingest.needs_second_pass()) {
    // Some probes' results are not in ts order: read them again, all of them, and sort.
    auto again = input->read_again([&](ProbeResult&& r) { ingest.add_second_pass(r); }, error);
    if (!again) {
      std::fprintf(stderr, "slamon report: %s\n", error.c_str());
      return 2;
    }
  }
  const engine::ProbeDataMap data = ingest.finish();
  engine::Graph graph(*cat, {});
  engine::NodeTimelines nodes(graph, data);
  engine::ReportRequest req;
  if (!o.sla.empty()) req.sla = o.sla;
  req.label = o.period;
  req.as_of = as_of;
  req.trend = o.trend;
  engine::ReportSet set;
  try {
    set = engine::run_reports(nodes, data, *cat, req);
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
  const bool single = !o.sla.empty() && o.trend == 0;
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
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
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
  auto* cmd = app.add_subcommand("report", "Service level report from a catalogue and raw results");
  cmd->add_option("--catalogue", opts->catalogue, "Catalogue YAML file")->required();
  cmd->add_option("--results", opts->results, "Probe results, JSON Lines")->required();
  cmd->add_option("--sla", opts->sla, "SLA id (default: every SLA whose period kind matches the label)");
  cmd->add_option("--period", opts->period, "Period label: 2026-10-05, 2026-W41, 2026-10, 2026-Q4, 2026")->required();
  cmd->add_option("--as-of", opts->as_of, "Cut the report at this RFC 3339 instant");
  cmd->add_option("--maintenance", opts->maintenance, "Extra maintenance windows (YAML, catalogue syntax)");
  cmd->add_option("--format", opts->format, "json (default), text, csv or html")
      ->check(CLI::IsMember({"json", "text", "csv", "html"}));
  cmd->add_option("--trend", opts->trend, "The last N periods of one SLA side by side")->check(CLI::Range(1, 1000));
  cmd->callback([opts, &exit_code] { exit_code = run_or_fail(*opts); });
}

}  // namespace slamon::cli
