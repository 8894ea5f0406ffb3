// The agent's copy of its last accepted assignment, so that it probes at once after a restart, also
// while the collector is away: state_dir/assignment.pb (the serialized v1::Assignment, mode 0600:
// it holds the probes' secrets), written atomically (a temporary file made 0600, written, fsync'ed,
// renamed over the old one, the folder fsync'ed). HTTP probes' CA certificates travel as PEM; they
// are written to state_dir/ca/<probe-id>.pem (0600, folder 0700) and the probe's tls_ca_file names
// that file. A cache that cannot be read is moved aside (assignment.pb.corrupt-<ms>) and logged.
// Nothing here logs a secret.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <spdlog/fwd.h>
#include <string>
#include <vector>

#include "common/catalogue/model.h"
#include "common/time.h"
#include "common/wire/convert.h"
#include "common/wire/slamon.pb.h"

namespace slamon::agent {

// An assignment ready to run: its version and its probes (CA files written, named in tls_ca_file).
struct RunnableAssignment {
  std::string version;
  std::vector<catalogue::Probe> probes;
};

class AssignmentCache {
 public:
  // `log` (may be null) gets the lines about a corrupt cache; they start with `agent`.
  AssignmentCache(std::string state_dir, std::string agent, const Clock& clock,
                  std::shared_ptr<spdlog::logger> log = nullptr);

  // The cached assignment, with its CA files written again; nullopt when there is none, or when it
  // could not be read or decoded (then it is moved aside and an error is logged).
  std::optional<RunnableAssignment> load();
  // Writes the CA files of `probes` (decoded from `a`), then `a` itself, atomically; removes CA files
  // of probes no longer assigned. Throws std::system_error naming the file when a write fails (the
  // previous cache then stays as it was).
  RunnableAssignment save(const wire::v1::Assignment& a, std::vector<wire::WireProbe> probes);

  std::string path() const;        // state_dir/assignment.pb
  std::string ca_dir() const;      // state_dir/ca
  // Where the last corrupt cache went (set by load()).
  const std::optional<std::string>& moved_aside() const { return moved_aside_; }

 private:
  RunnableAssignment materialize(const std::string& version, std::vector<wire::WireProbe> probes);

  std::string state_dir_;
  std::string agent_;
  const Clock& clock_;
  std::shared_ptr<spdlog::logger> log_;
  std::optional<std::string> moved_aside_;
};

// Replaces `path` with `bytes` atomically and durably, the file made with `mode`. Throws
// std::system_error ("cannot write PATH: REASON") when a step fails; the old file then stays.
void write_file_atomically(const std::string& path, const std::string& bytes, unsigned mode);

// Creates `dir` (and its parents) when missing, the last one with `mode`. Throws std::system_error.
void make_private_dir(const std::string& dir, unsigned mode = 0700);

}  // namespace slamon::agent
