// Tests for common/wire/convert.h: every probe of the example and demo catalogues and every result
// shape survive the trip through the encoded bytes unchanged; what a peer can get wrong is refused
// with a reason.
#include "common/wire/convert.h"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "tests/common/catalogue_test_util.h"

using namespace slamon;
using namespace slamon::wire;

namespace {

template <class M>
M reparse(const M& m) {
  std::string bytes;
  REQUIRE(m.SerializeToString(&bytes));
  M out;
  REQUIRE(out.ParseFromString(bytes));
  return out;
}

ProbeResult sample(std::string probe, TimeMs ts, Status st) {
  ProbeResult r;
  r.probe = std::move(probe);
  r.ts = ts;
  r.status = st;
  r.agent = "a1";
  return r;
}

}  // namespace

TEST_CASE("results of every status, with and without latency and metrics, decode to what was encoded") {
  std::vector<ProbeResult> rs;
  for (Status st : {Status::down, Status::unknown, Status::degraded, Status::up}) rs.push_back(sample("web.http", 1'700'000'000'123, st));
  rs[0].message = "connection refused";
  rs[1].latency_ms = 0.0;
  rs[2].latency_ms = 12.625;
  rs[2].metrics = {{"dns_ms", 1.5}, {"http_status", 200}, {"cert_days_left", -3}};
  rs[3].probe = "ünïcode.tcp";
  for (const auto& r : rs) {
    v1::Result w;
    to_wire(r, w);
    const auto back = from_wire(reparse(w), "a1");
    REQUIRE_MESSAGE(back, back.error);
    CHECK(*back.value == r);
  }
}

TEST_CASE("a result is refused without a status or probe, or with a negative, NaN or infinite measurement") {
  v1::Result w;
  to_wire(sample("p", 1000, Status::up), w);
  CHECK(from_wire(w, "a1"));
  auto bad = w;
  bad.set_status(v1::STATUS_UNSPECIFIED);
  CHECK(from_wire(bad, "a1").error.find("status") != std::string::npos);
  bad = w;
  bad.set_probe("");
  CHECK_FALSE(from_wire(bad, "a1"));
  bad = w;
  bad.set_latency_ms(-0.5);
  CHECK(from_wire(bad, "a1").error.find("latency_ms") != std::string::npos);
  bad.set_latency_ms(std::numeric_limits<double>::quiet_NaN());
  CHECK_FALSE(from_wire(bad, "a1"));
  bad = w;
  auto* m = bad.add_metrics();
  m->set_name("rtt_ms");
  m->set_value(std::numeric_limits<double>::infinity());
  CHECK(from_wire(bad, "a1").error.find("rtt_ms") != std::string::npos);
  bad = w;
  bad.set_ts_ms(253'402'300'800'000);  // year 10000
  CHECK_FALSE(from_wire(bad, "a1"));
  bad = w;
  bad.set_status(static_cast<v1::Status>(42));  // a value from a newer peer
  CHECK_FALSE(from_wire(bad, "a1"));
}

TEST_CASE("a batch keeps its order, its gaps and its sequence range; a range that does not match is refused") {
  Batch b;
  b.epoch = 7;
  b.first_seq = 41;
  b.entries.emplace_back(sample("p1", 1000, Status::up));
  b.entries.emplace_back(GapRecord{{"p1", "p2"}, 2000, 62'000, 12});
  b.entries.emplace_back(sample("p2", 63'000, Status::down));
  v1::ResultBatch w;
  to_wire(b, w);
  CHECK(w.last_seq() == 41 + 1 + 12);  // the gap stands for the 12 results it replaces
  const auto back = from_wire(reparse(w), "a1");
  REQUIRE_MESSAGE(back, back.error);
  CHECK(*back.value == b);

  auto bad = w;
  bad.set_last_seq(43);
  CHECK(from_wire(bad, "a1").error.find("does not match") != std::string::npos);
  bad = w;
  bad.mutable_entries(1)->mutable_gap()->set_dropped(0);
  CHECK(from_wire(bad, "a1").error.find("gap stands for") != std::string::npos);
  bad = w;
  bad.set_first_seq(0);
  bad.set_last_seq(2);
  CHECK_FALSE(from_wire(bad, "a1"));
  bad = w;
  bad.set_first_seq(std::numeric_limits<std::uint64_t>::max());
  bad.set_last_seq(1);  // wraps: first + 2 overflows
  CHECK_FALSE(from_wire(bad, "a1"));
  bad = w;
  bad.mutable_entries(1)->mutable_gap()->set_to_ms(1000);  // ends before it starts
  CHECK(from_wire(bad, "a1").error.find("entry 42") != std::string::npos);
  bad = w;
  bad.mutable_entries(2)->clear_result();
  CHECK(from_wire(bad, "a1").error.find("entry 54: neither") != std::string::npos);
  v1::ResultBatch empty;
  CHECK_FALSE(from_wire(empty, "a1"));
}

TEST_CASE("every probe of the example and demo catalogues decodes to the probe that was encoded") {
  catalogue::DiskFileSource disk;
  std::size_t probes = 0;
  for (const char* name : {"example.yaml", "demo.yaml"}) {
    const auto r = catalogue::load_catalogue(catalogue::test::source_dir() + "/config/" + name, disk);
    REQUIRE_MESSAGE(r.catalogue, catalogue::test::all_errors(r));
    for (const auto& ci : r.catalogue->cis) {
      for (const auto& p : ci.probes) {
        ++probes;
        v1::Probe w;
        to_wire(p, std::optional<std::string>("-----BEGIN CERTIFICATE-----\n"), w);
        const auto back = from_wire(reparse(w), p.agent);
        REQUIRE_MESSAGE(back, back.error);
        catalogue::Probe expect = p;
        expect.loc = {};
        if (auto* h = std::get_if<catalogue::HttpSpec>(&expect.spec)) {
          h->tls_ca_file.reset();  // the agent stores the PEM it got and names its own file
          CHECK(back.value->ca_pem == std::optional<std::string>("-----BEGIN CERTIFICATE-----\n"));
        }
        if (auto* s = std::get_if<catalogue::SnmpSpec>(&expect.spec)) {
          for (auto& o : s->get) o.loc = {};
          for (auto& o : s->walk) o.loc = {};
          // Secrets arrive as values: where the collector read them from is not the agent's business.
          s->community = catalogue::Secret(s->community.value(), "");
          s->auth_password = catalogue::Secret(s->auth_password.value(), "");
          s->priv_password = catalogue::Secret(s->priv_password.value(), "");
        }
        CHECK_MESSAGE(back.value->probe == expect, p.id);
      }
    }
  }
  CHECK(probes > 10);
}

TEST_CASE("a probe is refused without a type, with a non-positive interval or with an enum value it does not know") {
  catalogue::Probe p;
  p.id = "x.tcp";
  p.ci = "x";
  p.type = catalogue::ProbeType::tcp;
  p.spec = catalogue::TcpSpec{"127.0.0.1", 22, std::nullopt, std::nullopt};
  v1::Probe w;
  to_wire(p, std::nullopt, w);
  CHECK(from_wire(w, "a1"));
  auto bad = w;
  bad.clear_tcp();
  CHECK(from_wire(bad, "a1").error.find("no probe type") != std::string::npos);
  bad = w;
  bad.set_interval_ms(0);
  CHECK_FALSE(from_wire(bad, "a1"));
  bad = w;
  bad.mutable_tcp()->set_port(70000);
  CHECK_FALSE(from_wire(bad, "a1"));
  bad = w;
  bad.clear_tcp();
  bad.mutable_snmp()->set_version(static_cast<v1::SnmpSpec::Version>(9));
  CHECK(from_wire(bad, "a1").error.find("SNMP version") != std::string::npos);
  bad = w;
  bad.clear_tcp();
  bad.mutable_snmp()->set_auth_protocol("MD4");
  CHECK(from_wire(bad, "a1").error.find("auth protocol") != std::string::npos);
}
