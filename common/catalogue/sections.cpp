// Readers for the simple sections: defaults, agents, CIs (their probes are in probe_reader.cpp),
// services and maintenance; plus rules, service hours, ids and the LoadContext helpers.
#include <array>
#include <date/tz.h>
#include <new>
#include <unordered_map>

#include "common/catalogue/hours.h"
#include "common/catalogue/load_context.h"

namespace slamon::catalogue {
namespace {

constexpr std::array<std::string_view, 4> kDefaultsKeys = {"interval", "timeout", "confirm", "stale_after"};
constexpr std::array<std::string_view, 4> kAgentKeys = {"name", "token_sha256", "token_sha256_file", "labels"};
constexpr std::array<std::string_view, 7> kCiKeys = {"id", "name", "type", "owner", "rule", "probes", "labels"};
constexpr std::array<std::string_view, 7> kServiceKeys = {"id", "name", "kind", "owner", "rule", "children",
                                                          "labels"};
constexpr std::array<std::string_view, 2> kChildKeys = {"id", "weight"};
constexpr std::array<std::string_view, 7> kMaintenanceKeys = {"id", "targets", "every", "timezone",
                                                              "from", "to", "description"};
constexpr std::array<std::string_view, 4> kServiceKinds = {"business", "application", "infrastructure", "network"};


bool is_hex(std::string_view s) {
  for (const char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return false;
  return true;
}

}  // namespace

bool valid_id(std::string_view s) {
  if (s.empty() || s.size() > 128) return false;
  for (const char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
          c == '-'))
      return false;
  return true;
}

bool valid_agent_name(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (const char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-')) return false;
  return true;
}

std::optional<std::string> read_id(const Ctx& ctx, const YamlNode& n, std::string_view what) {
  auto s = read_string(ctx, n, what);
  if (!s) return std::nullopt;
  if (!valid_id(*s)) {
    ctx.error(n, std::string(what) + " '" + s->substr(0, 130) +
                     "' is not a valid id (1 to 128 characters from A-Z a-z 0-9 . _ -)");
    return std::nullopt;
  }
  return s;
}

void read_object_id(Ctx& ctx, const MapView& m, std::string_view kind, std::string& id) {
  if (auto* v = m.require("id")) {
    if (auto s = read_id(ctx, *v, "id")) {
      id = *s;
      ctx.object = std::string(kind) + " " + id;
    }
  }
}

std::string nth(std::string_view what, std::size_t index) { return std::string(what) + " #" + std::to_string(index + 1); }

bool LoadContext::check_zone(const Ctx& ctx, const YamlNode& n, const std::string& zone) {
  auto it = zones_.find(zone);
  if (it == zones_.end()) {
    bool ok = false;
    // Only IANA names: the files in the zoneinfo folder that are not zones ("localtime" is this
    // machine's setting, not a name another machine would read the same way) are refused.
    const bool not_a_name = zone == "localtime" || zone == "posixrules" || zone == "Factory" ||
                            zone.rfind("posix/", 0) == 0 || zone.rfind("right/", 0) == 0 ||
                            zone.find("..") != std::string::npos || (!zone.empty() && zone.front() == '/');
    if (!zone.empty() && zone.size() < 200 && !not_a_name) {
      try {
        ok = date::locate_zone(zone) != nullptr;
      } catch (const std::bad_alloc&) {
        throw;  // out of memory is fatal, never "unknown time zone"
      } catch (const std::exception&) {
        ok = false;
      }
    }
    it = zones_.emplace(zone, ok).first;
  }
  if (!it->second) ctx.error(n, "unknown time zone '" + zone.substr(0, 100) + "' (an IANA name such as Europe/Paris)");
  return it->second;
}

std::filesystem::path LoadContext::resolve(const FileInfo& file, const std::string& path) const {
  std::filesystem::path p(path);
  if (p.is_relative()) p = file.dir / p;
  return p.lexically_normal();
}

std::optional<Secret> LoadContext::read_secret(const Ctx& ctx, const FileInfo& file, const MapView& map,
                                               std::string_view key, std::string_view file_key) {
  const YamlNode* inline_node = map.find(key);
  const YamlNode* file_node = map.find(file_key);
  if (inline_node != nullptr && file_node != nullptr) {
    ctx.error(*file_node, "give either " + std::string(key) + " or " + std::string(file_key) + ", not both");
    return std::nullopt;
  }
  if (inline_node != nullptr) {
    if (!inline_node->is_scalar()) {
      ctx.error(*inline_node, std::string(key) + " must be a string, not " + std::string(kind_name(*inline_node)));
      return std::nullopt;
    }
    if (inline_node->text.empty()) {
      ctx.error(*inline_node, std::string(key) + " must not be empty");
      return std::nullopt;
    }
    return Secret(inline_node->text, "");
  }
  if (file_node != nullptr) {
    auto name = read_string(ctx, *file_node, file_key);
    if (!name) return std::nullopt;
    if (name->empty()) {
      ctx.error(*file_node, std::string(file_key) + " must not be empty");
      return std::nullopt;
    }
    const auto path = resolve(file, *name);
    auto text = files_.read(path, kMaxSecretFileBytes);
    if (!text.bytes) {
      ctx.error(*file_node, "cannot read secret file '" + *name + "' (" + path.string() + "): " + text.error);
      return std::nullopt;
    }
    if (auto why = check_secret_text(*text.bytes)) {
      ctx.error(*file_node, "secret file '" + *name + "' " + *why + " (a secret file holds one line)");
      return std::nullopt;
    }
    std::string* bytes = &*text.bytes;
    return Secret(std::move(*bytes), path.string());
  }
  return Secret();
}

std::optional<Rule> read_rule(const Ctx& ctx, const YamlNode& n) {
  Rule r;
  if (n.is_scalar()) {
    if (n.text == "all") return r;
    if (n.text == "any") {
      r.kind = Rule::Kind::any;
      return r;
    }
    ctx.error(n, "rule must be all, any, {quorum: K} or {min_percent: P}, not '" + n.text.substr(0, 80) + "'");
    return std::nullopt;
  }
  if (n.is_map() && n.map_size() == 1 && n.key(0).is_scalar()) {
    const std::string& k = n.key(0).text;
    if (k == "quorum") {
      auto q = read_int(ctx, n.value(0), "quorum", 1, 1'000'000);
      if (!q) return std::nullopt;
      r.kind = Rule::Kind::quorum;
      r.quorum = static_cast<int>(*q);
      return r;
    }
    if (k == "min_percent") {
      auto p = read_decimal(ctx, n.value(0), "min_percent");
      if (!p) return std::nullopt;
      if (p->e4 <= 0 || p->e4 > 100 * 10000) {
        ctx.error(n.value(0), "min_percent must be more than 0 and at most 100");
        return std::nullopt;
      }
      r.kind = Rule::Kind::min_percent;
      r.min_percent = *p;
      return r;
    }
    ctx.error(n.key(0), "rule must be all, any, {quorum: K} or {min_percent: P}, not a map with '" +
                            k.substr(0, 80) + "'");
    return std::nullopt;
  }
  ctx.error(n, "rule must be all, any, {quorum: K} or {min_percent: P}");
  return std::nullopt;
}

void check_rule_children(const Ctx& ctx, const YamlNode& rule_node, const Rule& rule, std::size_t counted,
                         std::string_view children_word) {
  if (rule.kind == Rule::Kind::quorum && static_cast<std::size_t>(rule.quorum) > counted)
    ctx.error(rule_node, "quorum " + std::to_string(rule.quorum) + " is larger than the number of counted " +
                             std::string(children_word) + " (" + std::to_string(counted) + " with weight > 0)");
}

std::optional<ServiceHours> read_hours(const Ctx& ctx, const YamlNode& n, std::string_view what) {
  auto items = read_list(ctx, n, what, true);
  if (!items) return std::nullopt;
  if (items->empty()) {
    ctx.error(n, std::string(what) + " must not be empty (use \"24x7\" for all the time)");
    return std::nullopt;
  }
  ServiceHours h;
  h.always = false;
  bool ok = true;
  for (const YamlNode* item : *items) {
    auto text = read_string(ctx, *item, what);
    if (!text) {
      ok = false;
      continue;
    }
    auto e = parse_hours_entry(*text);
    if (auto* msg = std::get_if<std::string>(&e)) {
      ctx.error(*item, std::string(what) + ": " + *msg);
      ok = false;
      continue;
    }
    const auto& entry = std::get<HoursEntry>(e);
    if (entry.always) h.always = true;
    else h.windows.push_back(entry.window);
  }
  if (!ok) return std::nullopt;
  if (h.always) h.windows.clear();
  return h;
}

void read_defaults(LoadContext& lc, const FileInfo& file, const YamlNode& n, Defaults& out) {
  const Ctx ctx = lc.ctx(file, "defaults");
  if (!n.is_map()) {
    if (!n.is_null()) ctx.error(n, "defaults must be a map, not " + std::string(kind_name(n)));
    return;
  }
  MapView m(ctx, n);
  m.check_keys(kDefaultsKeys);
  if (auto* v = m.find("interval"))
    if (auto d = read_duration(ctx, *v, "interval")) out.interval_ms = *d;
  if (auto* v = m.find("timeout"))
    if (auto d = read_duration(ctx, *v, "timeout")) out.timeout_ms = *d;
  if (auto* v = m.find("confirm"))
    if (auto c = read_int(ctx, *v, "confirm", 1, 1000)) out.confirm = static_cast<int>(*c);
  if (auto* v = m.find("stale_after"))
    if (auto d = read_duration(ctx, *v, "stale_after")) out.stale_after_ms = *d;
  if (out.timeout_ms >= out.interval_ms)
    ctx.error(m.find("timeout") ? *m.find("timeout") : m.find("interval") ? *m.find("interval") : n,
              "timeout (" + format_duration(out.timeout_ms) + ") must be less than interval (" +
                  format_duration(out.interval_ms) + ")");
  if (out.stale_after_ms && *out.stale_after_ms <= out.interval_ms)
    ctx.error(*m.find("stale_after"), "stale_after (" + format_duration(*out.stale_after_ms) +
                                          ") must be more than interval (" + format_duration(out.interval_ms) + ")");
}

void read_agent(LoadContext& lc, const FileInfo& file, const YamlNode& n, std::size_t index, Catalogue& out) {
  Ctx ctx = lc.ctx(file, nth("agent", index));
  if (!n.is_map()) {
    ctx.error(n, "an agent must be a map, not " + std::string(kind_name(n)));
    return;
  }
  MapView m(ctx, n);
  Agent a;
  a.loc = lc.loc(file, n);
  if (auto* v = m.require("name")) {
    if (auto s = read_string(ctx, *v, "name")) {
      if (valid_agent_name(*s)) {
        a.name = *s;
        ctx.object = "agent " + a.name;
      } else {
        ctx.error(*v, "agent name '" + s->substr(0, 70) + "' is not valid (1 to 64 characters from a-z 0-9 . _ -)");
      }
    }
  }
  m.check_keys(kAgentKeys);
  if (auto secret = lc.read_secret(ctx, file, m, "token_sha256", "token_sha256_file")) {
    std::string v = secret->value();
    if (!secret->empty()) {
      const YamlNode* at = m.find("token_sha256") ? m.find("token_sha256") : m.find("token_sha256_file");
      if (v.size() != 64 || !is_hex(v)) {
        ctx.error(*at, "token_sha256 must be 64 hexadecimal digits (the SHA-256 of the agent's token)");
      } else {
        for (char& c : v)
          if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
        a.token_sha256 = Secret(v, secret->source_file());
      }
    }
  }
  if (auto* v = m.find("labels"))
    if (auto l = read_labels(ctx, *v)) a.labels = std::move(*l);
  out.agents.push_back(std::move(a));
}

void read_ci(LoadContext& lc, const FileInfo& file, const YamlNode& n, std::size_t index, Catalogue& out) {
  Ctx ctx = lc.ctx(file, nth("ci", index));
  if (!n.is_map()) {
    ctx.error(n, "a CI must be a map, not " + std::string(kind_name(n)));
    return;
  }
  MapView m(ctx, n);
  Ci ci;
  ci.loc = lc.loc(file, n);
  read_object_id(ctx, m, "ci", ci.id);
  m.check_keys(kCiKeys);
  if (auto* v = m.find("name"))
    if (auto s = read_string(ctx, *v, "name")) ci.name = *s;
  if (auto* v = m.find("type"))
    if (auto s = read_string(ctx, *v, "type")) ci.type = *s;
  if (auto* v = m.find("owner"))
    if (auto s = read_string(ctx, *v, "owner")) ci.owner = *s;
  if (auto* v = m.find("labels"))
    if (auto l = read_labels(ctx, *v)) ci.labels = std::move(*l);
  bool probes_ok = true;
  if (auto* v = m.find("probes")) {
    if (!v->is_null()) {
      if (auto items = read_list(ctx, *v, "probes", false)) {
        const std::size_t before = lc.errors().size();
        for (std::size_t i = 0; i < items->size(); ++i)
          if (auto p = read_probe(lc, file, *(*items)[i], ci.id.empty() ? "?" : ci.id, i))
            ci.probes.push_back(std::move(*p));
        probes_ok = lc.errors().size() == before;
      } else {
        probes_ok = false;
      }
    }
  }
  if (auto* v = m.find("rule")) {
    if (auto r = read_rule(ctx, *v)) {
      ci.rule = *r;
      std::size_t counted = 0;
      for (const auto& p : ci.probes) counted += p.weight > 0 ? 1 : 0;
      if (probes_ok) check_rule_children(ctx, *v, ci.rule, counted, "probes");
    }
  }
  out.cis.push_back(std::move(ci));
}

void read_service(LoadContext& lc, const FileInfo& file, const YamlNode& n, std::size_t index, Catalogue& out) {
  Ctx ctx = lc.ctx(file, nth("service", index));
  if (!n.is_map()) {
    ctx.error(n, "a service must be a map, not " + std::string(kind_name(n)));
    return;
  }
  MapView m(ctx, n);
  Service s;
  s.loc = lc.loc(file, n);
  read_object_id(ctx, m, "service", s.id);
  m.check_keys(kServiceKeys);
  if (auto* v = m.find("name"))
    if (auto t = read_string(ctx, *v, "name")) s.name = *t;
  if (auto* v = m.find("owner"))
    if (auto t = read_string(ctx, *v, "owner")) s.owner = *t;
  if (auto* v = m.find("kind"))
    if (auto k = read_choice(ctx, *v, "kind", kServiceKinds)) s.kind = static_cast<ServiceKind>(*k);
  if (auto* v = m.find("labels"))
    if (auto l = read_labels(ctx, *v)) s.labels = std::move(*l);
  bool children_ok = true;
  std::unordered_map<std::string, SourceLoc> seen_children;
  if (auto* v = m.find("children")) {
    if (auto items = read_list(ctx, *v, "children", false)) {
      for (const YamlNode* item : *items) {
        ChildRef c;
        c.loc = lc.loc(file, *item);
        const YamlNode* id_node = item;
        if (item->is_map()) {
          MapView cm(ctx, *item);
          cm.check_keys(kChildKeys);
          id_node = cm.require("id");
          if (auto* w = cm.find("weight")) {
            if (auto wv = read_int(ctx, *w, "weight", 0, 1'000'000)) c.weight = static_cast<int>(*wv);
            else children_ok = false;
          }
          if (id_node == nullptr) {
            children_ok = false;
            continue;
          }
        }
        auto id = read_id(ctx, *id_node, "child");
        if (!id) {
          children_ok = false;
          continue;
        }
        c.id = *id;
        c.loc = lc.loc(file, *id_node);
        if (const auto [first, fresh] = seen_children.emplace(c.id, c.loc); !fresh) {
          ctx.error(*id_node, "child '" + c.id + "' is listed more than once (first at line " +
                                  std::to_string(first->second.line) + ")");
          children_ok = false;
          continue;
        }
        lc.add_ref(Reference::To::node, c.id, "child", ctx, file, *id_node);
        s.children.push_back(std::move(c));
      }
    } else {
      children_ok = false;
    }
  }
  if (auto* v = m.find("rule")) {
    if (auto r = read_rule(ctx, *v)) {
      s.rule = *r;
      std::size_t counted = 0;
      for (const auto& c : s.children) counted += c.weight > 0 ? 1 : 0;
      if (children_ok) check_rule_children(ctx, *v, s.rule, counted, "children");
    }
  }
  out.services.push_back(std::move(s));
}

void read_maintenance(LoadContext& lc, const FileInfo& file, const YamlNode& n, std::size_t index,
                      Catalogue& out) {
  Ctx ctx = lc.ctx(file, nth("maintenance", index));
  if (!n.is_map()) {
    ctx.error(n, "a maintenance window must be a map, not " + std::string(kind_name(n)));
    return;
  }
  MapView m(ctx, n);
  Maintenance w;
  w.loc = lc.loc(file, n);
  read_object_id(ctx, m, "maintenance", w.id);
  m.check_keys(kMaintenanceKeys);
  if (auto* v = m.require("targets")) {
    if (auto items = read_list(ctx, *v, "targets", true)) {
      if (items->empty()) ctx.error(*v, "targets must name at least one CI or service");
      for (const YamlNode* item : *items) {
        if (auto id = read_id(ctx, *item, "target")) {
          w.targets.push_back(*id);
          lc.add_ref(Reference::To::node, *id, "target", ctx, file, *item);
        }
      }
    }
  }
  if (auto* v = m.find("description"))
    if (auto s = read_string(ctx, *v, "description")) w.description = *s;
  if (auto* v = m.find("timezone"))
    if (auto s = read_string(ctx, *v, "timezone"))
      if (lc.check_zone(ctx, *v, *s)) w.timezone = *s;
  const YamlNode* every = m.find("every");
  const YamlNode* from = m.find("from");
  const YamlNode* to = m.find("to");
  if (every != nullptr) {
    if (from != nullptr || to != nullptr)
      ctx.error(from != nullptr ? *from : *to, "a maintenance window has either 'every' or 'from' and 'to', not both");
    w.every = read_hours(ctx, *every, "every");
    if (!w.every) w.every = ServiceHours{};
  } else {
    if (from == nullptr && to == nullptr) {
      ctx.error(n, "a maintenance window needs 'every' (recurring) or 'from' and 'to' (one-off)");
    } else if (from == nullptr || to == nullptr) {
      ctx.error(n, std::string("missing required field '") + (from == nullptr ? "from" : "to") + "'");
    }
    if (from != nullptr) w.from = read_timestamp(ctx, *from, "from");
    if (to != nullptr) w.to = read_timestamp(ctx, *to, "to");
    if (w.from && w.to && *w.to <= *w.from) ctx.error(*to, "'to' must be after 'from'");
  }
  out.maintenance.push_back(std::move(w));
}

}  // namespace slamon::catalogue
