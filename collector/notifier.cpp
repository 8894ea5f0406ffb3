// The delivery thread (see notifier.h): webhooks and e-mail through libcurl.
#include "collector/notifier.h"

#include <curl/curl.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <ctime>

#include "collector/store/store.h"
#include "common/url.h"

namespace slamon::collector {
namespace {

// Curl's handle and header list, freed on every path.
struct Easy {
  CURL* h = curl_easy_init();
  curl_slist* headers = nullptr;
  curl_slist* rcpt = nullptr;
  char error[CURL_ERROR_SIZE] = {};
  Easy() {
    if (h != nullptr) curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error);
  }
  ~Easy() {
    curl_slist_free_all(headers);
    curl_slist_free_all(rcpt);
    if (h != nullptr) curl_easy_cleanup(h);
  }
  Easy(const Easy&) = delete;
  Easy& operator=(const Easy&) = delete;
  std::string why(CURLcode rc) const { return error[0] != 0 ? std::string(error) : curl_easy_strerror(rc); }
};

std::size_t discard(char*, std::size_t size, std::size_t n, void*) { return size * n; }

struct Upload {
  std::string data;
  std::size_t at = 0;
};

std::size_t read_upload(char* buf, std::size_t size, std::size_t n, void* user) {
  auto* u = static_cast<Upload*>(user);
  const std::size_t k = std::min(size * n, u->data.size() - u->at);
  std::memcpy(buf, u->data.data() + u->at, k);
  u->at += k;
  return k;
}

// A header value without line breaks (ids never hold one; said for the catalogue's future).
std::string one_line(std::string s) {
  std::replace_if(s.begin(), s.end(), [](char c) { return c == '\r' || c == '\n'; }, ' ');
  return s;
}

void common_options(Easy& e, const NotifierOptions& o) {
  curl_easy_setopt(e.h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e.h, CURLOPT_TIMEOUT_MS, static_cast<long>(o.timeout_ms));
  curl_easy_setopt(e.h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(o.connect_timeout_ms));
  curl_easy_setopt(e.h, CURLOPT_WRITEFUNCTION, discard);
}

AttemptOutcome post_webhook(const store::Delivery& row, const catalogue::Webhook& hook, const NotifierOptions& o) {
  AttemptOutcome out;
  out.peer = mask_url_credentials(hook.url);
  Easy e;
  if (e.h == nullptr) {
    out.error = "cannot create a libcurl handle";
    return out;
  }
  common_options(e, o);
  curl_easy_setopt(e.h, CURLOPT_URL, hook.url.c_str());
  curl_easy_setopt(e.h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e.h, CURLOPT_FOLLOWLOCATION, 0L);
  if (!hook.ca_file.empty()) curl_easy_setopt(e.h, CURLOPT_CAINFO, hook.ca_file.c_str());
  e.headers = curl_slist_append(e.headers, "Content-Type: application/json");
  e.headers = curl_slist_append(e.headers, ("Idempotency-Key: " + one_line(row.dedup_key)).c_str());
  if (!hook.token.empty())
    e.headers = curl_slist_append(e.headers, ("Authorization: Bearer " + one_line(hook.token.value())).c_str());
  e.headers = curl_slist_append(e.headers, "Expect:");
  curl_easy_setopt(e.h, CURLOPT_HTTPHEADER, e.headers);
  curl_easy_setopt(e.h, CURLOPT_POSTFIELDS, row.payload.c_str());
  curl_easy_setopt(e.h, CURLOPT_POSTFIELDSIZE, static_cast<long>(row.payload.size()));
  const CURLcode rc = curl_easy_perform(e.h);
  if (rc != CURLE_OK) {
    out.error = e.why(rc);
    return out;
  }
  long status = 0;
  curl_easy_getinfo(e.h, CURLINFO_RESPONSE_CODE, &status);
  if (status >= 200 && status < 300) out.delivered = true;
  else out.error = "HTTP " + std::to_string(status);
  return out;
}

std::string mail_date(TimeMs now) {
  const std::time_t t = static_cast<std::time_t>(now / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return buf;
}

std::string kind_words(std::string kind) {
  std::replace(kind.begin(), kind.end(), '_', ' ');
  return kind;
}

AttemptOutcome send_mail(const store::Delivery& row, const std::string& to, const catalogue::SmtpRelay& smtp,
                         const NotifierOptions& o) {
  AttemptOutcome out;
  out.peer = "smtp://" + smtp.server;
  Easy e;
  if (e.h == nullptr) {
    out.error = "cannot create a libcurl handle";
    return out;
  }
  common_options(e, o);
  const std::string url = "smtp://" + smtp.server;
  curl_easy_setopt(e.h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(e.h, CURLOPT_PROTOCOLS_STR, "smtp");
  if (smtp.starttls) curl_easy_setopt(e.h, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
  if (!smtp.ca_file.empty()) curl_easy_setopt(e.h, CURLOPT_CAINFO, smtp.ca_file.c_str());
  if (!smtp.user.empty()) {
    curl_easy_setopt(e.h, CURLOPT_USERNAME, smtp.user.c_str());
    curl_easy_setopt(e.h, CURLOPT_PASSWORD, smtp.password.value().c_str());
  }
  const std::string from = "<" + smtp.from + ">";
  curl_easy_setopt(e.h, CURLOPT_MAIL_FROM, from.c_str());
  e.rcpt = curl_slist_append(e.rcpt, ("<" + to + ">").c_str());
  curl_easy_setopt(e.h, CURLOPT_MAIL_RCPT, e.rcpt);
  const std::string at = format_rfc3339(row.at);
  const std::string about = one_line(row.subject) + (row.sla.empty() ? "" : " (SLA " + one_line(row.sla) + ")");
  Upload body;
  body.data = "Date: " + mail_date(row.created_ms) + "\r\nFrom: " + smtp.from + "\r\nTo: " + to +
              "\r\nSubject: [slamon] " + kind_words(row.kind) + ": " + about + " at " + at +
              "\r\nX-Slamon-Dedup-Key: " + one_line(row.dedup_key) +
              "\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + "slamon: " + kind_words(row.kind) + "\r\n" +
              "subject: " + one_line(row.subject) + "\r\n" + (row.sla.empty() ? "" : "SLA: " + one_line(row.sla) + "\r\n") +
              "since: " + at + "\r\n" + "key: " + one_line(row.dedup_key) + "\r\n" + "notification: " + row.payload + "\r\n";
  curl_easy_setopt(e.h, CURLOPT_READFUNCTION, read_upload);
  curl_easy_setopt(e.h, CURLOPT_READDATA, &body);
  curl_easy_setopt(e.h, CURLOPT_UPLOAD, 1L);
  const CURLcode rc = curl_easy_perform(e.h);
  if (rc != CURLE_OK) out.error = e.why(rc);
  else out.delivered = true;
  return out;
}

}  // namespace

AttemptOutcome deliver_once(const store::Delivery& row, const catalogue::Notifications& config,
                            const NotifierOptions& options) {
  const std::string_view target = row.target;
  if (target.starts_with("webhook:")) {
    const auto id = target.substr(8);
    for (const auto& h : config.webhooks)
      if (h.id == id) return post_webhook(row, h, options);
    return AttemptOutcome{false, std::string(target), "webhook '" + std::string(id) + "' is not in the running catalogue"};
  }
  if (target.starts_with("email:")) {
    if (!config.smtp) return AttemptOutcome{false, std::string(target), "the running catalogue has no smtp relay"};
    return send_mail(row, std::string(target.substr(6)), *config.smtp, options);
  }
  return AttemptOutcome{false, std::string(target), "unknown target"};
}

Notifier::Notifier(store::NotificationStore& store, const Clock& clock, NotifierOptions options,
                   std::shared_ptr<spdlog::logger> log, api::NotificationCounters* counters)
    : store_(store), clock_(clock), options_(options), log_(std::move(log)), counters_(counters) {
  curl_global_init(CURL_GLOBAL_DEFAULT);  // reference counted and thread-safe in curl >= 7.84
}

Notifier::~Notifier() {
  stop();
  curl_global_cleanup();
}

void Notifier::start(std::shared_ptr<const catalogue::Notifications> config) {
  set_config(std::move(config));
  if (!thread_.joinable()) thread_ = std::thread([this] { run(); });
}

void Notifier::set_config(std::shared_ptr<const catalogue::Notifications> config) {
  {
    std::lock_guard lock(mutex_);
    config_ = std::move(config);
    news_ = true;
  }
  wake_.notify_one();
}

void Notifier::notify() {
  {
    std::lock_guard lock(mutex_);
    news_ = true;
  }
  wake_.notify_one();
}

void Notifier::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void Notifier::attempt(const store::Delivery& row, const catalogue::Notifications& config) {
  const auto outcome = deliver_once(row, config, options_);
  const TimeMs now = clock_.now_ms();
  store::DeliveryAttempt a;
  a.id = row.id;
  a.at_ms = now;
  a.error = outcome.error;
  const int attempts = row.attempts + 1;
  if (outcome.delivered) {
    a.state = store::DeliveryState::delivered;
    if (counters_) ++counters_->delivered;
    log_->info("notification {} delivered to {} ({}), attempt {}", row.dedup_key, row.target, outcome.peer, attempts);
  } else if (now - row.created_ms >= options_.give_up_after_ms) {
    a.state = store::DeliveryState::failed;
    if (counters_) ++counters_->failed;
    log_->error("notification {} to {} ({}): {}; attempt {}, given up after {}", row.dedup_key, row.target,
                outcome.peer, outcome.error, attempts, format_duration(now - row.created_ms));
  } else {
    a.state = store::DeliveryState::pending;
    if (counters_) ++counters_->retried;
    a.next_attempt_ms = now + store::retry_delay(attempts, options_.first_retry_ms, options_.max_retry_ms);
    log_->warn("notification {} to {} ({}): {}; attempt {}, next at {}", row.dedup_key, row.target, outcome.peer,
               outcome.error, attempts, format_rfc3339(a.next_attempt_ms));
  }
  store::NotificationWrite w;
  w.attempts.push_back(std::move(a));
  store_.write_notifications(w);
}

void Notifier::run() {
  bool failing = false;
  for (;;) {
    std::shared_ptr<const catalogue::Notifications> config;
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
      news_ = false;
      config = config_;
    }
    DurationMs wait = options_.idle_wake_ms;
    try {
      // One row taken at a time (its lease covers one attempt): a stop or a crash leaves at most
      // the row in flight to wait for its lease.
      std::size_t taken = 0;
      for (; taken < options_.rows_per_wake; ++taken) {
        {
          std::lock_guard lock(mutex_);
          if (stopping_) return;
        }
        const auto due = store_.due_deliveries(clock_.now_ms(), 1);
        if (due.empty()) break;
        attempt(due.front(), *config);
      }
      if (taken >= options_.rows_per_wake) {
        wait = 0;
      } else if (const auto next = store_.next_due()) {
        wait = std::clamp<DurationMs>(*next - clock_.now_ms(), 0, wait);
      }
      if (failing) log_->info("notifications: the store works again");
      failing = false;
    } catch (const store::StoreFailure& e) {
      if (!failing) log_->error("notifications: store failure: {}; trying again every second", e.what());
      failing = true;
      wait = 1'000;
    }
    std::unique_lock lock(mutex_);
    wake_.wait_for(lock, std::chrono::milliseconds(wait), [&] { return news_ || stopping_; });
  }
}

}  // namespace slamon::collector
