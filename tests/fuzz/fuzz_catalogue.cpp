// libFuzzer target over the catalogue loader: the input is the root file's text, read from an
// in-memory file set that also holds an included file and secret files, so includes and *_file
// paths are exercised. Properties: no crash, hang or leak; a catalogue that loads is written and
// read back to an equal model (the writer's round trip); the agent configuration loader survives
// the same bytes.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "common/agent_config.h"
#include "common/catalogue/memory_file_source.h"
#include "common/catalogue/parser.h"
#include "common/catalogue/writer.h"
#include "tests/common/catalogue_test_util.h"

using namespace slamon::catalogue;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  MemoryFileSource files;
  files.add("/fuzz/root.yaml", text);
  files.add("/fuzz/inc.yaml", "cis: [{id: inc-ci, probes: [{type: icmp, agent: dc1-agent-01, target: 192.0.2.1}]}]\n");
  files.add("/fuzz/sites/x.yaml", "services: [{id: inc-svc, children: [inc-ci]}]\n");
  files.add("/fuzz/secret", "long-enough-secret\n");
  files.add("/fuzz/token", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\n");
  files.add("/fuzz/ca.pem", "pem\n");
  const LoadResult r = load_catalogue("/fuzz/root.yaml", files);
  if (r.catalogue.has_value() == !r.errors.empty()) std::abort();
  if (r.catalogue) {
    const std::string yaml = write_catalogue_yaml(*r.catalogue, WriteOptions{true});
    MemoryFileSource again = files;
    again.add("/fuzz/root.yaml", yaml);
    const LoadResult r2 = load_catalogue("/fuzz/root.yaml", again);
    if (!r2.catalogue) {
      std::fprintf(stderr, "round trip failed to load:\n%s\n", yaml.c_str());
      for (const auto& e : r2.errors) std::fprintf(stderr, "%s\n", slamon::format_diagnostic(e).c_str());
      std::abort();
    }
    Catalogue a = *r.catalogue, b = *r2.catalogue;
    test::clear_locations(a);
    test::clear_locations(b);
    if (!(a == b)) {
      std::fprintf(stderr, "round trip changed the model:\n%s\n", yaml.c_str());
      std::abort();
    }
  }
  files.add("/fuzz/agent.yaml", text);
  (void)slamon::load_agent_config("/fuzz/agent.yaml", files);
  return 0;
}
