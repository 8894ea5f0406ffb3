// Maintenance windows through the API (see maintenance_api.h).
#include "collector/api/maintenance_api.h"

#include <simdjson.h>

#include <set>

namespace slamon::collector::api {
namespace {

Response refuse(int status, std::string_view message) { return json_error(status, message); }

// The request body as a JSON object, or the 400 that says why not.
std::optional<simdjson::dom::object> object_of(simdjson::dom::parser& parser, const simdjson::padded_string& text,
                                               Response& refusal) {
  simdjson::dom::element doc;
  if (auto e = parser.parse(text).get(doc); e) {
    refusal = refuse(400, std::string("the body is not valid JSON: ") + simdjson::error_message(e));
    return std::nullopt;
  }
  simdjson::dom::object obj;
  if (doc.get(obj)) {
    refusal = refuse(400, "the body must be a JSON object");
    return std::nullopt;
  }
  return obj;
}

// A required or optional text field with a size limit; refusal set on error.
std::optional<std::string> text_field(simdjson::dom::object obj, std::string_view key, bool required,
                                      std::size_t max_bytes, Response& refusal) {
  simdjson::dom::element v;
  if (obj.at_key(key).get(v)) {
    if (required) refusal = refuse(422, "'" + std::string(key) + "' is required");
    return std::nullopt;
  }
  std::string_view s;
  if (v.get(s)) {
    refusal = refuse(422, "'" + std::string(key) + "' must be a string");
    return std::nullopt;
  }
  if (required && s.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    refusal = refuse(422, "'" + std::string(key) + "' must not be empty");
    return std::nullopt;
  }
  if (s.size() > max_bytes) {
    refusal = refuse(422, "'" + std::string(key) + "' is longer than " + std::to_string(max_bytes) + " bytes");
    return std::nullopt;
  }
  return std::string(s);
}

std::optional<TimeMs> time_field(simdjson::dom::object obj, std::string_view key, Response& refusal) {
  std::string text;
  Response r;
  auto s = text_field(obj, key, false, 64, r);
  if (!s) {
    if (r.status != 200) refusal = r;
    return std::nullopt;
  }
  const auto t = parse_rfc3339(*s);
  if (!t) {
    refusal = refuse(422, "'" + std::string(key) + "' is not an RFC 3339 timestamp with an offset: '" + *s + "'");
    return std::nullopt;
  }
  return t;
}

bool only_keys(simdjson::dom::object obj, std::initializer_list<std::string_view> allowed, Response& refusal) {
  for (const auto field : obj) {
    bool known = false;
    for (const auto k : allowed) known = known || field.key == k;
    if (!known) {
      refusal = refuse(400, "unknown field '" + std::string(field.key.substr(0, 64)) + "'");
      return false;
    }
  }
  return true;
}

}  // namespace

std::shared_ptr<StoredMaintenance> read_stored_maintenance(store::MaintenanceStore& store) {
  auto m = std::make_shared<StoredMaintenance>();
  m->windows = store.maintenance_windows();
  m->history = store.maintenance_history("");
  return m;
}

CreatePlan plan_create(std::string_view body, const CatalogueIndex& index, TimeMs now) {
  CreatePlan plan;
  simdjson::dom::parser parser;
  const simdjson::padded_string text(body);
  auto obj = object_of(parser, text, plan.refusal);
  if (!obj) return plan;
  if (!only_keys(*obj, {"targets", "from", "to", "who", "why"}, plan.refusal)) return plan;
  store::MaintenanceWindow w;
  simdjson::dom::element targets;
  simdjson::dom::array list;
  if (obj->at_key("targets").get(targets)) {
    plan.refusal = refuse(422, "'targets' is required: a list of CI or service ids");
    return plan;
  }
  if (targets.get(list) || list.size() == 0) {
    plan.refusal = refuse(422, "'targets' must be a non-empty list of CI or service ids");
    return plan;
  }
  if (list.size() > kMaxTargets) {
    plan.refusal = refuse(422, "'targets' names more than " + std::to_string(kMaxTargets) + " ids");
    return plan;
  }
  std::set<std::string, std::less<>> seen;
  for (const auto item : list) {
    std::string_view id;
    if (item.get(id)) {
      plan.refusal = refuse(422, "'targets' must hold strings (CI or service ids)");
      return plan;
    }
    if (!index.cis.contains(id) && !index.services.contains(id)) {
      plan.refusal = refuse(422, "target '" + std::string(id.substr(0, 128)) + "' is not a CI or service of the catalogue");
      return plan;
    }
    if (!seen.insert(std::string(id)).second) {
      plan.refusal = refuse(422, "target '" + std::string(id) + "' is named twice");
      return plan;
    }
    w.targets.emplace_back(id);
  }
  auto who = text_field(*obj, "who", true, kMaxWhoBytes, plan.refusal);
  if (!who) return plan;
  auto why = text_field(*obj, "why", true, kMaxWhyBytes, plan.refusal);
  if (!why) return plan;
  const auto from = time_field(*obj, "from", plan.refusal);
  if (!from && plan.refusal.status != 200) return plan;
  const auto to = time_field(*obj, "to", plan.refusal);
  if (!to) {
    if (plan.refusal.status == 200) plan.refusal = refuse(422, "'to' is required (RFC 3339)");
    return plan;
  }
  w.from_ms = from.value_or(now);
  w.to_ms = *to;
  if (w.from_ms < now) {
    plan.refusal = refuse(422, "'from' " + format_rfc3339(w.from_ms) + " is before now (" + format_rfc3339(now) +
                                   "): a window may not start before it is created (omit 'from' to start now)");
    return plan;
  }
  if (w.to_ms <= w.from_ms) {
    plan.refusal = refuse(422, "'to' " + format_rfc3339(w.to_ms) + " must be after 'from' " + format_rfc3339(w.from_ms));
    return plan;
  }
  if (w.to_ms - w.from_ms > kMaxWindowMs) {
    plan.refusal = refuse(422, "the window is longer than 366 days: split it");
    return plan;
  }
  w.who = std::move(*who);
  w.why = std::move(*why);
  w.created_ms = now;
  w.planned_to_ms = w.to_ms;
  plan.window = std::move(w);
  return plan;
}

EndPlan plan_end(std::string_view body, const store::MaintenanceWindow* window, std::string_view id, TimeMs now) {
  EndPlan plan;
  if (window == nullptr) {
    plan.refusal = refuse(404, "maintenance window '" + std::string(id.substr(0, 128)) +
                                   "' was not created through the API (catalogue windows change with the catalogue)");
    return plan;
  }
  simdjson::dom::parser parser;
  const simdjson::padded_string text(body);
  auto obj = object_of(parser, text, plan.refusal);
  if (!obj) return plan;
  if (!only_keys(*obj, {"who", "why"}, plan.refusal)) return plan;
  auto who = text_field(*obj, "who", true, kMaxWhoBytes, plan.refusal);
  if (!who) return plan;
  auto why = text_field(*obj, "why", true, kMaxWhyBytes, plan.refusal);
  if (!why) return plan;
  if (window->ended_ms) {
    plan.refusal = refuse(409, "maintenance window '" + window->id + "' was ended already, at " +
                                   format_rfc3339(*window->ended_ms) + " by " + window->ended_by);
    return plan;
  }
  if (now >= window->to_ms) {
    plan.refusal = refuse(409, "maintenance window '" + window->id + "' is over already (it ended at " +
                                   format_rfc3339(window->to_ms) + ")");
    return plan;
  }
  plan.who_why.emplace(std::move(*who), std::move(*why));
  return plan;
}

std::string_view window_state(const store::MaintenanceWindow& w, TimeMs now) {
  if (w.ended_ms) return w.to_ms <= w.from_ms ? "cancelled" : "ended";
  if (now < w.from_ms) return "scheduled";
  if (now < w.to_ms) return "active";
  return "over";
}

void write_window(JsonWriter& w, const store::MaintenanceWindow& m, TimeMs now,
                  const std::vector<store::MaintenanceEvent>* history) {
  w.begin_object().key("id").value(m.id).key("source").value("api");
  w.key("targets").begin_array();
  for (const auto& t : m.targets) w.value(t);
  w.end_array();
  w.key("from").value(format_rfc3339(m.from_ms)).key("to").value(format_rfc3339(m.to_ms));
  w.key("planned_to").value(format_rfc3339(m.planned_to_ms));
  w.key("who").value(m.who).key("why").value(m.why).key("created").value(format_rfc3339(m.created_ms));
  if (m.ended_ms) {
    w.key("ended").begin_object().key("at").value(format_rfc3339(*m.ended_ms)).key("by").value(m.ended_by);
    w.key("why").value(m.end_reason).end_object();
  } else {
    w.key("ended").null();
  }
  w.key("state").value(window_state(m, now));
  if (history) {
    w.key("history").begin_array();
    for (const auto& e : *history) {
      if (e.window != m.id) continue;
      w.begin_object().key("action").value(store::to_string(e.action)).key("at").value(format_rfc3339(e.at_ms));
      w.key("who").value(e.who).key("why").value(e.why).key("from").value(format_rfc3339(e.from_ms));
      w.key("to").value(format_rfc3339(e.to_ms)).end_object();
    }
    w.end_array();
  }
  w.end_object();
}

}  // namespace slamon::collector::api
