// Report windows and history anchors (see history_window.h).
#include "collector/engine/history_window.h"

#include <algorithm>

#include "collector/engine/agreement_report.h"
#include "collector/engine/calendar.h"
#include "collector/engine/period.h"
#include "collector/engine/sla_report.h"

namespace slamon::engine {

std::optional<Interval> report_window(const catalogue::Catalogue& cat, const ReportRequest& req) {
  if (req.agreements) return agreement_window(cat, req);
  const auto label = parse_period_label(req.label);
  if (!label) return std::nullopt;
  std::optional<Interval> out;
  for (const auto& s : cat.slas) {
    if (req.sla ? s.id != *req.sla : s.period != label->kind) continue;
    const auto p = sla_period(s, req.label);
    if (!p.period) continue;
    Period first = *p.period;
    const Zone zone = find_zone(s.timezone);
    for (int i = 1; i < req.trend; ++i) {
      const Period earlier = previous_period(first, zone);
      if (!writable_period(earlier)) break;
      first = earlier;
    }
    const TimeMs cut = req.as_of ? std::min(*req.as_of, p.period->end) : p.period->end;
    widen(out, Interval{first.start - 1, std::max(cut, first.start) + 1});
    // The agreements' periods its reports list (agreement_verdicts: each one's period containing the
    // first day of every reported period).
    for (Period q = first;; q = next_period(q, zone)) {
      if (const auto a = agreement_periods_span(cat, q.first_day, req.as_of)) widen(out, *a);
      if (q.start >= p.period->start) break;
    }
  }
  return out;
}

bool HistoryAnchor::add_earlier(TimeMs ts, Status winner) {
  const TimeMs later = has_later_ ? later_ts_ : lo_;
  if (later - ts > params_.stale_after_ms) {
    // Stale between this result and the next one (or lo): nothing from here back is needed.
    start_ = has_later_ ? later_ts_ : lo_;
    return true;
  }
  if (has_later_ && winner == run_status_) ++run_length_;
  else {
    run_status_ = winner;
    run_length_ = 1;
  }
  has_later_ = true;
  later_ts_ = ts;
  start_ = ts;
  return run_length_ >= params_.confirm;
}

}  // namespace slamon::engine
