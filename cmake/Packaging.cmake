# Install rules and the Debian packages (CPack DEB, one package per component): slamon-agent (the
# agent, its unit and sysusers file, /etc/slamon/agent.yaml) and slamon-collector (the collector, the
# `slamon` command, the web UI when built, its unit and sysusers file, /etc/slamon/collector.yaml and
# an example catalogue). Files under /etc are conffiles; the maintainer scripts come from
# systemd/deb/*.in. scripts/package.sh builds the binaries and runs cpack; docs/operations.md,
# "Packages", describes what the packages do.
include(GNUInstallDirs)

set(_deb ${PROJECT_BINARY_DIR}/deb)
set(_src ${PROJECT_SOURCE_DIR})

# The packaged collector.yaml: config/collector.yaml with the web UI where the package puts it.
file(READ ${_src}/config/collector.yaml _collector_yaml)
string(REPLACE "  # web_root: /usr/share/slamon/web     # default: \"web\" beside the slamon-collector binary"
               "  web_root: /usr/share/slamon/web       # where the slamon-collector package puts the web UI"
               _packaged_collector_yaml "${_collector_yaml}")
if(_packaged_collector_yaml STREQUAL _collector_yaml)
  message(FATAL_ERROR "cmake/Packaging.cmake: config/collector.yaml no longer has the commented web_root line it edits")
endif()
file(WRITE ${_deb}/collector/collector.yaml "${_packaged_collector_yaml}")

foreach(_name agent collector)
  set(NAME ${_name})
  if(_name STREQUAL "collector")
    set(STATE_NOTE ": the store, where collector.yaml keeps it there")
  else()
    set(STATE_NOTE ": the spool, the cached assignment")
  endif()
  foreach(_script postinst prerm postrm)
    configure_file(${_src}/systemd/deb/${_script}.in ${_deb}/${_name}/${_script} @ONLY
                   FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
  endforeach()
  install(TARGETS slamon-${_name} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT ${_name})
  install(FILES ${_src}/systemd/slamon-${_name}.service DESTINATION lib/systemd/system COMPONENT ${_name})
  install(FILES ${_src}/systemd/slamon-${_name}.sysusers.conf DESTINATION lib/sysusers.d
          RENAME slamon-${_name}.conf COMPONENT ${_name})
  install(FILES ${_src}/docs/operations.md ${_src}/docs/${_name}-config.md
          DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/slamon-${_name} COMPONENT ${_name})
endforeach()
file(WRITE ${_deb}/agent/conffiles "/etc/slamon/agent.yaml\n")
file(WRITE ${_deb}/collector/conffiles "/etc/slamon/collector.yaml\n/etc/slamon/example.yaml\n")

# Absolute destinations: /etc, not PREFIX/etc.
install(FILES ${_src}/config/agent.yaml DESTINATION /etc/slamon COMPONENT agent)
install(FILES ${_deb}/collector/collector.yaml ${_src}/config/example.yaml DESTINATION /etc/slamon COMPONENT collector)
install(TARGETS slamon RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT collector)
# The web UI (scripts/build-web.sh into build/bin/web), when it was built.
install(DIRECTORY ${CMAKE_RUNTIME_OUTPUT_DIRECTORY}/web/ DESTINATION ${CMAKE_INSTALL_DATADIR}/slamon/web
        COMPONENT collector OPTIONAL)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_PACKAGE_NAME slamon)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "slamon maintainers <slamon@localhost>")
set(CPACK_PACKAGE_DIRECTORY ${PROJECT_BINARY_DIR}/packages)
set(CPACK_COMPONENTS_ALL agent collector)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_AGENT_PACKAGE_NAME slamon-agent)
set(CPACK_DEBIAN_COLLECTOR_PACKAGE_NAME slamon-collector)
set(CPACK_COMPONENT_AGENT_DESCRIPTION "slamon agent: service level probes (ICMP, TCP, HTTP, SNMP)\n"
    " Runs the probes its slamon collector assigns to it and streams the results\n to the collector over TLS.")
set(CPACK_COMPONENT_COLLECTOR_DESCRIPTION "slamon collector: service level monitor server\n"
    " Serves slamon agents over TLS, stores their results, computes service levels\n"
    " and serves the HTTP API and web UI; with the slamon command line.")
# adduser: postinst's fallback where systemd-sysusers is missing.
set(CPACK_DEBIAN_AGENT_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_COLLECTOR_PACKAGE_DEPENDS "adduser")
foreach(_name agent collector)
  string(TOUPPER ${_name} _up)
  set(CPACK_DEBIAN_${_up}_PACKAGE_CONTROL_EXTRA
      ${_deb}/${_name}/conffiles ${_deb}/${_name}/postinst ${_deb}/${_name}/prerm ${_deb}/${_name}/postrm)
endforeach()
include(CPack)
