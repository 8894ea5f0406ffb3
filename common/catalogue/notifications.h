// The catalogue's `notifications:` section as plain values (docs/notifications.md): webhooks, an
// SMTP relay and the routes that pick, for each notification, where it goes (the engine's routing:
// collector/engine/notifications.h).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/catalogue/secret.h"

namespace slamon::catalogue {

struct Webhook {
  std::string id;
  std::string url;  // http:// or https://
  Secret token;     // optional bearer token: `token` or `token_file` (the catalogue's secret rules)
  std::string ca_file;  // optional: the CAs an https:// peer is checked against (absolute after loading)
  bool operator==(const Webhook&) const = default;
};

struct SmtpRelay {
  std::string server;  // host:port
  std::string from;    // envelope and header sender
  std::string user;    // optional
  Secret password;     // `password` or `password_file`
  bool starttls = true;
  std::string ca_file;  // optional: the CAs the relay's certificate is checked against (absolute after loading)
  bool operator==(const SmtpRelay&) const = default;
};

// A route: which notifications (every list empty = any) go to which webhooks and addresses.
struct NotificationRoute {
  std::vector<std::string> slas;        // SLA ids
  std::vector<std::string> owners;      // owners of the subject's service or CI
  std::vector<std::string> severities;  // "page", "ticket"
  std::vector<std::string> kinds;       // "outage_opened", "alert_firing", ... (notifications.h)
  std::vector<std::string> webhooks;    // Webhook ids
  std::vector<std::string> emails;      // addresses
  bool operator==(const NotificationRoute&) const = default;
};

struct Notifications {
  std::vector<Webhook> webhooks;
  std::optional<SmtpRelay> smtp;
  std::vector<NotificationRoute> routes;
  bool operator==(const Notifications&) const = default;
};

}  // namespace slamon::catalogue
