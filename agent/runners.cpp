// Building the runners (see runners.h).
#include "agent/runners.h"

namespace slamon::agent {

Runners make_runners(boost::asio::any_io_executor executor, const RunnerOptions& options,
                     const RunnerLoggers& loggers, const std::string& agent) {
  Runners r;
  r.set(catalogue::ProbeType::icmp,
        std::make_unique<probes::IcmpRunner>(executor, loggers.icmp, options.icmp, agent));
  r.set(catalogue::ProbeType::tcp, std::make_unique<probes::TcpRunner>(executor, loggers.tcp, agent));
  auto http = options.http;
  http.agent = agent;
  r.set(catalogue::ProbeType::http, probes::make_http_runner(executor, std::move(http), loggers.http));
  auto snmp = options.snmp;
  snmp.agent = agent;
  r.set(catalogue::ProbeType::snmp, probes::make_snmp_runner(executor, std::move(snmp), loggers.snmp));
  return r;
}

}  // namespace slamon::agent
