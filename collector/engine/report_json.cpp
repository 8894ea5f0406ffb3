// The report object of interchange.md, keys in the order of the spec's example.
#include "collector/engine/report_format.h"

#include "common/catalogue/reader.h"
#include "common/decimal.h"

namespace slamon::engine {
namespace {

double secs(DurationMs ms) { return static_cast<double>(ms) / 1000.0; }

void opt(JsonWriter& w, const char* k, const std::optional<double>& v) {
  w.key(k);
  if (v) w.value(*v);
  else w.null();
}

}  // namespace

void write_report_json(JsonWriter& w, const Report& r) {
  w.begin_object();
  if (r.agreement) {
    w.key("agreement").value(r.sla);
    w.key("kind").value(catalogue::to_string(r.agreement->kind));
    w.key("provider").value(r.agreement->provider);
  } else {
    w.key("sla").value(r.sla);
  }
  w.key("service").value(r.service);
  w.key("period").begin_object();
  w.key("label").value(r.period.label);
  w.key("start").value(format_rfc3339(r.period.start));
  w.key("end").value(format_rfc3339(r.period.end));
  w.end_object();
  w.key("as_of").value(format_rfc3339(r.as_of));
  w.key("complete").value(r.complete);
  w.key("target").raw(format_decimal4(r.target));
  w.key("service_time_s").value(secs(r.service_time_ms));
  w.key("planned_s").value(secs(r.planned_ms));
  w.key("unknown_s").value(secs(r.unknown_ms));
  w.key("unmonitored_s").value(secs(r.unmonitored_ms));
  w.key("up_s").value(secs(r.up_ms));
  w.key("down_s").value(secs(r.down_ms));
  w.key("degraded_s").value(secs(r.degraded_ms));
  opt(w, "availability", r.availability);
  opt(w, "coverage", r.coverage);
  w.key("error_budget_s").value(r.error_budget_s);
  w.key("error_budget_remaining_s").value(r.error_budget_remaining_s);
  w.key("outage_count").value(r.outage_count);
  w.key("longest_outage_s").value(secs(r.longest_outage_ms));
  opt(w, "mtrs_s", r.mtrs_s);
  opt(w, "mtbf_s", r.mtbf_s);
  opt(w, "mtbsi_s", r.mtbsi_s);
  w.key("outages").begin_array();
  for (const auto& o : r.outages) {
    w.begin_object();
    w.key("start").value(format_rfc3339(o.start));
    w.key("end").value(format_rfc3339(o.end));
    w.key("down_s").value(secs(o.down_ms));
    w.key("continues_before").value(o.continues_before);
    w.key("continues_after").value(o.continues_after);
    w.key("causes").begin_array();
    for (const auto& c : o.causes) w.value(c);
    w.end_array();
    w.end_object();
  }
  w.end_array();
  w.key("by_cause").begin_object();
  for (const auto& [k, v] : r.by_cause_s) w.key(k).value(v);
  w.end_object();
  w.key("unattributed_s").value(r.unattributed_s);
  if (r.response_time) {
    const auto& f = *r.response_time;
    w.key("response_time").begin_object();
    w.key("probe").value(f.probe);
    w.key("percentile").raw(format_decimal4(f.percentile));
    w.key("value_ms");
    if (f.value_ms) w.value(*f.value_ms);
    else w.null();
    w.key("under_ms").value(static_cast<double>(f.under_ms));
    w.key("met").value(f.met);
    w.end_object();
  }
  if (r.agreement) {
    w.key("restore_within_s");
    if (r.agreement->restore_within_ms) w.value(secs(*r.agreement->restore_within_ms));
    else w.null();
  }
  if (!r.agreements.empty()) {
    w.key("agreements").begin_array();
    for (const auto& a : r.agreements) {
      w.begin_object();
      w.key("id").value(a.id);
      w.key("kind").value(catalogue::to_string(a.kind));
      w.key("provider").value(a.provider);
      w.key("covers").value(a.covers);
      w.key("period").value(a.period);
      w.key("target").raw(format_decimal4(a.target));
      opt(w, "availability", a.availability);
      w.key("longest_outage_s").value(secs(a.longest_outage_ms));
      w.key("restore_within_s");
      if (a.restore_within_ms) w.value(secs(*a.restore_within_ms));
      else w.null();
      w.key("met");
      if (a.met) w.value(*a.met);
      else w.null();
      w.end_object();
    }
    w.end_array();
    w.key("by_agreement").begin_object();
    for (const auto& [k, v] : r.by_agreement_s) w.key(k).value(v);
    w.end_object();
    w.key("by_provider").begin_object();
    for (const auto& [k, v] : r.by_provider_s) w.key(k).value(v);
    w.end_object();
    w.key("unbacked_s").value(r.unbacked_s);
  }
  w.key("met");
  if (r.met) w.value(*r.met);
  else w.null();
  // Per local day of the period (an added key, interchange.md): the day's service time as up, counted
  // down, planned and unknown (excluded), for day bars.
  w.key("days").begin_array();
  for (const auto& d : r.days) {
    w.begin_object().key("date").value(catalogue::format_local_date(d.day));
    w.key("start").value(format_rfc3339(d.start)).key("end").value(format_rfc3339(d.end));
    w.key("service_s").value(secs(d.service_ms)).key("up_s").value(secs(d.up_ms));
    w.key("down_s").value(secs(d.down_ms)).key("planned_s").value(secs(d.planned_ms));
    w.key("unknown_s").value(secs(d.unknown_ms)).end_object();
  }
  w.end_array();
  w.end_object();
}

std::string report_to_json(const Report& r) {
  JsonWriter w;
  write_report_json(w, r);
  return w.take();
}

std::string reports_to_json(const std::vector<Report>& rs) {
  JsonWriter w;
  w.begin_array();
  for (const auto& r : rs) write_report_json(w, r);
  w.end_array();
  return w.take();
}

}  // namespace slamon::engine
