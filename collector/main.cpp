// slamon-collector: holds the catalogue, ingests results, serves reports (placeholder).
#include <CLI/CLI.hpp>
#include <cstdio>

int main(int argc, char** argv) {
  CLI::App app{"slamon-collector: the central server"};
  CLI11_PARSE(app, argc, argv);
  std::fprintf(stderr, "slamon-collector: not available in this build\n");
  return 2;
}
