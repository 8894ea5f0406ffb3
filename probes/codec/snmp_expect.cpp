// SNMP expectations.
#include "probes/codec/snmp_expect.h"

#include <cmath>
#include <cstdio>

namespace slamon::probes {
namespace {

std::string number_text(double v) {
  char buf[40];
  if (v == std::floor(v) && std::fabs(v) < 1e18) std::snprintf(buf, sizeof buf, "%.0f", v);
  else std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

std::string shown(const SnmpVarbind& v) { return v.numeric ? number_text(v.number) : "\"" + v.text + "\""; }

bool same(const catalogue::SnmpValue& want, const SnmpVarbind& v) {
  if (want.numeric && v.numeric) return want.number == v.number;
  return want.text == v.text;
}

std::string shown(const catalogue::SnmpValue& want) { return want.numeric ? want.text : "\"" + want.text + "\""; }

}  // namespace

std::optional<std::string> check_value(const catalogue::SnmpExpect* expect, const SnmpVarbind& v) {
  switch (v.kind) {
    case SnmpVarbind::Kind::no_such_object: return "noSuchObject";
    case SnmpVarbind::Kind::no_such_instance: return "noSuchInstance";
    case SnmpVarbind::Kind::end_of_mib_view: return "endOfMibView";
    case SnmpVarbind::Kind::value: break;
  }
  if (!expect) return std::nullopt;
  if (expect->equals && !same(*expect->equals, v))
    return "got " + shown(v) + ", expected " + shown(*expect->equals);
  if (expect->not_equals && same(*expect->not_equals, v))
    return "got " + shown(v) + ", expected anything but " + shown(*expect->not_equals);
  if ((expect->min || expect->max) && !v.numeric) return "got " + shown(v) + ", expected a number";
  if (expect->min && v.number < *expect->min)
    return "got " + shown(v) + ", expected at least " + number_text(*expect->min);
  if (expect->max && v.number > *expect->max)
    return "got " + shown(v) + ", expected at most " + number_text(*expect->max);
  return std::nullopt;
}

std::optional<std::string> check_walk(const catalogue::SnmpExpect* expect, const std::vector<SnmpVarbind>& rows) {
  if (rows.empty()) return "empty walk";
  if (expect && expect->min_rows && static_cast<int>(rows.size()) < *expect->min_rows)
    return std::to_string(rows.size()) + " rows, expected at least " + std::to_string(*expect->min_rows);
  for (const auto& row : rows) {
    if (auto why = check_value(expect, row)) return row.oid + ": " + *why;
    if (expect && expect->all_equal && !same(*expect->all_equal, row))
      return row.oid + ": got " + shown(row) + ", expected all equal to " + shown(*expect->all_equal);
  }
  return std::nullopt;
}

int halve_repetitions(int max_repetitions) { return max_repetitions > 1 ? max_repetitions / 2 : 1; }

std::string describe(const SnmpVarbind& v) {
  switch (v.kind) {
    case SnmpVarbind::Kind::no_such_object: return "No Such Object available on this agent at this OID";
    case SnmpVarbind::Kind::no_such_instance: return "No Such Instance currently exists at this OID";
    case SnmpVarbind::Kind::end_of_mib_view: return "No more variables left in this MIB View";
    case SnmpVarbind::Kind::value: break;
  }
  return v.type + ": " + (v.numeric ? number_text(v.number) : "\"" + v.text + "\"");
}

}  // namespace slamon::probes
