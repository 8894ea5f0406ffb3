// Tests for agent/assignment_cache.h on real files: the cache and the CA files are 0600 (the folder
// 0700), a save replaces the old cache whole, a corrupt cache is moved aside, CA files are named in
// the probes' tls_ca_file, and those of probes no longer assigned go.
#include "agent/assignment_cache.h"

#include <doctest/doctest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "agent/uplink_logic.h"
#include "tests/temp_dir.h"

using namespace slamon;
using namespace slamon::agent;
using slamon::test::TempDir;
namespace fs = std::filesystem;

namespace {

class FixedClock final : public Clock {
 public:
  TimeMs now_ms() const override { return 1'700'000'000'000; }
  std::int64_t steady_ns() const override { return 0; }
};

// Probes as the collector sends them.
wire::v1::Probe wire_probe(const std::string& id) {
  wire::v1::Probe p;
  p.set_id(id);
  p.set_ci("ci");
  p.set_interval_ms(60'000);
  p.set_timeout_ms(5'000);
  p.set_stale_after_ms(180'000);
  p.set_confirm(1);
  p.set_weight(1);
  return p;
}

wire::v1::Probe http_probe(const std::string& id, const std::string& ca_pem) {
  auto p = wire_probe(id);
  auto* h = p.mutable_http();
  h->set_url("https://web.example/health");
  h->set_method("GET");
  h->add_expect_status()->set_lo(200);
  h->mutable_expect_status(0)->set_hi(399);
  h->set_tls_verify(true);
  h->set_tls_ca_pem(ca_pem);
  return p;
}

wire::v1::Probe tcp_probe(const std::string& id) {
  auto p = wire_probe(id);
  p.mutable_tcp()->set_host("db.example");
  p.mutable_tcp()->set_port(5432);
  return p;
}

wire::v1::Assignment assignment(const std::string& version, const std::vector<wire::v1::Probe>& probes) {
  wire::v1::Assignment a;
  a.set_version(version);
  for (const auto& p : probes) *a.add_probes() = p;
  return a;
}

unsigned mode_of(const std::string& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 0777;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("assignment cache: saved 0600 with CA files 0600 in a 0700 folder, loaded back equal") {
  TempDir d;
  FixedClock clock;
  const std::string state = d.file("state");
  AssignmentCache cache(state, "a1", clock);
  CHECK_FALSE(cache.load());  // none yet
  const auto a = assignment("v1", {http_probe("web.http", "-----BEGIN CERTIFICATE-----\nX\n"), tcp_probe("db.tcp")});
  auto decoded = decode_assignment(a, "a1");
  REQUIRE(decoded.error.empty());
  const auto saved = cache.save(a, std::move(decoded.probes));
  CHECK(saved.version == "v1");
  REQUIRE(saved.probes.size() == 2);
  const auto& h = std::get<catalogue::HttpSpec>(saved.probes[0].spec);
  REQUIRE(h.tls_ca_file);
  CHECK(*h.tls_ca_file == state + "/ca/web.http.pem");
  CHECK(slurp(*h.tls_ca_file) == "-----BEGIN CERTIFICATE-----\nX\n");
  CHECK(mode_of(*h.tls_ca_file) == 0600);
  CHECK(mode_of(state + "/ca") == 0700);
  CHECK(mode_of(state) == 0700);
  CHECK(mode_of(cache.path()) == 0600);
  wire::v1::Assignment back;
  REQUIRE(back.ParseFromString(slurp(cache.path())));
  CHECK(back.SerializeAsString() == a.SerializeAsString());
  // Loaded again (a restart), with the CA file written again even if it went missing.
  fs::remove(*h.tls_ca_file);
  AssignmentCache again(state, "a1", clock);
  const auto loaded = again.load();
  REQUIRE(loaded);
  CHECK(loaded->version == "v1");
  CHECK(loaded->probes == saved.probes);
  CHECK(fs::exists(*h.tls_ca_file));
  // No temporary file left behind.
  for (const auto& e : fs::directory_iterator(state)) CHECK(e.path().filename().string().find(".tmp-") == std::string::npos);
}

TEST_CASE("assignment cache: a new save replaces the old one whole, and a dropped probe's CA file goes") {
  TempDir d;
  FixedClock clock;
  AssignmentCache cache(d.file("s"), "a1", clock);
  auto a1 = assignment("v1", {http_probe("one.http", "PEM1"), http_probe("two.http", "PEM2")});
  cache.save(a1, decode_assignment(a1, "a1").probes);
  CHECK(fs::exists(cache.ca_dir() + "/two.http.pem"));
  auto a2 = assignment("v2", {http_probe("one.http", "PEM1b")});
  cache.save(a2, decode_assignment(a2, "a1").probes);
  CHECK_FALSE(fs::exists(cache.ca_dir() + "/two.http.pem"));
  CHECK(slurp(cache.ca_dir() + "/one.http.pem") == "PEM1b");
  const auto loaded = cache.load();
  REQUIRE(loaded);
  CHECK(loaded->version == "v2");
  CHECK(loaded->probes.size() == 1);
  CHECK(mode_of(cache.path()) == 0600);
}

TEST_CASE("assignment cache: a corrupt cache is moved aside as assignment.pb.corrupt-<ms>, and nothing is loaded") {
  TempDir d;
  FixedClock clock;
  const std::string state = d.file("s");
  fs::create_directories(state);
  std::ofstream(state + "/assignment.pb") << "\xff\xff\xff garbage";
  AssignmentCache cache(state, "a1", clock);
  CHECK_FALSE(cache.load());
  REQUIRE(cache.moved_aside());
  CHECK(*cache.moved_aside() == state + "/assignment.pb.corrupt-1700000000000");
  CHECK(fs::exists(*cache.moved_aside()));
  CHECK_FALSE(fs::exists(cache.path()));
  // A well-formed assignment with an invalid probe is not usable either.
  auto bad = assignment("v9", {tcp_probe("db.tcp")});
  bad.mutable_probes(0)->set_interval_ms(0);
  std::ofstream(state + "/assignment.pb") << bad.SerializeAsString();
  CHECK_FALSE(cache.load());
  CHECK_FALSE(fs::exists(cache.path()));
}

TEST_CASE("write_file_atomically: the old file stays whole when the write cannot happen") {
  TempDir d;
  const std::string f = d.file("x.pb");
  write_file_atomically(f, "first", 0600);
  CHECK(slurp(f) == "first");
  write_file_atomically(f, "second", 0600);
  CHECK(slurp(f) == "second");
  CHECK_THROWS_AS(write_file_atomically(d.file("no/such/folder/x.pb"), "third", 0600), std::system_error);
  CHECK(slurp(f) == "second");
}
