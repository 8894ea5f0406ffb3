// CurlMulti: curl's socket and timer callbacks mapped onto Asio.
//
// Lifetime rules: the State is shared by the CurlMulti and every running perform(); the socket and
// timer handlers hold it weakly and re-check their Watch/timer generation, so a handler that runs
// after its socket was removed (or the multi destroyed) does nothing. Asio registers descriptors
// edge-triggered and does not complete wait operations speculatively, so after every curl action
// each socket that curl still wants is polled once (zero timeout) before its wait is re-armed: data
// curl left unread would otherwise never wake us again.
#include "probes/curl_multi.h"

#include <poll.h>

#include <boost/asio/post.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <unordered_map>
#include <vector>

namespace slamon::probes {
namespace asio = boost::asio;

namespace {

// One socket curl asked us to watch. Never owns the descriptor.
struct Watch {
  Watch(const asio::any_io_executor& ex, curl_socket_t fd) : sd(ex, fd), fd(fd) {}
  asio::posix::stream_descriptor sd;
  curl_socket_t fd;
  int what = 0;              // CURL_POLL_IN / OUT / INOUT
  bool read_armed = false;   // an async_wait(read) is outstanding
  bool write_armed = false;  // an async_wait(write) is outstanding
  bool removed = false;
};

// One transfer waiting in perform().
struct Transfer {
  explicit Transfer(const asio::any_io_executor& ex) : signal(ex) {}
  asio::steady_timer signal;  // cancelled when curl reports the transfer done
  bool done = false;
  CURLcode result = CURLE_OK;
};

}  // namespace

struct CurlMulti::State : std::enable_shared_from_this<CurlMulti::State> {
  explicit State(asio::any_io_executor ex) : executor(std::move(ex)), timer(executor) {}
  // The last perform() or the CurlMulti lets go: detach our callbacks, give the sockets back.
  ~State() {
    curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, nullptr);
    curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, nullptr);
    for (auto& [fd, w] : watches) {
      w->removed = true;
      (void)w->sd.release();
    }
    curl_multi_cleanup(multi);
    curl_global_cleanup();
  }

  asio::any_io_executor executor;
  CURLM* multi = nullptr;
  asio::steady_timer timer;
  std::uint64_t timer_generation = 0;
  std::unordered_map<curl_socket_t, std::shared_ptr<Watch>> watches;
  std::vector<std::shared_ptr<Watch>> dirty;  // watches whose interest changed during an action
  std::size_t in_flight = 0;

  // curl callbacks ------------------------------------------------------------------------------
  static int on_socket(CURL*, curl_socket_t fd, int what, void* userp, void*) {
    auto* self = static_cast<State*>(userp);
    if (what == CURL_POLL_REMOVE) {
      if (auto it = self->watches.find(fd); it != self->watches.end()) {
        it->second->removed = true;
        // Cancels the outstanding waits (their handlers see `removed`); curl keeps the descriptor.
        (void)it->second->sd.release();
        self->watches.erase(it);
      }
      return 0;
    }
    auto& w = self->watches[fd];
    if (!w) w = std::make_shared<Watch>(self->executor, fd);  // also sockets curl opened itself
    w->what = what;
    self->dirty.push_back(w);
    return 0;
  }

  static int on_timer(CURLM*, long timeout_ms, void* userp) {
    auto* self = static_cast<State*>(userp);
    const auto generation = ++self->timer_generation;
    if (timeout_ms < 0) {
      self->timer.cancel();
      return 0;
    }
    self->timer.expires_after(std::chrono::milliseconds(timeout_ms));
    self->timer.async_wait([weak = self->weak_from_this(), generation](boost::system::error_code ec) {
      auto st = weak.lock();
      if (!st || ec || generation != st->timer_generation) return;
      st->action(CURL_SOCKET_TIMEOUT, 0);
    });
    return 0;
  }

  // Driving curl ----------------------------------------------------------------------------------
  void action(curl_socket_t fd, int ev_bitmask) {
    int running = 0;
    curl_multi_socket_action(multi, fd, ev_bitmask, &running);
    collect_done();
    settle();
  }

  void collect_done() {
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi, &left)) {
      if (msg->msg != CURLMSG_DONE) continue;
      CURL* easy = msg->easy_handle;
      const CURLcode result = msg->data.result;
      char* priv = nullptr;
      curl_easy_getinfo(easy, CURLINFO_PRIVATE, &priv);
      curl_multi_remove_handle(multi, easy);  // may call on_socket(REMOVE); msg is invalid now
      if (in_flight > 0) --in_flight;
      if (auto* t = reinterpret_cast<Transfer*>(priv)) {
        t->done = true;
        t->result = result;
        t->signal.cancel();
      }
    }
  }

  // Re-arms (or re-runs, when already ready) every watch whose interest may have changed.
  void settle() {
    auto pending = std::move(dirty);
    dirty.clear();
    for (auto& w : pending) {
      if (w->removed) continue;
      short want = 0;
      if (w->what & CURL_POLL_IN) want |= POLLIN;
      if (w->what & CURL_POLL_OUT) want |= POLLOUT;
      if (want == 0) continue;
      pollfd p{w->fd, want, 0};
      if (::poll(&p, 1, 0) > 0 && (p.revents & (want | POLLERR | POLLHUP))) {
        int mask = 0;
        if (p.revents & (POLLIN | POLLHUP)) mask |= CURL_CSELECT_IN;
        if (p.revents & POLLOUT) mask |= CURL_CSELECT_OUT;
        if (p.revents & POLLERR) mask |= CURL_CSELECT_ERR;
        asio::post(executor, [weak = weak_from_this(), w, mask] {
          auto st = weak.lock();
          if (!st || w->removed) return;
          st->dirty.push_back(w);
          st->action(w->fd, mask);
        });
        continue;
      }
      arm(w);
    }
  }

  void arm(const std::shared_ptr<Watch>& w) {
    if ((w->what & CURL_POLL_IN) && !w->read_armed) {
      w->read_armed = true;
      w->sd.async_wait(asio::posix::stream_descriptor::wait_read,
                       [weak = weak_from_this(), w](boost::system::error_code ec) {
                         w->read_armed = false;
                         auto st = weak.lock();
                         if (!st || ec || w->removed) return;
                         st->dirty.push_back(w);
                         st->action(w->fd, CURL_CSELECT_IN);
                       });
    }
    if ((w->what & CURL_POLL_OUT) && !w->write_armed) {
      w->write_armed = true;
      w->sd.async_wait(asio::posix::stream_descriptor::wait_write,
                       [weak = weak_from_this(), w](boost::system::error_code ec) {
                         w->write_armed = false;
                         auto st = weak.lock();
                         if (!st || ec || w->removed) return;
                         st->dirty.push_back(w);
                         st->action(w->fd, CURL_CSELECT_OUT);
                       });
    }
  }
};

CurlMulti::CurlMulti(asio::any_io_executor executor) : state_(std::make_shared<State>(std::move(executor))) {
  curl_global_init(CURL_GLOBAL_DEFAULT);  // reference counted and thread-safe in curl >= 7.84
  state_->multi = curl_multi_init();
  curl_multi_setopt(state_->multi, CURLMOPT_SOCKETFUNCTION, &State::on_socket);
  curl_multi_setopt(state_->multi, CURLMOPT_SOCKETDATA, state_.get());
  curl_multi_setopt(state_->multi, CURLMOPT_TIMERFUNCTION, &State::on_timer);
  curl_multi_setopt(state_->multi, CURLMOPT_TIMERDATA, state_.get());
}

CurlMulti::~CurlMulti() {
  // Running perform()s keep the State alive; the multi handle goes with the last of them.
  state_->timer.cancel();
}

std::size_t CurlMulti::in_flight() const { return state_->in_flight; }

asio::awaitable<CURLcode> CurlMulti::perform(CURL* easy) {
  auto st = state_;
  Transfer t(st->executor);
  curl_easy_setopt(easy, CURLOPT_PRIVATE, reinterpret_cast<char*>(&t));
  if (curl_multi_add_handle(st->multi, easy) != CURLM_OK) co_return CURLE_FAILED_INIT;
  ++st->in_flight;
  st->settle();
  t.signal.expires_at(asio::steady_timer::time_point::max());
  boost::system::error_code ec;
  co_await t.signal.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  if (!t.done) {  // cancelled from outside (deadline, shutdown): take the transfer back from curl
    curl_multi_remove_handle(st->multi, easy);
    if (st->in_flight > 0) --st->in_flight;
    st->settle();
    co_return CURLE_ABORTED_BY_CALLBACK;
  }
  co_return t.result;
}

}  // namespace slamon::probes
