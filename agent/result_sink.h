// Where the scheduler delivers results: a JSONL file now, the spool and uplink later. write() takes
// one result; flush() ends a batch (the scheduler calls it every SchedulerOptions::flush_every_ms
// while results come, and at stop).
#pragma once

#include "common/probe_result.h"

namespace slamon::agent {

class ResultSink {
 public:
  virtual ~ResultSink() = default;
  virtual void write(const ProbeResult& result) = 0;
  virtual void flush() = 0;
};

}  // namespace slamon::agent
