// Test support for the probes that talk to real peers: a temporary directory removed at the end,
// free loopback ports, and an RAII handle that starts a peer script (tests/probes/peers/*.sh) and
// stops it in its destructor, so peers go away even when a test fails.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <stdexcept>
#include <string>

namespace slamon::test {

inline std::string peers_dir() { return std::string(SLAMON_SOURCE_DIR) + "/tests/probes/peers"; }

// Whether the host has ::1 (the peer scripts then listen there too).
inline bool has_ipv6_loopback() {
  std::ifstream in("/proc/net/if_inet6");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("00000000000000000000000000000001 ", 0) == 0) return true;
  return false;
}

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "slamon-peer-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Whether `port` can be bound on 127.0.0.1 for `type` (SOCK_STREAM or SOCK_DGRAM).
inline bool port_free(int port, int type) {
  const int fd = ::socket(AF_INET, type, 0);
  if (fd < 0) return false;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

// A base port such that base .. base+count-1 are free (TCP and UDP) on 127.0.0.1.
inline int free_port_range(int count) {
  std::mt19937 rng(std::random_device{}());
  std::uniform_int_distribution<int> dist(20000, 59000);
  for (int attempt = 0; attempt < 200; ++attempt) {
    const int base = dist(rng);
    bool ok = true;
    for (int i = 0; i < count && ok; ++i) ok = port_free(base + i, SOCK_STREAM) && port_free(base + i, SOCK_DGRAM);
    if (ok) return base;
  }
  throw std::runtime_error("no free port range");
}

// Runs `script start DIR PORT [ARGS]` now and `script stop DIR` at destruction.
class Peer {
 public:
  Peer(std::string script, std::string dir, int port, const std::string& args = "")
      : script_(std::move(script)), dir_(std::move(dir)) {
    const std::string cmd = "bash '" + script_ + "' start '" + dir_ + "' " + std::to_string(port) + (args.empty() ? "" : " " + args);
    if (std::system(cmd.c_str()) != 0) {
      stop();
      throw std::runtime_error("peer did not start: " + cmd);
    }
  }
  ~Peer() { stop(); }
  Peer(const Peer&) = delete;
  Peer& operator=(const Peer&) = delete;

 private:
  void stop() {
    const std::string cmd = "bash '" + script_ + "' stop '" + dir_ + "'";
    (void)std::system(cmd.c_str());
  }
  std::string script_;
  std::string dir_;
};

}  // namespace slamon::test
