// slamon-agent: runs probes on a schedule and ships their results (placeholder until issue 3 lands).
#include <CLI/CLI.hpp>
#include <cstdio>

int main(int argc, char** argv) {
  CLI::App app{"slamon-agent: runs probes on a schedule"};
  CLI11_PARSE(app, argc, argv);
  std::fprintf(stderr, "slamon-agent: not available in this build\n");
  return 2;
}
