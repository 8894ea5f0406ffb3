// libcurl's multi-socket API driven by an Asio executor: curl tells us which sockets to watch and
// when its timer is due; we watch each socket through a non-owning posix::stream_descriptor
// (re-armed after every event, released — never closed — when curl removes it) and keep curl's
// timer on a steady_timer. One CurlMulti per event loop; every call happens on that loop's thread.
#pragma once

#include <curl/curl.h>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <cstddef>
#include <memory>

namespace slamon::probes {

class CurlMulti {
 public:
  explicit CurlMulti(boost::asio::any_io_executor executor);
  ~CurlMulti();
  CurlMulti(const CurlMulti&) = delete;
  CurlMulti& operator=(const CurlMulti&) = delete;

  // Runs one transfer to completion and returns curl's result code. The easy handle stays owned
  // by the caller and is detached from the multi handle before this returns, also when the
  // awaiting coroutine is cancelled (then CURLE_ABORTED_BY_CALLBACK is returned).
  boost::asio::awaitable<CURLcode> perform(CURL* easy);

  // Transfers handed to curl and not yet finished (admission control for the scheduler).
  std::size_t in_flight() const;

  struct State;  // shared with the socket and timer handlers (which hold it weakly)

 private:
  std::shared_ptr<State> state_;
};

}  // namespace slamon::probes
