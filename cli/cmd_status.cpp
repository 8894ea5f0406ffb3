// slamon status: what the collector's store says now (or --as-of): each agent's link (the records the
// collector keeps, plus the catalogue's agents it has never seen) and the current status of every
// service and CI, with since when, computed by the engine from the stored results over a lookback
// window (exactly: a probe's history before the window is read back to its anchor, as a report does).
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <new>

#include "cli/commands.h"
#include "cli/store_access.h"
#include "collector/engine/graph.h"
#include "collector/engine/node_timelines.h"
#include "collector/engine/period.h"
#include "common/catalogue/parser.h"
#include "common/json_writer.h"

namespace slamon::cli {
namespace {

struct StatusOptions {
  std::string db;
  std::string catalogue;
  std::string format = "text";
  std::string as_of;
  std::string lookback = "35d";
};

struct NodeStatus {
  std::string id;
  bool service = true;
  Status status = Status::unknown;
  std::optional<TimeMs> since;  // nullopt: since before the window's start
};

// "35d", "12h", "90m", "3600s": a lookback length in ms; nullopt when not one.
std::optional<DurationMs> parse_lookback(const std::string& text) {
  if (text.size() < 2) return std::nullopt;
  const char unit = text.back();
  const std::string digits = text.substr(0, text.size() - 1);
  if (digits.find_first_not_of("0123456789") != std::string::npos || digits.size() > 9) return std::nullopt;
  const DurationMs n = std::stoll(digits);
  const DurationMs per = unit == 'd' ? 86'400'000 : unit == 'h' ? 3'600'000 : unit == 'm' ? 60'000 : unit == 's' ? 1000 : 0;
  if (per == 0 || n == 0) return std::nullopt;
  return n * per;
}

std::string offset_text(const std::optional<std::int64_t>& ms) {
  if (!ms) return "-";
  return (*ms >= 0 ? "+" : "") + std::to_string(*ms) + " ms";
}

// Columns padded to their widest cell, two spaces apart.
std::string table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> width;
  for (const auto& r : rows)
    for (std::size_t i = 0; i < r.size(); ++i) {
      if (width.size() <= i) width.push_back(0);
      width[i] = std::max(width[i], r[i].size());
    }
  std::string out;
  for (const auto& r : rows) {
    std::string line;
    for (std::size_t i = 0; i < r.size(); ++i) {
      line += r[i];
      if (i + 1 < r.size()) line += std::string(width[i] - r[i].size() + 2, ' ');
    }
    out += line + "\n";
  }
  return out;
}

int run(const StatusOptions& o) {
  TimeMs as_of = std::chrono::duration_cast<std::chrono::milliseconds>(
                     std::chrono::system_clock::now().time_since_epoch()).count();
  if (!o.as_of.empty()) {
    const auto t = parse_time_option("status", "--as-of", o.as_of);
    if (!t) return 2;
    as_of = *t;
  }
  const auto lookback = parse_lookback(o.lookback);
  if (!lookback) {
    std::fprintf(stderr, "slamon status: --lookback '%s' is not a duration such as 35d, 12h, 90m or 3600s\n",
                 o.lookback.c_str());
    return 2;
  }
  if (!engine::writable_instant(as_of) || !engine::writable_instant(as_of - *lookback)) {
    std::fprintf(stderr, "slamon status: --as-of and --lookback must stay within the years 0001-9999 (UTC)\n");
    return 2;
  }
  catalogue::DiskFileSource disk;
  auto loaded = catalogue::load_catalogue(o.catalogue, disk, {});
  if (!loaded.catalogue) {
    for (const auto& d : loaded.errors) std::fprintf(stderr, "%s\n", format_diagnostic(d).c_str());
    return 2;
  }
  const catalogue::Catalogue& cat = *loaded.catalogue;
  const auto st = open_store("status", o.db, false);
  if (!st) return 2;

  const TimeMs window_start = as_of - *lookback;
  std::vector<store::AgentRecord> agents;
  std::vector<NodeStatus> nodes_out;
  try {
    // Results up to and including as_of; the status at as_of: from the engine's change points, or
    // (as_of before the newest result) from the raw results.
    const engine::Interval window{window_start, as_of + 1};
    std::optional<engine::ProbeDataMap> changes = probe_data_from_changes("status", *st, cat, window, as_of + 1);
    engine::ResultIngest ingest(cat, as_of + 1);
    if (!changes)
      feed_from_store("status", *st, cat, window, as_of + 1, ingest, [](const std::string& probe) {
        std::fprintf(stderr, "slamon status: warning: the store holds results for probe '%s', which the catalogue "
                             "does not know: they are ignored\n", probe.c_str());
      });
    const engine::ProbeDataMap data = changes ? std::move(*changes) : ingest.finish();
    engine::Graph graph(cat, {});
    engine::NodeTimelines timelines(graph, data);
    auto node_status = [&](const std::string& id, bool service) {
      const int n = graph.find(id);
      NodeStatus s{id, service, Status::unknown, std::nullopt};
      if (n < 0) return s;
      const auto& tl = timelines.status(n);
      auto it = std::upper_bound(tl.begin(), tl.end(), as_of,
                                 [](TimeMs t, const engine::StatusPoint& p) { return t < p.t; });
      if (it != tl.begin()) {
        const auto& last = *std::prev(it);
        s.status = last.status;
        if (last.t > window_start) s.since = last.t;
      }
      return s;
    };
    for (const auto& sv : cat.services) nodes_out.push_back(node_status(sv.id, true));
    for (const auto& ci : cat.cis) nodes_out.push_back(node_status(ci.id, false));

    // Agents: the store's records, and the catalogue's agents it has never seen.
    std::map<std::string, store::AgentRecord> by_name;
    for (auto& r : st->agent_records()) by_name[r.name] = std::move(r);
    for (const auto& a : cat.agents)
      if (by_name.count(a.name) == 0) by_name[a.name].name = a.name;
    for (auto& [name, r] : by_name) agents.push_back(std::move(r));
  } catch (const store::StoreFailure& e) {
    std::fprintf(stderr, "slamon status: %s\n", e.what());
    return 2;
  }

  auto never = [](const store::AgentRecord& r) { return r.last_seen_ms == 0 && r.peer.empty(); };
  std::string out;
  if (o.format == "json") {
    JsonWriter w;
    w.begin_object();
    w.key("as_of").value(format_rfc3339(as_of));
    w.key("window_start").value(format_rfc3339(window_start));
    w.key("agents").begin_array();
    for (const auto& r : agents) {
      w.begin_object();
      w.key("name").value(r.name);
      w.key("state").value(never(r) ? "never connected" : r.connected ? "connected" : "disconnected");
      w.key("connected").value(r.connected);
      w.key("peer");
      r.peer.empty() ? w.null() : w.value(r.peer);
      w.key("last_seen");
      r.last_seen_ms == 0 ? w.null() : w.value(format_rfc3339(r.last_seen_ms));
      w.key("clock_offset_ms");
      r.clock_offset_ms ? w.value(*r.clock_offset_ms) : w.null();
      w.key("backlog").value(static_cast<std::int64_t>(r.backlog));
      w.key("assignment_version");
      r.assignment_version.empty() ? w.null() : w.value(r.assignment_version);
      w.key("epoch").value(static_cast<std::int64_t>(r.epoch));
      w.key("committed_seq").value(static_cast<std::int64_t>(r.committed_seq));
      w.end_object();
    }
    w.end_array();
    for (const bool services : {true, false}) {
      w.key(services ? "services" : "cis").begin_array();
      for (const auto& n : nodes_out) {
        if (n.service != services) continue;
        w.begin_object();
        w.key("id").value(n.id);
        w.key("status").value(to_string(n.status));
        w.key("since");
        n.since ? w.value(format_rfc3339(*n.since)) : w.null();
        w.key("since_before");
        n.since ? w.null() : w.value(format_rfc3339(window_start));
        w.end_object();
      }
      w.end_array();
    }
    w.end_object();
    out = w.take() + "\n";
  } else {
    out = "Agents (as of " + format_rfc3339(as_of) + ")\n";
    std::vector<std::vector<std::string>> rows{
        {"AGENT", "STATE", "PEER", "LAST SEEN", "CLOCK OFFSET", "BACKLOG", "ASSIGNMENT", "EPOCH", "COMMITTED"}};
    for (const auto& r : agents) {
      if (never(r)) {
        rows.push_back({r.name, "never connected", "-", "-", "-", "-", "-", "-", "-"});
        continue;
      }
      rows.push_back({r.name, r.connected ? "connected" : "disconnected", r.peer.empty() ? "-" : r.peer,
                      r.last_seen_ms == 0 ? "-" : format_rfc3339(r.last_seen_ms), offset_text(r.clock_offset_ms),
                      std::to_string(r.backlog), r.assignment_version.empty() ? "-" : r.assignment_version,
                      std::to_string(r.epoch), std::to_string(r.committed_seq)});
    }
    if (agents.empty()) rows.push_back({"(none)"});
    out += table(rows);
    for (const bool services : {true, false}) {
      out += services ? "\nServices\n" : "\nCIs\n";
      std::vector<std::vector<std::string>> t{{services ? "SERVICE" : "CI", "STATUS", "SINCE"}};
      for (const auto& n : nodes_out)
        if (n.service == services)
          t.push_back({n.id, std::string(to_string(n.status)),
                       n.since ? format_rfc3339(*n.since) : "before " + format_rfc3339(window_start)});
      if (t.size() == 1) t.push_back({"(none)"});
      out += table(t);
    }
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

}  // namespace

void add_status_command(CLI::App& app, int& exit_code) {
  auto opts = std::make_shared<StatusOptions>();
  auto* cmd = app.add_subcommand("status", "Agents and the current status of every service and CI, from the store");
  cmd->add_option("--db", opts->db, "The collector's store: PATH, sqlite:PATH")->required();
  cmd->add_option("--catalogue", opts->catalogue, "Catalogue YAML file")->required();
  cmd->add_option("--format", opts->format, "text (default) or json")->check(CLI::IsMember({"text", "json"}));
  cmd->add_option("--as-of", opts->as_of, "Status at this RFC 3339 instant (default: now)");
  cmd->add_option("--lookback", opts->lookback, "How far back results are read (default 35d; e.g. 12h)");
  cmd->callback([opts, &exit_code] {
    try {
      exit_code = run(*opts);
    } catch (const std::bad_alloc&) {
      std::fputs("slamon status: out of memory\n", stderr);
      exit_code = 2;
    }
  });
}

}  // namespace slamon::cli
