// A gap record: results of one probe that an agent dropped from its full spool, so that the time
// they covered shows unknown (never up). The collector stores one per probe; the results JSONL carries
// it as a gap line (docs/report.md, "Gap records").
#pragma once

#include <cstdint>
#include <string>

#include "common/time.h"

namespace slamon {

struct ProbeGap {
  std::string probe;
  TimeMs from_ms = 0;         // the first dropped result's ts
  TimeMs to_ms = 0;           // after the last dropped result (> from_ms)
  std::string agent;          // the agent whose spool dropped them; empty when unknown
  std::uint64_t dropped = 1;  // how many results were dropped: 1 to 2^40 (the wire protocol's bound)
  bool operator==(const ProbeGap&) const = default;
};

}  // namespace slamon
