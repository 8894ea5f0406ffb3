// The attainment KPI over a span (see kpi.h).
#include "collector/engine/kpi.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include "collector/engine/agreement_report.h"
#include "collector/engine/calendar.h"
#include "collector/engine/period.h"
#include "collector/engine/sla_report.h"
#include "common/catalogue/reader.h"
#include "common/time.h"
#include "common/json_writer.h"

namespace slamon::engine {
namespace {

// The SLA's periods inside [from, to) of local dates.
std::vector<Period> periods_in(const catalogue::Sla& s, LocalDate from, LocalDate to) {
  std::vector<Period> out;
  const Zone zone = find_zone(s.timezone);
  Period p = period_containing(s.period, from, zone);
  if (p.first_day < from) p = next_period(p, zone);
  for (int guard = 0; guard < 100'000 && p.end_day <= to; ++guard, p = next_period(p, zone))
    if (writable_period(p)) out.push_back(p);
  return out;
}

void count(std::map<std::string, KpiGroup>& groups, const std::string& key, const Report* r) {
  KpiGroup& g = groups[key];
  g.key = key;
  ++g.periods;
  if (r && r->met) {
    ++g.committed;
    g.met += *r->met ? 1 : 0;
  }
}

std::vector<KpiGroup> finish(std::map<std::string, KpiGroup>& groups) {
  std::vector<KpiGroup> out;
  for (auto& [k, g] : groups) {
    if (g.committed > 0) g.percent = 100.0 * g.met / g.committed;
    out.push_back(g);
  }
  return out;
}

std::string owner_of(const catalogue::Catalogue& cat, const std::string& node) {
  for (const auto& s : cat.services)
    if (s.id == node) return s.owner;
  for (const auto& c : cat.cis)
    if (c.id == node) return c.owner;
  return {};
}

}  // namespace

Kpi compute_kpi(NodeTimelines& nodes, const ProbeDataMap& probes, const catalogue::Catalogue& cat, LocalDate from,
                LocalDate to, std::optional<TimeMs> as_of) {
  Kpi k;
  k.from = from;
  k.to = to;
  k.as_of = as_of;
  if (!(from < to)) {
    k.error = "the span is empty (--from must be before --to)";
    return k;
  }
  std::map<std::string, KpiGroup> total, by_sla, by_service, by_owner, by_provider;
  for (const auto& s : cat.slas) {
    const std::string owner = owner_of(cat, s.service);
    for (const auto& p : periods_in(s, from, to)) {
      if (as_of && *as_of < p.start) {
        k.left_out.push_back("sla " + s.id + ": period " + p.label + " starts after --as-of");
        continue;
      }
      if (as_of && *as_of < p.end) {  // still running: its verdict so far is no verdict yet
        k.left_out.push_back("sla " + s.id + ": period " + p.label + " runs until " + format_rfc3339(p.end) +
                             ": not judged before it ends");
        continue;
      }
      auto o = compute_report(nodes, probes, s, p, as_of);
      if (!o.report) {
        k.left_out.push_back(o.error);
        continue;
      }
      Report& r = *o.report;
      r.agreements = agreement_verdicts(nodes, probes, cat, s, p, as_of);
      count(total, "all", &r);
      count(by_sla, s.id, &r);
      count(by_service, s.service, &r);
      count(by_owner, owner.empty() ? "(no owner)" : owner, &r);
      std::set<std::string> providers;
      for (const auto& a : r.agreements) providers.insert(a.provider.empty() ? a.id : a.provider);
      for (const auto& pr : providers) count(by_provider, pr, &r);
      if (r.met && !*r.met) {
        MissedPeriod m{s.id, s.service, p.label, r.availability, r.target, r.missed_by, {}};
        for (const auto& a : r.agreements)
          if (a.met && !*a.met) m.agreements_missed.push_back(a.id);
        k.missed.push_back(std::move(m));
      }
    }
  }
  auto t = finish(total);
  if (!t.empty()) k.total = t.front();
  k.total.key = "all";
  k.by_sla = finish(by_sla);
  k.by_service = finish(by_service);
  k.by_owner = finish(by_owner);
  k.by_provider = finish(by_provider);
  return k;
}

std::optional<Interval> kpi_window(const catalogue::Catalogue& cat, LocalDate from, LocalDate to,
                                   std::optional<TimeMs> as_of) {
  std::optional<Interval> out;
  for (const auto& s : cat.slas)
    for (const auto& p : periods_in(s, from, to)) {
      const TimeMs cut = as_of ? std::min(*as_of, p.end) : p.end;
      widen(out, Interval{p.start - 1, std::max(cut, p.start) + 1});
      if (const auto a = agreement_periods_span(cat, p.first_day, as_of)) widen(out, *a);
    }
  return out;
}

namespace {

void group_json(JsonWriter& w, const KpiGroup& g) {
  w.begin_object();
  w.key("key").value(g.key);
  w.key("periods").value(g.periods);
  w.key("committed").value(g.committed);
  w.key("met").value(g.met);
  w.key("attainment");
  if (g.percent) w.value(*g.percent);
  else w.null();
  w.end_object();
}

std::string percent(const std::optional<double>& p) {
  if (!p) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f %%", *p);
  return buf;
}

}  // namespace

std::string kpi_to_json(const Kpi& k) {
  JsonWriter w;
  w.begin_object();
  w.key("from").value(catalogue::format_local_date(k.from));
  w.key("to").value(catalogue::format_local_date(k.to));
  w.key("periods").value(k.total.periods);
  w.key("committed").value(k.total.committed);
  w.key("met").value(k.total.met);
  w.key("attainment");
  if (k.total.percent) w.value(*k.total.percent);
  else w.null();
  for (const auto& [name, list] : {std::pair{"by_sla", &k.by_sla}, std::pair{"by_service", &k.by_service},
                                   std::pair{"by_owner", &k.by_owner}, std::pair{"by_provider", &k.by_provider}}) {
    w.key(name).begin_array();
    for (const auto& g : *list) group_json(w, g);
    w.end_array();
  }
  w.key("missed").begin_array();
  for (const auto& m : k.missed) {
    w.begin_object();
    w.key("sla").value(m.sla);
    w.key("service").value(m.service);
    w.key("period").value(m.period);
    w.key("availability");
    if (m.availability) w.value(*m.availability);
    else w.null();
    w.key("target").raw(format_decimal4(m.target));
    w.key("reasons").begin_array();
    for (const auto& r : m.reasons) w.value(r);
    w.end_array();
    w.key("agreements_missed").begin_array();
    for (const auto& a : m.agreements_missed) w.value(a);
    w.end_array();
    w.end_object();
  }
  w.end_array();
  w.key("as_of");
  if (k.as_of) w.value(format_rfc3339(*k.as_of));
  else w.null();
  w.key("left_out").begin_array();
  for (const auto& l : k.left_out) w.value(l);
  w.end_array();
  w.end_object();
  return w.take() + "\n";
}

std::string kpi_to_text(const Kpi& k) {
  std::string o = "SLA attainment from " + catalogue::format_local_date(k.from) + " to " + catalogue::format_local_date(k.to) + " (exclusive): " +
                  percent(k.total.percent) + " (" + std::to_string(k.total.met) + " of " +
                  std::to_string(k.total.committed) + " committed periods met, " + std::to_string(k.total.periods) +
                  " periods)\n";
  char buf[512];
  for (const auto& [name, list] : {std::pair{"SLA", &k.by_sla}, std::pair{"service", &k.by_service},
                                   std::pair{"owner", &k.by_owner}, std::pair{"provider", &k.by_provider}}) {
    if (list->empty()) continue;
    o += "\nBy " + std::string(name) + "\n";
    for (const auto& g : *list) {
      std::snprintf(buf, sizeof buf, "  %-28s %10s  %d of %d met (%d periods)\n", g.key.c_str(), percent(g.percent).c_str(),
                    g.met, g.committed, g.periods);
      o += buf;
    }
  }
  o += "\nMissed periods\n";
  if (k.missed.empty()) o += "  none\n";
  for (const auto& m : k.missed) {
    std::string reasons;
    for (const auto& r : m.reasons) reasons += (reasons.empty() ? "" : ", ") + r;
    std::string agreements;
    for (const auto& a : m.agreements_missed) agreements += (agreements.empty() ? "" : ", ") + a;
    std::snprintf(buf, sizeof buf, "  %-20s %-12s %10s (target %s %%): %s%s\n", m.sla.c_str(), m.period.c_str(),
                  percent(m.availability).c_str(), format_decimal4(m.target).c_str(), reasons.c_str(),
                  agreements.empty() ? "" : ("; agreements also missed: " + agreements).c_str());
    o += buf;
  }
  return o;
}

}  // namespace slamon::engine
