// URL checks over libcurl's CURLU parser (the parser the HTTP probe itself uses), and masking.
#include "common/url.h"

#include <curl/curl.h>

#include <algorithm>
#include <memory>

namespace slamon {
namespace {

struct UrlFree {
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};
struct CharFree {
  void operator()(char* p) const { curl_free(p); }
};

}  // namespace

std::optional<std::string> check_http_url(std::string_view url) {
  for (const char c : url) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return std::string("it holds a control character");
    if (u == ' ') return std::string("it holds a space (write %20)");
  }
  const auto authority = url.find("://");
  if (authority != std::string_view::npos &&
      (authority + 3 == url.size() || std::string_view("/?#").find(url[authority + 3]) != std::string_view::npos))
    return std::string("it has no host");
  const std::unique_ptr<CURLU, UrlFree> h(curl_url());
  if (!h) return std::string("out of memory");
  const std::string text(url);
  const CURLUcode rc = curl_url_set(h.get(), CURLUPART_URL, text.c_str(), 0);
  if (rc != CURLUE_OK) return std::string(curl_url_strerror(rc));
  char* raw = nullptr;
  if (curl_url_get(h.get(), CURLUPART_SCHEME, &raw, 0) != CURLUE_OK) return std::string("no scheme");
  std::unique_ptr<char, CharFree> scheme(raw);
  const std::string s(scheme.get());
  if (s != "http" && s != "https") return "the scheme must be http or https, not " + s.substr(0, 20);
  raw = nullptr;
  if (curl_url_get(h.get(), CURLUPART_HOST, &raw, 0) != CURLUE_OK || raw == nullptr || raw[0] == '\0') {
    curl_free(raw);
    return std::string("it has no host");
  }
  curl_free(raw);
  raw = nullptr;
  if (curl_url_get(h.get(), CURLUPART_PORT, &raw, 0) == CURLUE_OK && raw != nullptr) {
    const std::unique_ptr<char, CharFree> port(raw);
    long p = 0;
    for (const char* q = port.get(); *q; ++q) p = (*q >= '0' && *q <= '9' && p < 100000) ? p * 10 + (*q - '0') : 100000;
    if (p < 1 || p > 65535) return std::string("the port must be between 1 and 65535");
  }
  return std::nullopt;
}

std::string mask_url_credentials(std::string_view url) {
  std::string out;
  const auto scheme_end = url.find("://");
  std::size_t host_from = 0;
  if (scheme_end != std::string_view::npos) {
    const std::size_t auth_from = scheme_end + 3;
    const std::size_t auth_end = std::min(url.find_first_of("/?#", auth_from), url.size());
    const std::string_view authority = url.substr(auth_from, auth_end - auth_from);
    const auto at = authority.rfind('@');
    out = std::string(url.substr(0, auth_from));
    if (at != std::string_view::npos) {
      const std::string_view userinfo = authority.substr(0, at);
      const auto colon = userinfo.find(':');
      out += colon == std::string_view::npos ? std::string("***") : std::string(userinfo.substr(0, colon)) + ":***";
      host_from = auth_from + at;  // from the '@'
    } else {
      host_from = auth_from;
    }
  }
  out += url.substr(host_from);
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  return out;
}

bool valid_header_name(std::string_view name) {
  if (name.empty()) return false;
  for (const char c : name) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum && std::string_view("!#$%&'*+-.^_`|~").find(c) == std::string_view::npos) return false;
  }
  return true;
}

bool valid_header_value(std::string_view value) {
  for (const char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t') || u == 0x7f) return false;
  }
  return true;
}

}  // namespace slamon
