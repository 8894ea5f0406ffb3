// slamon export: the results (and gap records) the collector's store holds, as results JSONL
// (spec/interchange.md; gap lines: docs/report.md), ordered by ts, probe, agent, each once; or, with
// --openslo, the catalogue's SLAs as OpenSLO v1 documents (docs/openslo.md); or, with --maintenance
// FILE, the maintenance windows created through the API in the catalogue's syntax (what `slamon
// report --maintenance FILE` reads), their history as comments. Written to stdout, or to a file
// atomically (a temporary file beside it, renamed when complete).
#include <CLI/CLI.hpp>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <new>
#include <tuple>

#include "cli/commands.h"
#include <yaml-cpp/yaml.h>

#include "cli/results_input.h"
#include "cli/store_access.h"
#include "collector/store/maintenance_store.h"
#include "common/catalogue/openslo_writer.h"
#include "common/results_jsonl.h"

namespace slamon::cli {
namespace {

struct ExportOptions {
  bool openslo = false;
  std::string catalogue;
  std::string db;
  std::string from, to, agent, probe;
  std::string output;
  std::string maintenance;
};

// Where the lines go: stdout, or a temporary file renamed over the output at the end.
class Output {
 public:
  // nullopt-like: ok() false after an error on stderr.
  explicit Output(const std::string& path) : path_(path) {
    if (path_.empty()) {
      out_ = stdout;
      return;
    }
    const std::filesystem::path p(path_);
    temp_ = (p.parent_path().empty() ? std::filesystem::path(".") : p.parent_path()) /
            ("." + p.filename().string() + ".tmp-XXXXXX");
    std::string name = temp_.string();
    const int fd = ::mkostemp(name.data(), O_CLOEXEC);
    if (fd < 0 || (out_ = ::fdopen(fd, "wb")) == nullptr) {
      error("cannot create a temporary file beside " + path_ + ": " + std::strerror(errno));
      if (fd >= 0) ::close(fd);
      return;
    }
    temp_ = name;
    const mode_t mask = ::umask(0);  // the file gets the usual mode, not mkstemp's 0600
    ::umask(mask);
    ::fchmod(fd, 0666 & ~mask);
  }
  ~Output() {
    if (out_ && out_ != stdout) std::fclose(out_);
    if (!temp_.empty() && !done_) ::unlink(temp_.c_str());
  }
  bool ok() const { return ok_; }
  void write(const std::string& bytes) {
    if (ok_ && std::fwrite(bytes.data(), 1, bytes.size(), out_) != bytes.size())
      error(std::string("cannot write ") + (path_.empty() ? "to stdout" : path_) + ": " + std::strerror(errno));
  }
  // Flushes (and for a file: syncs and renames). False after an error on stderr.
  bool finish() {
    if (!ok_) return false;
    if (std::fflush(out_) != 0) {
      error(std::string("cannot write ") + (path_.empty() ? "to stdout" : path_) + ": " + std::strerror(errno));
      return false;
    }
    if (path_.empty()) return true;
    if (::fsync(::fileno(out_)) != 0 || std::fclose(out_) != 0) {
      out_ = nullptr;
      error("cannot write " + path_ + ": " + std::strerror(errno));
      return false;
    }
    out_ = nullptr;
    if (std::rename(temp_.c_str(), path_.c_str()) != 0) {
      error("cannot rename the temporary file to " + path_ + ": " + std::strerror(errno));
      return false;
    }
    done_ = true;
    return true;
  }

 private:
  void error(const std::string& why) {
    if (ok_) std::fprintf(stderr, "slamon export: %s\n", why.c_str());
    ok_ = false;
  }
  std::string path_;
  std::filesystem::path temp_;
  std::FILE* out_ = nullptr;
  bool ok_ = true;
  bool done_ = false;
};

// The windows as a YAML document in the catalogue's syntax: one-off windows in UTC, "who: why" as the
// description; each window's history as comments above it. Cancelled windows (nothing planned) are
// comments only.
std::string maintenance_yaml(const std::string& db, const std::vector<store::MaintenanceWindow>& windows,
                             const std::vector<store::MaintenanceEvent>& history, TimeMs now) {
  std::string out = "# Maintenance windows created through slamon-collector's API, from the store " + db +
                    ",\n# written by slamon export --maintenance at " + format_rfc3339(now) +
                    ". Catalogue syntax:\n# slamon report --maintenance THIS_FILE honours them offline.\n";
  const auto planned = store::maintenance_as_catalogue(windows);
  auto one_line = [](std::string s) {
    for (char& c : s)
      if (c == '\n' || c == '\r') c = ' ';
    return s;
  };
  out += planned.empty() ? "maintenance: []\n" : "maintenance:\n";
  for (const auto& w : windows) {
    out += "  # " + w.id + ":";
    for (const auto& e : history) {
      if (e.window != w.id) continue;
      out += " " + std::string(store::to_string(e.action)) + " at " + format_rfc3339(e.at_ms) + " by " +
             one_line(e.who) + " (" + one_line(e.why) + ")" + (e.action == store::MaintenanceEvent::Action::created
                                                                  ? ", " + format_rfc3339(e.from_ms) + " to " +
                                                                        format_rfc3339(e.to_ms)
                                                                  : "") +
             ";";
    }
    out.back() = '\n';
    const auto it = std::find_if(planned.begin(), planned.end(), [&](const auto& m) { return m.id == w.id; });
    if (it == planned.end()) continue;  // cancelled
    YAML::Emitter e;
    e << YAML::BeginMap << YAML::Key << "id" << YAML::Value << it->id;
    e << YAML::Key << "targets" << YAML::Value << YAML::Flow << it->targets;
    e << YAML::Key << "from" << YAML::Value << format_rfc3339(*it->from);
    e << YAML::Key << "to" << YAML::Value << format_rfc3339(*it->to);
    e << YAML::Key << "description" << YAML::Value << YAML::DoubleQuoted << it->description << YAML::EndMap;
    std::string item = e.c_str();
    std::string indented = "  - ";
    for (std::size_t i = 0; i < item.size(); ++i) {
      indented += item[i];
      if (item[i] == '\n' && i + 1 < item.size()) indented += "    ";
    }
    out += indented + "\n";
  }
  return out;
}

int export_maintenance(const ExportOptions& o) {
  if (!o.from.empty() || !o.to.empty() || !o.agent.empty() || !o.probe.empty() || !o.output.empty()) {
    std::fputs("slamon export: --maintenance FILE writes the maintenance windows: it does not go with --from, --to, "
               "--agent, --probe or --output\n", stderr);
    return 2;
  }
  const auto st = open_store("export", o.db, false);
  if (!st) return 2;
  auto* ms = dynamic_cast<store::MaintenanceStore*>(st.get());
  if (ms == nullptr) {
    std::fputs("slamon export: this store keeps no maintenance windows\n", stderr);
    return 2;
  }
  try {
    const auto windows = ms->maintenance_windows();
    const auto history = ms->maintenance_history("");
    Output out(o.maintenance == "-" ? std::string() : o.maintenance);
    if (!out.ok()) return 2;
    out.write(maintenance_yaml(o.db, windows, history, SystemClock().now_ms()));
    if (!out.finish()) return 2;
    std::fprintf(stderr, "slamon export: %zu maintenance windows (%zu with planned time)\n", windows.size(),
                 store::maintenance_as_catalogue(windows).size());
  } catch (const store::StoreFailure& e) {
    std::fprintf(stderr, "slamon export: %s\n", e.what());
    return 2;
  }
  return 0;
}

// --openslo: the catalogue's SLAs as OpenSLO v1 documents (docs/openslo.md); exit 1 when an SLA had
// to be left out.
int run_openslo(const ExportOptions& o) {
  if (o.catalogue.empty() || !o.db.empty() || !o.from.empty() || !o.to.empty() || !o.agent.empty() || !o.probe.empty() ||
      !o.maintenance.empty()) {
    std::fputs("slamon export: --openslo takes --catalogue FILE (and --output FILE); not --db, --from, --to, --agent, --maintenance or "
               "--probe\n", stderr);
    return 2;
  }
  const auto cat = load_catalogue_file(o.catalogue, "");
  if (!cat) return 2;
  const catalogue::OpensloExport ex = catalogue::write_openslo(*cat);
  Output out(o.output);
  if (!out.ok()) return 2;
  out.write(ex.yaml);
  if (!out.finish()) return 2;
  for (const auto& l : ex.left_out) std::fprintf(stderr, "slamon export: left out: %s\n", l.c_str());
  return ex.left_out.empty() ? 0 : 1;
}

int run(const ExportOptions& o) {
  if (o.openslo) return run_openslo(o);
  if (o.db.empty()) {
    std::fputs("slamon export: --db is required (or --openslo with --catalogue)\n", stderr);
    return 2;
  }
  if (!o.catalogue.empty()) {
    std::fputs("slamon export: --catalogue goes with --openslo\n", stderr);
    return 2;
  }
  if (!o.maintenance.empty()) return export_maintenance(o);
  store::ResultQuery q;
  if (!o.from.empty() && !(q.from_ms = parse_time_option("export", "--from", o.from))) return 2;
  if (!o.to.empty() && !(q.to_ms = parse_time_option("export", "--to", o.to))) return 2;
  if (q.from_ms && q.to_ms && *q.to_ms <= *q.from_ms) {
    std::fprintf(stderr, "slamon export: --to '%s' is not after --from '%s' (the range is [from, to))\n", o.to.c_str(),
                 o.from.c_str());
    return 2;
  }
  if (!o.agent.empty()) q.agent = o.agent;
  if (!o.probe.empty()) q.probe = o.probe;
  const auto st = open_store("export", o.db, false);
  if (!st) return 2;
  Output out(o.output);
  if (!out.ok()) return 2;
  try {
    // Gap records whose start lies in [from, to), each distinct record once, in line order.
    store::ResultQuery gq = q;
    gq.from_ms.reset();
    gq.to_ms.reset();
    std::vector<ProbeGap> gaps;
    for (auto& g : st->gaps(gq)) {
      if ((q.from_ms && g.from_ms < *q.from_ms) || (q.to_ms && g.from_ms >= *q.to_ms)) continue;
      if (g.to_ms <= g.from_ms) {
        // The wire lets a gap end where it starts; a gap line must end after it (only its start
        // matters to the engine).
        std::fprintf(stderr, "slamon export: warning: agent %s's gap record for probe %s at %s has no length: written "
                             "with gap_until 1 ms after its ts\n", g.agent.c_str(), g.probe.c_str(),
                     format_rfc3339(g.from_ms).c_str());
        g.to_ms = g.from_ms + 1;
      }
      gaps.push_back(ProbeGap{std::move(g.probe), g.from_ms, g.to_ms, std::move(g.agent), g.dropped});
    }
    auto key = [](const ProbeGap& g) { return std::tie(g.from_ms, g.probe, g.agent, g.to_ms, g.dropped); };
    std::sort(gaps.begin(), gaps.end(), [&](const ProbeGap& a, const ProbeGap& b) { return key(a) < key(b); });
    gaps.erase(std::unique(gaps.begin(), gaps.end()), gaps.end());

    std::string buf;
    std::size_t next_gap = 0;
    std::uint64_t results = 0;
    Progress progress("export", "results written");
    auto gaps_until = [&](TimeMs ts) {
      for (; next_gap < gaps.size() && gaps[next_gap].from_ms <= ts; ++next_gap) append_gap_line(buf, gaps[next_gap]);
    };
    st->for_each_result(q, [&](const ProbeResult& r) {
      gaps_until(r.ts);  // a gap line comes before the results of its ts
      append_result_line(buf, r);
      ++results;
      progress.tick();
      if (buf.size() >= (1u << 20)) {
        out.write(buf);
        buf.clear();
      }
    });
    gaps_until(INT64_MAX);
    out.write(buf);
    if (!out.finish()) return 2;
    std::fprintf(stderr, "slamon export: %llu results, %zu gap records\n", static_cast<unsigned long long>(results),
                 gaps.size());
  } catch (const store::StoreFailure& e) {
    std::fprintf(stderr, "slamon export: %s\n", e.what());
    return 2;
  }
  return 0;
}

}  // namespace

void add_export_command(CLI::App& app, int& exit_code) {
  auto opts = std::make_shared<ExportOptions>();
  auto* cmd = app.add_subcommand("export", "Write the store's results (and gap records) as results JSONL, or the SLAs as OpenSLO");
  cmd->add_option("--db", opts->db, "The collector's store: PATH, sqlite:PATH (required but with --openslo)");
  cmd->add_flag("--openslo", opts->openslo, "Write the catalogue's SLAs as OpenSLO v1 documents (YAML) instead");
  cmd->add_option("--catalogue", opts->catalogue, "With --openslo: the catalogue YAML file");
  cmd->add_option("--from", opts->from, "Only results with ts at or after this RFC 3339 instant");
  cmd->add_option("--to", opts->to, "Only results with ts before this RFC 3339 instant");
  cmd->add_option("--agent", opts->agent, "Only this agent's results");
  cmd->add_option("--probe", opts->probe, "Only this probe's results");
  cmd->add_option("--output", opts->output, "Write to this file (atomically) instead of stdout");
  cmd->add_option("--maintenance", opts->maintenance,
                  "Write the maintenance windows created through the API to this file (catalogue syntax; - for stdout)"
                  " instead of results");
  cmd->callback([opts, &exit_code] {
    try {
      exit_code = run(*opts);
    } catch (const std::bad_alloc&) {
      std::fputs("slamon export: out of memory\n", stderr);
      exit_code = 2;
    }
  });
}

}  // namespace slamon::cli
