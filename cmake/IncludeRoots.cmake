# The layering of STYLE.md kept by the build: each library exports one include root of its own, in the
# build tree, that holds only its folder, as a symlink named like the folder:
#   build/include/slamon_common/common           -> <source>/common
#   build/include/slamon_engine/collector/engine -> <source>/collector/engine   (not collector/)
# Includes stay rooted at the repository ("common/time.h", "collector/engine/report.h"); a library sees
# the headers of the libraries it links and nothing else, so an include that points back up (common
# including "probes/http.h") does not compile. tests/CMakeLists.txt proves it with compile-fail tests.

# slamon_include_root(TARGET FOLDER): FOLDER (relative to the source root) is TARGET's PUBLIC include
# root (INTERFACE for an INTERFACE library).
function(slamon_include_root target folder)
  set(_root ${PROJECT_BINARY_DIR}/include/${target})
  get_filename_component(_parent ${_root}/${folder} DIRECTORY)
  file(MAKE_DIRECTORY ${_parent})
  file(CREATE_LINK ${PROJECT_SOURCE_DIR}/${folder} ${_root}/${folder} SYMBOLIC)
  get_target_property(_type ${target} TYPE)
  if(_type STREQUAL "INTERFACE_LIBRARY")
    target_include_directories(${target} INTERFACE $<BUILD_INTERFACE:${_root}>)
  else()
    target_include_directories(${target} PUBLIC $<BUILD_INTERFACE:${_root}>)
  endif()
endfunction()

# The pure libraries (common, collector/engine, probes/codec) see neither Asio nor SQLite. Their headers
# sit in /usr/include beside everything else, so an include root cannot hide them: these libraries
# (and their tests) link slamon_pure, which poisons the identifiers `asio` and `sqlite3` in their own
# translation units (PRIVATE: their users are not affected).
add_library(slamon_pure INTERFACE)
target_compile_options(slamon_pure INTERFACE -include ${PROJECT_SOURCE_DIR}/cmake/pure_library.h)

# slamon_include_files(TARGET FOLDER HEADER...): for a pure library that is only part of its folder
# (collector/session_logic.* beside the Asio sessions): TARGET's PUBLIC include root holds just these
# headers of FOLDER, one symlink each, so includes keep their path ("collector/session_logic.h") and the
# rest of the folder stays out of sight:
#   build/include/slamon_collector_logic/collector/session_logic.h -> <source>/collector/session_logic.h
function(slamon_include_files target folder)
  set(_root ${PROJECT_BINARY_DIR}/include/${target})
  file(MAKE_DIRECTORY ${_root}/${folder})
  foreach(_h ${ARGN})
    file(CREATE_LINK ${PROJECT_SOURCE_DIR}/${folder}/${_h} ${_root}/${folder}/${_h} SYMBOLIC)
  endforeach()
  target_include_directories(${target} PUBLIC $<BUILD_INTERFACE:${_root}>)
endfunction()
