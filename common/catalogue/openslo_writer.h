// Writing the catalogue's SLAs as OpenSLO v1 documents (docs/openslo.md): a YAML stream with a
// `Service` per service or CI that has SLAs and an `SLO` per SLA, calendar-aligned to its period in
// its timezone, budgeted by one-minute timeslices, with what OpenSLO has no field for (service hours,
// holidays, policies, maintenance windows, agreements) as `slamon.io/` annotations. No secret is
// ever written: probes, agents and their credentials are not part of the export.
#pragma once

#include <string>
#include <vector>

#include "common/catalogue/model.h"

namespace slamon::catalogue {

struct OpensloExport {
  std::string yaml;                    // "---"-separated documents
  std::vector<std::string> left_out;   // "sla ID: why" for SLAs OpenSLO cannot express
};

OpensloExport write_openslo(const Catalogue& cat);

// An RFC 1123 label for an id: lowercase, [a-z0-9-], at most 63 characters ("x" when nothing is left).
std::string openslo_name(const std::string& id);

}  // namespace slamon::catalogue
