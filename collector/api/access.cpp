// Token checks of the HTTP listener (see access.h).
#include "collector/api/access.h"

#include "collector/session_logic.h"

namespace slamon::collector::api {
namespace {

bool same_digest(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

Response unauthorized(std::string_view why) {
  auto r = json_error(401, why);
  r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"slamon\"");
  return r;
}

}  // namespace

std::optional<Response> check_access(const AccessPolicy& policy, std::string_view authorization, Need need) {
  if (need == Need::nothing) return std::nullopt;
  const bool open = policy.read_token_sha256.empty() && policy.admin_token_sha256.empty();
  if (open) return std::nullopt;  // loopback without tokens
  std::optional<std::string> digest;
  constexpr std::string_view kBearer = "Bearer ";
  if (authorization.size() > kBearer.size() && authorization.substr(0, kBearer.size()) == kBearer)
    digest = sha256_hex(authorization.substr(kBearer.size()));
  const bool is_admin = digest && !policy.admin_token_sha256.empty() && same_digest(*digest, policy.admin_token_sha256);
  const bool is_reader = digest && !policy.read_token_sha256.empty() && same_digest(*digest, policy.read_token_sha256);
  if (need == Need::read) {
    if (is_admin || is_reader || policy.read_token_sha256.empty()) return std::nullopt;
    return unauthorized(digest ? "the token is not valid" : "a token is required (Authorization: Bearer TOKEN)");
  }
  if (is_admin) return std::nullopt;
  if (policy.admin_token_sha256.empty()) return json_error(403, "writes are disabled: http.admin_token_sha256 is not set");
  if (is_reader) return json_error(403, "this request needs the admin token");
  return unauthorized(digest ? "the token is not valid" : "the admin token is required (Authorization: Bearer TOKEN)");
}

}  // namespace slamon::collector::api
