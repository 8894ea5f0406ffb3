// The assignment in force (see assignments.h).
#include "agent/assignments.h"

#include <spdlog/spdlog.h>

#include <system_error>

#include "agent/uplink_logic.h"

namespace slamon::agent {

Assignments::Assignments(AssignmentCache& cache, Run run, std::shared_ptr<spdlog::logger> log, std::string agent)
    : cache_(cache), run_(std::move(run)), log_(std::move(log)), agent_(std::move(agent)) {}

bool Assignments::start_cached() {
  auto cached = cache_.load();
  if (!cached) {
    if (log_) log_->info("{}: no cached assignment; waiting for the collector's assignment", agent_);
    return false;
  }
  version_ = cached->version;
  if (log_)
    log_->info("{}: probing with the cached assignment (version {}, {} probes) until the collector says otherwise",
               agent_, version_, cached->probes.size());
  run_(std::move(cached->probes));
  return true;
}

AssignmentOutcome Assignments::apply(const wire::v1::Assignment& a, const std::string& collector) {
  const std::string previous = version_.empty() ? "(none)" : version_;
  auto decoded = decode_assignment(a, agent_);
  if (!decoded.error.empty()) {
    if (log_)
      log_->error("{}: refused assignment {} from collector {}: {}; assignment {} keeps running", agent_, a.version(),
                  collector, decoded.error, previous);
    return {false, decoded.error};
  }
  RunnableAssignment runnable;
  try {
    runnable = cache_.save(a, std::move(decoded.probes));
  } catch (const std::system_error& e) {
    if (log_)
      log_->error("{}: cannot store assignment {} from collector {}: {}; assignment {} keeps running", agent_,
                  a.version(), collector, e.what(), previous);
    return {false, std::string("the agent cannot store it: ") + e.what()};
  }
  if (log_)
    log_->info("{}: probing with assignment {} from collector {} ({} probes; was {})", agent_, runnable.version,
               collector, runnable.probes.size(), previous);
  version_ = runnable.version;
  run_(std::move(runnable.probes));
  return {true, {}};
}

}  // namespace slamon::agent
