// Opening the store for the CLI and feeding the engine from it (see store_access.h).
#include "cli/store_access.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "collector/store/open_store.h"
#include "common/collector_config.h"

namespace slamon::cli {

std::unique_ptr<store::Store> open_store(const std::string& command, const std::string& db, bool create) {
  std::string error;
  const auto loc = parse_store_location(db, std::filesystem::current_path(), error);
  if (!loc) {
    std::fprintf(stderr, "slamon %s: --db: %s\n", command.c_str(), error.c_str());
    return nullptr;
  }
  return open_store(command, *loc, create);
}

std::unique_ptr<store::Store> open_store(const std::string& command, const StoreLocation& loc, bool create) {
  const std::string& path = loc.target;
  struct stat st {};
  if (loc.kind == StoreLocation::Kind::postgresql) {
    // A database: opened below (without create, one without slamon's schema is refused).
  } else if (::stat(path.c_str(), &st) != 0) {
    if (errno != ENOENT || !create) {
      std::fprintf(stderr, "slamon %s: store %s: %s\n", command.c_str(), path.c_str(),
                   errno == ENOENT ? "no such store (nothing is created)" : std::strerror(errno));
      return nullptr;
    }
  } else if (S_ISDIR(st.st_mode)) {
    std::fprintf(stderr, "slamon %s: store %s: is a directory, not a store\n", command.c_str(), path.c_str());
    return nullptr;
  }
  try {
    return store::open_store(loc, {.create = create, .durable = true}).store;
  } catch (const store::StoreFailure& e) {
    std::fprintf(stderr, "slamon %s: %s\n", command.c_str(), e.what());
    return nullptr;
  }
}

std::optional<TimeMs> parse_time_option(const std::string& command, const std::string& option,
                                        const std::string& text) {
  const auto t = parse_rfc3339(text);
  if (!t) {
    std::fprintf(stderr, "slamon %s: %s '%s' is not an RFC 3339 timestamp with an offset\n", command.c_str(),
                 option.c_str(), text.c_str());
    return std::nullopt;
  }
  return t;
}

StoreFeed feed_from_store(const std::string& command, store::Store& s, const catalogue::Catalogue& cat,
                          engine::Interval window, std::optional<TimeMs> cut, engine::ResultIngest& ingest,
                          const std::function<void(const std::string&)>& on_unknown_probe) {
  Progress progress(command, "results read from the store");
  live::StoreReadHooks hooks;
  hooks.result_read = [&] { progress.tick(); };
  hooks.unknown_probe = on_unknown_probe;
  return live::feed_from_store(s, cat, window, cut, ingest, hooks);
}

std::optional<engine::ProbeDataMap> probe_data_from_changes(const std::string& command, store::Store& s,
                                                            const catalogue::Catalogue& cat, engine::Interval window,
                                                            std::optional<TimeMs> cut) {
  Progress progress(command, "results applied to the change points");
  live::StoreReadHooks hooks;
  hooks.change_applied = [&] { progress.tick(); };
  hooks.pruned = [&](TimeMs pruned) {
    std::fprintf(stderr,
                 "slamon %s: warning: raw results before %s were pruned (retention): the figures up to the cut "
                 "come from the confirmed change points, which also reflect results after it\n",
                 command.c_str(), format_rfc3339(pruned).c_str());
  };
  return live::probe_data_from_changes(s, cat, window, cut, hooks);
}

void Progress::tick() {
  if (++n_ % 1'000'000 == 0)
    std::fprintf(stderr, "slamon %s: %llu %s\n", command_.c_str(), static_cast<unsigned long long>(n_), what_.c_str());
}

}  // namespace slamon::cli
