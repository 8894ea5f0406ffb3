// What a report computed from a store must read so that it equals the report over every result
// (docs/report.md, "From the store"): the instants the reports look at, and, per probe, how far back
// before them its results still matter. Pure: the caller walks the store.
//
// A probe's status at an instant `lo` depends on earlier results only back to an anchor, a point
// after which a builder started afresh produces the same timeline:
//   - staleness: two consecutive results more than stale_after apart (the status is unknown and no
//     run pending from the earlier + stale_after on), or the last result before `lo` more than
//     stale_after before it;
//   - a run of `confirm` equal results (no staleness inside): the status is theirs from the first
//     and nothing is pending after the last;
//   - a gap record starting at or before `lo` (the caller stops the walk there);
//   - the probe's first result.
// After the instants looked at, results still matter while a run that began before the end is
// pending: at most `confirm` further result times settle it (or the first one, for staleness).
#pragma once

#include <optional>

#include "collector/engine/probe_timeline.h"
#include "collector/engine/report_set.h"
#include "collector/engine/timeline.h"
#include "common/catalogue/model.h"

namespace slamon::engine {

// The instants the reports of `req` look at, as [begin, end): from 1 ms before the earliest period's
// start (continues_before) to 1 ms after the latest cut (continues_after). nullopt when the request
// names no period that can be reported (the report says why).
std::optional<Interval> report_window(const catalogue::Catalogue& cat, const ReportRequest& req);

// Walking one probe's results backwards from `lo`, one result time at a time (its winning status),
// latest first, until the anchor.
class HistoryAnchor {
 public:
  HistoryAnchor(ProbeParams params, TimeMs lo) : params_(params), lo_(lo) {}
  // The next earlier result time (< lo, and < the previous one given). True when the anchor is
  // found: then results before start() are not needed (this one may or may not be).
  bool add_earlier(TimeMs ts, Status winner);
  // Where the needed results begin: the anchor, or (the walk ran out: first result, or a gap) the
  // earliest result time given, or lo when none was.
  TimeMs start() const { return start_; }

 private:
  ProbeParams params_;
  TimeMs lo_;
  TimeMs start_ = lo_;
  bool has_later_ = false;
  TimeMs later_ts_ = 0;
  Status run_status_ = Status::unknown;
  int run_length_ = 0;
};

}  // namespace slamon::engine
