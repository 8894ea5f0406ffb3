// The enrolled-agents file the collector manages (`slamon-collector enroll`): per agent, the SHA-256
// of the token `enroll` printed once, when, and whether it was revoked. One line per agent:
//
//   # comment lines and blank lines are skipped
//   NAME STATE SHA256 ENROLLED_AT [REVOKED_AT]
//   a1   active  9f86d0...(64 hex) 2026-12-07T09:00:00Z
//   a2   revoked 1c3f4a...(64 hex) 2026-12-06T10:00:00Z 2026-12-07T08:00:00Z
//
// Pure: parsing, writing, the changes enroll and revoke make, and merging the active tokens into the
// catalogue's agents (an agent with a token in both places is an error naming both). The reading,
// the atomic rewrite and the printing are in collector/enroll_command.cpp. docs/operations.md, "Enrollment".
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/catalogue/model.h"
#include "common/time.h"

namespace slamon::collector {

struct EnrolledAgent {
  std::string name;
  bool revoked = false;
  std::string token_sha256;        // 64 lower-case hex digits
  TimeMs enrolled_ms = 0;
  std::optional<TimeMs> revoked_ms;
  bool operator==(const EnrolledAgent&) const = default;
};

struct EnrolledAgents {
  std::vector<EnrolledAgent> agents;  // in the order enrolled
  const EnrolledAgent* find(std::string_view name) const;
  EnrolledAgent* find(std::string_view name);
  bool operator==(const EnrolledAgents&) const = default;
};

struct EnrolledParse {
  std::optional<EnrolledAgents> enrolled;  // set exactly when errors is empty
  std::vector<std::string> errors;         // "FILE:LINE:1: error: ..." each
};

// `file` names the file in the errors.
EnrolledParse parse_enrolled_agents(std::string_view text, const std::string& file);
std::string format_enrolled_agents(const EnrolledAgents& enrolled);

// enroll: a new active entry for `name` with this digest (replacing a revoked one). An error text
// when `name` is not a valid agent name or is active already.
std::optional<std::string> enroll_agent(EnrolledAgents& enrolled, const std::string& name, const std::string& token_sha256,
                                        TimeMs now_ms);
// revoke: the active entry of `name` marked revoked. An error text when there is none.
std::optional<std::string> revoke_agent(EnrolledAgents& enrolled, const std::string& name, TimeMs now_ms);

// The catalogue's agents with the active enrolled tokens filled in (an agent without token_sha256 in
// the catalogue gets its enrolled one). An agent with a token in the catalogue that is also enrolled
// (active) is an error naming both places: "CAT:LINE:COL: error: agent a1: ...".
std::vector<std::string> merge_enrolled_tokens(std::vector<catalogue::Agent>& agents, const EnrolledAgents& enrolled,
                                               const std::string& enrolled_file);

}  // namespace slamon::collector
