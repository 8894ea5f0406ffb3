// slamon migrate: moves a single collector's store into another store (SQLite into an empty
// PostgreSQL database): results, gap records, marks and stored ranges, agent records, and the live
// engine's bookkeeping, copied with their arrival numbers (store/store_dump.h), not rebuilt. Stop the
// collector first: what it writes during the copy is not moved.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <new>

#include "cli/commands.h"
#include "cli/store_access.h"
#include "collector/store/open_store.h"
#include "collector/store/maintenance_store.h"
#include "collector/store/store_dump.h"

namespace slamon::cli {
namespace {

constexpr std::size_t kBatchRows = 10'000;

struct MigrateOptions {
  std::string from;
  std::string to;
};

int run(const MigrateOptions& o) {
  const auto source = open_store("migrate", o.from, false);
  if (!source) return 2;
  auto* dump = dynamic_cast<store::StoreDumpSource*>(source.get());
  if (dump == nullptr) {
    std::fprintf(stderr, "slamon migrate: --from %s: only a SQLite store can be migrated from\n", o.from.c_str());
    return 2;
  }
  const auto target = open_store("migrate", o.to, true);
  if (!target) return 2;
  auto* sink = dynamic_cast<store::StoreDumpSink*>(target.get());
  if (sink == nullptr) {
    std::fprintf(stderr, "slamon migrate: --to: only a PostgreSQL store can be migrated into\n");
    return 2;
  }
  std::string error;
  const auto loc = parse_store_location(o.to, std::filesystem::current_path(), error);
  const std::string shown = loc ? store::shown_location(*loc) : o.to;
  try {
    if (!sink->empty()) {
      std::fprintf(stderr, "slamon migrate: store %s is not empty: migrate only into a new database\n", shown.c_str());
      return 2;
    }
    std::map<std::string, std::size_t> counts;
    dump->dump(*sink, kBatchRows, [&](const char* kind, std::size_t n) {
      counts[kind] += n;
      std::fprintf(stderr, "slamon migrate: %zu %s\n", counts[kind], kind);
    });
    // The maintenance windows created through the API, made again in their order (so with the same ids,
    // mw-1, mw-2, ...) and ended as they were: the same windows and history.
    std::size_t windows = 0;
    auto* from_windows = dynamic_cast<store::MaintenanceStore*>(source.get());
    auto* to_windows = dynamic_cast<store::MaintenanceStore*>(target.get());
    if (from_windows && to_windows) {
      for (const auto& w : from_windows->maintenance_windows()) {
        auto as_made = w;  // as it was created: its planned end (an early end follows as an event)
        as_made.to_ms = w.planned_to_ms;
        const auto made = to_windows->create_maintenance(as_made);
        if (made.id != w.id)
          throw store::StoreFailure("maintenance window " + w.id + " would become " + made.id + " in " + shown);
        if (w.ended_ms) to_windows->end_maintenance(made.id, *w.ended_ms, w.ended_by, w.end_reason);
        ++windows;
      }
    }
    std::printf("migrated into %s: %zu results, %zu gap records, %zu marks, %zu agent records, %zu engine probes, "
                "%zu maintenance windows\n",
                shown.c_str(), counts["results"], counts["gap records"], counts["marks"], counts["agent records"],
                counts["engine probes"], windows);
  } catch (const store::StoreFailure& e) {
    std::fprintf(stderr, "slamon migrate: %s (the target may hold part of the store: drop and create its database again "
                         "before another try)\n", e.what());
    return 2;
  }
  return 0;
}

}  // namespace

void add_migrate_command(CLI::App& app, int& exit_code) {
  auto opts = std::make_shared<MigrateOptions>();
  auto* cmd = app.add_subcommand("migrate", "Move a SQLite store into an empty PostgreSQL store (stop the collector first)");
  cmd->add_option("--from", opts->from, "The store to read: PATH or sqlite:PATH")->required();
  cmd->add_option("--to", opts->to, "The store to fill: postgresql://user@host:port/db (an empty database)")->required();
  cmd->callback([opts, &exit_code] {
    try {
      exit_code = run(*opts);
    } catch (const std::bad_alloc&) {
      std::fputs("slamon migrate: out of memory\n", stderr);
      exit_code = 2;
    }
  });
}

}  // namespace slamon::cli
