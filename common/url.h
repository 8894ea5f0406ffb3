// URLs as the user wrote them: the check that an HTTP(S) URL can ever be fetched (libcurl's own URL
// parser, plus a port 1-65535 and a host), and the one way a URL is printed: with its credentials masked.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace slamon {

// Why `url` can never be fetched as http:// or https:// (no host, bad port, malformed IPv6 literal,
// control characters, ...), or nothing when it can. The reason never contains the URL.
std::optional<std::string> check_http_url(std::string_view url);

// `url` fit for a message or a log line: a password in the authority is replaced by "***"
// ("ftp://admin:***@host/"), a user part without a password (often a token) as a whole
// ("https://***@host/"); control characters become '?'. Works on malformed URLs too.
std::string mask_url_credentials(std::string_view url);

// True for an HTTP header name (an RFC 9110 token) and a header value (no control character but tab).
bool valid_header_name(std::string_view name);
bool valid_header_value(std::string_view value);

}  // namespace slamon
