// Test support for the ICMP and TCP runner tests: running a coroutine to completion on an io_context,
// a pair of network namespaces joined by a veth link (created and always removed by the test), entering
// a namespace from the test thread, child processes, and dropping CAP_NET_RAW for a while.
#pragma once

#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <optional>
#include <string>
#include <vector>

extern char** environ;

namespace slamon::test {

// Runs `a` on `io` until it completes (bounded by `limit`); rethrows its exception.
template <class T>
T run_sync(boost::asio::io_context& io, boost::asio::awaitable<T> a,
           std::chrono::milliseconds limit = std::chrono::seconds(60)) {
  std::optional<T> result;
  std::exception_ptr error;
  bool done = false;
  boost::asio::co_spawn(io, std::move(a), [&](std::exception_ptr e, T v) {
    done = true;
    if (e) error = e;
    else result = std::move(v);
  });
  const auto until = std::chrono::steady_clock::now() + limit;
  io.restart();
  while (!done && std::chrono::steady_clock::now() < until) io.run_one_for(std::chrono::milliseconds(50));
  if (error) std::rethrow_exception(error);
  if (!result) throw std::runtime_error("coroutine did not finish in time");
  return std::move(*result);
}

// Lets the loop run for a while (late replies, stray packets).
inline void run_for(boost::asio::io_context& io, std::chrono::milliseconds d) {
  const auto until = std::chrono::steady_clock::now() + d;
  io.restart();
  while (std::chrono::steady_clock::now() < until) io.run_one_for(std::chrono::milliseconds(10));
}

inline bool sh(const std::string& cmd) { return std::system((cmd + " >/dev/null 2>&1").c_str()) == 0; }

// Two namespaces, prober (10.200.0.1, fd00:200::1) and responder (10.200.0.2 and .3, fd00:200::2 and ::3),
// on one veth link.
class TestNetwork {
 public:
  TestNetwork() {
    // Namespaces left by a test process that died without cleaning up (crash, kill -9).
    sh("for ns in $(ip netns list | grep -oE '^slamon-[pr]-[0-9]+'); do "
       "[ -d /proc/${ns##*-} ] || ip netns del $ns; done");
    const std::string id = std::to_string(::getpid());
    prober_ = "slamon-p-" + id;
    responder_ = "slamon-r-" + id;
    ok_ = sh("ip netns add " + prober_) && sh("ip netns add " + responder_) &&
          sh("ip -n " + prober_ + " link add vp type veth peer name vr netns " + responder_) &&
          sh("ip -n " + prober_ + " addr add 10.200.0.1/29 dev vp") &&
          sh("ip -n " + prober_ + " link set vp up") && sh("ip -n " + prober_ + " link set lo up") &&
          sh("ip -n " + responder_ + " addr add 10.200.0.2/29 dev vr") &&
          sh("ip -n " + responder_ + " addr add 10.200.0.3/29 dev vr") &&
          sh("ip -n " + responder_ + " link set vr up") && sh("ip -n " + responder_ + " link set lo up") &&
          sh("ip netns exec " + responder_ + " sysctl -qw net.ipv4.icmp_echo_ignore_all=1") &&
          sh("ip netns exec " + responder_ + " sysctl -qw net.ipv4.icmp_ratelimit=0") &&
          set_ping_group_range("0 2147483647");
    // IPv6 beside it (no duplicate address detection, so the addresses work at once), when available.
    ipv6_ = ok_ && sh("ip -n " + prober_ + " addr add fd00:200::1/64 dev vp nodad") &&
            sh("ip -n " + responder_ + " addr add fd00:200::2/64 dev vr nodad") &&
            sh("ip -n " + responder_ + " addr add fd00:200::3/64 dev vr nodad") &&
            sh("ip netns exec " + responder_ + " sysctl -qw net.ipv6.icmp.echo_ignore_all=1");
  }
  ~TestNetwork() {
    sh("ip netns del " + prober_);
    sh("ip netns del " + responder_);
  }
  TestNetwork(const TestNetwork&) = delete;
  TestNetwork& operator=(const TestNetwork&) = delete;

  bool ok() const { return ok_; }
  bool ipv6() const { return ipv6_; }
  const std::string& prober() const { return prober_; }
  const std::string& responder() const { return responder_; }
  bool set_ping_group_range(const std::string& range) {
    return sh("ip netns exec " + prober_ + " sysctl -qw net.ipv4.ping_group_range='" + range + "'");
  }

 private:
  std::string prober_, responder_;
  bool ok_ = false;
  bool ipv6_ = false;
};

// Moves the calling thread into a named network namespace until destroyed. Sockets opened meanwhile
// belong to that namespace for good.
class InNamespace {
 public:
  explicit InNamespace(const std::string& name) {
    home_ = ::open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    const int fd = ::open(("/run/netns/" + name).c_str(), O_RDONLY | O_CLOEXEC);
    ok_ = home_ >= 0 && fd >= 0 && ::setns(fd, CLONE_NEWNET) == 0;
    if (fd >= 0) ::close(fd);
  }
  ~InNamespace() {
    if (home_ >= 0) {
      if (::setns(home_, CLONE_NEWNET) != 0) std::abort();
      ::close(home_);
    }
  }
  bool ok() const { return ok_; }

 private:
  int home_ = -1;
  bool ok_ = false;
};

// A child process with its stdout on a pipe; killed (SIGTERM) and reaped when destroyed.
class Child {
 public:
  explicit Child(const std::vector<std::string>& argv) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    if (::posix_spawnp(&pid_, args[0], &actions, nullptr, args.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
    ::close(fds[1]);
    out_ = ::fdopen(fds[0], "r");
  }
  ~Child() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
    if (out_) std::fclose(out_);
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  // The next line of the child's stdout, without its newline (blocks; the child bounds itself).
  std::string line() {
    char buf[512];
    if (!out_ || !std::fgets(buf, sizeof buf, out_)) return {};
    std::string s(buf);
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
    return s;
  }
  bool running() const { return pid_ > 0; }

 private:
  pid_t pid_ = -1;
  FILE* out_ = nullptr;
};

// Removes CAP_NET_RAW from the effective set until destroyed (it stays permitted, so it comes back).
class WithoutNetRaw {
 public:
  WithoutNetRaw() {
    header_.version = _LINUX_CAPABILITY_VERSION_3;
    header_.pid = 0;
    ok_ = ::syscall(SYS_capget, &header_, saved_) == 0;
    if (!ok_) return;
    __user_cap_data_struct lowered[2] = {saved_[0], saved_[1]};
    lowered[CAP_NET_RAW / 32].effective &= ~(1U << (CAP_NET_RAW % 32));
    ok_ = ::syscall(SYS_capset, &header_, lowered) == 0;
  }
  ~WithoutNetRaw() {
    if (ok_) ::syscall(SYS_capset, &header_, saved_);
  }
  bool ok() const { return ok_; }

 private:
  __user_cap_header_struct header_{};
  __user_cap_data_struct saved_[2]{};
  bool ok_ = false;
};

inline bool is_root() { return ::geteuid() == 0; }

}  // namespace slamon::test
