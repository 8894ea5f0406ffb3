// Reading the root file's `notifications:` section (docs/notifications.md): webhooks, the SMTP relay
// and routes, with their references (SLAs, webhook ids) and secrets (token, password).
#include <algorithm>
#include <array>
#include <set>

#include "common/catalogue/load_context.h"
#include "common/url.h"

namespace slamon::catalogue {
namespace {

constexpr std::array<std::string_view, 3> kSectionKeys = {"webhooks", "smtp", "routes"};
constexpr std::array<std::string_view, 5> kWebhookKeys = {"id", "url", "token", "token_file", "ca_file"};
constexpr std::array<std::string_view, 7> kSmtpKeys = {"server", "from", "user", "password", "password_file",
                                                       "starttls", "ca_file"};
constexpr std::array<std::string_view, 6> kRouteKeys = {"slas", "owners", "severities", "kinds", "webhooks", "emails"};
constexpr std::array<std::string_view, 2> kSeverities = {"page", "ticket"};
constexpr std::array<std::string_view, 6> kKinds = {"outage_opened", "outage_closed", "alert_firing",
                                                    "alert_resolved", "agent_lost", "agent_back"};

// An optional `ca_file` (a PEM file of CAs), resolved against the file naming it and checked readable.
void read_ca_file(LoadContext& lc, const FileInfo& file, const Ctx& ctx, const MapView& m, std::string& out) {
  auto* v = m.find("ca_file");
  if (v == nullptr) return;
  const auto s = read_string(ctx, *v, "ca_file");
  if (!s) return;
  const auto path = lc.resolve(file, *s);
  const auto text = lc.files().read(path, kMaxCatalogueFileBytes);
  if (!text.bytes) ctx.error(*v, "cannot read ca_file '" + *s + "' (" + path.string() + "): " + text.error);
  else out = path.string();
}

bool plausible_email(const std::string& s) {
  const auto at = s.find('@');
  return at != std::string::npos && at > 0 && at + 1 < s.size() && s.find('@', at + 1) == std::string::npos &&
         std::none_of(s.begin(), s.end(), [](char c) { return c == ' ' || c == ',' || c == '<' || c == '>' || static_cast<unsigned char>(c) < 0x20; });
}

// A list of strings (a single one allowed), each checked by `check` (which reports and says false).
template <class Check>
std::vector<std::string> strings(const Ctx& ctx, const YamlNode& n, std::string_view what, Check check) {
  std::vector<std::string> out;
  auto items = read_list(ctx, n, what, true);
  if (!items) return out;
  for (const YamlNode* item : *items)
    if (auto s = read_string(ctx, *item, what))
      if (check(*item, *s)) out.push_back(*s);
  return out;
}

void read_webhooks(LoadContext& lc, const FileInfo& file, const Ctx& ctx, const YamlNode& n, Notifications& out) {
  auto items = read_list(ctx, n, "webhooks", false);
  if (!items) return;
  std::set<std::string> ids;
  for (std::size_t i = 0; i < items->size(); ++i) {
    const YamlNode& item = *(*items)[i];
    Ctx wctx = ctx.with_object("notifications " + nth("webhook", i));
    if (!item.is_map()) {
      wctx.error(item, "a webhook must be a map {id, url, token}, not " + std::string(kind_name(item)));
      continue;
    }
    MapView m(wctx, item);
    Webhook w;
    read_object_id(wctx, m, "webhook", w.id);
    m.check_keys(kWebhookKeys);
    if (auto* v = m.require("url")) {
      if (auto s = read_string(wctx, *v, "url")) {
        if (auto why = check_http_url(*s)) wctx.error(*v, "url " + mask_url_credentials(*s) + " cannot be used: " + *why);
        else w.url = *s;
      }
    }
    if (auto t = lc.read_secret(wctx, file, m, "token", "token_file")) w.token = std::move(*t);
    read_ca_file(lc, file, wctx, m, w.ca_file);
    if (!w.id.empty() && !ids.insert(w.id).second) {
      wctx.error(*m.find("id"), "webhook id '" + w.id + "' is used twice");
      continue;
    }
    out.webhooks.push_back(std::move(w));
  }
}

void read_smtp(LoadContext& lc, const FileInfo& file, const Ctx& ctx, const YamlNode& n, Notifications& out) {
  const Ctx sctx = ctx.with_object("notifications smtp");
  if (!n.is_map()) {
    sctx.error(n, "smtp must be a map {server, from, user, password, starttls}, not " + std::string(kind_name(n)));
    return;
  }
  MapView m(sctx, n);
  m.check_keys(kSmtpKeys);
  SmtpRelay s;
  bool ok = true;
  if (auto* v = m.require("server")) {
    auto t = read_string(sctx, *v, "server");
    if (t && !parse_host_port(*t)) {
      sctx.error(*v, "server must be host:port (e.g. smtp.example.com:587), not '" + *t + "'");
      t.reset();
    }
    if (t) s.server = *t;
    ok = ok && t.has_value();
  } else {
    ok = false;
  }
  if (auto* v = m.require("from")) {
    auto t = read_string(sctx, *v, "from");
    if (t && !plausible_email(*t)) {
      sctx.error(*v, "from must be one e-mail address (name@domain), not '" + *t + "'");
      t.reset();
    }
    if (t) s.from = *t;
    ok = ok && t.has_value();
  } else {
    ok = false;
  }
  if (auto* v = m.find("user"))
    if (auto t = read_string(sctx, *v, "user")) s.user = *t;
  if (auto p = lc.read_secret(sctx, file, m, "password", "password_file")) s.password = std::move(*p);
  if (auto* v = m.find("starttls"))
    if (auto b = read_bool(sctx, *v, "starttls")) s.starttls = *b;
  read_ca_file(lc, file, sctx, m, s.ca_file);
  if (ok) out.smtp = std::move(s);
}

void read_routes(LoadContext& lc, const FileInfo& file, const Ctx& ctx, const YamlNode& n, bool has_smtp,
                 Notifications& out) {
  auto items = read_list(ctx, n, "routes", false);
  if (!items) return;
  for (std::size_t i = 0; i < items->size(); ++i) {
    const YamlNode& item = *(*items)[i];
    const Ctx rctx = ctx.with_object("notifications " + nth("route", i));
    if (!item.is_map()) {
      rctx.error(item, "a route must be a map {slas, owners, severities, kinds, webhooks, emails}, not " +
                           std::string(kind_name(item)));
      continue;
    }
    MapView m(rctx, item);
    m.check_keys(kRouteKeys);
    NotificationRoute r;
    auto choice = [&](std::span<const std::string_view> choices, std::string_view what) {
      return [&rctx, choices, what](const YamlNode& at, const std::string& s) {
        return read_choice(rctx, at, what, choices).has_value() && !s.empty();
      };
    };
    if (auto* v = m.find("slas"))
      r.slas = strings(rctx, *v, "slas", [&](const YamlNode& at, const std::string& s) {
        lc.add_ref(Reference::To::sla, s, "slas", rctx, file, at);
        return true;
      });
    if (auto* v = m.find("owners")) r.owners = strings(rctx, *v, "owners", [](const YamlNode&, const std::string&) { return true; });
    if (auto* v = m.find("severities")) r.severities = strings(rctx, *v, "severities", choice(kSeverities, "severities"));
    if (auto* v = m.find("kinds")) r.kinds = strings(rctx, *v, "kinds", choice(kKinds, "kinds"));
    if (auto* v = m.find("webhooks"))
      r.webhooks = strings(rctx, *v, "webhooks", [&](const YamlNode& at, const std::string& s) {
        const bool known = std::any_of(out.webhooks.begin(), out.webhooks.end(), [&](const Webhook& w) { return w.id == s; });
        if (!known) rctx.error(at, "webhooks: unknown webhook '" + s + "' (define it under notifications.webhooks)");
        return known;
      });
    if (auto* v = m.find("emails")) {
      r.emails = strings(rctx, *v, "emails", [&](const YamlNode& at, const std::string& s) {
        if (!plausible_email(s)) rctx.error(at, "emails: '" + s + "' is not one e-mail address (name@domain)");
        return plausible_email(s);
      });
      if (!r.emails.empty() && !has_smtp) rctx.error(*v, "emails need notifications.smtp (the relay that sends them)");
    }
    if (!m.find("webhooks") && !m.find("emails")) rctx.error(item, "a route needs webhooks or emails (where it sends)");
    out.routes.push_back(std::move(r));
  }
}

}  // namespace

void read_notifications(LoadContext& lc, const FileInfo& file, const YamlNode& n, Notifications& out) {
  const Ctx ctx = lc.ctx(file, "notifications");
  if (!n.is_map()) {
    if (!n.is_null()) ctx.error(n, "notifications must be a map {webhooks, smtp, routes}, not " + std::string(kind_name(n)));
    return;
  }
  MapView m(ctx, n);
  m.check_keys(kSectionKeys);
  // Webhooks first: routes name them, in whatever order the keys were written.
  if (auto* v = m.find("webhooks")) read_webhooks(lc, file, ctx, *v, out);
  if (auto* v = m.find("smtp")) read_smtp(lc, file, ctx, *v, out);
  if (auto* v = m.find("routes")) read_routes(lc, file, ctx, *v, m.find("smtp") != nullptr, out);
}

}  // namespace slamon::catalogue
