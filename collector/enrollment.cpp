// The enrolled-agents file (see enrollment.h).
#include "collector/enrollment.h"

#include <sstream>

#include "common/catalogue/load_context.h"
#include "common/diagnostic.h"

namespace slamon::collector {
namespace {

bool is_digest(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

std::vector<std::string_view> words(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    const std::size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
  return out;
}

}  // namespace

const EnrolledAgent* EnrolledAgents::find(std::string_view name) const {
  for (const auto& a : agents)
    if (a.name == name) return &a;
  return nullptr;
}

EnrolledAgent* EnrolledAgents::find(std::string_view name) {
  for (auto& a : agents)
    if (a.name == name) return &a;
  return nullptr;
}

EnrolledParse parse_enrolled_agents(std::string_view text, const std::string& file) {
  EnrolledParse out;
  EnrolledAgents enrolled;
  int line_no = 0;
  auto error = [&](const std::string& message) {
    out.errors.push_back(format_diagnostic(Diagnostic{file, line_no, 1, "", message}));
  };
  while (!text.empty()) {
    const auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const auto w = words(line);
    if (w.empty() || w[0].front() == '#') continue;
    if (w.size() < 4 || w.size() > 5) {
      error("expected NAME STATE SHA256 ENROLLED_AT [REVOKED_AT], not " + std::to_string(w.size()) + " field(s)");
      continue;
    }
    EnrolledAgent a;
    a.name = std::string(w[0]);
    if (!catalogue::valid_agent_name(a.name)) error("agent name '" + a.name.substr(0, 70) + "' is not valid");
    if (w[1] != "active" && w[1] != "revoked") error("state must be active or revoked, not '" + std::string(w[1]) + "'");
    a.revoked = w[1] == "revoked";
    a.token_sha256 = std::string(w[2]);
    if (!is_digest(a.token_sha256)) error("agent " + a.name + ": the token's SHA-256 must be 64 lower-case hex digits");
    const auto enrolled_ms = parse_rfc3339(std::string(w[3]));
    if (!enrolled_ms) error("agent " + a.name + ": '" + std::string(w[3]) + "' is not an RFC 3339 time");
    a.enrolled_ms = enrolled_ms.value_or(0);
    if (w.size() == 5) {
      a.revoked_ms = parse_rfc3339(std::string(w[4]));
      if (!a.revoked_ms) error("agent " + a.name + ": '" + std::string(w[4]) + "' is not an RFC 3339 time");
    }
    if (a.revoked && w.size() != 5) error("agent " + a.name + ": revoked without the time it was revoked");
    if (!a.revoked && w.size() == 5) error("agent " + a.name + ": active with a revocation time");
    if (enrolled.find(a.name) != nullptr) error("agent " + a.name + " is listed twice");
    enrolled.agents.push_back(std::move(a));
  }
  if (out.errors.empty()) out.enrolled = std::move(enrolled);
  return out;
}

std::string format_enrolled_agents(const EnrolledAgents& enrolled) {
  std::ostringstream out;
  out << "# slamon-collector's enrolled agents: written by `slamon-collector enroll`, read at start and on reload.\n"
         "# NAME STATE SHA256-OF-TOKEN ENROLLED_AT [REVOKED_AT]\n";
  for (const auto& a : enrolled.agents) {
    out << a.name << ' ' << (a.revoked ? "revoked" : "active") << ' ' << a.token_sha256 << ' '
        << format_rfc3339(a.enrolled_ms);
    if (a.revoked_ms) out << ' ' << format_rfc3339(*a.revoked_ms);
    out << '\n';
  }
  return out.str();
}

std::optional<std::string> enroll_agent(EnrolledAgents& enrolled, const std::string& name, const std::string& token_sha256,
                                        TimeMs now_ms) {
  if (!catalogue::valid_agent_name(name))
    return "agent name '" + name.substr(0, 70) + "' is not valid (1 to 64 characters from a-z 0-9 . _ -)";
  EnrolledAgent fresh{name, false, token_sha256, now_ms, std::nullopt};
  if (auto* a = enrolled.find(name)) {
    if (!a->revoked)
      return "agent " + name + " is enrolled already (since " + format_rfc3339(a->enrolled_ms) +
             "); revoke it first (--revoke " + name + ") to give it a new token";
    *a = std::move(fresh);
    return std::nullopt;
  }
  enrolled.agents.push_back(std::move(fresh));
  return std::nullopt;
}

std::optional<std::string> revoke_agent(EnrolledAgents& enrolled, const std::string& name, TimeMs now_ms) {
  auto* a = enrolled.find(name);
  if (a == nullptr) return "agent " + name + " is not enrolled";
  if (a->revoked) return "agent " + name + " was revoked already (" + format_rfc3339(*a->revoked_ms) + ")";
  a->revoked = true;
  a->revoked_ms = now_ms;
  return std::nullopt;
}

std::vector<std::string> merge_enrolled_tokens(std::vector<catalogue::Agent>& agents, const EnrolledAgents& enrolled,
                                               const std::string& enrolled_file) {
  std::vector<std::string> errors;
  for (auto& a : agents) {
    const auto* e = enrolled.find(a.name);
    if (e == nullptr || e->revoked) continue;
    if (!a.token_sha256.empty()) {
      errors.push_back(format_diagnostic(Diagnostic{
          a.loc.file, a.loc.line, a.loc.col, "agent " + a.name,
          "has a token_sha256 in the catalogue and is enrolled in " + enrolled_file +
              " (slamon-collector enroll): keep one (remove token_sha256 here, or slamon-collector enroll --revoke " +
              a.name + ")"}));
      continue;
    }
    a.token_sha256 = catalogue::Secret(e->token_sha256, enrolled_file);
  }
  return errors;
}

}  // namespace slamon::collector
