// Which statuses an SLA counts as bad (semantics.md section 3): down; degraded under
// `degraded: down`; unknown unless `unknown: up`. Available is the opposite (section 6).
#pragma once

#include "common/catalogue/model.h"
#include "common/status.h"

namespace slamon::engine {

struct BadSet {
  bool degraded_bad = false;
  bool unknown_bad = true;
  int key() const { return (degraded_bad ? 1 : 0) | (unknown_bad ? 2 : 0); }
  bool operator==(const BadSet&) const = default;
};

inline BadSet bad_set(const catalogue::SlaTerms& t) {
  return BadSet{t.degraded == catalogue::DegradedPolicy::down, t.unknown != catalogue::UnknownPolicy::up};
}

inline bool is_bad(Status s, BadSet b) {
  switch (s) {
    case Status::down: return true;
    case Status::degraded: return b.degraded_bad;
    case Status::unknown: return b.unknown_bad;
    case Status::up: return false;
  }
  return true;
}

}  // namespace slamon::engine
