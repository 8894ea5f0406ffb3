// Who may do what on the HTTP listener: the tokens of `http:` in collector.yaml, kept as SHA-256
// digests. No read token: reads are open (the configuration allows that on loopback only). Writes
// need the admin token when one is set; with a read token and no admin token they are refused.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "collector/api/http_message.h"

namespace slamon::collector::api {

struct AccessPolicy {
  std::string read_token_sha256;   // 64 hex digits; empty: reads need no token
  std::string admin_token_sha256;  // 64 hex digits; empty: see above
};

enum class Need : unsigned char { nothing, read, admin };

// nullopt when the request may go on; otherwise the 401 or 403 to send. `authorization` is the
// request's Authorization header ("Bearer TOKEN"). The comparison of digests takes the same time
// whatever matches.
std::optional<Response> check_access(const AccessPolicy& policy, std::string_view authorization, Need need);

}  // namespace slamon::collector::api
