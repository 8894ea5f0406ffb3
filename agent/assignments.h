// What the agent runs: the assignment in force, taken from the cache at start and replaced by each
// assignment the collector sends that decodes whole (agent/uplink_logic.h) and can be cached
// (agent/assignment_cache.h); one that cannot is refused with its reason and the previous one keeps
// running. The probes go to `run` (Scheduler::update in the agent). Logs on the "agent" logger, lines
// starting with the agent's name; never a secret.
#pragma once

#include <functional>
#include <memory>
#include <spdlog/fwd.h>
#include <string>
#include <vector>

#include "agent/assignment_cache.h"
#include "agent/uplink.h"
#include "common/catalogue/model.h"
#include "common/wire/slamon.pb.h"

namespace slamon::agent {

class Assignments {
 public:
  using Run = std::function<void(std::vector<catalogue::Probe>)>;
  Assignments(AssignmentCache& cache, Run run, std::shared_ptr<spdlog::logger> log, std::string agent);

  // Runs the cached assignment, if there is one that can be read (true), else logs that the agent
  // waits for the collector's (false).
  bool start_cached();
  // A new assignment from `collector` (host:port, for the log lines).
  AssignmentOutcome apply(const wire::v1::Assignment& a, const std::string& collector);
  // The version running ("" when none).
  const std::string& version() const { return version_; }

 private:
  AssignmentCache& cache_;
  Run run_;
  std::shared_ptr<spdlog::logger> log_;
  std::string agent_;
  std::string version_;
};

}  // namespace slamon::agent
