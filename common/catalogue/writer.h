// Writing the model back as catalogue YAML, so that load -> write -> load gives an equal model (up
// to source locations). Defaults are already applied in the model, so every probe field is written
// explicitly; ids, rules and calendars in their canonical spelling.
//
// Secrets: a secret read from a file is written as its `*_file` reference (an absolute path). An
// inline secret (community: ..., token_sha256: ...) is never written unless the caller asks for it
// with `inline_secrets` (e.g. to write a catalogue for the user who owns it); otherwise the key is
// left out and a comment says so, and the result may not load until the secret is supplied.
#pragma once

#include <string>

#include "common/catalogue/model.h"

namespace slamon::catalogue {

struct WriteOptions {
  bool inline_secrets = false;  // write inline secret values (never for logs or API answers)
};

// The whole catalogue; empty sections are left out (a catalogue holding only maintenance windows
// writes `version: 1` and a `maintenance:` list, as `slamon export --maintenance` needs).
std::string write_catalogue_yaml(const Catalogue& cat, const WriteOptions& options = {});

// A duration in the one unit that divides it exactly, largest first: "90s", "5m", "250ms".
std::string format_duration_single_unit(DurationMs d);

}  // namespace slamon::catalogue
