// The probe runners of one process, built in one place: one per probe type, all on the same executor.
#pragma once

#include <array>
#include <boost/asio/any_io_executor.hpp>
#include <memory>
#include <spdlog/fwd.h>
#include <string>

#include "probes/http.h"
#include "probes/icmp.h"
#include "probes/runner.h"
#include "probes/snmp.h"
#include "probes/tcp.h"

namespace slamon::agent {

struct RunnerOptions {
  probes::IcmpOptions icmp;
  probes::HttpRunnerOptions http;
  probes::SnmpRunnerOptions snmp;  // state_dir: net-snmp's persistent files
};

// One named logger per runner ("probe.icmp", "probe.tcp", ...), created by main.
struct RunnerLoggers {
  std::shared_ptr<spdlog::logger> icmp;
  std::shared_ptr<spdlog::logger> tcp;
  std::shared_ptr<spdlog::logger> http;
  std::shared_ptr<spdlog::logger> snmp;
};

class Runners {
 public:
  // The runner for a type, or null when this build has none.
  probes::Runner* find(catalogue::ProbeType type) const { return by_type_[static_cast<std::size_t>(type)].get(); }
  void set(catalogue::ProbeType type, std::unique_ptr<probes::Runner> runner) {
    by_type_[static_cast<std::size_t>(type)] = std::move(runner);
  }
  probes::IcmpRunner* icmp() const { return dynamic_cast<probes::IcmpRunner*>(find(catalogue::ProbeType::icmp)); }
  probes::TcpRunner* tcp() const { return dynamic_cast<probes::TcpRunner*>(find(catalogue::ProbeType::tcp)); }

 private:
  std::array<std::unique_ptr<probes::Runner>, 4> by_type_;
};

Runners make_runners(boost::asio::any_io_executor executor, const RunnerOptions& options,
                     const RunnerLoggers& loggers, const std::string& agent);

}  // namespace slamon::agent
