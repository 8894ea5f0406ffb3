// Building the runners (see runners.h).
#include "agent/runners.h"

namespace slamon::agent {

Runners make_runners(boost::asio::any_io_executor executor, const RunnerOptions& options,
                     const RunnerLoggers& loggers, const std::string& agent) {
  Runners r;
  r.set(catalogue::ProbeType::icmp,
        std::make_unique<probes::IcmpRunner>(executor, loggers.icmp, options.icmp, agent));
  r.set(catalogue::ProbeType::tcp, std::make_unique<probes::TcpRunner>(executor, loggers.tcp, agent));
  // LEAD: after merging probes-net, add the HTTP and SNMP runners here, e.g.
  //   r.set(catalogue::ProbeType::http, std::make_unique<probes::HttpRunner>(executor, loggers.http, ..., agent));
  //   r.set(catalogue::ProbeType::snmp, std::make_unique<probes::SnmpRunner>(executor, loggers.snmp, ..., agent));
  // Until then a probe of those types yields `unknown` ("no runner for ... in this build").
  return r;
}

}  // namespace slamon::agent
