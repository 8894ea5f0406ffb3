// OpenSLO v1 documents from the catalogue model; strings are written as JSON string literals, which
// YAML reads as double-quoted scalars.
#include "common/catalogue/openslo_writer.h"

#include <algorithm>
#include <map>
#include <set>

#include "common/catalogue/hours.h"
#include "common/catalogue/reader.h"
#include "common/catalogue/writer.h"
#include "common/json_writer.h"

namespace slamon::catalogue {
namespace {

constexpr std::string_view kPrefix = "slamon.io/";

std::string q(std::string_view s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

std::string join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (const auto& i : items) {
    if (!out.empty()) out += sep;
    out += i;
  }
  return out;
}

// A Decimal4 percent as a ratio: 99.95 -> "0.9995".
std::string ratio(Decimal4 percent) {
  std::string digits = std::to_string(percent.e4);  // e4 of a percent = millionths of 1
  if (digits.size() < 7) digits.insert(0, 7 - digits.size(), '0');
  std::string out = digits.substr(0, digits.size() - 6) + "." + digits.substr(digits.size() - 6);
  while (out.back() == '0') out.pop_back();
  if (out.back() == '.') out.pop_back();
  return out;
}

std::string_view window_duration(PeriodKind k) {
  switch (k) {
    case PeriodKind::day: return "1d";
    case PeriodKind::week: return "1w";
    case PeriodKind::month: return "1M";
    case PeriodKind::quarter: return "1Q";
    case PeriodKind::year: return "1Y";
  }
  return "1M";
}

// The ids under `root` in the catalogue's service tree (every child, counted or not), root included.
std::set<std::string> subtree(const Catalogue& cat, const std::string& root) {
  std::map<std::string, const Service*> services;
  for (const auto& s : cat.services) services[s.id] = &s;
  std::set<std::string> seen;
  std::vector<std::string> stack{root};
  while (!stack.empty() && seen.size() < 1'000'000) {
    const std::string id = stack.back();
    stack.pop_back();
    if (!seen.insert(id).second) continue;
    if (auto it = services.find(id); it != services.end())
      for (const auto& c : it->second->children) stack.push_back(c.id);
  }
  return seen;
}

std::string maintenance_text(const Maintenance& m) {
  std::string s = m.id + ": ";
  if (m.every) s += "every " + join(format_service_hours(*m.every), ", ") + " " + m.timezone;
  else if (m.from && m.to) s += format_rfc3339(*m.from) + ".." + format_rfc3339(*m.to);
  s += " on " + join(m.targets, ", ");
  return s;
}

std::string agreement_text(const Agreement& a) {
  std::string s = a.id + " (" + std::string(to_string(a.kind));
  if (!a.provider.empty()) s += ", " + a.provider;
  s += "): " + format_decimal4(a.terms.target) + " % on " + a.covers;
  if (a.restore_within_ms) s += ", restore within " + format_duration_single_unit(*a.restore_within_ms);
  return s;
}

class Out {
 public:
  void line(int indent, std::string_view text) {
    out_.append(static_cast<std::size_t>(indent), ' ');
    out_ += text;
    out_ += '\n';
  }
  void kv(int indent, std::string_view key, std::string_view value) {
    line(indent, std::string(key) + ": " + std::string(value));
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

}  // namespace

std::string openslo_name(const std::string& id) {
  std::string s;
  for (const char c : id) {
    if (c >= 'A' && c <= 'Z') s += static_cast<char>(c - 'A' + 'a');
    else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) s += c;
    else s += '-';
  }
  if (s.size() > 63) s.resize(63);
  while (!s.empty() && s.front() == '-') s.erase(s.begin());
  while (!s.empty() && s.back() == '-') s.pop_back();
  return s.empty() ? "x" : s;
}

OpensloExport write_openslo(const Catalogue& cat) {
  OpensloExport ex;
  Out o;
  // Names are unique per kind: a clash after the RFC 1123 mapping gets "-2", "-3", ...
  std::map<std::string, std::string> service_names;  // catalogue id -> OpenSLO name
  std::set<std::string> used_services, used_slos;
  auto unique = [](std::set<std::string>& used, const std::string& id) {
    const std::string base = openslo_name(id);
    std::string name = base;
    for (int i = 2; used.count(name) != 0; ++i) {
      const std::string suffix = "-" + std::to_string(i);
      name = base.substr(0, 63 - suffix.size()) + suffix;
    }
    used.insert(name);
    return name;
  };
  auto display = [&](const std::string& id) -> std::pair<std::string, std::string> {  // name, description
    for (const auto& s : cat.services)
      if (s.id == id)
        return {s.name, "slamon service " + s.id + (s.owner.empty() ? "" : " (owner: " + s.owner + ")")};
    for (const auto& c : cat.cis)
      if (c.id == id) return {c.name, "slamon CI " + c.id + (c.owner.empty() ? "" : " (owner: " + c.owner + ")")};
    return {"", "slamon " + id};
  };

  for (const auto& sla : cat.slas) {
    if (sla.versions.empty() || service_names.count(sla.service) != 0) continue;
    const std::string name = unique(used_services, sla.service);
    service_names[sla.service] = name;
    const auto [dn, desc] = display(sla.service);
    o.line(0, "---");
    o.line(0, "apiVersion: openslo/v1");
    o.line(0, "kind: Service");
    o.line(0, "metadata:");
    o.kv(2, "name", q(name));
    if (!dn.empty()) o.kv(2, "displayName", q(dn));
    o.line(2, "annotations:");
    o.kv(4, std::string(kPrefix) + "id", q(sla.service));
    o.line(0, "spec:");
    o.kv(2, "description", q(desc.substr(0, 1050)));
  }

  for (const auto& sla : cat.slas) {
    if (sla.versions.empty()) continue;
    const SlaVersion& v = sla.versions.back();  // the latest terms
    const SlaTerms& t = v.terms;
    if (t.target.e4 >= 100 * 10'000) {
      ex.left_out.push_back("sla " + sla.id + ": target 100 has no OpenSLO form (target must be below 1.0)");
      continue;
    }
    const std::string name = unique(used_slos, sla.id);
    const std::set<std::string> under = subtree(cat, sla.service);
    std::vector<std::pair<std::string, std::string>> ann;
    auto add = [&](std::string_view key, const std::string& value) {
      if (!value.empty()) ann.emplace_back(std::string(kPrefix) + std::string(key), value);
    };
    add("sla", sla.id);
    add("customer", sla.customer);
    add("service-hours", join(format_service_hours(t.hours), ", "));
    std::vector<std::string> days;
    for (const auto& d : t.holidays) days.push_back(format_local_date(d));
    add("holidays", join(days, ", "));
    add("unknown", t.unknown == UnknownPolicy::exclude ? "exclude" : t.unknown == UnknownPolicy::up ? "up" : "down");
    add("degraded", t.degraded == DegradedPolicy::down ? "down" : "up");
    add("planned", t.planned == PlannedPolicy::ignore ? "ignore" : "exclude");
    if (t.max_outages) add("max-outages", std::to_string(*t.max_outages));
    if (t.max_outage_ms) add("max-outage", format_duration_single_unit(*t.max_outage_ms));
    if (t.response_time)
      add("response-time", "p" + format_decimal4(t.response_time->percentile) + " of " + t.response_time->probe +
                                " under " + format_duration_single_unit(t.response_time->under_ms));
    if (v.effective_from) add("effective-from", format_local_date(*v.effective_from));
    std::vector<std::string> windows;
    for (const auto& m : cat.maintenance)
      if (std::any_of(m.targets.begin(), m.targets.end(), [&](const std::string& id) { return under.count(id) != 0; }))
        windows.push_back(maintenance_text(m));
    add("maintenance", join(windows, "; "));
    std::vector<std::string> agreements;
    for (const auto& a : cat.agreements)
      if (under.count(a.covers) != 0 ||
          std::find(a.underpins.begin(), a.underpins.end(), sla.id) != a.underpins.end())
        agreements.push_back(agreement_text(a));
    add("agreements", join(agreements, "; "));
    add("timeslices", "a 1m slice is good only when the service is available for all of it");

    // Calendar anchor: the first version's start, else a period boundary long ago (a Monday for weeks).
    const auto& first = sla.versions.front().effective_from;
    const std::string start = first ? format_local_date(*first) + " 00:00:00"
                                    : (sla.period == PeriodKind::week ? "2001-01-01 00:00:00" : "2000-01-01 00:00:00");
    o.line(0, "---");
    o.line(0, "apiVersion: openslo/v1");
    o.line(0, "kind: SLO");
    o.line(0, "metadata:");
    o.kv(2, "name", q(name));
    if (!sla.name.empty()) o.kv(2, "displayName", q(sla.name));
    o.line(2, "annotations:");
    for (const auto& [k, val] : ann) o.kv(4, k, q(val));
    o.line(0, "spec:");
    o.kv(2, "description", q(("Availability of " + sla.service + " over its agreed service time, " +
                              "per calendar " + std::string(to_string(sla.period)) + " in " + sla.timezone + " (slamon SLA " + sla.id + ")")
                                 .substr(0, 1050)));
    o.kv(2, "service", q(service_names[sla.service]));
    o.line(2, "indicator:");
    o.line(4, "metadata:");
    o.kv(6, "name", q(openslo_name(name.substr(0, 50) + "-availability")));
    o.line(4, "spec:");
    o.kv(6, "description", q("Share of the agreed, unplanned service time in which " + sla.service +
                             " counts as available (slamon semantics)"));
    o.line(6, "ratioMetric:");
    o.kv(8, "counter", "false");
    o.kv(8, "rawType", "success");
    o.line(8, "raw:");
    o.line(10, "metricSource:");
    o.kv(12, "type", "slamon");
    o.line(12, "spec:");
    o.kv(14, "service", q(sla.service));
    o.kv(14, "sla", q(sla.id));
    o.line(2, "timeWindow:");
    o.kv(4, "- duration", window_duration(sla.period));
    o.line(6, "calendar:");
    o.kv(8, "startTime", q(start));
    o.kv(8, "timeZone", q(sla.timezone));
    o.kv(6, "isRolling", "false");
    o.kv(2, "budgetingMethod", "Timeslices");
    o.line(2, "objectives:");
    o.kv(4, "- displayName", q("availability"));
    o.kv(6, "target", ratio(t.target));
    o.kv(6, "timeSliceTarget", "1");
    o.kv(6, "timeSliceWindow", "1m");
  }
  ex.yaml = o.take();
  return ex;
}

}  // namespace slamon::catalogue
