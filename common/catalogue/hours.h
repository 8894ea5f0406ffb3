// Service hours syntax: "mon-fri 08:00-18:00", "sat,sun 10:00-14:00", "24x7". Shared by SLA hours and
// recurring maintenance ("every"). Pure text functions; the loader adds locations.
#pragma once

#include <string>
#include <string_view>
#include <variant>

#include "common/catalogue/model.h"

namespace slamon::catalogue {

// One entry: a window, "24x7" (nullopt window with always = true), or an error message.
struct HoursEntry {
  bool always = false;
  HoursWindow window;
};
std::variant<HoursEntry, std::string> parse_hours_entry(std::string_view text);

// The canonical text of a window: "mon-fri 08:00-18:00", "mon,wed 00:00-24:00".
std::string format_hours_window(const HoursWindow& w);

// The canonical texts of service hours: {"24x7"} or one entry per window.
std::vector<std::string> format_service_hours(const ServiceHours& h);

}  // namespace slamon::catalogue
