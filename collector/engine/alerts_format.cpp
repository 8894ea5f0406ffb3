// JSON and text for the burn-rate alerts and forecasts.
#include "collector/engine/alerts_format.h"

#include <cmath>
#include <cstdio>

#include "common/catalogue/writer.h"
#include "common/json_writer.h"

namespace slamon::engine {
namespace {

using catalogue::format_duration_single_unit;

double secs(DurationMs ms) { return static_cast<double>(ms) / 1000.0; }

void opt(JsonWriter& w, const std::optional<double>& v) {
  if (v && std::isfinite(*v)) w.value(*v);
  else w.null();
}

// "14.4x", "n/a", "inf" (a zero budget).
std::string rate_text(const std::optional<double>& v) {
  if (!v) return "n/a";
  if (!std::isfinite(*v)) return "inf";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.2fx", *v);
  return buf;
}

std::string rule_name(const catalogue::BurnRateRule& r) {
  return r.severity + " " + format_duration_single_unit(r.long_ms) + "/" + format_duration_single_unit(r.short_ms) +
         " at " + format_decimal4(r.factor) + "x";
}

}  // namespace

void forecast_to_json(JsonWriter& w, const std::optional<Forecast>& forecast) {
  if (!forecast) {
    w.null();
    return;
  }
  const Forecast& f = *forecast;
  w.begin_object()
      .key("period").value(f.period.label)
      .key("period_end").value(format_rfc3339(f.period.end))
      .key("at").value(format_rfc3339(f.at))
      .key("target").value(f.target.to_double())
      .key("service_so_far_s").value(secs(f.service_ms))
      .key("counted_so_far_s").value(secs(f.counted_ms))
      .key("down_so_far_s").value(secs(f.down_ms))
      .key("remaining_service_s").value(secs(f.remaining_ms))
      .key("basis");
  if (f.basis.empty()) w.null();
  else w.value(f.basis);
  w.key("burn_rate");
  opt(w, f.burn_rate);
  w.key("projected_availability");
  opt(w, f.projected_availability);
  w.key("will_meet");
  if (f.will_meet) w.value(*f.will_meet);
  else w.null();
  w.end_object();
}

bool any_firing_at_end(const std::vector<SlaAlerts>& slas) {
  for (const auto& s : slas)
    for (const auto& r : s.rules)
      if (r.alerts.firing_at_end) return true;
  return false;
}

std::string alerts_to_json(const std::vector<SlaAlerts>& slas, TimeMs from, TimeMs to) {
  JsonWriter w;
  w.begin_object().key("from").value(format_rfc3339(from)).key("to").value(format_rfc3339(to));
  w.key("slas").begin_array();
  for (const auto& s : slas) {
    w.begin_object().key("sla").value(s.sla);
    if (!s.error.empty()) {
      w.key("error").value(s.error).end_object();
      continue;
    }
    w.key("rules").begin_array();
    for (const auto& r : s.rules) {
      w.begin_object()
          .key("severity").value(r.rule.severity)
          .key("long").value(format_duration_single_unit(r.rule.long_ms))
          .key("short").value(format_duration_single_unit(r.rule.short_ms))
          .key("factor").value(r.rule.factor.to_double())
          .key("firing_at_from").value(r.alerts.firing_at_start)
          .key("events").begin_array();
      for (const auto& c : r.alerts.changes)
        w.begin_object().key("at").value(format_rfc3339(c.t)).key("event").value(c.firing ? "firing" : "resolved").end_object();
      w.end_array().key("firing_at_to").value(r.alerts.firing_at_end).key("burn_rate_long");
      opt(w, r.long_rate_at_end);
      w.key("burn_rate_short");
      opt(w, r.short_rate_at_end);
      w.end_object();
    }
    w.end_array().key("forecast");
    forecast_to_json(w, s.forecast);
    w.end_object();
  }
  w.end_array().end_object();
  return w.take() + "\n";
}

std::string alerts_to_text(const std::vector<SlaAlerts>& slas, TimeMs from, TimeMs to) {
  std::string out = "Burn-rate alerts from " + format_rfc3339(from) + " to " + format_rfc3339(to) + "\n";
  for (const auto& s : slas) {
    out += "\nSLA " + s.sla + "\n";
    if (!s.error.empty()) {
      out += "  error: " + s.error + "\n";
      continue;
    }
    if (s.rules.empty()) out += "  no burn-rate rules (burn_rate: [])\n";
    for (const auto& r : s.rules) {
      out += "  " + rule_name(r.rule) + (r.alerts.firing_at_start ? ": firing at --from\n" : "\n");
      for (const auto& c : r.alerts.changes)
        out += "    " + format_rfc3339(c.t) + (c.firing ? "  firing\n" : "  resolved\n");
      out += "    at --to: " + std::string(r.alerts.firing_at_end ? "FIRING" : "not firing") + "; burn rate " +
             format_duration_single_unit(r.rule.long_ms) + " " + rate_text(r.long_rate_at_end) + ", " +
             format_duration_single_unit(r.rule.short_ms) + " " + rate_text(r.short_rate_at_end) + "\n";
    }
    if (s.forecast) {
      const Forecast& f = *s.forecast;
      out += "  forecast for period " + f.period.label + " (target " + format_decimal4(f.target) + " %): ";
      if (!f.projected_availability) {
        out += "nothing to project from\n";
        continue;
      }
      char buf[160];
      std::snprintf(buf, sizeof buf, "%.4f %% projected", *f.projected_availability);
      out += buf;
      if (!f.basis.empty()) out += " at burn rate " + rate_text(f.burn_rate) + " (" + f.basis + ")";
      out += *f.will_meet ? ": will be met\n" : ": will be missed\n";
    }
  }
  return out;
}

}  // namespace slamon::engine
