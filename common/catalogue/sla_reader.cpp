// Reading SLAs (with their versions) and OLAs/UCs: the shared terms, the period/timezone pair, and
// the version rules (effective_from on a period boundary, in increasing order, fixed service,
// period and timezone).
#include <array>
#include <vector>

#include "common/catalogue/load_context.h"
#include "common/catalogue/writer.h"

namespace slamon::catalogue {
namespace {

using Keys = std::vector<std::string_view>;

const Keys kTermKeys = {"target", "hours", "holidays", "unknown", "degraded", "planned",
                        "max_outages", "max_outage", "response_time"};
constexpr std::array<std::string_view, 5> kPeriods = {"day", "week", "month", "quarter", "year"};
constexpr std::array<std::string_view, 3> kUnknown = {"exclude", "up", "down"};
constexpr std::array<std::string_view, 2> kDegraded = {"up", "down"};
constexpr std::array<std::string_view, 2> kPlanned = {"exclude", "ignore"};
constexpr std::array<std::string_view, 2> kAgreementKinds = {"ola", "uc"};
constexpr std::array<std::string_view, 3> kResponseKeys = {"probe", "percentile", "under"};
constexpr std::array<std::string_view, 4> kBurnRateKeys = {"long", "short", "factor", "severity"};
constexpr std::array<std::string_view, 2> kSeverities = {"page", "ticket"};

Keys with(Keys base, std::initializer_list<std::string_view> more) {
  base.insert(base.end(), more.begin(), more.end());
  return base;
}

const Keys kSlaKeys = with(kTermKeys, {"id", "name", "customer", "service", "period", "timezone",
                                       "effective_from", "versions", "burn_rate"});
const Keys kVersionKeys = with(kTermKeys, {"effective_from", "service", "period", "timezone"});
const Keys kAgreementKeys = with(kTermKeys, {"id", "kind", "provider", "covers", "period", "timezone",
                                             "restore_within", "underpins"});

bool on_boundary(LocalDate d, PeriodKind k) {
  using namespace std::chrono;
  switch (k) {
    case PeriodKind::day: return true;
    case PeriodKind::week: return weekday{sys_days{d}} == Monday;
    case PeriodKind::month: return d.day() == day{1};
    case PeriodKind::quarter: return d.day() == day{1} && (static_cast<unsigned>(d.month()) - 1) % 3 == 0;
    case PeriodKind::year: return d.day() == day{1} && d.month() == January;
  }
  return false;
}

std::string_view boundary_words(PeriodKind k) {
  switch (k) {
    case PeriodKind::day: return "a day";
    case PeriodKind::week: return "a Monday (ISO week)";
    case PeriodKind::month: return "the first day of a month";
    case PeriodKind::quarter: return "the first day of a quarter (Jan, Apr, Jul or Oct 1)";
    case PeriodKind::year: return "January 1";
  }
  return "";
}

// Reads the terms named in `m` over `t` (a copy of the previous version's terms).
void read_terms(LoadContext& lc, const FileInfo& file, const Ctx& ctx, const MapView& m, SlaTerms& t) {
  if (auto* v = m.find("target")) {
    if (auto d = read_decimal(ctx, *v, "target")) {
      if (d->e4 <= 0 || d->e4 > 100 * 10000) ctx.error(*v, "target must be more than 0 and at most 100 (percent)");
      else t.target = *d;
    }
  }
  if (auto* v = m.find("hours"))
    if (auto h = read_hours(ctx, *v, "hours")) t.hours = std::move(*h);
  if (auto* v = m.find("holidays")) {
    if (auto items = read_list(ctx, *v, "holidays", false)) {
      std::vector<LocalDate> days;
      for (const YamlNode* item : *items)
        if (auto d = read_date(ctx, *item, "holidays")) days.push_back(*d);
      t.holidays = std::move(days);
    }
  }
  if (auto* v = m.find("unknown"))
    if (auto c = read_choice(ctx, *v, "unknown", kUnknown)) t.unknown = static_cast<UnknownPolicy>(*c);
  if (auto* v = m.find("degraded"))
    if (auto c = read_choice(ctx, *v, "degraded", kDegraded)) t.degraded = static_cast<DegradedPolicy>(*c);
  if (auto* v = m.find("planned"))
    if (auto c = read_choice(ctx, *v, "planned", kPlanned)) t.planned = static_cast<PlannedPolicy>(*c);
  if (auto* v = m.find("max_outages"))
    if (auto c = read_int(ctx, *v, "max_outages", 0, 1'000'000)) t.max_outages = static_cast<int>(*c);
  if (auto* v = m.find("max_outage"))
    if (auto d = read_duration(ctx, *v, "max_outage")) t.max_outage_ms = *d;
  if (auto* v = m.find("response_time")) {
    if (!v->is_map()) {
      ctx.error(*v, "response_time must be a map {probe, percentile, under}, not " + std::string(kind_name(*v)));
    } else {
      MapView rm(ctx, *v);
      rm.check_keys(kResponseKeys);
      ResponseTimeObjective r;
      bool ok = true;
      if (auto* p = rm.require("probe")) {
        if (auto id = read_id(ctx, *p, "response_time.probe")) {
          r.probe = *id;
          lc.add_ref(Reference::To::probe, *id, "response_time.probe", ctx, file, *p);
        } else {
          ok = false;
        }
      } else {
        ok = false;
      }
      if (auto* p = rm.require("percentile")) {
        auto d = read_decimal(ctx, *p, "response_time.percentile");
        if (d && (d->e4 <= 0 || d->e4 > 100 * 10000)) {
          ctx.error(*p, "response_time.percentile must be more than 0 and at most 100");
          d.reset();
        }
        if (d) r.percentile = *d;
        ok = ok && d.has_value();
      } else {
        ok = false;
      }
      if (auto* u = rm.require("under")) {
        auto d = read_duration(ctx, *u, "response_time.under");
        if (d) r.under_ms = *d;
        ok = ok && d.has_value();
      } else {
        ok = false;
      }
      if (ok) t.response_time = r;
    }
  }
}

// Reads period and timezone of an SLA or agreement.
void read_period_zone(LoadContext& lc, const Ctx& ctx, const MapView& m, PeriodKind& period, std::string& zone) {
  if (auto* v = m.find("period"))
    if (auto c = read_choice(ctx, *v, "period", kPeriods)) period = static_cast<PeriodKind>(*c);
  if (auto* v = m.find("timezone"))
    if (auto s = read_string(ctx, *v, "timezone"))
      if (lc.check_zone(ctx, *v, *s)) zone = *s;
}

// burn_rate: a list of {long, short, factor, severity}; [] switches the alerts off.
std::optional<std::vector<BurnRateRule>> read_burn_rate(const Ctx& ctx, const YamlNode& n) {
  if (!n.is_sequence()) {
    ctx.error(n, "burn_rate must be a list of {long, short, factor, severity}, not " + std::string(kind_name(n)));
    return std::nullopt;
  }
  std::vector<BurnRateRule> rules;
  bool ok = true;
  for (const YamlNode* item : n.items) {
    if (!item->is_map()) {
      ctx.error(*item, "a burn_rate rule must be a map {long, short, factor, severity}, not " +
                           std::string(kind_name(*item)));
      ok = false;
      continue;
    }
    MapView rm(ctx, *item);
    rm.check_keys(kBurnRateKeys);
    BurnRateRule r;
    std::optional<DurationMs> lw, sw;
    std::optional<Decimal4> f;
    std::optional<std::size_t> sev;
    if (auto* v = rm.require("long")) lw = read_duration(ctx, *v, "burn_rate.long");
    if (auto* v = rm.require("short")) sw = read_duration(ctx, *v, "burn_rate.short");
    if (auto* v = rm.require("factor")) {
      f = read_decimal(ctx, *v, "burn_rate.factor");
      if (f && (f->e4 <= 0 || f->e4 > 1'000'000LL * 10'000)) {
        ctx.error(*v, "burn_rate.factor must be more than 0 and at most 1000000");
        f.reset();
      }
    }
    if (auto* v = rm.require("severity")) sev = read_choice(ctx, *v, "burn_rate.severity", kSeverities);
    if (lw && sw && *sw >= *lw) {
      ctx.error(*rm.find("short"), "burn_rate.short (" + format_duration_single_unit(*sw) +
                                       ") must be shorter than burn_rate.long (" + format_duration_single_unit(*lw) + ")");
      sw.reset();
    }
    if (!lw || !sw || !f || !sev) {
      ok = false;
      continue;
    }
    r.long_ms = *lw;
    r.short_ms = *sw;
    r.factor = *f;
    r.severity = std::string(kSeverities[*sev]);
    rules.push_back(std::move(r));
  }
  if (!ok) return std::nullopt;
  return rules;
}

}  // namespace

void read_sla(LoadContext& lc, const FileInfo& file, const YamlNode& n, std::size_t index, Catalogue& out) {
  Ctx ctx = lc.ctx(file, nth("sla", index));
  if (!n.is_map()) {
    ctx.error(n, "an SLA must be a map, not " + std::string(kind_name(n)));
    return;
  }
  MapView m(ctx, n);
  Sla sla;
  sla.loc = lc.loc(file, n);
  read_object_id(ctx, m, "sla", sla.id);
  m.check_keys(kSlaKeys);
  if (auto* v = m.find("name"))
    if (auto s = read_string(ctx, *v, "name")) sla.name = *s;
  if (auto* v = m.find("customer"))
    if (auto s = read_string(ctx, *v, "customer")) sla.customer = *s;
  if (auto* v = m.require("service")) {
    if (auto id = read_id(ctx, *v, "service")) {
      sla.service = *id;
      lc.add_ref(Reference::To::node, *id, "service", ctx, file, *v);
    }
  }
  read_period_zone(lc, ctx, m, sla.period, sla.timezone);
  m.require("target");
  if (auto* v = m.find("burn_rate")) sla.burn_rate = read_burn_rate(ctx, *v);

  SlaVersion first;
  first.loc = sla.loc;
  read_terms(lc, file, ctx, m, first.terms);
  if (auto* v = m.find("effective_from")) {
    first.effective_from = read_date(ctx, *v, "effective_from");
    if (first.effective_from && !on_boundary(*first.effective_from, sla.period))
      ctx.error(*v, "effective_from " + format_local_date(*first.effective_from) + " is not on a period boundary of this SLA (period " +
                        std::string(kPeriods[static_cast<std::size_t>(sla.period)]) + ": it must be " +
                        std::string(boundary_words(sla.period)) + ")");
  }
  sla.versions.push_back(first);

  if (auto* v = m.find("versions")) {
    if (auto items = read_list(ctx, *v, "versions", false)) {
      for (const YamlNode* item : *items) {
        if (!item->is_map()) {
          ctx.error(*item, "a version must be a map, not " + std::string(kind_name(*item)));
          continue;
        }
        MapView vm(ctx, *item);
        vm.check_keys(kVersionKeys);
        SlaVersion ver;
        ver.loc = lc.loc(file, *item);
        ver.terms = sla.versions.back().terms;
        if (auto* e = vm.require("effective_from")) {
          ver.effective_from = read_date(ctx, *e, "effective_from");
          if (ver.effective_from) {
            const auto& prev = sla.versions.back().effective_from;
            if (!on_boundary(*ver.effective_from, sla.period))
              ctx.error(*e, "effective_from " + format_local_date(*ver.effective_from) +
                                " is not on a period boundary of this SLA (period " +
                                std::string(kPeriods[static_cast<std::size_t>(sla.period)]) + ": it must be " +
                                std::string(boundary_words(sla.period)) + ")");
            else if (prev && *ver.effective_from <= *prev)
              ctx.error(*e, "effective_from " + format_local_date(*ver.effective_from) +
                                " must be after the previous version's (" + format_local_date(*prev) + ")");
          }
        }
        if (auto* s = vm.find("service"); s != nullptr && s->is_scalar() && s->text != sla.service)
          ctx.error(*s, "a version cannot change the service (SLA is on '" + sla.service + "')");
        if (auto* s = vm.find("period"); s != nullptr && s->is_scalar() &&
                                         s->text != kPeriods[static_cast<std::size_t>(sla.period)])
          ctx.error(*s, "a version cannot change the period (SLA period is " +
                            std::string(kPeriods[static_cast<std::size_t>(sla.period)]) + ")");
        if (auto* s = vm.find("timezone"); s != nullptr && s->is_scalar() && s->text != sla.timezone)
          ctx.error(*s, "a version cannot change the timezone (SLA timezone is " + sla.timezone + ")");
        read_terms(lc, file, ctx, vm, ver.terms);
        sla.versions.push_back(std::move(ver));
      }
    }
  }
  out.slas.push_back(std::move(sla));
}

void read_agreement(LoadContext& lc, const FileInfo& file, const YamlNode& n, std::size_t index,
                    Catalogue& out) {
  Ctx ctx = lc.ctx(file, nth("agreement", index));
  if (!n.is_map()) {
    ctx.error(n, "an agreement must be a map, not " + std::string(kind_name(n)));
    return;
  }
  MapView m(ctx, n);
  Agreement a;
  a.loc = lc.loc(file, n);
  read_object_id(ctx, m, "agreement", a.id);
  m.check_keys(kAgreementKeys);
  if (auto* v = m.find("kind"))
    if (auto c = read_choice(ctx, *v, "kind", kAgreementKinds)) a.kind = static_cast<AgreementKind>(*c);
  if (auto* v = m.find("provider"))
    if (auto s = read_string(ctx, *v, "provider")) a.provider = *s;
  if (auto* v = m.require("covers")) {
    if (auto id = read_id(ctx, *v, "covers")) {
      a.covers = *id;
      lc.add_ref(Reference::To::node, *id, "covers", ctx, file, *v);
    }
  }
  read_period_zone(lc, ctx, m, a.period, a.timezone);
  m.require("target");
  read_terms(lc, file, ctx, m, a.terms);
  if (auto* v = m.find("restore_within")) a.restore_within_ms = read_duration(ctx, *v, "restore_within");
  if (auto* v = m.find("underpins")) {
    if (auto items = read_list(ctx, *v, "underpins", true)) {
      for (const YamlNode* item : *items) {
        if (auto id = read_id(ctx, *item, "underpins")) {
          a.underpins.push_back(*id);
          lc.add_ref(Reference::To::sla, *id, "underpins", ctx, file, *item);
        }
      }
    }
  }
  out.agreements.push_back(std::move(a));
}

}  // namespace slamon::catalogue
