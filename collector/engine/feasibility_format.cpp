// Writing the feasibility check: JSON objects and the text blocks.
#include "collector/engine/feasibility_format.h"

#include <cmath>
#include <cstdio>

namespace slamon::engine {
namespace {

double rounded(double x) { return std::round(x * 1e10) / 1e10; }

// Up to 6 decimals, trailing zeros dropped: "99.8001", "100".
std::string num(double x) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6f", x);
  std::string s = buf;
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s == "-0" ? "0" : s;
}

std::string_view verdict_key(FeasibilityVerdict v) {
  switch (v) {
    case FeasibilityVerdict::feasible: return "feasible";
    case FeasibilityVerdict::not_feasible: return "not_feasible";
    case FeasibilityVerdict::unbacked_parts: return "unbacked_parts";
  }
  return "";
}

std::string_view kind_text(NodeKind k) { return k == NodeKind::service ? "service" : "ci"; }
std::string_view agreement_kind(catalogue::AgreementKind k) { return k == catalogue::AgreementKind::uc ? "uc" : "ola"; }
double pct(Decimal4 d) { return d.to_double(); }

}  // namespace

void write_feasibility_json(JsonWriter& w, const std::vector<SlaFeasibility>& slas) {
  w.begin_array();
  for (const auto& f : slas) {
    w.begin_object()
        .key("sla").value(f.sla)
        .key("service").value(f.service)
        .key("timezone").value(f.timezone)
        .key("period").value(f.period_label)
        .key("target").value(pct(f.target))
        .key("ceiling").value(rounded(f.ceiling_pct))
        .key("verdict").value(verdict_key(f.verdict))
        .key("exact").value(f.exact)
        .key("error_budget_pct").value(rounded(100.0 - pct(f.target)))
        .key("service_time_min").value(rounded(f.service_time_min))
        .key("allowed_downtime_min").value(rounded(f.allowed_downtime_min));
    w.key("unbacked_required");
    if (f.unbacked_required_pct) w.value(pct(*f.unbacked_required_pct));
    else w.null();
    w.key("conditioned").begin_array();
    for (const auto& c : f.conditioned) w.value(c);
    w.end_array().key("dependencies").begin_array();
    for (const auto& d : f.dependencies) {
      w.begin_object().key("node").value(d.node).key("kind").value(kind_text(d.kind)).key("agreement");
      if (d.agreement.empty()) w.null();
      else w.value(d.agreement);
      w.key("also").begin_array();
      for (const auto& a : d.also) w.value(a);
      w.end_array()
          .key("availability").value(rounded(d.availability_pct))
          .key("shared").value(d.shared)
          .key("cost_pct").value(rounded(d.cost_pct))
          .key("budget_share_pct");
      if (d.budget_share_pct) w.value(rounded(*d.budget_share_pct));
      else w.null();
      w.key("required");
      if (d.agreement.empty() && f.unbacked_required_pct) w.value(pct(*f.unbacked_required_pct));
      else w.null();
      w.end_object();
    }
    w.end_array().key("agreements").begin_array();
    for (const auto& a : f.agreements) {
      w.begin_object()
          .key("id").value(a.agreement)
          .key("kind").value(agreement_kind(a.kind))
          .key("provider").value(a.provider)
          .key("covers").value(a.covers)
          .key("used").value(a.used)
          .key("target").value(pct(a.target))
          .key("period").value(a.period_label)
          .key("service_time_min").value(rounded(a.service_time_min))
          .key("allowed_downtime_min").value(rounded(a.allowed_downtime_min))
          .key("uncovered_min").value(rounded(a.uncovered_min))
          .key("flags").begin_array();
      for (const auto& fl : a.flags)
        w.begin_object().key("kind").value(to_string(fl.kind)).key("message").value(fl.message).end_object();
      w.end_array().end_object();
    }
    w.end_array().end_object();
  }
  w.end_array();
}

std::string feasibility_text(const std::vector<SlaFeasibility>& slas) {
  std::string out;
  std::size_t feasible = 0, infeasible = 0, unbacked = 0, flagged = 0;
  for (const auto& f : slas) {
    switch (f.verdict) {
      case FeasibilityVerdict::feasible: ++feasible; break;
      case FeasibilityVerdict::not_feasible: ++infeasible; break;
      case FeasibilityVerdict::unbacked_parts: ++unbacked; break;
    }
    out += f.sla + " on " + f.service + ", " + f.period_label + " (" + f.timezone + "): " +
           std::string(to_string(f.verdict)) + "\n";
    out += "  target " + num(pct(f.target)) + " %, ceiling " + num(f.ceiling_pct) + " %" +
           (f.exact ? "" : " (approximate: more shared parts than conditioned on)") + "\n";
    out += "  error budget " + num(100.0 - pct(f.target)) + " % = " + num(f.allowed_downtime_min) + " min of " +
           num(f.service_time_min) + " min of service time\n";
    out += "  parts:\n";
    for (const auto& d : f.dependencies) {
      out += "    " + d.node + " (" + std::string(kind_text(d.kind)) + (d.shared ? ", shared" : "") + "): ";
      if (d.agreement.empty()) {
        out += "unbacked, ";
        out += f.unbacked_required_pct ? "needs " + num(pct(*f.unbacked_required_pct)) + " %"
                                       : std::string("no availability is enough");
        out += "\n";
        continue;
      }
      out += d.agreement + " " + num(d.availability_pct) + " %, costs " + num(d.cost_pct) + " points";
      if (d.budget_share_pct) out += " = " + num(*d.budget_share_pct) + " % of the error budget";
      if (!d.also.empty()) {
        out += " (also covered by";
        for (const auto& a : d.also) out += " " + a;
        out += ", less strict)";
      }
      out += "\n";
    }
    if (!f.conditioned.empty()) {
      out += "  shared parts counted once (conditioned on):";
      for (const auto& c : f.conditioned) out += " " + c;
      out += "\n";
    }
    if (!f.agreements.empty()) out += "  agreements:\n";
    for (const auto& a : f.agreements) {
      if (!a.flags.empty()) ++flagged;
      out += "    " + a.agreement + " (" + std::string(agreement_kind(a.kind)) +
             (a.provider.empty() ? "" : ", " + a.provider) + ") on " + a.covers + (a.used ? "" : ", not used") +
             ": " + num(pct(a.target)) + " % in " + a.period_label + ", " + num(a.allowed_downtime_min) +
             " min of downtime allowed of " + num(a.service_time_min) + " min of service time\n";
      for (const auto& fl : a.flags) out += "      flag " + std::string(to_string(fl.kind)) + ": " + fl.message + "\n";
    }
  }
  out += std::to_string(slas.size()) + " SLA" + (slas.size() == 1 ? "" : "s") + ": " + std::to_string(feasible) +
         " feasible, " + std::to_string(infeasible) + " not feasible, " + std::to_string(unbacked) +
         " with unbacked parts; " + std::to_string(flagged) + " agreement" + (flagged == 1 ? "" : "s") +
         " flagged\n";
  return out;
}

}  // namespace slamon::engine
