// The raw PostgreSQL peer of bench/pg_ingest_bench.sh: the same rows as bench_ingest's stream
// (agents in turn, probes bench-aN.pK, one batch of --batch rows per transaction), inserted into the
// PgStore's own schema (made by opening a PgStore on the database) with the store's statements through
// raw libpq in one process: per batch the arrival counter lock, the mark and ranges read, the rows in
// multi-row INSERTs of --rows-per-insert rows (prepared; the store's kInsertChunk and SQL by default,
// 1: one statement a row, as the store did before), the counter and the mark written, commit; the
// same synchronous_commit. Prints "result pgpeer rows=N batch=B seconds=S rate=R". Not a test, never
// run in CI.
//   bench_pg_peer --url postgresql://... [--agents 100] [--probes 10] [--batch 1000] [--rows 1000000]
//                 [--synchronous-commit on|off] [--rows-per-insert 100]
#include <libpq-fe.h>

#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "collector/store/postgres/pg_store.h"

namespace {

void check(PGresult* r, PGconn* c, const char* what) {
  const auto st = PQresultStatus(r);
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
    std::fprintf(stderr, "bench_pg_peer: %s: %s\n", what, PQerrorMessage(c));
    std::exit(1);
  }
  PQclear(r);
}

PGresult* run(PGconn* c, const char* name, const std::vector<std::string>& params) {
  std::vector<const char*> p;
  for (const auto& s : params) p.push_back(s.c_str());
  return PQexecPrepared(c, name, static_cast<int>(p.size()), p.data(), nullptr, nullptr, 0);
}

}  // namespace

int main(int argc, char** argv) {
  std::string url, sync = "on";
  int agents = 100, probes = 10, batch = 1000;
  long long rows = 1'000'000;
  std::size_t per_insert = slamon::store::postgres::kInsertChunk;
  CLI::App app{"bench_pg_peer: raw libpq inserts into the PgStore schema (see the file's opening comment)"};
  app.add_option("--url", url, "an empty database")->required();
  app.add_option("--agents", agents);
  app.add_option("--probes", probes);
  app.add_option("--batch", batch);
  app.add_option("--rows", rows);
  app.add_option("--synchronous-commit", sync);
  app.add_option("--rows-per-insert", per_insert, "rows in one INSERT statement")->check(CLI::Range(1, 5000));
  CLI11_PARSE(app, argc, argv);
  std::vector<std::string> agent_ids, probe_ids;
  {
    slamon::store::postgres::PgStore s(url);  // the schema; then ids made as the store makes them
    (void)s.committed_seq("x", 1);
  }
  PGconn* c = PQconnectdb(url.c_str());
  if (PQstatus(c) != CONNECTION_OK) {
    std::fprintf(stderr, "bench_pg_peer: %s\n", PQerrorMessage(c));
    return 1;
  }
  check(PQexec(c, ("SET synchronous_commit = " + std::string(sync == "off" ? "off" : "on")).c_str()), c, "set");
  check(PQprepare(c, "add_agent", "INSERT INTO agents (name) VALUES ($1::text) RETURNING id", 0, nullptr), c, "prepare");
  check(PQprepare(c, "add_probe", "INSERT INTO probes (name) VALUES ($1::text) RETURNING id", 0, nullptr), c, "prepare");
  check(PQprepare(c, "lock", "SELECT result_row, gap_row FROM arrival_counters WHERE id = 1 FOR UPDATE", 0, nullptr), c, "prepare");
  check(PQprepare(c, "get_mark", "SELECT committed_seq FROM marks WHERE agent_id = $1::bigint AND epoch = $2::bigint", 0, nullptr), c, "prepare");
  check(PQprepare(c, "get_ranges",
                  "SELECT first_seq, last_seq FROM stored_ranges WHERE agent_id = $1::bigint AND epoch = $2::bigint ORDER BY first_seq",
                  0, nullptr), c, "prepare");
  check(PQprepare(c, "insert", slamon::store::postgres::insert_results_sql(per_insert).c_str(), 0, nullptr), c, "prepare");
  check(PQprepare(c, "set_counter", "UPDATE arrival_counters SET result_row = $1::bigint WHERE id = 1", 0, nullptr), c, "prepare");
  check(PQprepare(c, "set_mark",
                  "INSERT INTO marks (agent_id, epoch, committed_seq) VALUES ($1::bigint, $2::bigint, $3::bigint)"
                  " ON CONFLICT (agent_id, epoch) DO UPDATE SET committed_seq = excluded.committed_seq", 0, nullptr), c, "prepare");
  for (int a = 1; a <= agents; ++a) {
    const auto name = "bench-a" + std::to_string(a);
    PGresult* r = run(c, "add_agent", {name});
    agent_ids.emplace_back(PQgetvalue(r, 0, 0));
    PQclear(r);
    for (int p = 1; p <= probes; ++p) {
      r = run(c, "add_probe", {name + ".p" + std::to_string(p)});
      probe_ids.emplace_back(PQgetvalue(r, 0, 0));
      PQclear(r);
    }
  }
  const auto base = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count() -
                    3 * 3'600'000LL;
  // The week partitions of the rows' ts, made up front (the store makes them once too).
  {
    slamon::store::postgres::PgStore s(url);
    slamon::wire::Batch b;
    b.epoch = 1;
    b.first_seq = 1;
    slamon::ProbeResult r;
    r.probe = "bench-partition";
    r.ts = base;
    b.entries.emplace_back(r);
    r.ts = base + rows / (agents * probes) * 1000 + 1000;
    b.entries.emplace_back(r);
    s.append("bench-partition", b);
  }
  std::vector<std::uint64_t> next(static_cast<std::size_t>(agents), 1);
  const std::string up = std::to_string(static_cast<int>(slamon::Status::up));
  const auto t0 = std::chrono::steady_clock::now();
  long long done = 0;
  for (int turn = 0; done < rows; ++turn) {
    const int a = turn % agents;
    const std::string& agent_id = agent_ids[static_cast<std::size_t>(a)];
    check(PQexec(c, "BEGIN"), c, "begin");
    PGresult* lock = run(c, "lock", {});
    long long arrival = std::atoll(PQgetvalue(lock, 0, 0));
    PQclear(lock);
    check(run(c, "get_mark", {agent_id, "1"}), c, "mark");
    check(run(c, "get_ranges", {agent_id, "1"}), c, "ranges");
    // The rows' parameters, kept alive until their INSERT ran; one INSERT each per_insert rows.
    std::vector<std::string> values;
    std::vector<const char*> p;
    std::size_t pending = 0;
    const auto flush = [&] {
      if (pending == 0) return;
      p.clear();
      for (const auto& v : values) p.push_back(v.empty() ? nullptr : v.c_str());
      for (std::size_t i = 0; i < p.size(); i += 10) p[i + 7] = "\\x";  // message: empty bytea; metrics NULL
      if (pending == per_insert)
        check(PQexecPrepared(c, "insert", static_cast<int>(p.size()), p.data(), nullptr, nullptr, 0), c, "insert");
      else
        check(PQexecParams(c, slamon::store::postgres::insert_results_sql(pending).c_str(), static_cast<int>(p.size()), nullptr,
                           p.data(), nullptr, nullptr, 0), c, "insert");
      values.clear();
      pending = 0;
    };
    for (int i = 0; i < batch; ++i) {
      const std::uint64_t seq = next[static_cast<std::size_t>(a)]++;
      const auto k = seq - 1;
      const std::string& probe_id = probe_ids[static_cast<std::size_t>(a * probes) + k % static_cast<std::uint64_t>(probes)];
      const auto ts = base + static_cast<long long>(k / static_cast<std::uint64_t>(probes)) * 1000;
      char latency[32];
      std::snprintf(latency, sizeof latency, "%.17g", 1.5 + static_cast<double>(k % 7));
      values.insert(values.end(), {agent_id, "1", std::to_string(seq), probe_id, std::to_string(ts), up, latency, "", "",
                                   std::to_string(++arrival)});
      if (++pending == per_insert) flush();
    }
    flush();
    check(run(c, "set_counter", {std::to_string(arrival)}), c, "counter");
    check(run(c, "set_mark", {agent_id, "1", std::to_string(next[static_cast<std::size_t>(a)] - 1)}), c, "set mark");
    check(PQexec(c, "COMMIT"), c, "commit");
    done += batch;
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("result pgpeer rows=%lld batch=%d seconds=%.2f rate=%.0f\n", done, batch, secs, static_cast<double>(done) / secs);
  PQfinish(c);
  return 0;
}
