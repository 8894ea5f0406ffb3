// The HTTP listener (see http_server.h): an acceptor coroutine and one coroutine per connection, as
// in Beast's examples. Each connection reads a request with Beast's parser (header and body limits),
// the whole request within request_timeout_ms, hands it to the handler and writes the response;
// keep-alive until the client closes, asks to close, or times out. A request the parser refuses gets
// a JSON 4xx and the connection is closed.
#include "collector/http_server.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <optional>
#include <unordered_map>

#include "collector/tcp_listen.h"

namespace slamon::collector {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);


// What a refused request hears, by the parser's error; 0: nothing (the peer left or timed out).
int status_for(const boost::system::error_code& ec) {
  if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec == asio::error::eof ||
      ec == asio::error::connection_reset || ec == asio::error::operation_aborted || ec == http::error::partial_message ||
      ec == asio::ssl::error::stream_truncated)
    return 0;
  if (ec == http::error::header_limit) return 431;
  if (ec == http::error::body_limit) return 413;
  if (ec.category() == http::make_error_code(http::error::bad_target).category()) return 400;
  return 0;
}

std::string reason_for(int status) {
  switch (status) {
    case 431: return "the request's header is larger than the limit";
    case 413: return "the request's body is larger than the limit";
    default: return "the request is not valid HTTP/1.1";
  }
}

}  // namespace

struct Connection;

struct HttpServer::Impl : std::enable_shared_from_this<HttpServer::Impl> {
  Impl(asio::io_context& io, HttpOptions options, Handler handler, StoreRunner run_store, api::HttpCounters& counters,
       std::shared_ptr<spdlog::logger> log)
      : io(io), options(std::move(options)), handler(std::move(handler)), run_store(std::move(run_store)),
        counters(counters), log(std::move(log)), tls(asio::ssl::context::tls_server), acceptor(io) {}

  asio::io_context& io;
  HttpOptions options;
  Handler handler;
  StoreRunner run_store;
  api::HttpCounters& counters;
  std::shared_ptr<spdlog::logger> log;
  asio::ssl::context tls;
  tcp::acceptor acceptor;
  std::unordered_map<Connection*, std::weak_ptr<Connection>> connections;
  bool stopping = false;

  void setup_tls();
  asio::awaitable<void> accept_loop();
  asio::awaitable<http::response<http::string_body>> respond(const http::request<http::string_body>& req,
                                                             const std::string& peer);
  asio::awaitable<api::Response> run_job(api::StoreJob job, bool writes, std::string what);
  http::response<http::string_body> refusal(int status, unsigned version);
};

struct Connection : std::enable_shared_from_this<Connection> {
  Connection(HttpServer::Impl& srv, tcp::socket socket, std::string peer)
      : srv(srv), tcp_stream(std::move(socket)), peer(std::move(peer)) {}
  HttpServer::Impl& srv;
  beast::tcp_stream tcp_stream;
  std::string peer;

  void close() {
    boost::system::error_code ignored;
    tcp_stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    tcp_stream.socket().close(ignored);
  }
  asio::awaitable<void> run();
  template <class Stream>
  asio::awaitable<void> serve(Stream& stream);
};

http::response<http::string_body> HttpServer::Impl::refusal(int status, unsigned version) {
  const auto r = api::json_error(status, reason_for(status));
  http::response<http::string_body> res{static_cast<http::status>(status), version};
  res.set(http::field::server, "slamon-collector");
  res.set(http::field::content_type, r.content_type);
  res.keep_alive(false);
  res.body() = r.body;
  res.prepare_payload();
  return res;
}

// The job on the store worker; its response (a 500 when it throws) comes back on the io thread, which
// cancels the timer the connection's coroutine waits on. (A plain timer, not async_initiate with a
// lambda: g++ 12 destroys some temporaries of a co_await expression twice.)
asio::awaitable<api::Response> HttpServer::Impl::run_job(api::StoreJob job, bool writes, std::string what) {
  struct Pending {
    explicit Pending(asio::io_context& io) : done(io, asio::steady_timer::time_point::max()) {}
    asio::steady_timer done;
    std::optional<api::Response> response;
  };
  auto pending = std::make_shared<Pending>(io);
  std::function<void(api::StoreContext&)> task = [pending, job = std::move(job), what = std::move(what), log = log,
                                                  &io = io](api::StoreContext& c) {
    api::Response out;
    try {
      out = job(c);
    } catch (const std::exception& e) {
      log->error("{}: the handler failed: {}", what, e.what());
      out = api::json_error(500, "internal error (logged by the collector)");
    }
    asio::post(io, [pending, out = std::move(out)]() mutable {
      pending->response = std::move(out);
      pending->done.cancel();
    });
  };
  run_store(std::move(task), writes);
  while (!pending->response) {
    auto [ec] = co_await pending->done.async_wait(kTuple);
    (void)ec;
  }
  co_return std::move(*pending->response);
}

asio::awaitable<http::response<http::string_body>> HttpServer::Impl::respond(
    const http::request<http::string_body>& req, const std::string& peer) {
  api::Request in;
  in.method = std::string(req.method_string());
  in.target = std::string(req.target());
  if (auto it = req.find(http::field::authorization); it != req.end()) in.authorization = std::string(it->value());
  if (auto it = req.find(http::field::accept_encoding); it != req.end()) in.accept_encoding = std::string(it->value());
  in.body = req.body();
  api::Response out;
  api::Routed routed;
  bool failed = false;
  try {
    routed = handler(in);
  } catch (const std::exception& e) {
    // A handler's bug must not take the collector down: the client gets a 500, the log the reason.
    log->error("{}: {} {}: the handler failed: {}", peer, in.method, in.target.substr(0, 200), e.what());
    out = api::json_error(500, "internal error (logged by the collector)");
    failed = true;
  }
  if (!failed) {
    if (routed.background && run_store) run_store(std::move(routed.background), false);
    if (!routed.job) {
      out = std::move(routed.response);
    } else if (!run_store) {
      out = api::json_error(503, "the store is not available");
    } else {
      // Named, not temporaries, in the co_await expression (see run_job).
      std::string what = peer + ": " + in.method + " " + in.target.substr(0, 200);
      api::StoreJob job = std::move(routed.job);
      out = co_await run_job(std::move(job), routed.writes, std::move(what));
    }
  }
  http::response<http::string_body> res{static_cast<http::status>(out.status), req.version()};
  res.set(http::field::server, "slamon-collector");
  res.set(http::field::content_type, out.content_type);
  res.set("X-Content-Type-Options", "nosniff");
  res.set("Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:");
  for (const auto& [k, v] : out.headers) res.set(k, v);
  res.keep_alive(req.keep_alive());
  const auto size = out.body.size();
  if (req.method() == http::verb::head) {
    res.content_length(size);
  } else {
    res.body() = std::move(out.body);
    res.prepare_payload();
  }
  co_return res;
}

template <class Stream>
asio::awaitable<void> Connection::serve(Stream& stream) {
  const auto& o = srv.options;
  beast::flat_buffer buffer;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(o.max_header_bytes));
    parser.body_limit(o.max_body_bytes);
    tcp_stream.expires_after(std::chrono::milliseconds(o.request_timeout_ms));
    auto [ec, n] = co_await http::async_read(stream, buffer, parser, kTuple);
    if (ec) {
      const int status = status_for(ec);
      if (ec == beast::error::timeout && parser.got_some())
        srv.log->info("{}: closed: no whole request within {}", peer, format_duration(o.request_timeout_ms));
      if (status == 0) co_return;
      ++srv.counters.bad_requests;
      ++srv.counters.responses[status];
      srv.log->info("{}: refused ({}): {}: {}", peer, status, reason_for(status), ec.message());
      auto res = srv.refusal(status, 11);
      tcp_stream.expires_after(std::chrono::milliseconds(o.request_timeout_ms));
      co_await http::async_write(stream, res, kTuple);
      co_return;
    }
    auto req = parser.release();
    auto res = co_await srv.respond(req, peer);
    if (srv.stopping) res.keep_alive(false);
    ++srv.counters.responses[res.result_int()];
    if (res.result_int() >= 400 && res.result_int() != 404)
      srv.log->debug("{}: {} {} -> {}", peer, std::string(req.method_string()), std::string(req.target()).substr(0, 200),
                     res.result_int());
    const bool keep = res.keep_alive();
    tcp_stream.expires_after(std::chrono::milliseconds(o.request_timeout_ms));
    auto [wec, wn] = co_await http::async_write(stream, res, kTuple);
    if (wec || !keep) co_return;
  }
}

asio::awaitable<void> Connection::run() {
  if (!srv.options.tls) {
    co_await serve(tcp_stream);
    boost::system::error_code ignored;
    tcp_stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    co_return;
  }
  beast::ssl_stream<beast::tcp_stream&> stream(tcp_stream, srv.tls);
  tcp_stream.expires_after(std::chrono::milliseconds(srv.options.request_timeout_ms));
  auto [ec] = co_await stream.async_handshake(asio::ssl::stream_base::server, kTuple);
  if (ec) {
    srv.log->info("{}: TLS handshake failed: {}", peer, ec.message());
    co_return;
  }
  co_await serve(stream);
  tcp_stream.expires_after(std::chrono::seconds(1));
  co_await stream.async_shutdown(kTuple);
}

void HttpServer::Impl::setup_tls() {
  SSL_CTX_set_min_proto_version(tls.native_handle(), TLS1_2_VERSION);
  tls.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_compression);
  const auto& t = *options.tls;
  boost::system::error_code ec;
  tls.use_certificate_chain_file(t.cert_file, ec);
  if (ec) throw std::runtime_error("cannot use http.tls.cert_file " + t.cert_file + ": " + ec.message());
  tls.use_private_key_file(t.key_file, asio::ssl::context::pem, ec);
  if (ec) throw std::runtime_error("cannot use http.tls.key_file " + t.key_file + ": " + ec.message());
  if (SSL_CTX_check_private_key(tls.native_handle()) != 1)
    throw std::runtime_error("http.tls.key_file " + t.key_file + " does not match http.tls.cert_file " + t.cert_file);
}

asio::awaitable<void> HttpServer::Impl::accept_loop() {
  auto self = shared_from_this();
  asio::steady_timer pause(io);
  while (!stopping) {
    auto [ec, socket] = co_await acceptor.async_accept(kTuple);
    if (stopping || ec == asio::error::operation_aborted) break;
    if (ec) {
      log->warn("accept failed: {}; retrying in 100 ms", ec.message());
      pause.expires_after(std::chrono::milliseconds(100));
      co_await pause.async_wait(kTuple);
      continue;
    }
    boost::system::error_code ignored;
    const auto ep = socket.remote_endpoint(ignored);
    const std::string peer = ignored ? std::string("?") : endpoint_text(ep);
    ++counters.connections;
    if (connections.size() >= options.max_connections) {
      log->warn("{}: closed at once: {} HTTP connections are open (the limit)", peer, connections.size());
      socket.close(ignored);
      continue;
    }
    auto c = std::make_shared<Connection>(*this, std::move(socket), peer);
    connections.emplace(c.get(), c);
    asio::co_spawn(io, [c]() -> asio::awaitable<void> { co_await c->run(); },
                   [self, c](std::exception_ptr e) {
                     if (e) {
                       try {
                         std::rethrow_exception(e);
                       } catch (const std::exception& x) {
                         self->log->error("{}: connection ended by an error: {}", c->peer, x.what());
                       }
                     }
                     self->connections.erase(c.get());
                   });
  }
}

HttpServer::HttpServer(asio::io_context& io, HttpOptions options, Handler handler, StoreRunner run_store,
                       api::HttpCounters& counters, std::shared_ptr<spdlog::logger> log)
    : impl_(std::make_shared<Impl>(io, std::move(options), std::move(handler), std::move(run_store), counters,
                                   std::move(log))) {
  if (impl_->options.tls) impl_->setup_tls();
}

HttpServer::~HttpServer() { shutdown(); }

std::string HttpServer::listen() {
  auto& acc = impl_->acceptor;
  const auto& host = impl_->options.listen_host;
  const auto port = static_cast<unsigned short>(impl_->options.listen_port);
  open_listener(impl_->io, acc, host, port);
  asio::co_spawn(impl_->io, impl_->accept_loop(), asio::detached);
  return endpoint_text(acc.local_endpoint());
}

void HttpServer::shutdown() {
  auto& i = *impl_;
  if (i.stopping) return;
  i.stopping = true;
  boost::system::error_code ignored;
  i.acceptor.close(ignored);
  std::vector<std::shared_ptr<Connection>> live;
  for (auto& [_, w] : i.connections)
    if (auto c = w.lock()) live.push_back(std::move(c));
  for (auto& c : live) c->close();
}

}  // namespace slamon::collector
