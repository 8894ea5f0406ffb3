// slamon import: adds results JSONL (and gap lines) to the collector's store, through the Store
// interface like an agent's batches: in the reserved epoch 0 of each agent (agents' spool epochs are
// 1 and above), sequence numbers continuing from that epoch's mark, ~10,000 entries a transaction.
// A run already stored identically is left alone (a resend); a differing one replaces it (the later
// wins, semantics.md section 1); so importing the same file again adds nothing.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <map>
#include <memory>
#include <new>
#include <unordered_set>

#include "cli/commands.h"
#include "cli/store_access.h"
#include "common/results_reader.h"
#include "common/wire/convert.h"

namespace slamon::cli {
namespace {

constexpr std::size_t kBatchEntries = 10'000;

struct ImportOptions {
  std::string db;
  std::vector<std::string> files;
  std::string agent = "import";
};

struct ImportCounts {
  std::uint64_t added = 0, identical = 0, replaced = 0;
  std::uint64_t gaps_added = 0, gaps_identical = 0;
  std::uint64_t invalid = 0;
};

class Importer {
 public:
  Importer(store::Store& st, std::string default_agent) : st_(st), default_agent_(std::move(default_agent)) {}

  void result(ProbeResult&& r) {
    if (r.agent.empty()) r.agent = default_agent_;
    // The same run twice in the input: the first must be stored before the second is compared.
    std::string key = r.probe + '\n' + std::to_string(r.ts) + '\n' + r.agent;
    if (pending_runs_.count(key) > 0) flush();
    const auto stored = st_.find_result(r.probe, r.ts, r.agent);
    if (stored && *stored == r) {
      ++counts_.identical;
      return;
    }
    ++(stored ? counts_.replaced : counts_.added);
    pending_runs_.insert(std::move(key));
    std::string agent = r.agent;
    add(agent, wire::BatchEntry(std::move(r)));
  }

  void gap(ProbeGap&& g) {
    if (g.agent.empty()) g.agent = default_agent_;
    std::string key = g.probe + '\n' + g.agent + '\n' + std::to_string(g.from_ms) + '\n' + std::to_string(g.to_ms) +
                      '\n' + std::to_string(g.dropped);
    if (pending_gaps_.count(key) > 0 || stored_gap(g)) {
      ++counts_.gaps_identical;
      return;
    }
    ++counts_.gaps_added;
    pending_gaps_.insert(std::move(key));
    add(g.agent, wire::BatchEntry(wire::GapRecord{{g.probe}, g.from_ms, g.to_ms, g.dropped}));
  }

  // Stores the pending batches in one transaction.
  void flush() {
    if (entries_ == 0) return;
    std::vector<store::AgentBatch> group;
    for (auto& [agent, b] : pending_) {
      // From the mark as it is now: an import running beside this one is noticed, not overwritten.
      b.first_seq = st_.committed_seq(agent, 0) + 1;
      group.push_back(store::AgentBatch{agent, &b});
    }
    const auto outcomes = st_.append_group(group);
    for (std::size_t i = 0; i < group.size(); ++i)
      if (outcomes[i].kind != store::AppendOutcome::Kind::stored || outcomes[i].duplicates > 0)
        throw store::StoreFailure("the mark of agent " + std::string(group[i].agent) +
                                  "'s epoch 0 moved during the import (another import running?): stopped");
    pending_.clear();
    pending_runs_.clear();
    pending_gaps_.clear();
    entries_ = 0;
  }

  ImportCounts& counts() { return counts_; }

 private:
  void add(const std::string& agent, wire::BatchEntry e) {
    wire::Batch& b = pending_[agent];
    b.epoch = 0;
    b.entries.push_back(std::move(e));
    if (++entries_ >= kBatchEntries) flush();
  }

  bool stored_gap(const ProbeGap& g) {
    store::ResultQuery q;
    q.agent = g.agent;
    q.probe = g.probe;
    q.from_ms = g.from_ms;
    q.to_ms = g.from_ms + 1;
    for (const auto& s : st_.gaps(q))
      if (s.from_ms == g.from_ms && s.to_ms == g.to_ms && s.dropped == g.dropped) return true;
    return false;
  }

  store::Store& st_;
  std::string default_agent_;
  std::map<std::string, wire::Batch> pending_;
  std::unordered_set<std::string> pending_runs_, pending_gaps_;
  std::size_t entries_ = 0;
  ImportCounts counts_;
};

int run(const ImportOptions& o) {
  const auto st = open_store("import", o.db, true);
  if (!st) return 2;
  Importer importer(*st, o.agent);
  int status = 0;
  try {
    Progress progress("import", "lines read");
    for (const auto& file : o.files) {
      const std::string path = file == "-" ? "/dev/stdin" : file;
      std::string error;
      const auto stats = read_results_file(
          path,
          [&](ProbeResult&& r) {
            progress.tick();
            importer.result(std::move(r));
          },
          [&](Diagnostic&& d) {
            progress.tick();
            ++importer.counts().invalid;
            std::fprintf(stderr, "%s\n", format_diagnostic(d).c_str());
          },
          error,
          [&](ProbeGap&& g) {
            progress.tick();
            importer.gap(std::move(g));
          });
      if (!stats) {
        std::fprintf(stderr, "slamon import: %s\n", error.c_str());
        status = 2;
        break;
      }
    }
    importer.flush();
  } catch (const store::StoreFailure& e) {
    std::fprintf(stderr, "slamon import: %s (the batches before it are stored)\n", e.what());
    status = 2;
  }
  const auto& c = importer.counts();
  std::printf("%llu results added, %llu already there (identical), %llu replaced (differing); "
              "%llu gap records added, %llu already there; %llu invalid lines skipped\n",
              static_cast<unsigned long long>(c.added), static_cast<unsigned long long>(c.identical),
              static_cast<unsigned long long>(c.replaced), static_cast<unsigned long long>(c.gaps_added),
              static_cast<unsigned long long>(c.gaps_identical), static_cast<unsigned long long>(c.invalid));
  if (status != 0) return status;
  return c.invalid > 0 ? 1 : 0;
}

}  // namespace

void add_import_command(CLI::App& app, int& exit_code) {
  auto opts = std::make_shared<ImportOptions>();
  auto* cmd = app.add_subcommand("import", "Add results JSONL (and gap lines) to the store; resends are no-ops");
  cmd->add_option("--db", opts->db, "The collector's store: PATH, sqlite:PATH (created if missing)")->required();
  cmd->add_option("--agent", opts->agent, "Agent name for results without one (default: import)");
  cmd->add_option("files", opts->files, "Results JSONL files ('-': stdin)")->required();
  cmd->callback([opts, &exit_code] {
    try {
      exit_code = run(*opts);
    } catch (const std::bad_alloc&) {
      std::fputs("slamon import: out of memory\n", stderr);
      exit_code = 2;
    }
  });
}

}  // namespace slamon::cli
