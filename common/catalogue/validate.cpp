// Cross-object checks once every file is read: unique ids (CIs and services share one namespace;
// probes, agents, maintenance windows and SLAs/agreements have theirs), dangling references (with a
// suggestion) and cycles in the service graph (named "a -> b -> a"). Hash maps keep this linear.
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "common/catalogue/load_context.h"
#include "common/catalogue/suggest.h"

namespace slamon::catalogue {
namespace {

// "line 12" in the same file, "sites/a.yaml:12" in another.
std::string where(const SourceLoc& l, const SourceLoc& from) {
  return (l.file == from.file ? "line " : l.file + ":") + std::to_string(l.line);
}

class IdTable {
 public:
  IdTable(std::vector<Diagnostic>& errors, std::string_view what) : errors_(errors), what_(what) {}
  void add(const std::string& id, const SourceLoc& loc, const std::string& object, std::string_view note = {}) {
    if (id.empty()) return;
    const auto [it, fresh] = seen_.emplace(id, loc);
    if (!fresh)
      errors_.push_back(Diagnostic{loc.file, loc.line, loc.col, object,
                                   "duplicate " + std::string(what_) + " '" + id + "' (also at " + where(it->second, loc) +
                                       ")" + std::string(note)});
  }
  bool has(const std::string& id) const { return seen_.count(id) != 0; }
  std::vector<std::string_view> names() const {
    std::vector<std::string_view> out;
    out.reserve(seen_.size());
    for (const auto& [k, v] : seen_) out.push_back(k);
    return out;
  }

 private:
  std::vector<Diagnostic>& errors_;
  std::string_view what_;
  std::unordered_map<std::string, SourceLoc> seen_;
};

}  // namespace

void validate_catalogue(const Catalogue& cat, const std::vector<Reference>& refs, std::vector<Diagnostic>& errors) {
  IdTable nodes(errors, "id");
  IdTable probes(errors, "probe id");
  IdTable agents(errors, "agent name");
  IdTable windows(errors, "maintenance id");
  IdTable agreements(errors, "agreement id");
  std::unordered_set<std::string> service_ids;
  for (const auto& a : cat.agents) agents.add(a.name, a.loc, "agent " + a.name);
  for (const auto& ci : cat.cis) {
    nodes.add(ci.id, ci.loc, "ci " + ci.id);
    if (ci.id.empty()) continue;  // its probe ids are not meaningful; the CI's id error says why
    for (const auto& p : ci.probes)
      probes.add(p.id, p.loc, "probe " + p.id,
                 p.id == ci.id + "." + std::string(to_string(p.type))
                     ? "; probe ids default to '<ci-id>.<type>': give one of them an explicit id"
                     : "");
  }
  for (const auto& s : cat.services) {
    nodes.add(s.id, s.loc, "service " + s.id);
    service_ids.insert(s.id);
  }
  for (const auto& w : cat.maintenance) windows.add(w.id, w.loc, "maintenance " + w.id);
  for (const auto& s : cat.slas) agreements.add(s.id, s.loc, "sla " + s.id);
  for (const auto& a : cat.agreements) agreements.add(a.id, a.loc, "agreement " + a.id);

  // Dangling references; suggestions are computed for the first few only (each scans every id).
  int suggested = 0;
  for (const auto& r : refs) {
    const IdTable* table = nullptr;
    std::string_view noun;
    switch (r.to) {
      case Reference::To::agent: table = &agents; noun = "agent"; break;
      case Reference::To::node: table = &nodes; noun = "CI or service"; break;
      case Reference::To::sla: table = &agreements; noun = "SLA"; break;
      case Reference::To::probe: table = &probes; noun = "probe"; break;
    }
    if (table->has(r.id)) continue;
    std::string msg = r.field + ": unknown " + std::string(noun) + " '" + r.id + "'";
    if (suggested++ < 50) {
      const auto names = table->names();
      if (auto s = closest_word(r.id, names)) msg += "; did you mean '" + *s + "'?";
    }
    errors.push_back(Diagnostic{r.at.file, r.at.line, r.at.col, r.object, std::move(msg)});
  }

  // Cycles among services: iterative depth-first search, each cycle reported once where it closes.
  std::unordered_map<std::string_view, const Service*> by_id;
  for (const auto& s : cat.services) by_id.emplace(s.id, &s);
  enum class Mark : unsigned char { fresh, open, done };
  std::unordered_map<const Service*, Mark> mark;
  for (const auto& s : cat.services) mark.emplace(&s, Mark::fresh);
  struct Frame {
    const Service* s;
    std::size_t next;
  };
  for (const auto& root : cat.services) {
    if (mark[&root] != Mark::fresh) continue;
    std::vector<Frame> stack{{&root, 0}};
    mark[&root] = Mark::open;
    while (!stack.empty()) {
      Frame& f = stack.back();
      if (f.next == f.s->children.size()) {
        mark[f.s] = Mark::done;
        stack.pop_back();
        continue;
      }
      const ChildRef& c = f.s->children[f.next++];
      const auto it = by_id.find(c.id);
      if (it == by_id.end()) continue;
      const Service* child = it->second;
      if (mark[child] == Mark::open) {
        std::string path;
        bool on = false;
        for (const auto& fr : stack) {
          on = on || fr.s == child;
          if (on) path += fr.s->id + " -> ";
        }
        path += child->id;
        errors.push_back(Diagnostic{c.loc.file, c.loc.line, c.loc.col, "service " + f.s->id,
                                    "cycle in the service graph: " + path});
      } else if (mark[child] == Mark::fresh) {
        mark[child] = Mark::open;
        stack.push_back({child, 0});
      }
    }
  }
}

}  // namespace slamon::catalogue
