// `slamon-collector enroll`: enrolls an agent (a new token printed once, with the agent's agent.yaml
// snippet; only its SHA-256 kept), lists the enrolled agents, or revokes one. The enrolled-agents file
// (collector.yaml's enrolled_agents) is rewritten atomically with mode 0600 and the owner it had (or
// the state directory's), and a running collector is sent SIGHUP so that it applies the change (a
// revoked agent is disconnected). docs/operations.md, "Enrollment".
#pragma once

#include <string>

#include "common/collector_config.h"

namespace slamon::collector {

struct EnrollOptions {
  std::string agent;     // enroll this one
  bool list = false;     // --list
  std::string revoke;    // --revoke AGENT
  std::string address;   // --address: the collector's host:port in the snippet (default: listen, or this host's name)
  std::string ca_file = "tls/ca.pem";  // --ca-file: the agent's tls.ca_file in the snippet
};

// Returns the exit code: 0; 1 when the change is refused or the file cannot be read or written.
int run_enroll(const CollectorConfig& config, const EnrollOptions& options);

}  // namespace slamon::collector
