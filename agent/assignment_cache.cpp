// The assignment cache (see assignment_cache.h).
#include "agent/assignment_cache.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <set>
#include <system_error>

#include "agent/uplink_logic.h"
#include "common/small_file.h"

namespace slamon::agent {

namespace fs = std::filesystem;

namespace {

// Larger than any assignment (10,000 probes are a few MB); the frame cap is 4 MiB anyway.
constexpr std::size_t kMaxCacheBytes = 64 * 1024 * 1024;

[[noreturn]] void fail(int err, const std::string& what) {
  throw std::system_error(err, std::generic_category(), what);
}

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

void make_private_dir(const std::string& dir, unsigned mode) {
  std::error_code ec;
  const fs::path p(dir);
  if (p.has_parent_path() && !fs::exists(p.parent_path(), ec)) {
    fs::create_directories(p.parent_path(), ec);
    if (ec) fail(ec.value(), "cannot create folder " + p.parent_path().string());
  }
  if (::mkdir(dir.c_str(), static_cast<mode_t>(mode)) != 0 && errno != EEXIST)
    fail(errno, "cannot create folder " + dir);
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) fail(errno, "cannot read folder " + dir);
  if (!S_ISDIR(st.st_mode)) fail(ENOTDIR, "cannot use folder " + dir);
}

void write_file_atomically(const std::string& path, const std::string& bytes, unsigned mode) {
  const fs::path target(path);
  const std::string tmp = path + ".tmp-" + std::to_string(::getpid());
  ::unlink(tmp.c_str());  // a leftover of a crash
  {
    Fd f;
    f.fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, static_cast<mode_t>(mode));
    if (f.fd < 0) fail(errno, "cannot write " + tmp);
    std::size_t done = 0;
    while (done < bytes.size()) {
      const ssize_t n = ::write(f.fd, bytes.data() + done, bytes.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        const int err = n < 0 ? errno : EIO;
        ::unlink(tmp.c_str());
        fail(err, "cannot write " + tmp);
      }
      done += static_cast<std::size_t>(n);
    }
    if (::fchmod(f.fd, static_cast<mode_t>(mode)) != 0 || ::fsync(f.fd) != 0) {
      const int err = errno;
      ::unlink(tmp.c_str());
      fail(err, "cannot write " + tmp);
    }
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    fail(err, "cannot rename " + tmp + " to " + path);
  }
  const std::string dir = target.has_parent_path() ? target.parent_path().string() : ".";
  Fd d;
  d.fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (d.fd < 0 || ::fsync(d.fd) != 0) fail(errno, "cannot sync folder " + dir);
}

AssignmentCache::AssignmentCache(std::string state_dir, std::string agent, const Clock& clock,
                                 std::shared_ptr<spdlog::logger> log)
    : state_dir_(std::move(state_dir)), agent_(std::move(agent)), clock_(clock), log_(std::move(log)) {}

std::string AssignmentCache::path() const { return (fs::path(state_dir_) / "assignment.pb").string(); }
std::string AssignmentCache::ca_dir() const { return (fs::path(state_dir_) / "ca").string(); }

std::optional<RunnableAssignment> AssignmentCache::load() {
  const std::string file = path();
  std::error_code ec;
  if (!fs::exists(file, ec)) return std::nullopt;
  std::string why;
  const FileText text = read_small_file(file, kMaxCacheBytes);
  wire::v1::Assignment a;
  if (!text.bytes) {
    why = text.error;
  } else if (!a.ParseFromString(*text.bytes)) {
    why = "not a serialized assignment";
  } else {
    auto decoded = decode_assignment(a, agent_);
    if (!decoded.error.empty()) {
      why = decoded.error;
    } else {
      try {
        return materialize(a.version(), std::move(decoded.probes));
      } catch (const std::system_error& e) {
        // The cache is fine, its CA files could not be written: not a reason to move it aside.
        if (log_) log_->error("{}: cached assignment {}: {}; waiting for the collector's assignment", agent_, file, e.what());
        return std::nullopt;
      }
    }
  }
  const std::string aside = file + ".corrupt-" + std::to_string(clock_.now_ms());
  fs::rename(file, aside, ec);
  if (ec) {
    if (log_) log_->error("{}: cached assignment {} cannot be used ({}), and cannot be moved aside ({}); waiting for the collector's assignment", agent_, file, why, ec.message());
    return std::nullopt;
  }
  moved_aside_ = aside;
  if (log_) log_->error("{}: cached assignment {} cannot be used ({}); moved to {}; waiting for the collector's assignment", agent_, file, why, aside);
  return std::nullopt;
}

RunnableAssignment AssignmentCache::save(const wire::v1::Assignment& a, std::vector<wire::WireProbe> probes) {
  make_private_dir(state_dir_, 0700);
  auto runnable = materialize(a.version(), std::move(probes));
  write_file_atomically(path(), a.SerializeAsString(), 0600);
  // CA files of probes no longer assigned go (best effort: a leftover only costs a little space).
  std::set<std::string> keep;
  for (const auto& p : runnable.probes)
    if (const auto* h = std::get_if<catalogue::HttpSpec>(&p.spec); h && h->tls_ca_file) keep.insert(*h->tls_ca_file);
  std::error_code ec;
  for (fs::directory_iterator it(ca_dir(), ec), end; !ec && it != end; it.increment(ec)) {
    const auto name = it->path().string();
    if (it->path().extension() == ".pem" && !keep.contains(name)) fs::remove(it->path(), ec);
  }
  return runnable;
}

RunnableAssignment AssignmentCache::materialize(const std::string& version, std::vector<wire::WireProbe> probes) {
  RunnableAssignment out;
  out.version = version;
  out.probes.reserve(probes.size());
  bool dir_made = false;
  for (auto& w : probes) {
    if (w.ca_pem) {
      if (auto* h = std::get_if<catalogue::HttpSpec>(&w.probe.spec)) {
        if (!dir_made) {
          make_private_dir(state_dir_, 0700);
          make_private_dir(ca_dir(), 0700);
          ::chmod(ca_dir().c_str(), 0700);
          dir_made = true;
        }
        const std::string file = (fs::path(ca_dir()) / (w.probe.id + ".pem")).string();
        write_file_atomically(file, *w.ca_pem, 0600);
        h->tls_ca_file = file;
      }
    }
    out.probes.push_back(std::move(w.probe));
  }
  return out;
}

}  // namespace slamon::agent
