// Fuzz target for the wire messages (common/wire/slamon.proto, common/wire/convert.h): any bytes read
// as an AgentMessage and as a CollectorMessage, and every batch and probe in them decoded; nothing
// crashes, and what decodes re-encodes to a value that decodes to the same value.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "common/wire/convert.h"

namespace {

using namespace slamon::wire;

void check_batch(const v1::ResultBatch& w) {
  auto b = from_wire(w, "fuzz-agent");
  if (!b) return;
  v1::ResultBatch again;
  to_wire(*b.value, again);
  auto b2 = from_wire(again, "fuzz-agent");
  if (!b2 || !(*b2.value == *b.value)) std::abort();
}

void check_probe(const v1::Probe& w) {
  auto p = from_wire(w, "fuzz-agent");
  if (!p) return;
  v1::Probe again;
  to_wire(p.value->probe, p.value->ca_pem, again);
  auto p2 = from_wire(again, "fuzz-agent");
  if (!p2 || !(p2.value->probe == p.value->probe) || p2.value->ca_pem != p.value->ca_pem) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  v1::AgentMessage am;
  if (am.ParseFromArray(data, static_cast<int>(size)) && am.has_batch()) check_batch(am.batch());
  v1::CollectorMessage cm;
  if (cm.ParseFromArray(data, static_cast<int>(size))) {
    const v1::Assignment* a = nullptr;
    if (cm.has_welcome() && cm.welcome().has_assignment()) a = &cm.welcome().assignment();
    if (cm.has_assignment()) a = &cm.assignment().assignment();
    if (a != nullptr)
      for (const auto& p : a->probes()) check_probe(p);
  }
  return 0;
}
