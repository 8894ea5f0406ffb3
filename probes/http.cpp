// The HTTP(S) runner: builds one curl easy handle per run from an HttpSpec, runs it on the shared
// CurlMulti, reads the phase timings and the served certificate chain, then judges the expectations.
#include "probes/http.h"

#include <curl/curl.h>
#include <openssl/asn1.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <re2/re2.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <optional>
#include <unordered_map>

#include "common/catalogue/measurements.h"
#include "probes/codec/evaluate.h"
#include "probes/curl_multi.h"

namespace slamon::probes {
namespace asio = boost::asio;
using namespace boost::asio::experimental::awaitable_operators;

namespace {

// What the callbacks collect during one transfer.
struct Collected {
  std::string body;
  std::size_t body_bytes = 0;
  std::size_t max_body_bytes = 0;
  std::optional<double> cert_days_left;  // earliest expiry over every chain served
  CURL* easy = nullptr;
};

std::size_t on_body(char* data, std::size_t size, std::size_t n, void* userp) {
  auto* c = static_cast<Collected*>(userp);
  const std::size_t len = size * n;
  c->body_bytes += len;
  if (c->body.size() < c->max_body_bytes)
    c->body.append(data, std::min(len, c->max_body_bytes - c->body.size()));
  return len;
}

// Days (fractional) from now until `t`; negative when past.
double days_until(const ASN1_TIME* t) {
  int days = 0, secs = 0;
  if (!ASN1_TIME_diff(&days, &secs, nullptr, t)) return 0;
  return days + secs / 86400.0;
}

// At each status line the TLS connection (if any) is up: read its peer chain there.
std::size_t on_header(char* data, std::size_t size, std::size_t n, void* userp) {
  auto* c = static_cast<Collected*>(userp);
  const std::size_t len = size * n;
  if (len >= 5 && std::string_view(data, 5) == "HTTP/") {
    curl_tlssessioninfo* info = nullptr;
    if (curl_easy_getinfo(c->easy, CURLINFO_TLS_SSL_PTR, &info) == CURLE_OK && info &&
        info->backend == CURLSSLBACKEND_OPENSSL && info->internals) {
      auto* ssl = static_cast<SSL*>(info->internals);
      if (STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl)) {
        for (int i = 0; i < sk_X509_num(chain); ++i) {
          const double d = days_until(X509_get0_notAfter(sk_X509_value(chain, i)));
          if (!c->cert_days_left || d < *c->cert_days_left) c->cert_days_left = d;
        }
      }
    }
  }
  return len;
}

std::string range_list(const std::vector<catalogue::StatusRange>& ranges) {
  std::string out;
  for (const auto& r : ranges) {
    if (!out.empty()) out += ",";
    out += r.lo == r.hi ? std::to_string(r.lo) : std::to_string(r.lo) + "-" + std::to_string(r.hi);
  }
  return out;
}

double ms(curl_off_t us) { return static_cast<double>(us) / 1000.0; }

struct EasyDeleter {
  void operator()(CURL* e) const { curl_easy_cleanup(e); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

class HttpRunnerImpl final : public HttpRunner {
 public:
  HttpRunnerImpl(asio::any_io_executor ex, HttpRunnerOptions options, std::shared_ptr<spdlog::logger> logger)
      : executor_(ex), multi_(ex), options_(std::move(options)), logger_(std::move(logger)) {
    if (!curl_has_async_dns() && logger_)
      logger_->warn("libcurl has no asynchronous resolver: host names would block the event loop");
  }

  catalogue::ProbeType type() const override { return catalogue::ProbeType::http; }
  std::size_t in_flight() const override { return multi_.in_flight(); }

  asio::awaitable<ProbeResult> run(const catalogue::Probe& probe, TimeMs started) override {
    RunOutcome outcome = co_await measure(probe);
    if (logger_ && outcome.error != ProbeError::ok)
      logger_->debug("{}: {}", probe.id, outcome.message);
    co_return evaluate(probe, started, std::move(outcome), options_.agent.empty() ? probe.agent : options_.agent);
  }

 private:
  asio::awaitable<RunOutcome> measure(const catalogue::Probe& probe) {
    RunOutcome out;
    const auto* spec = std::get_if<catalogue::HttpSpec>(&probe.spec);
    if (!spec) {
      out.error = ProbeError::internal;
      out.message = "not an http probe";
      co_return out;
    }
    std::unique_ptr<CURL, EasyDeleter> easy(curl_easy_init());
    if (!easy) {
      out.error = ProbeError::no_memory;
      out.message = "cannot create a curl handle";
      co_return out;
    }
    CURL* e = easy.get();
    Collected got;
    got.easy = e;
    got.max_body_bytes = options_.max_body_bytes;
    char errbuf[CURL_ERROR_SIZE] = {0};
    std::unique_ptr<curl_slist, SlistDeleter> headers, connect_to;

    std::string url = spec->url;
    if (spec->tls_server_name) {
      // Connect where the URL points but speak to (SNI, Host, verification) the configured name.
      CURLU* u = curl_url();
      if (curl_url_set(u, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK) {
        char *host = nullptr, *port = nullptr;
        curl_url_get(u, CURLUPART_HOST, &host, 0);
        curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT);
        if (host && port) {
          const std::string rule = *spec->tls_server_name + ":" + port + ":" + host + ":" + port;
          connect_to.reset(curl_slist_append(nullptr, rule.c_str()));
          curl_url_set(u, CURLUPART_HOST, spec->tls_server_name->c_str(), 0);
          char* rewritten = nullptr;
          if (curl_url_get(u, CURLUPART_URL, &rewritten, 0) == CURLUE_OK) url = rewritten;
          curl_free(rewritten);
        }
        curl_free(host);
        curl_free(port);
      }
      curl_url_cleanup(u);
    }

    curl_easy_setopt(e, CURLOPT_URL, url.c_str());
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    // A fresh connection and handshake per run, so that connect and TLS are really measured.
    curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L);
    curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L);
    curl_easy_setopt(e, CURLOPT_SSL_SESSIONID_CACHE, 0L);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(probe.timeout_ms));
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, spec->follow_redirects ? 1L : 0L);
    curl_easy_setopt(e, CURLOPT_MAXREDIRS, 10L);
    curl_easy_setopt(e, CURLOPT_USERAGENT, options_.user_agent.c_str());
    curl_easy_setopt(e, CURLOPT_IPRESOLVE, spec->ip_version == catalogue::IpVersion::v4   ? CURL_IPRESOLVE_V4
                                           : spec->ip_version == catalogue::IpVersion::v6 ? CURL_IPRESOLVE_V6
                                                                                          : CURL_IPRESOLVE_WHATEVER);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, spec->tls_verify ? 1L : 0L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, spec->tls_verify ? 2L : 0L);
    if (spec->tls_ca_file) curl_easy_setopt(e, CURLOPT_CAINFO, spec->tls_ca_file->c_str());
    // Trust comes from one CA file only (the probe's, else curl's default bundle), never from a CA
    // folder: Debian's libcurl also searches /etc/ssl/certs by default, which would add the system's
    // CAs to a probe's own `ca_file`, and a CA folder disables the CA store cache below (the footprint
    // benchmark showed every HTTPS run parsing the whole bundle again: a third of the agent's CPU).
    curl_easy_setopt(e, CURLOPT_CAPATH, nullptr);
    // The parsed CA store is kept by the multi handle and shared by every transfer (curl >= 7.87);
    // curl 7.88 still builds an SSL_CTX per connection, which no option lets us share.
    curl_easy_setopt(e, CURLOPT_CA_CACHE_TIMEOUT, 3600L);
    if (connect_to) curl_easy_setopt(e, CURLOPT_CONNECT_TO, connect_to.get());
    for (const auto& [name, value] : spec->headers) {
      const std::string line = name + ": " + value;
      headers.reset(curl_slist_append(headers.release(), line.c_str()));
    }
    if (headers) curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers.get());
    if (spec->method == "HEAD") curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
    else if (spec->method != "GET" || spec->body) curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, spec->method.c_str());
    if (spec->body) {
      curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(spec->body->size()));
      curl_easy_setopt(e, CURLOPT_COPYPOSTFIELDS, spec->body->c_str());
      curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, spec->method.c_str());
    }
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &got);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, &got);

    // curl enforces the timeout itself (with a message naming the phase); the Asio deadline is a
    // backstop a little later.
    asio::steady_timer deadline(executor_, std::chrono::milliseconds(probe.timeout_ms + 250));
    // (as_tuple: the timer that loses the race completes with operation_aborted as a value; with plain
    // use_awaitable that would be an exception thrown and caught on every run.)
    auto done = co_await (multi_.perform(e) || deadline.async_wait(asio::as_tuple(asio::use_awaitable)));
    CURLcode rc = done.index() == 0 ? std::get<0>(done) : CURLE_OPERATION_TIMEDOUT;

    curl_off_t dns = 0, connect = 0, app = 0, first = 0, total = 0;
    curl_easy_getinfo(e, CURLINFO_NAMELOOKUP_TIME_T, &dns);
    curl_easy_getinfo(e, CURLINFO_CONNECT_TIME_T, &connect);
    curl_easy_getinfo(e, CURLINFO_APPCONNECT_TIME_T, &app);
    curl_easy_getinfo(e, CURLINFO_STARTTRANSFER_TIME_T, &first);
    curl_easy_getinfo(e, CURLINFO_TOTAL_TIME_T, &total);
    long status = 0;
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);

    out.latency_ms = ms(total);
    if (dns > 0) out.metrics.push_back({std::string(catalogue::measure::dns_ms), ms(dns)});
    if (connect > 0) out.metrics.push_back({std::string(catalogue::measure::connect_ms), ms(connect - dns)});
    if (app > 0) out.metrics.push_back({std::string(catalogue::measure::tls_ms), ms(app - connect)});
    if (first > 0) {
      out.metrics.push_back({std::string(catalogue::measure::ttfb_ms), ms(first)});
      if (rc == CURLE_OK) out.metrics.push_back({std::string(catalogue::measure::transfer_ms), ms(total - first)});
    }
    if (status > 0) out.metrics.push_back({std::string(catalogue::measure::http_status), static_cast<double>(status)});
    if (got.cert_days_left) out.metrics.push_back({std::string(catalogue::measure::cert_days_left), *got.cert_days_left});

    if (rc != CURLE_OK) {
      out.error = classify_curl(rc);
      // curl says "unsupported protocol" both for HTTP/0.9 bytes and for a redirect to another
      // scheme (file://...): a 3xx status tells the redirect apart.
      if (rc == CURLE_UNSUPPORTED_PROTOCOL && status >= 300 && status < 400) out.error = ProbeError::bad_redirect;
      if (rc == CURLE_OPERATION_TIMEDOUT) {
        const char* phase = dns == 0 && connect == 0 ? "resolving the name"
                            : connect == 0           ? "connecting"
                            : app == 0 && url.rfind("https:", 0) == 0 ? "in the TLS handshake"
                            : first == 0                              ? "waiting for the response"
                                                                      : "reading the body";
        out.message = "timeout after " + std::to_string(probe.timeout_ms) + " ms " + phase;
      } else {
        out.message = errbuf[0] ? errbuf : curl_easy_strerror(rc);
        if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT)
          out.message = "TLS verification failed: " + out.message;
        else if (out.error == ProbeError::bad_redirect && rc == CURLE_UNSUPPORTED_PROTOCOL)
          out.message = "redirect the probe cannot follow (status " + std::to_string(status) + "): " + out.message;
        else if (out.error == ProbeError::bad_reply)
          out.message = "not an HTTP answer: " + out.message;
      }
      co_return out;
    }

    // Expectations, in the order the spec lists them.
    const bool status_ok = std::any_of(spec->expect_status.begin(), spec->expect_status.end(),
                                       [status](const auto& r) { return status >= r.lo && status <= r.hi; });
    if (!status_ok) {
      out.error = ProbeError::expectation_failed;
      out.message = "status " + std::to_string(status) + " not in " + range_list(spec->expect_status);
      co_return out;
    }
    const std::string truncated =
        got.body_bytes > got.body.size() ? " (first " + std::to_string(got.body.size()) + " bytes)" : "";
    if (spec->body_contains && got.body.find(*spec->body_contains) == std::string::npos) {
      out.error = ProbeError::expectation_failed;
      out.message = "body does not contain \"" + *spec->body_contains + "\"" + truncated;
    } else if (spec->body_not_contains && got.body.find(*spec->body_not_contains) != std::string::npos) {
      out.error = ProbeError::expectation_failed;
      out.message = "body contains \"" + *spec->body_not_contains + "\"";
    } else if (spec->body_regex) {
      const RE2& re = regex(*spec->body_regex);
      if (!re.ok()) {
        out.error = ProbeError::agent_config;
        out.message = "invalid body_regex: " + re.error();
      } else if (!RE2::PartialMatch(got.body, re)) {
        out.error = ProbeError::expectation_failed;
        out.message = "body does not match /" + *spec->body_regex + "/" + truncated;
      }
    }
    co_return out;
  }

  // Compiled once per pattern and kept for later runs.
  const RE2& regex(const std::string& pattern) {
    auto& slot = regexes_[pattern];
    if (!slot) slot = std::make_unique<RE2>(pattern, RE2::Quiet);
    return *slot;
  }

  asio::any_io_executor executor_;
  CurlMulti multi_;
  HttpRunnerOptions options_;
  std::shared_ptr<spdlog::logger> logger_;
  std::unordered_map<std::string, std::unique_ptr<RE2>> regexes_;
};

}  // namespace

bool curl_has_async_dns() {
  const curl_version_info_data* v = curl_version_info(CURLVERSION_NOW);
  return v && (v->features & CURL_VERSION_ASYNCHDNS);
}

std::unique_ptr<HttpRunner> make_http_runner(asio::any_io_executor executor, HttpRunnerOptions options,
                                             std::shared_ptr<spdlog::logger> logger) {
  return std::make_unique<HttpRunnerImpl>(std::move(executor), std::move(options), std::move(logger));
}

}  // namespace slamon::probes
