// Skipping a test case that cannot run here (it needs root, or network namespaces), so that it shows
// as skipped and never as passed:
//   if (!test::is_root()) SLAMON_SKIP("network namespaces need root");
// SLAMON_SKIP records the skip, prints "SKIPPED: <test case>: <reason>" and returns from the test case.
// The shared doctest main (tests/doctest_main.cpp) then exits with kSkipExitCode when some case was
// skipped and none failed, and tests/CMakeLists.txt sets that code as CTest's SKIP_RETURN_CODE, so
// CTest reports the executable as "Skipped". Cases that may skip are kept in the doctest suite "root"
// and registered as a CTest test of their own (e.g. slamon_probes_tests.root), so that one skip does
// not hide the other cases of their executable. CI runs as root: nothing is skipped there.
#pragma once

#include <string>

namespace slamon::test {

inline constexpr int kSkipExitCode = 77;

// Records that the running test case was skipped, and why (printed on stderr).
void note_skipped(const std::string& reason);
// How many test cases were skipped in this run.
int skipped_cases();

}  // namespace slamon::test

#define SLAMON_SKIP(reason)                 \
  do {                                      \
    ::slamon::test::note_skipped(reason);   \
    return;                                 \
  } while (false)
