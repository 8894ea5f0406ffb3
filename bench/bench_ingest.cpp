// bench_ingest: the load side of the link benchmarks (bench/ingest_bench.sh, bench/connections_bench.sh)
// and the ingest peer. Not a test, never run in CI.
//
//   bench_ingest stream --connect H:P --ca CA --agents FILE [--batch 1000] [--window 4] [--probes 10]
//                       [--warmup 10] [--duration 30]
//       One TLS connection per agent of FILE (lines "NAME TOKEN"), all on one Asio event loop (one
//       thread): Hello, then ResultBatch frames of --batch results, --window in flight, each one sent
//       when an Ack frees a slot. Counts the results acknowledged (Ack.committed_seq) and prints the
//       rate over the steady window (after --warmup seconds, for --duration seconds), with this
//       process's own CPU.
//   bench_ingest hold --connect H:P --ca CA --agents FILE [--heartbeat 5] [--batch-every 10]
//                     [--max-seconds 600]
//       Holds one connection per agent: a heartbeat every 5 s, a small batch (one result per probe of
//       the agent) every 10 s. A lost connection is retried as the real agent does (1 s doubling to
//       60 s, each wait drawn in [d/2, d]). Prints a status line every second:
//         status wall_ms=T connected=C acked=A reacked=R disconnects=D
//       acked: sessions whose batch got an Ack since their current connection; reacked: agents that
//       were disconnected at least once and have been acknowledged since. Ends after --max-seconds
//       or on SIGTERM/SIGINT.
//   bench_ingest month --db FILE --from-ms T [--agents 20] [--probes 2000] [--interval 300] [--days 30]
//       A store filled with generated history, for bench/month_report_bench.sh (see run_month).
//   bench_ingest peer --db FILE [--agents 100] [--probes 10] [--batch 1000] [--rows 2000000]
//       The peer: the same rows (agents in turn, one batch of --batch rows per transaction, the mark
//       upserted in it), the store's schema, indexes, insert statement with its ON CONFLICT clause,
//       WAL and synchronous=FULL, with the raw sqlite3 C API in one process, no TLS, no network.
#include <CLI/CLI.hpp>
#include <openssl/ssl.h>
#include <sqlite3.h>
#include <sys/resource.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "collector/store/sqlite/sqlite_store.h"
#include "common/time.h"
#include "common/wire/convert.h"
#include "common/wire/frame.h"

using namespace slamon;
namespace v1 = slamon::wire::v1;
namespace asio = boost::asio;
namespace ssl = asio::ssl;
using asio::ip::tcp;
using Stream = ssl::stream<tcp::socket>;
using namespace asio::experimental::awaitable_operators;
using namespace std::chrono_literals;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

std::int64_t now_ms() { return SystemClock().now_ms(); }
double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

struct AgentId {
  std::string name, token;
};

std::vector<AgentId> read_agents(const std::string& path) {
  std::vector<AgentId> out;
  std::ifstream in(path);
  AgentId a;
  while (in >> a.name >> a.token) out.push_back(a);
  return out;
}

// Result number `seq` (from 1) of an agent with `probes` probes NAME.p1..pN: probes in turn, each
// probe's runs 1 s apart from `base_ts` (rows unique on (probe, ts, agent), as real runs are).
ProbeResult make_result(const std::string& agent, std::uint64_t seq, int probes, TimeMs base_ts) {
  ProbeResult r;
  r.agent = agent;
  const auto k = seq - 1;
  r.probe = agent + ".p" + std::to_string(k % static_cast<std::uint64_t>(probes) + 1);
  r.ts = base_ts + static_cast<TimeMs>(k / static_cast<std::uint64_t>(probes)) * 1000;
  r.status = Status::up;
  r.latency_ms = 1.5 + static_cast<double>(k % 7);
  return r;
}

std::string encode(const v1::AgentMessage& m) {
  std::string payload, frame;
  m.SerializeToString(&payload);
  wire::append_frame(frame, payload);
  return frame;
}

std::string batch_frame(const std::string& agent, std::uint64_t epoch, std::uint64_t first, int count, int probes,
                        TimeMs base_ts) {
  wire::Batch b;
  b.epoch = epoch;
  b.first_seq = first;
  b.entries.reserve(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) b.entries.emplace_back(make_result(agent, first + static_cast<std::uint64_t>(i), probes, base_ts));
  v1::AgentMessage m;
  wire::to_wire(b, *m.mutable_batch());
  return encode(m);
}

asio::awaitable<bool> read_message(Stream& s, v1::CollectorMessage& m) {
  std::array<unsigned char, 4> h{};
  auto [e1, n1] = co_await asio::async_read(s, asio::buffer(h), use_tuple);
  if (e1) co_return false;
  const std::uint32_t len = (std::uint32_t{h[0]} << 24) | (std::uint32_t{h[1]} << 16) | (std::uint32_t{h[2]} << 8) | h[3];
  if (len > wire::kDefaultMaxFrameBytes) co_return false;
  std::string payload(len, '\0');
  auto [e2, n2] = co_await asio::async_read(s, asio::buffer(payload), use_tuple);
  if (e2) co_return false;
  co_return m.ParseFromString(payload);
}

asio::awaitable<bool> write_all(Stream& s, const std::string& bytes) {
  auto [e, n] = co_await asio::async_write(s, asio::buffer(bytes), use_tuple);
  co_return !e;
}

struct Common {
  tcp::endpoint endpoint;
  ssl::context tls{ssl::context::tls_client};
  int batch = 1000, window = 4, probes = 10;
  TimeMs base_ts = 0;
};

// Connects, shakes hands, says Hello; returns the Welcome (nullopt: failed).
asio::awaitable<std::optional<v1::Welcome>> open(Stream& s, Common& c, const AgentId& a, std::uint64_t epoch,
                                                 std::uint64_t first, std::uint64_t last) {
  auto [ec] = co_await s.next_layer().async_connect(c.endpoint, use_tuple);
  if (ec) co_return std::nullopt;
  s.next_layer().set_option(tcp::no_delay(true));
  SSL_set_tlsext_host_name(s.native_handle(), "localhost");
  s.set_verify_callback(ssl::host_name_verification("localhost"));
  auto [eh] = co_await s.async_handshake(ssl::stream_base::client, use_tuple);
  if (eh) co_return std::nullopt;
  v1::AgentMessage m;
  auto* h = m.mutable_hello();
  h->set_protocol_version(wire::kProtocolVersion);
  h->set_agent(a.name);
  h->set_token(a.token);
  h->set_agent_clock_ms(now_ms());
  h->set_spool_epoch(epoch);
  h->set_spool_first_seq(first);
  h->set_spool_last_seq(last);
  if (!co_await write_all(s, encode(m))) co_return std::nullopt;
  v1::CollectorMessage w;
  if (!co_await read_message(s, w) || !w.has_welcome()) co_return std::nullopt;
  co_return w.welcome();
}

// ---- stream -------------------------------------------------------------------------------------

struct StreamStats {
  std::uint64_t acked = 0;  // results acknowledged, all sessions
  int open = 0, failed = 0;
};

asio::awaitable<void> stream_one(Common& c, AgentId a, StreamStats& st) {
  Stream s(co_await asio::this_coro::executor, c.tls);
  auto w = co_await open(s, c, a, 1, 0, 0);
  if (!w) {
    ++st.failed;
    std::fprintf(stderr, "bench_ingest: %s: connection or hello failed\n", a.name.c_str());
    co_return;
  }
  ++st.open;
  const std::uint64_t epoch = w->epoch();
  std::uint64_t acked = w->committed_seq(), next = acked + 1;
  const auto per = static_cast<std::uint64_t>(c.batch);
  for (;;) {
    while (next - acked - 1 < per * static_cast<std::uint64_t>(c.window)) {
      if (!co_await write_all(s, batch_frame(a.name, epoch, next, c.batch, c.probes, c.base_ts))) co_return;
      next += per;
    }
    v1::CollectorMessage m;
    if (!co_await read_message(s, m)) {
      std::fprintf(stderr, "bench_ingest: %s: connection closed\n", a.name.c_str());
      --st.open;
      co_return;
    }
    if (m.has_ack() && m.ack().committed_seq() > acked) {
      st.acked += m.ack().committed_seq() - acked;
      acked = m.ack().committed_seq();
    } else if (m.has_resend()) {
      next = m.resend().from_seq();
      acked = next - 1;
    } else if (m.has_refusal()) {
      std::fprintf(stderr, "bench_ingest: %s: refusal %s\n", a.name.c_str(), m.refusal().detail().c_str());
      --st.open;
      co_return;
    }
  }
}

int run_stream(Common& c, const std::vector<AgentId>& agents, int warmup, int duration) {
  asio::io_context io(1);
  StreamStats st;
  for (const auto& a : agents) asio::co_spawn(io, stream_one(c, a, st), asio::detached);
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        asio::steady_timer t(co_await asio::this_coro::executor);
        const auto t0 = std::chrono::steady_clock::now();
        std::uint64_t w_acked = 0;
        double w_cpu = 0;
        std::chrono::steady_clock::time_point w_start;
        for (int sec = 1; sec <= warmup + duration; ++sec) {
          t.expires_at(t0 + std::chrono::seconds(sec));
          co_await t.async_wait(use_tuple);
          std::printf("t=%d open=%d failed=%d acked=%llu\n", sec, st.open, st.failed, static_cast<unsigned long long>(st.acked));
          std::fflush(stdout);
          if (sec == warmup) {
            w_acked = st.acked;
            w_cpu = cpu_seconds();
            w_start = std::chrono::steady_clock::now();
          }
        }
        const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - w_start).count();
        std::printf("result stream agents=%zu open=%d batch=%d window=%d window_s=%.2f acked=%llu rate=%.0f client_cpu_pct=%.1f\n",
                    agents.size(), st.open, c.batch, c.window, secs, static_cast<unsigned long long>(st.acked - w_acked),
                    static_cast<double>(st.acked - w_acked) / secs, 100.0 * (cpu_seconds() - w_cpu) / secs);
        std::fflush(stdout);
        io.stop();
      },
      asio::detached);
  io.run();
  return 0;
}

// ---- hold ---------------------------------------------------------------------------------------

struct HoldStats {
  int connected = 0, acked = 0, reacked = 0;
  std::uint64_t disconnects = 0;
};

asio::awaitable<void> hold_one(Common& c, AgentId a, HoldStats& st, int heartbeat_s, int batch_every_s, std::uint32_t seed) {
  auto ex = co_await asio::this_coro::executor;
  std::mt19937 rng(seed);
  std::uint64_t epoch = 1, acked = 0, next = 1;
  int backoff_s = 1;
  bool ever_lost = false, counted_reack = false;
  asio::steady_timer wait(ex);
  // Spread the first connections over 2 s, as agents started at about the same time.
  wait.expires_after(std::chrono::milliseconds(rng() % 2000));
  co_await wait.async_wait(use_tuple);
  for (;;) {
    Stream s(ex, c.tls);
    auto w = co_await open(s, c, a, epoch, next > acked + 1 ? acked + 1 : 0, next - 1);
    if (w) {
      backoff_s = 1;
      ++st.connected;
      epoch = w->epoch();
      acked = w->committed_seq();
      next = acked + 1;
      bool acked_here = false;
      auto reader = [&]() -> asio::awaitable<void> {
        for (;;) {
          v1::CollectorMessage m;
          if (!co_await read_message(s, m)) co_return;
          if (m.has_ack()) {
            acked = std::max<std::uint64_t>(acked, m.ack().committed_seq());
            if (!acked_here && acked + 1 >= next) {
              acked_here = true;
              ++st.acked;
              if (ever_lost && !counted_reack) {
                counted_reack = true;
                ++st.reacked;
              }
            }
          } else if (m.has_resend()) {
            next = m.resend().from_seq();
          } else if (m.has_refusal()) {
            co_return;
          }
        }
      };
      auto writer = [&]() -> asio::awaitable<void> {
        asio::steady_timer t(co_await asio::this_coro::executor);
        std::int64_t since_batch = batch_every_s;  // a batch at once after the Welcome
        for (;;) {
          if (since_batch >= batch_every_s) {
            since_batch = 0;
            const auto frame = batch_frame(a.name, epoch, next, c.probes, c.probes, now_ms() - 1000 * c.probes);
            next += static_cast<std::uint64_t>(c.probes);
            if (!co_await write_all(s, frame)) co_return;
          }
          v1::AgentMessage hb;
          hb.mutable_heartbeat()->set_clock_ms(now_ms());
          if (!co_await write_all(s, encode(hb))) co_return;
          t.expires_after(std::chrono::seconds(heartbeat_s));
          co_await t.async_wait(use_tuple);
          since_batch += heartbeat_s;
        }
      };
      co_await (reader() || writer());
      --st.connected;
      if (acked_here) --st.acked;
      ++st.disconnects;
      ever_lost = true;
      counted_reack = false;  // what is not acknowledged stays in the "spool": the Hello says so
    }
    boost::system::error_code ignored;
    s.next_layer().close(ignored);
    // The real agent's backoff: 1 s doubling to 60 s, each wait drawn in [d/2, d].
    const auto d_ms = backoff_s * 1000;
    wait.expires_after(std::chrono::milliseconds(d_ms / 2 + static_cast<int>(rng() % static_cast<std::uint32_t>(d_ms / 2 + 1))));
    co_await wait.async_wait(use_tuple);
    backoff_s = std::min(60, backoff_s * 2);
  }
}

int run_hold(Common& c, const std::vector<AgentId>& agents, int heartbeat_s, int batch_every_s, int max_seconds) {
  asio::io_context io(1);
  HoldStats st;
  std::uint32_t seed = 1;
  for (const auto& a : agents) asio::co_spawn(io, hold_one(c, a, st, heartbeat_s, batch_every_s, seed++), asio::detached);
  asio::signal_set sigs(io, SIGINT, SIGTERM);
  sigs.async_wait([&](auto, int) { io.stop(); });
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        asio::steady_timer t(co_await asio::this_coro::executor);
        const auto t0 = std::chrono::steady_clock::now();
        for (int sec = 1; sec <= max_seconds * 4; ++sec) {
          t.expires_at(t0 + std::chrono::milliseconds(250 * sec));
          co_await t.async_wait(use_tuple);
          std::printf("status wall_ms=%lld connected=%d acked=%d reacked=%d disconnects=%llu\n",
                      static_cast<long long>(now_ms()), st.connected, st.acked, st.reacked,
                      static_cast<unsigned long long>(st.disconnects));
          std::fflush(stdout);
        }
        io.stop();
      },
      asio::detached);
  io.run();
  return 0;
}

// ---- peer ---------------------------------------------------------------------------------------

// The peer writes into the store's own schema (made by opening a SqliteStore on the file, then closed),
// with the store's statements (as in collector/store/sqlite/sqlite_store.cpp) through the raw API.
void make_schema(const std::string& path) {
  try {
    slamon::store::sqlite::SqliteStore s(path);
  } catch (const slamon::store::StoreFailure& e) {
    std::fprintf(stderr, "bench_ingest: %s\n", e.what());
    std::exit(1);
  }
}
constexpr const char* kInsert =
    "INSERT INTO results (agent_id, epoch, seq, probe_id, ts_ms, status, latency_ms, message, metrics)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
    " ON CONFLICT (probe_id, ts_ms, agent_id) DO UPDATE SET status = excluded.status,"
    " latency_ms = excluded.latency_ms, message = excluded.message, metrics = excluded.metrics"
    " WHERE status IS NOT excluded.status OR latency_ms IS NOT excluded.latency_ms"
    " OR message IS NOT excluded.message OR metrics IS NOT excluded.metrics";
constexpr const char* kGetMark = "SELECT committed_seq FROM marks WHERE agent_id = ?1 AND epoch = ?2";
// The store reads the ranges above the mark with it (none here: batches arrive in order).
constexpr const char* kGetRanges =
    "SELECT first_seq, last_seq FROM stored_ranges WHERE agent_id = ?1 AND epoch = ?2 ORDER BY first_seq";
constexpr const char* kSetMark =
    "INSERT INTO marks (agent_id, epoch, committed_seq) VALUES (?1, ?2, ?3)"
    " ON CONFLICT (agent_id, epoch) DO UPDATE SET committed_seq = excluded.committed_seq";

void check(int rc, sqlite3* db, const char* what) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
    std::fprintf(stderr, "bench_ingest peer: %s: %s\n", what, sqlite3_errmsg(db));
    std::exit(1);
  }
}

int run_peer(const std::string& path, int agents, int probes, int batch, long long rows) {
  make_schema(path);
  sqlite3* db = nullptr;
  check(sqlite3_open(path.c_str(), &db), db, "open");
  check(sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;", nullptr, nullptr, nullptr), db, "pragma");
  sqlite3_stmt *ins = nullptr, *get = nullptr, *set = nullptr, *add_agent = nullptr, *add_probe = nullptr;
  sqlite3_stmt* ranges = nullptr;
  check(sqlite3_prepare_v2(db, kInsert, -1, &ins, nullptr), db, "prepare");
  check(sqlite3_prepare_v2(db, kGetMark, -1, &get, nullptr), db, "prepare");
  check(sqlite3_prepare_v2(db, kGetRanges, -1, &ranges, nullptr), db, "prepare");
  check(sqlite3_prepare_v2(db, kSetMark, -1, &set, nullptr), db, "prepare");
  check(sqlite3_prepare_v2(db, "INSERT INTO agents (name) VALUES (?1)", -1, &add_agent, nullptr), db, "prepare");
  check(sqlite3_prepare_v2(db, "INSERT INTO probes (name) VALUES (?1)", -1, &add_probe, nullptr), db, "prepare");
  // Ids of agents and probes, made up front (the store caches them too).
  check(sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr), db, "begin");
  for (int a = 1; a <= agents; ++a) {
    const auto name = "bench-a" + std::to_string(a);
    sqlite3_bind_text(add_agent, 1, name.c_str(), -1, SQLITE_TRANSIENT);
    check(sqlite3_step(add_agent), db, "agent");
    sqlite3_reset(add_agent);
    for (int p = 1; p <= probes; ++p) {
      const auto pn = name + ".p" + std::to_string(p);
      sqlite3_bind_text(add_probe, 1, pn.c_str(), -1, SQLITE_TRANSIENT);
      check(sqlite3_step(add_probe), db, "probe");
      sqlite3_reset(add_probe);
    }
  }
  check(sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr), db, "commit");
  const TimeMs base = now_ms() - 3 * 3'600'000;
  std::vector<std::uint64_t> next(static_cast<std::size_t>(agents), 1);
  const auto t0 = std::chrono::steady_clock::now();
  const double c0 = cpu_seconds();
  long long done = 0;
  for (int turn = 0; done < rows; ++turn) {
    const int a = turn % agents;
    const std::int64_t agent_id = a + 1;
    check(sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr), db, "begin");
    sqlite3_bind_int64(get, 1, agent_id);
    sqlite3_bind_int64(get, 2, 1);
    sqlite3_step(get);
    sqlite3_reset(get);
    sqlite3_bind_int64(ranges, 1, agent_id);
    sqlite3_bind_int64(ranges, 2, 1);
    while (sqlite3_step(ranges) == SQLITE_ROW) {
    }
    sqlite3_reset(ranges);
    for (int i = 0; i < batch; ++i) {
      const std::uint64_t seq = next[static_cast<std::size_t>(a)]++;
      const auto k = seq - 1;
      const std::int64_t probe_id = a * probes + static_cast<std::int64_t>(k % static_cast<std::uint64_t>(probes)) + 1;
      sqlite3_bind_int64(ins, 1, agent_id);
      sqlite3_bind_int64(ins, 2, 1);
      sqlite3_bind_int64(ins, 3, static_cast<std::int64_t>(seq));
      sqlite3_bind_int64(ins, 4, probe_id);
      sqlite3_bind_int64(ins, 5, base + static_cast<std::int64_t>(k / static_cast<std::uint64_t>(probes)) * 1000);
      sqlite3_bind_int64(ins, 6, static_cast<std::int64_t>(Status::up));
      sqlite3_bind_double(ins, 7, 1.5 + static_cast<double>(k % 7));
      sqlite3_bind_text(ins, 8, "", 0, SQLITE_STATIC);
      sqlite3_bind_null(ins, 9);
      check(sqlite3_step(ins), db, "insert");
      sqlite3_reset(ins);
    }
    sqlite3_bind_int64(set, 1, agent_id);
    sqlite3_bind_int64(set, 2, 1);
    sqlite3_bind_int64(set, 3, static_cast<std::int64_t>(next[static_cast<std::size_t>(a)] - 1));
    check(sqlite3_step(set), db, "mark");
    sqlite3_reset(set);
    check(sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr), db, "commit");
    done += batch;
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("result peer rows=%lld batch=%d seconds=%.2f rate=%.0f cpu_pct=%.1f\n", done, batch, secs,
              static_cast<double>(done) / secs, 100.0 * (cpu_seconds() - c0) / secs);
  for (auto* s : {ins, get, ranges, set, add_agent, add_probe}) sqlite3_finalize(s);
  sqlite3_close(db);
  return 0;
}


// ---- month --------------------------------------------------------------------------------------

// A store holding --days of results from --from_ms for --probes probes (gen-NNNN, spread over --agents
// agents gen-aNN) every --interval seconds: the store's schema, written with the raw sqlite3 API in
// large transactions (synchronous=OFF while filling; the store is closed cleanly). Probe k runs at
// from + phase(k) + i x interval; each probe has one outage of 3-12 runs (down) on a day of its own,
// and latencies between 5 and 60 ms.
int run_month(const std::string& path, int agents, int probes, int interval_s, TimeMs from_ms, int days) {
  make_schema(path);
  sqlite3* db = nullptr;
  check(sqlite3_open(path.c_str(), &db), db, "open");
  check(sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF; PRAGMA cache_size=-2000000;", nullptr, nullptr, nullptr), db, "pragma");
  sqlite3_stmt *ins = nullptr, *set = nullptr, *add_agent = nullptr, *add_probe = nullptr;
  check(sqlite3_prepare_v2(db, kInsert, -1, &ins, nullptr), db, "prepare");
  check(sqlite3_prepare_v2(db, kSetMark, -1, &set, nullptr), db, "prepare");
  check(sqlite3_prepare_v2(db, "INSERT INTO agents (id, name) VALUES (?1, ?2)", -1, &add_agent, nullptr), db, "prepare");
  check(sqlite3_prepare_v2(db, "INSERT INTO probes (id, name) VALUES (?1, ?2)", -1, &add_probe, nullptr), db, "prepare");
  check(sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr), db, "begin");
  char name[64];
  for (int a = 1; a <= agents; ++a) {
    std::snprintf(name, sizeof name, "gen-a%02d", a);
    sqlite3_bind_int(add_agent, 1, a);
    sqlite3_bind_text(add_agent, 2, name, -1, SQLITE_TRANSIENT);
    check(sqlite3_step(add_agent), db, "agent");
    sqlite3_reset(add_agent);
  }
  for (int p = 1; p <= probes; ++p) {
    std::snprintf(name, sizeof name, "gen-%04d", p);
    sqlite3_bind_int(add_probe, 1, p);
    sqlite3_bind_text(add_probe, 2, name, -1, SQLITE_TRANSIENT);
    check(sqlite3_step(add_probe), db, "probe");
    sqlite3_reset(add_probe);
  }
  const std::int64_t step = std::int64_t{interval_s} * 1000;
  const std::int64_t runs = std::int64_t{days} * 86'400'000 / step;
  std::vector<std::int64_t> seq(static_cast<std::size_t>(agents) + 1, 0);
  long long rows = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (std::int64_t i = 0; i < runs; ++i) {
    for (int p = 1; p <= probes; ++p) {
      const int a = (p - 1) % agents + 1;
      const auto u = static_cast<std::uint64_t>(p) * 0x9E3779B97F4A7C15ULL;
      const std::int64_t phase = static_cast<std::int64_t>(u >> 20) % step;
      const std::int64_t outage_start = static_cast<std::int64_t>((u >> 8) % static_cast<std::uint64_t>(runs));
      const std::int64_t outage_len = 3 + static_cast<std::int64_t>((u >> 40) % 10);
      const bool down = i >= outage_start && i < outage_start + outage_len;
      sqlite3_bind_int(ins, 1, a);
      sqlite3_bind_int(ins, 2, 1);
      sqlite3_bind_int64(ins, 3, ++seq[static_cast<std::size_t>(a)]);
      sqlite3_bind_int(ins, 4, p);
      sqlite3_bind_int64(ins, 5, from_ms + phase + i * step);
      sqlite3_bind_int(ins, 6, static_cast<int>(down ? Status::down : Status::up));
      if (down) sqlite3_bind_null(ins, 7); else sqlite3_bind_double(ins, 7, 5.0 + static_cast<double>((u >> 3 ^ static_cast<std::uint64_t>(i) * 2654435761ULL) % 5500) / 100.0);
      sqlite3_bind_text(ins, 8, down ? "connection refused" : "", -1, SQLITE_STATIC);
      sqlite3_bind_null(ins, 9);
      check(sqlite3_step(ins), db, "insert");
      sqlite3_reset(ins);
      ++rows;
    }
    if (rows % 1'000'000 < static_cast<long long>(probes)) {
      check(sqlite3_exec(db, "COMMIT; BEGIN", nullptr, nullptr, nullptr), db, "commit");
      std::fprintf(stderr, "bench_ingest month: %lld rows\n", rows);
    }
  }
  for (int a = 1; a <= agents; ++a) {
    sqlite3_bind_int(set, 1, a);
    sqlite3_bind_int(set, 2, 1);
    sqlite3_bind_int64(set, 3, seq[static_cast<std::size_t>(a)]);
    check(sqlite3_step(set), db, "mark");
    sqlite3_reset(set);
  }
  check(sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr), db, "commit");
  for (auto* s : {ins, set, add_agent, add_probe}) sqlite3_finalize(s);
  check(sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", nullptr, nullptr, nullptr), db, "checkpoint");
  sqlite3_close(db);
  std::printf("result month rows=%lld probes=%d agents=%d interval_s=%d days=%d seconds=%.1f\n", rows, probes, agents,
              interval_s, days, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"bench_ingest: load for the link benchmarks, and the ingest peer (see the file's opening comment)"};
  app.require_subcommand(1);
  std::string connect = "127.0.0.1:7443", ca, agents_file, db;
  int batch = 1000, window = 4, probes = 10, warmup = 10, duration = 30, heartbeat = 5, batch_every = 10,
      max_seconds = 600, n_agents = 100;
  long long rows = 2'000'000;
  auto* st = app.add_subcommand("stream", "stream results from one TLS connection per agent");
  auto* ho = app.add_subcommand("hold", "hold one connection per agent, reconnecting as the agent does");
  auto* pe = app.add_subcommand("peer", "the raw SQLite peer");
  auto* mo = app.add_subcommand("month", "fill a store with generated history (bench/month_report_bench.sh)");
  int interval_s = 300, days = 30;
  std::int64_t from_ms = 0;
  mo->add_option("--db", db, "a new SQLite file")->required();
  mo->add_option("--agents", n_agents, "agents gen-aNN");
  mo->add_option("--probes", probes, "probes gen-NNNN");
  mo->add_option("--interval", interval_s, "seconds between runs of a probe");
  mo->add_option("--from-ms", from_ms, "first instant (Unix ms)")->required();
  mo->add_option("--days", days, "days of history");
  for (auto* sc : {st, ho}) {
    sc->add_option("--connect", connect, "collector host:port (loopback)");
    sc->add_option("--ca", ca, "CA of the collector's certificate")->required();
    sc->add_option("--agents", agents_file, "file of 'NAME TOKEN' lines")->required();
    sc->add_option("--probes", probes, "probes per agent, NAME.p1..pN");
  }
  st->add_option("--batch", batch, "results per batch");
  st->add_option("--window", window, "batches in flight per connection");
  st->add_option("--warmup", warmup, "seconds before the measured window");
  st->add_option("--duration", duration, "seconds measured");
  ho->add_option("--heartbeat", heartbeat, "seconds between heartbeats");
  ho->add_option("--batch-every", batch_every, "seconds between small batches");
  ho->add_option("--max-seconds", max_seconds, "stop after this long");
  pe->add_option("--db", db, "a new SQLite file")->required();
  pe->add_option("--agents", n_agents, "agents");
  pe->add_option("--probes", probes, "probes per agent");
  pe->add_option("--batch", batch, "rows per transaction");
  pe->add_option("--rows", rows, "rows in all");
  CLI11_PARSE(app, argc, argv);
  std::signal(SIGPIPE, SIG_IGN);
  if (pe->parsed()) return run_peer(db, n_agents, probes, batch, rows);
  if (mo->parsed()) return run_month(db, n_agents, probes, interval_s, from_ms, days);

  Common c;
  const auto colon = connect.rfind(':');
  c.endpoint = tcp::endpoint(asio::ip::make_address(connect.substr(0, colon)),
                             static_cast<unsigned short>(std::stoi(connect.substr(colon + 1))));
  c.tls.set_verify_mode(ssl::verify_peer);
  c.tls.load_verify_file(ca);
  SSL_CTX_set_mode(c.tls.native_handle(), SSL_MODE_RELEASE_BUFFERS);
  c.batch = batch;
  c.window = window;
  c.probes = probes;
  c.base_ts = now_ms() - 3 * 3'600'000;
  const auto agents = read_agents(agents_file);
  if (agents.empty()) return std::fprintf(stderr, "bench_ingest: no agents in %s\n", agents_file.c_str()), 2;
  if (st->parsed()) return run_stream(c, agents, warmup, duration);
  return run_hold(c, agents, heartbeat, batch_every, max_seconds);
}
