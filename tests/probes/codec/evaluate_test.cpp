// Tests for probes/codec/evaluate.h: thresholds at >=, failures, the certificate rule.
#include "probes/codec/evaluate.h"

#include <doctest/doctest.h>

using namespace slamon;
using namespace slamon::probes;

namespace {
catalogue::Probe icmp_probe() {
  catalogue::Probe p;
  p.id = "h.icmp";
  p.type = catalogue::ProbeType::icmp;
  p.spec = catalogue::IcmpSpec{};
  p.down_if = {{"loss_percent", 100}};
  p.degraded_if = {{"loss_percent", 20}, {"rtt_ms", 100}};
  return p;
}
}  // namespace

TEST_CASE("thresholds are reached at >=") {
  const auto p = icmp_probe();
  RunOutcome o;
  o.latency_ms = 5;
  o.metrics = {{"loss_percent", 0}, {"rtt_ms", 5}};
  CHECK(evaluate(p, 1, o, "a").status == Status::up);
  o.metrics = {{"loss_percent", 20}, {"rtt_ms", 5}};
  auto r = evaluate(p, 1, o, "a");
  CHECK(r.status == Status::degraded);
  CHECK(r.message == "loss_percent 20 >= 20");
  o.metrics = {{"loss_percent", 0}, {"rtt_ms", 100}};
  CHECK(evaluate(p, 1, o, "a").status == Status::degraded);
  o.metrics = {{"loss_percent", 100}};
  CHECK(evaluate(p, 1, o, "a").status == Status::down);
  CHECK(evaluate(p, 7, o, "a").ts == 7);
}

TEST_CASE("failures decide before thresholds") {
  const auto p = icmp_probe();
  RunOutcome o;
  o.error = ProbeError::no_privilege;
  o.message = "no ICMP socket: permission denied";
  auto r = evaluate(p, 1, o, "a");
  CHECK(r.status == Status::unknown);
  CHECK(r.message == o.message);
  o.error = ProbeError::no_answer;
  CHECK(evaluate(p, 1, o, "a").status == Status::down);
  o.message.clear();
  CHECK(evaluate(p, 1, o, "a").message == "no answer before the timeout");
  const auto cut = agent_side(p, 9, ProbeError::overran, "run overran its timeout of 5s", "a");
  CHECK(cut.status == Status::unknown);
  CHECK(cut.ts == 9);
  CHECK(cut.message == "run overran its timeout of 5s");
}

TEST_CASE("certificate rule") {
  catalogue::Probe p;
  p.id = "w.http";
  catalogue::HttpSpec h;
  h.cert_min_days = 14;
  p.spec = h;
  RunOutcome o;
  o.latency_ms = 10;
  o.metrics = {{"cert_days_left", 30}};
  CHECK(evaluate(p, 1, o, "a").status == Status::up);
  o.metrics = {{"cert_days_left", 3.5}};
  auto r = evaluate(p, 1, o, "a");
  CHECK(r.status == Status::degraded);
  CHECK(r.message == "certificate expires in 3 days (< 14)");
  o.metrics = {{"cert_days_left", -1}};
  CHECK(evaluate(p, 1, o, "a").status == Status::down);
  p.down_if = {{"latency_ms", 5}};
  o.metrics = {{"cert_days_left", 3}};
  CHECK(evaluate(p, 1, o, "a").status == Status::down);
}
