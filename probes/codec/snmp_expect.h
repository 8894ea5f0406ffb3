// Judging fetched SNMP values against a probe's expectations (spec/catalogue.md, "Probe fields"):
// pure functions over plain values, apart from net-snmp and the event loop. Integer, counter, gauge
// and timetick values compare as numbers, octet strings (and everything else) as strings.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/catalogue/model.h"

namespace slamon::probes {

// One variable binding as fetched.
struct SnmpVarbind {
  enum class Kind { value, no_such_object, no_such_instance, end_of_mib_view };
  std::string oid;       // numeric, dotted, without a leading dot: "1.3.6.1.2.1.1.5.0"
  Kind kind = Kind::value;
  std::string type;      // "INTEGER", "STRING", "Counter32", ... for display
  bool numeric = false;  // integer, counter, gauge, timeticks
  double number = 0;
  std::string text;      // the value as text (octet strings as they are, hex when not printable)
  bool operator==(const SnmpVarbind&) const = default;
};

// Why `v` fails `expect` (nullptr: any value), or nullopt when it is met. Messages name no OID.
std::optional<std::string> check_value(const catalogue::SnmpExpect* expect, const SnmpVarbind& v);

// Why a walk's rows fail `expect` (empty walk always fails), or nullopt. Names the failing row's OID.
std::optional<std::string> check_walk(const catalogue::SnmpExpect* expect, const std::vector<SnmpVarbind>& rows);

// The bulk size to retry with after a tooBig or a timeout: halved, at least 1.
int halve_repetitions(int max_repetitions);

// "value" as net-snmp's tools print it, for `slamon probe snmp`: "STRING: \"peer-1\"", "INTEGER: 5".
std::string describe(const SnmpVarbind& v);

}  // namespace slamon::probes
