// SLA feasibility: the structure under an SLA (its parts and the rules above them), evaluated with
// the parts' availabilities, conditioned on shared parts; then the figures and the agreements' bases.
#include "collector/engine/feasibility.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>

#include "collector/engine/availability_math.h"
#include "collector/engine/calendar.h"
#include "collector/engine/period.h"
#include "collector/engine/sla_terms.h"

namespace slamon::engine {

std::string_view to_string(FeasibilityFlagKind k) {
  switch (k) {
    case FeasibilityFlagKind::hours: return "hours";
    case FeasibilityFlagKind::period: return "period";
    case FeasibilityFlagKind::policy: return "policy";
    case FeasibilityFlagKind::restore_within: return "restore_within";
  }
  return "";
}

std::string_view to_string(FeasibilityVerdict v) {
  switch (v) {
    case FeasibilityVerdict::feasible: return "feasible";
    case FeasibilityVerdict::not_feasible: return "not feasible";
    case FeasibilityVerdict::unbacked_parts: return "unbacked parts";
  }
  return "";
}

bool SlaFeasibility::flagged() const {
  for (const auto& a : agreements)
    if (!a.flags.empty()) return true;
  return false;
}

namespace {

using catalogue::Agreement;

double fraction(Decimal4 pct) { return static_cast<double>(pct.e4) / 1'000'000.0; }

// The nodes under one SLA's node down to its parts (covered nodes, CIs, services without counted
// children), children before parents, and the rules between them.
class Structure {
 public:
  Structure(const Graph& g, int root, const std::unordered_map<int, std::vector<const Agreement*>>& covering) {
    auto is_part = [&](int n) {
      const Node& node = g.node(n);
      return covering.count(n) > 0 || node.kind != NodeKind::service || node.children.empty();
    };
    // Post-order by an explicit stack: the graph may be deep.
    std::unordered_map<int, int> slot_of;
    std::unordered_set<int> seen{root};
    std::vector<std::pair<int, std::size_t>> stack{{root, 0}};
    while (!stack.empty()) {
      auto& [n, next] = stack.back();
      const Node& node = g.node(n);
      if (is_part(n) || next >= node.children.size()) {
        slot_of.emplace(n, static_cast<int>(nodes_.size()));
        nodes_.push_back(n);
        stack.pop_back();
        continue;
      }
      const int c = node.children[next++].node;
      if (seen.insert(c).second) stack.emplace_back(c, 0);
    }
    const std::size_t size = nodes_.size();
    part_.assign(size, false);
    children_.resize(size);
    weights_.resize(size);
    rules_.resize(size);
    paths_.assign(size, 0);
    for (std::size_t s = 0; s < size; ++s) {
      const int n = nodes_[s];
      part_[s] = is_part(n);
      rules_[s] = g.node(n).rule;
      if (part_[s]) continue;
      for (const auto& c : g.node(n).children) {
        children_[s].push_back(slot_of.at(c.node));
        weights_[s].push_back(c.weight);
      }
    }
    // Paths from the root, capped at 2; the reverse post-order puts parents first.
    paths_[size - 1] = 1;
    for (std::size_t s = size; s-- > 0;)
      for (int c : children_[s]) paths_[static_cast<std::size_t>(c)] = std::min(2, paths_[static_cast<std::size_t>(c)] + paths_[s]);
  }

  std::size_t size() const { return nodes_.size(); }
  int node(std::size_t s) const { return nodes_[s]; }
  bool part(std::size_t s) const { return part_[s]; }
  bool shared(std::size_t s) const { return paths_[s] > 1; }

  // The root's availability with each part s up with p[s], parts taken as independent.
  double evaluate(const std::vector<double>& p) const {
    std::vector<double> value(size());
    std::vector<double> a;
    for (std::size_t s = 0; s < size(); ++s) {
      if (part_[s]) {
        value[s] = p[s];
        continue;
      }
      a.clear();
      for (int c : children_[s]) a.push_back(value[static_cast<std::size_t>(c)]);
      value[s] = rule_availability(rules_[s], a, weights_[s]);
    }
    return value.back();
  }

 private:
  std::vector<int> nodes_;  // graph node per slot; the root last
  std::vector<bool> part_;
  std::vector<std::vector<int>> children_;
  std::vector<std::vector<std::int64_t>> weights_;
  std::vector<catalogue::Rule> rules_;
  std::vector<int> paths_;
};

// The root's availability, exact for shared parts by conditioning on their states (factoring): with
// S the shared parts whose availability lies strictly between 0 and 1, the sum over the 2^|S| states
// of S of P(state) times the structure evaluated with S fixed. Once S is fixed, the remaining parts
// each have one path to the root, so no two children of any node share a random part, and the
// bottom-up products are exact.
struct Evaluated {
  double value = 0;
  bool exact = true;
  std::vector<std::size_t> conditioned;
};

Evaluated evaluate_conditioned(const Structure& st, std::vector<double> p, const FeasibilityOptions& o,
                               int max_conditioned) {
  Evaluated r;
  if (o.condition_shared) {
    for (std::size_t s = 0; s < st.size(); ++s) {
      if (!st.part(s) || !st.shared(s) || p[s] <= 0.0 || p[s] >= 1.0) continue;
      if (static_cast<int>(r.conditioned.size()) >= max_conditioned) {
        r.exact = false;
        continue;
      }
      r.conditioned.push_back(s);
    }
  }
  const std::vector<double> base = p;
  const std::uint64_t states = std::uint64_t{1} << r.conditioned.size();
  for (std::uint64_t m = 0; m < states; ++m) {
    double q = 1.0;
    for (std::size_t i = 0; i < r.conditioned.size(); ++i) {
      const std::size_t s = r.conditioned[i];
      const bool up = (m >> i) & 1u;
      q *= up ? base[s] : 1.0 - base[s];
      p[s] = up ? 1.0 : 0.0;
    }
    if (q > 0.0) r.value += q * st.evaluate(p);
  }
  return r;
}

std::string minutes_text(double min) {
  char buf[64];
  if (std::fabs(min - std::round(min)) < 1e-9) std::snprintf(buf, sizeof buf, "%.0f", min);
  else std::snprintf(buf, sizeof buf, "%.1f", min);
  return buf;
}

int period_rank(catalogue::PeriodKind k) { return static_cast<int>(k); }  // day < week < ... < year

int unknown_strictness(catalogue::UnknownPolicy u) {
  switch (u) {
    case catalogue::UnknownPolicy::up: return 0;
    case catalogue::UnknownPolicy::exclude: return 1;
    case catalogue::UnknownPolicy::down: return 2;
  }
  return 1;
}

std::string_view unknown_text(catalogue::UnknownPolicy u) {
  switch (u) {
    case catalogue::UnknownPolicy::up: return "counts unknown time as up";
    case catalogue::UnknownPolicy::exclude: return "leaves unknown time out";
    case catalogue::UnknownPolicy::down: return "counts unknown time as down";
  }
  return "";
}

double minutes(const IntervalSet& s) { return static_cast<double>(total_ms(s)) / 60'000.0; }

double allowed_min(double service_min, Decimal4 target) {
  return service_min * static_cast<double>(1'000'000 - target.e4) / 1'000'000.0;
}

AgreementBasis basis_of(const Agreement& a, const catalogue::Sla& sla, const catalogue::SlaTerms& terms,
                        const Period& period, LocalDate on, const IntervalSet& sla_hours, double sla_allowed) {
  AgreementBasis b;
  b.agreement = a.id;
  b.kind = a.kind;
  b.provider = a.provider;
  b.covers = a.covers;
  b.target = a.terms.target;
  const Zone zone = find_zone(a.timezone);
  const Period own = period_containing(a.period, on, zone);
  b.period_label = own.label;
  b.service_time_min = minutes(service_hours_intervals(a.terms.hours, a.terms.holidays, zone, own.first_day, own.end_day));
  b.allowed_downtime_min = allowed_min(b.service_time_min, a.terms.target);
  // Its service hours over the SLA's period (a day either side for the offsets between the zones).
  const auto first = std::chrono::sys_days{local_date_of(zone, period.start)} - std::chrono::days{1};
  const auto last = std::chrono::sys_days{local_date_of(zone, period.end)} + std::chrono::days{2};
  const IntervalSet its_hours =
      service_hours_intervals(a.terms.hours, a.terms.holidays, zone, LocalDate{first}, LocalDate{last});
  b.uncovered_min = minutes(subtract(sla_hours, its_hours));
  std::string sla_allows = "(";
  sla_allows += minutes_text(b.allowed_downtime_min);
  sla_allows += " min of downtime allowed in its ";
  sla_allows += catalogue::to_string(a.period);
  sla_allows += " " + own.label + ", the SLA " + minutes_text(sla_allowed) + " min in " + period.label + ")";
  if (b.uncovered_min > 0)
    b.flags.push_back({FeasibilityFlagKind::hours,
                       "its hours leave " + minutes_text(b.uncovered_min) + " min of the SLA's " +
                           minutes_text(minutes(sla_hours)) + " min of service time in " + period.label +
                           " uncovered " + sla_allows});
  if (period_rank(a.period) > period_rank(sla.period))
    b.flags.push_back({FeasibilityFlagKind::period,
                       "its period (" + std::string(catalogue::to_string(a.period)) + ") is longer than the SLA's (" +
                           std::string(catalogue::to_string(sla.period)) +
                           "): the downtime it allows in one period may all fall into one of the SLA's " +
                           sla_allows});
  if (a.terms.degraded == catalogue::DegradedPolicy::up && terms.degraded == catalogue::DegradedPolicy::down)
    b.flags.push_back({FeasibilityFlagKind::policy, "it counts degraded time as up, the SLA as down"});
  if (unknown_strictness(a.terms.unknown) < unknown_strictness(terms.unknown))
    b.flags.push_back({FeasibilityFlagKind::policy,
                       "it " + std::string(unknown_text(a.terms.unknown)) + ", the SLA " +
                           std::string(unknown_text(terms.unknown))});
  if (a.terms.planned == catalogue::PlannedPolicy::exclude && terms.planned == catalogue::PlannedPolicy::ignore)
    b.flags.push_back({FeasibilityFlagKind::policy, "it leaves maintenance out, the SLA counts it (planned: ignore)"});
  if (a.restore_within_ms && terms.max_outage_ms && *a.restore_within_ms > *terms.max_outage_ms)
    b.flags.push_back({FeasibilityFlagKind::restore_within,
                       "restore_within " + format_duration(*a.restore_within_ms) + " exceeds the SLA's max_outage " +
                           format_duration(*terms.max_outage_ms) +
                           ": one outage the agreement allows breaks the SLA"});
  return b;
}

// Every node reachable from `root` through counted edges, probes left out.
std::unordered_set<int> subtree(const Graph& g, int root) {
  std::unordered_set<int> seen{root};
  std::vector<int> todo{root};
  while (!todo.empty()) {
    const int n = todo.back();
    todo.pop_back();
    if (g.node(n).kind != NodeKind::service) continue;
    for (const auto& c : g.node(n).children)
      if (seen.insert(c.node).second) todo.push_back(c.node);
  }
  return seen;
}

}  // namespace

SlaFeasibility check_sla_feasibility(const catalogue::Catalogue& cat, const Graph& graph,
                                     const catalogue::Sla& sla, LocalDate on, const FeasibilityOptions& options) {
  SlaFeasibility f;
  f.sla = sla.id;
  f.service = sla.service;
  f.timezone = sla.timezone;
  const int root = graph.find(sla.service);
  if (root < 0 || sla.versions.empty()) throw std::runtime_error("sla " + sla.id + ": unknown service " + sla.service);
  const Zone zone = find_zone(sla.timezone);
  const Period period = period_containing(sla.period, on, zone);
  const catalogue::SlaTerms* terms = terms_in_effect(sla, period.first_day);
  if (terms == nullptr) terms = &sla.versions.front().terms;
  f.period_label = period.label;
  f.target = terms->target;
  const IntervalSet sla_hours = service_hours_intervals(terms->hours, terms->holidays, zone, period.first_day, period.end_day);
  f.service_time_min = minutes(sla_hours);
  f.allowed_downtime_min = allowed_min(f.service_time_min, f.target);

  std::unordered_map<int, std::vector<const Agreement*>> covering;
  for (const auto& a : cat.agreements) {
    const int n = graph.find(a.covers);
    if (n >= 0) covering[n].push_back(&a);
  }
  const Structure st(graph, root, covering);

  // The parts and their availabilities (the strictest agreement; unbacked ones at 1).
  std::vector<double> p(st.size(), 0.0);
  std::vector<std::size_t> parts, unbacked;
  std::vector<std::string> used;
  for (std::size_t s = 0; s < st.size(); ++s) {
    if (!st.part(s)) continue;
    const int n = st.node(s);
    FeasibilityDependency d;
    d.node = graph.node(n).id;
    d.kind = graph.node(n).kind;
    d.shared = st.shared(s);
    p[s] = 1.0;
    if (auto it = covering.find(n); it != covering.end()) {
      const Agreement* best = it->second.front();
      for (const Agreement* a : it->second)
        if (a->terms.target > best->terms.target) best = a;
      for (const Agreement* a : it->second)
        if (a != best) d.also.push_back(a->id);
      d.agreement = best->id;
      used.push_back(best->id);
      d.availability_pct = static_cast<double>(best->terms.target.e4) / 10'000.0;
      p[s] = fraction(best->terms.target);
    } else {
      unbacked.push_back(s);
    }
    parts.push_back(s);
    f.dependencies.push_back(std::move(d));
  }

  // How many shared parts can be conditioned on within options.max_work.
  const std::int64_t figures = static_cast<std::int64_t>(parts.size()) + 64;
  int max_conditioned = 0;
  while (max_conditioned < std::min(options.max_conditioned, 40) &&
         (std::int64_t{2} << max_conditioned) * static_cast<std::int64_t>(st.size()) * figures <= options.max_work)
    ++max_conditioned;
  auto evaluate = [&](const std::vector<double>& q) { return evaluate_conditioned(st, q, options, max_conditioned); };
  const Evaluated ceiling = evaluate(p);
  f.ceiling_pct = 100.0 * ceiling.value;
  f.exact = ceiling.exact;
  for (std::size_t s : ceiling.conditioned) f.conditioned.push_back(graph.node(st.node(s)).id);
  const double target_pct = static_cast<double>(f.target.e4) / 10'000.0;
  const double budget_pct = 100.0 - target_pct;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    auto& d = f.dependencies[i];
    if (d.agreement.empty()) continue;  // unbacked: no cost at 100 %, no share
    if (p[parts[i]] < 1.0) {
      std::vector<double> perfect = p;
      perfect[parts[i]] = 1.0;
      d.cost_pct = 100.0 * evaluate(perfect).value - f.ceiling_pct;
    }
    if (budget_pct > 0) d.budget_share_pct = 100.0 * d.cost_pct / budget_pct;
  }

  // The availability a, the same for every unbacked part, at which the ceiling reaches the target:
  // the ceiling grows with a (the rules are monotone), so bisection finds it.
  if (!unbacked.empty()) {
    auto ceiling_at = [&](double a) {
      std::vector<double> q = p;
      for (std::size_t s : unbacked) q[s] = a;
      return 100.0 * evaluate(q).value;
    };
    if (f.ceiling_pct + kFeasibilityTolerancePct >= target_pct) {
      double lo = 0.0, hi = 1.0;
      for (int i = 0; i < 60; ++i) {
        const double mid = (lo + hi) / 2;
        (ceiling_at(mid) + kFeasibilityTolerancePct >= target_pct ? hi : lo) = mid;
      }
      // Rounded up to the catalogue's 4 decimals of a percent, then checked.
      std::int64_t e4 = std::min<std::int64_t>(1'000'000, static_cast<std::int64_t>(std::ceil(hi * 1e6 - 1e-6)));
      while (e4 < 1'000'000 && ceiling_at(static_cast<double>(e4) / 1e6) + kFeasibilityTolerancePct < target_pct) ++e4;
      f.unbacked_required_pct = Decimal4{e4};
    }
  }

  if (f.ceiling_pct + kFeasibilityTolerancePct < target_pct) f.verdict = FeasibilityVerdict::not_feasible;
  else if (!unbacked.empty()) f.verdict = FeasibilityVerdict::unbacked_parts;
  else f.verdict = FeasibilityVerdict::feasible;

  // Every agreement on the SLA's node or below it, with its bases beside the SLA's.
  const std::unordered_set<int> under = subtree(graph, root);
  for (const auto& a : cat.agreements) {
    const int n = graph.find(a.covers);
    if (n < 0 || under.count(n) == 0) continue;
    AgreementBasis b = basis_of(a, sla, *terms, period, on, sla_hours, f.allowed_downtime_min);
    b.used = std::find(used.begin(), used.end(), a.id) != used.end();
    f.agreements.push_back(std::move(b));
  }
  return f;
}

std::vector<SlaFeasibility> check_feasibility(const catalogue::Catalogue& cat, const Graph& graph, LocalDate on,
                                              const FeasibilityOptions& options) {
  std::vector<SlaFeasibility> out;
  out.reserve(cat.slas.size());
  for (const auto& sla : cat.slas) out.push_back(check_sla_feasibility(cat, graph, sla, on, options));
  return out;
}

}  // namespace slamon::engine
