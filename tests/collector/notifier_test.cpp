// Tests for collector/notifier.h: one delivery attempt's outcome without a peer that answers (the
// real peers, a webhook receiver and an SMTP relay, are in tests/http/notifications_test.sh).
#include "collector/notifier.h"

#include <doctest/doctest.h>

#include <sys/socket.h>
#include <netinet/in.h>
#include <unistd.h>

using namespace slamon;
using namespace slamon::collector;

namespace {

// A loopback port nothing listens on (bound, then closed).
int closed_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  socklen_t n = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &n);
  ::close(fd);
  return ntohs(a.sin_port);
}

store::Delivery row(const std::string& target) {
  store::Delivery d;
  d.id = 1;
  d.dedup_key = "outage:shop:outage_opened:2026-11-02T08:03:00Z";
  d.target = target;
  d.kind = "outage_opened";
  d.subject = "shop";
  d.payload = R"({"kind":"outage_opened"})";
  return d;
}

}  // namespace

TEST_CASE("deliver_once: a refused webhook fails naming the peer without its credentials; unknown targets fail") {
  catalogue::Notifications config;
  catalogue::Webhook hook;
  hook.id = "ops";
  hook.url = "http://user:hunter2@127.0.0.1:" + std::to_string(closed_port()) + "/hook";
  hook.token = catalogue::Secret("token-secret", "");
  config.webhooks.push_back(hook);
  NotifierOptions options;
  options.timeout_ms = 2'000;
  options.connect_timeout_ms = 1'000;
  const auto out = deliver_once(row("webhook:ops"), config, options);
  CHECK_FALSE(out.delivered);
  CHECK_FALSE(out.error.empty());
  CHECK(out.peer.find("hunter2") == std::string::npos);
  CHECK(out.peer.find("127.0.0.1") != std::string::npos);
  CHECK(out.error.find("token-secret") == std::string::npos);

  const auto gone = deliver_once(row("webhook:dev"), config, options);
  CHECK_FALSE(gone.delivered);
  CHECK(gone.error == "webhook 'dev' is not in the running catalogue");
  const auto no_smtp = deliver_once(row("email:a@example.com"), config, options);
  CHECK_FALSE(no_smtp.delivered);
  CHECK(no_smtp.error == "the running catalogue has no smtp relay");
}

TEST_CASE("deliver_once: an SMTP relay that refuses the connection fails the attempt, naming the relay") {
  catalogue::Notifications config;
  catalogue::SmtpRelay smtp;
  smtp.server = "127.0.0.1:" + std::to_string(closed_port());
  smtp.from = "slamon@example.com";
  smtp.user = "slamon";
  smtp.password = catalogue::Secret("smtp-secret", "");
  config.smtp = smtp;
  NotifierOptions options;
  options.timeout_ms = 2'000;
  options.connect_timeout_ms = 1'000;
  const auto out = deliver_once(row("email:oncall@example.com"), config, options);
  CHECK_FALSE(out.delivered);
  CHECK(out.peer == "smtp://" + smtp.server);
  CHECK(out.error.find("smtp-secret") == std::string::npos);
}
