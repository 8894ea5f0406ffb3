# Every dependency is a Debian package installed by scripts/setup.sh.
find_package(Threads REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(date CONFIG REQUIRED)          # date::date-tz, system tzdata (USE_OS_TZDB)
find_package(simdjson CONFIG REQUIRED)
find_package(spdlog CONFIG REQUIRED)
find_package(fmt CONFIG REQUIRED)
find_package(doctest CONFIG REQUIRED)
find_package(SQLite3 REQUIRED)               # the collector's store (also in the pure build)
find_package(PkgConfig REQUIRED)
pkg_check_modules(RE2 REQUIRED IMPORTED_TARGET re2)
pkg_check_modules(LIBPQ REQUIRED IMPORTED_TARGET libpq)  # the PostgreSQL store (libpq-dev)
find_package(CURL REQUIRED)                # common checks HTTP URLs with libcurl's URL parser
find_package(OpenSSL REQUIRED)             # SHA-256 of tokens and assignments (slamon_collector_logic)
if(NOT SLAMON_PURE_ONLY)
  find_package(Boost 1.81 CONFIG REQUIRED)  # header-only parts: Asio, Beast, System
  find_package(CLI11 CONFIG REQUIRED)
  # net-snmp ships no CMake config; net-snmp-config gives its flags.
  find_program(NETSNMP_CONFIG net-snmp-config REQUIRED)
  execute_process(COMMAND ${NETSNMP_CONFIG} --netsnmp-libs OUTPUT_VARIABLE NETSNMP_LIBS OUTPUT_STRIP_TRAILING_WHITESPACE)
  separate_arguments(NETSNMP_LIBS UNIX_COMMAND "${NETSNMP_LIBS}")
  add_library(netsnmp_lib INTERFACE)
  target_link_libraries(netsnmp_lib INTERFACE ${NETSNMP_LIBS})
endif()
