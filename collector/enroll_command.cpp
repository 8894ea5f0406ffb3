// `slamon-collector enroll` (see enroll_command.h).
#include "collector/enroll_command.h"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "collector/daemon.h"
#include "collector/enrollment.h"
#include "collector/pid_file.h"
#include "collector/session_logic.h"
#include "common/catalogue/parser.h"
#include "common/small_file.h"

namespace slamon::collector {
namespace {

namespace fs = std::filesystem;

// 32 random bytes from the kernel, as 64 hex digits.
std::optional<std::string> new_token() {
  unsigned char bytes[32];
  std::size_t got = 0;
  while (got < sizeof bytes) {
    const auto n = ::getrandom(bytes + got, sizeof bytes - got, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return std::nullopt;
    }
    got += static_cast<std::size_t>(n);
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (const unsigned char b : bytes) {
    out += kHex[b >> 4];
    out += kHex[b & 0xf];
  }
  return out;
}

// The file's agents (none when it does not exist), or nullopt after printing why.
std::optional<EnrolledAgents> read_enrolled(const std::string& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return EnrolledAgents{};
  const auto text = read_small_file(path, kMaxCatalogueFileBytes);
  if (!text.bytes) {
    std::fprintf(stderr, "%s: error: cannot read the enrolled agents: %s\n", path.c_str(), text.error.c_str());
    return std::nullopt;
  }
  auto parsed = parse_enrolled_agents(*text.bytes, path);
  for (const auto& e : parsed.errors) std::fprintf(stderr, "%s\n", e.c_str());
  return parsed.enrolled;
}

// Writes `text` to `path` atomically (a temporary file beside it, fsync, rename), mode 0600, owned
// as the file was, else as its folder (the collector's state directory, its user's).
bool write_atomically(const std::string& path, const std::string& text) {
  const fs::path p(path);
  std::error_code ec;
  fs::create_directories(p.parent_path(), ec);
  struct stat owner {};
  const bool have_owner = ::stat(path.c_str(), &owner) == 0 || ::stat(p.parent_path().c_str(), &owner) == 0;
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  auto failed = [&](const char* what) {
    std::fprintf(stderr, "%s: error: cannot %s: %s\n", path.c_str(), what, std::strerror(errno));
    if (fd >= 0) ::close(fd);
    ::unlink(tmp.c_str());
    return false;
  };
  if (fd < 0) return failed("create a temporary file beside it");
  if (::fchmod(fd, 0600) != 0) return failed("set mode 0600");
  if (have_owner && ::geteuid() == 0 && ::fchown(fd, owner.st_uid, owner.st_gid) != 0) return failed("set its owner");
  for (std::size_t done = 0; done < text.size();) {
    const auto n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return failed("write");
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) return failed("fsync");
  if (::close(fd) != 0) {
    std::fprintf(stderr, "%s: error: cannot close: %s\n", path.c_str(), std::strerror(errno));
    ::unlink(tmp.c_str());
    return false;
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    std::fprintf(stderr, "%s: error: cannot rename %s over it: %s\n", path.c_str(), tmp.c_str(), std::strerror(errno));
    ::unlink(tmp.c_str());
    return false;
  }
  if (const int dir = ::open(p.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return true;
}

// A running collector applies the change on SIGHUP (as `slamon-collector reload`).
void tell_running_collector(const CollectorConfig& config) {
  const auto pid = running_pid(pid_file_path(config));
  if (!pid) {
    std::fprintf(stderr, "slamon-collector enroll: no collector running; it reads %s at start\n",
                 config.enrolled_agents.c_str());
    return;
  }
  if (::kill(*pid, SIGHUP) != 0) {
    std::fprintf(stderr, "slamon-collector enroll: cannot signal the running collector (pid %d): %s; run "
                 "`slamon-collector reload` as its user\n", static_cast<int>(*pid), std::strerror(errno));
    return;
  }
  std::fprintf(stderr, "slamon-collector enroll: the running collector (pid %d) reloads (SIGHUP)\n", static_cast<int>(*pid));
}

// The catalogue's entry for `agent` (a warning when the catalogue cannot be read).
std::optional<catalogue::Agent> catalogue_agent(const CollectorConfig& config, const std::string& agent) {
  const catalogue::DiskFileSource files;
  const auto loaded = catalogue::load_catalogue(config.catalogue, files);
  if (!loaded.catalogue) {
    std::fprintf(stderr, "slamon-collector enroll: warning: the catalogue %s has %zu error(s); not checked against it\n",
                 config.catalogue.c_str(), loaded.errors.size());
    return std::nullopt;
  }
  for (const auto& a : loaded.catalogue->agents)
    if (a.name == agent) return a;
  std::fprintf(stderr, "slamon-collector enroll: warning: agent %s is not in the catalogue %s: add it (without "
               "token_sha256) and give it probes before it connects\n", agent.c_str(), config.catalogue.c_str());
  return std::nullopt;
}

std::string snippet_address(const CollectorConfig& config, const EnrollOptions& o) {
  if (!o.address.empty()) return o.address;
  std::string host = config.listen_host;
  if (host.empty() || host == "0.0.0.0" || host == "::") {
    char name[256] = {};
    host = ::gethostname(name, sizeof name - 1) == 0 ? name : "COLLECTOR-HOST";
  }
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return host + ":" + std::to_string(config.listen_port);
}

int list(const EnrolledAgents& enrolled) {
  std::printf("%-24s %-8s %-24s %s\n", "AGENT", "STATE", "ENROLLED", "REVOKED");
  for (const auto& a : enrolled.agents)
    std::printf("%-24s %-8s %-24s %s\n", a.name.c_str(), a.revoked ? "revoked" : "active",
                format_rfc3339(a.enrolled_ms).c_str(), a.revoked_ms ? format_rfc3339(*a.revoked_ms).c_str() : "-");
  return 0;
}

}  // namespace

int run_enroll(const CollectorConfig& config, const EnrollOptions& o) {
  const std::string& file = config.enrolled_agents;
  auto enrolled = read_enrolled(file);
  if (!enrolled) return 1;
  if (o.list) return list(*enrolled);
  const TimeMs now_ms = SystemClock().now_ms();

  if (!o.revoke.empty()) {
    if (auto error = revoke_agent(*enrolled, o.revoke, now_ms)) {
      std::fprintf(stderr, "slamon-collector enroll: %s (%s)\n", error->c_str(), file.c_str());
      return 1;
    }
    if (!write_atomically(file, format_enrolled_agents(*enrolled))) return 1;
    std::printf("agent %s: enrollment revoked in %s\n", o.revoke.c_str(), file.c_str());
    tell_running_collector(config);
    return 0;
  }

  if (const auto in_catalogue = catalogue_agent(config, o.agent); in_catalogue && !in_catalogue->token_sha256.empty()) {
    std::fprintf(stderr,
                 "%s:%d:%d: error: agent %s: has a token_sha256 in the catalogue; it cannot also be enrolled in %s "
                 "(remove token_sha256 from the catalogue first)\n",
                 in_catalogue->loc.file.c_str(), in_catalogue->loc.line, in_catalogue->loc.col, o.agent.c_str(), file.c_str());
    return 1;
  }
  const auto token = new_token();
  if (!token) {
    std::fprintf(stderr, "slamon-collector enroll: no random bytes from the kernel: %s\n", std::strerror(errno));
    return 1;
  }
  if (auto error = enroll_agent(*enrolled, o.agent, sha256_hex(*token), now_ms)) {
    std::fprintf(stderr, "slamon-collector enroll: %s (%s)\n", error->c_str(), file.c_str());
    return 1;
  }
  if (!write_atomically(file, format_enrolled_agents(*enrolled))) return 1;
  std::printf(
      "# slamon-collector enroll %s: the token below is shown once; the collector keeps only its SHA-256 (in %s).\n"
      "# 1. On the agent's host, this line alone in /etc/slamon/secrets/agent.token (mode 0600, owner slamon-agent):\n"
      "%s\n"
      "# 2. /etc/slamon/agent.yaml (docs/agent-config.md):\n"
      "collector: %s\n"
      "name: %s\n"
      "token_file: secrets/agent.token\n"
      "tls:\n"
      "  ca_file: %s   # the CA that signed the collector's certificate (%s)\n",
      o.agent.c_str(), file.c_str(), token->c_str(), snippet_address(config, o).c_str(), o.agent.c_str(),
      o.ca_file.c_str(), config.tls.cert_file.c_str());
  std::fflush(stdout);
  tell_running_collector(config);
  return 0;
}

}  // namespace slamon::collector
