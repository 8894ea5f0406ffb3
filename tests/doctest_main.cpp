// The one doctest main shared by every unit-test executable. A test case that cannot run here calls
// SLAMON_SKIP (tests/skip.h); when some case skipped and none failed, the executable exits with
// kSkipExitCode (77), which CTest counts as skipped (SKIP_RETURN_CODE), never as passed.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdio>

#include "tests/skip.h"

namespace slamon::test {
namespace {

int& skip_count() {
  static int n = 0;
  return n;
}

}  // namespace

void note_skipped(const std::string& reason) {
  ++skip_count();
  const auto* current = doctest::getContextOptions()->currentTest;
  std::fprintf(stderr, "SKIPPED: %s: %s\n", current ? current->m_name : "?", reason.c_str());
}

int skipped_cases() { return skip_count(); }

}  // namespace slamon::test

int main(int argc, char** argv) {
  doctest::Context context(argc, argv);
  const int rc = context.run();
  if (context.shouldExit() || rc != 0) return rc;
  if (const int n = slamon::test::skipped_cases(); n > 0) {
    std::fprintf(stderr, "%d test case(s) skipped: exit %d (CTest: Skipped)\n", n, slamon::test::kSkipExitCode);
    return slamon::test::kSkipExitCode;
  }
  return 0;
}
