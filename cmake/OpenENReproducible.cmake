# Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
#
# OPENEN_REPRODUCIBLE (scripts/package.sh turns it on): the same commit gives the
# same bytes, whatever the source and build directories are called, when and
# under which time zone, locale and umask it is built (scripts/reproducible.sh
# checks it; docs/auditing.md, "Verify a release"). What would otherwise differ:
#
#   paths        __FILE__ (and debug information, if any) of OpenEN's objects
#                name the source and build directories: -ffile-prefix-map
#                (which implies -fmacro-prefix-map and -fdebug-prefix-map)
#                rewrites them to "." and "build"
#   RPATH        the build tree's RPATH names the build directory, and CMake
#                only blanks it at install (the bytes of .dynstr keep its length):
#                link with the install RPATH (none) from the start
#   archives     ar and ranlib in deterministic mode (D: no time, uid or mode;
#                Debian's binutils default to it, other builds may not)
#   openen.jar   jar stamps each entry with its file's time, in the local time
#                zone: every entry gets SOURCE_DATE_EPOCH, in UTC (jar --date)
#   .deb files   CPack's archives take their entries' times and the gzip header's
#                from SOURCE_DATE_EPOCH, which CPack's project file below sets
#                when cpack's environment has none; owners are root already,
#                file order is sorted. The modes of directories and of the
#                .deb's members follow the umask: scripts/package.sh sets 022.
#
# SOURCE_DATE_EPOCH: the environment's at configure time, else the time of the
# source's last commit (git log -1 --format=%ct); it is the time of every
# entry in the jar and the packages. It must exist: a reproducible build
# without a fixed time is refused.
# Build IDs (.note.gnu.build-id) hash the linked content, so they agree when it does.
# The configuration is the same for the same commit: Release, prefix /usr, the
# options scripts/package.sh passes, Debian 12's compilers and libraries (another
# compiler or library version gives other bytes, reproducibly).

option(OPENEN_REPRODUCIBLE
  "Build bit for bit reproducibly (no build paths, fixed times; scripts/package.sh)" OFF)
if(NOT OPENEN_REPRODUCIBLE)
  return()
endif()

if(DEFINED ENV{SOURCE_DATE_EPOCH} AND NOT "$ENV{SOURCE_DATE_EPOCH}" STREQUAL "")
  set(OPENEN_SOURCE_DATE_EPOCH "$ENV{SOURCE_DATE_EPOCH}")
else()
  find_package(Git QUIET)
  if(GIT_FOUND)
    execute_process(COMMAND ${GIT_EXECUTABLE} log -1 --format=%ct
                    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
                    OUTPUT_VARIABLE OPENEN_SOURCE_DATE_EPOCH
                    OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  endif()
endif()
if(NOT OPENEN_SOURCE_DATE_EPOCH MATCHES "^[0-9]+$")
  message(FATAL_ERROR "OPENEN_REPRODUCIBLE: no SOURCE_DATE_EPOCH in the environment and no "
                      "git commit to take it from (got '${OPENEN_SOURCE_DATE_EPOCH}')")
endif()
# jar --date takes it as an ISO 8601 time in UTC (zip's range: 1980 to 2099);
# string(TIMESTAMP) gives the environment's SOURCE_DATE_EPOCH when it has one.
set(_openen_saved_epoch "$ENV{SOURCE_DATE_EPOCH}")
set(ENV{SOURCE_DATE_EPOCH} "${OPENEN_SOURCE_DATE_EPOCH}")
string(TIMESTAMP OPENEN_SOURCE_DATE "%Y-%m-%dT%H:%M:%SZ" UTC)
if(_openen_saved_epoch STREQUAL "")
  unset(ENV{SOURCE_DATE_EPOCH})
else()
  set(ENV{SOURCE_DATE_EPOCH} "${_openen_saved_epoch}")
endif()
message(STATUS "OpenEN: reproducible build, SOURCE_DATE_EPOCH ${OPENEN_SOURCE_DATE_EPOCH} "
               "(${OPENEN_SOURCE_DATE})")

# Paths: the longer of the two directories last, since the last matching map wins
# (the build directory is usually inside the source).
set(_openen_maps "-ffile-prefix-map=${PROJECT_SOURCE_DIR}=." "-ffile-prefix-map=${PROJECT_BINARY_DIR}=build")
string(LENGTH "${PROJECT_SOURCE_DIR}" _openen_source_length)
string(LENGTH "${PROJECT_BINARY_DIR}" _openen_binary_length)
if(_openen_source_length GREATER _openen_binary_length)
  list(REVERSE _openen_maps)
endif()
foreach(_openen_map IN LISTS _openen_maps)
  target_compile_options(openen_build_flags INTERFACE
    $<$<COMPILE_LANG_AND_ID:CXX,GNU,Clang>:${_openen_map}>
    $<$<COMPILE_LANG_AND_ID:C,GNU,Clang>:${_openen_map}>)
endforeach()

set(CMAKE_BUILD_WITH_INSTALL_RPATH ON)
if(OPENEN_BUILD_TESTS OR OPENEN_BUILD_BENCH)
  # Without their build RPATH, the build tree's tests and benchmarks find the
  # project's shared libraries only once installed.
  message(WARNING "OPENEN_REPRODUCIBLE builds with the install RPATH (none): the tests and "
                  "benchmarks of this build tree may not find libopenen*.so; build them apart")
endif()

if(CMAKE_SYSTEM_NAME STREQUAL "Linux")
  foreach(_openen_lang C CXX)
    set(CMAKE_${_openen_lang}_ARCHIVE_CREATE "<CMAKE_AR> qcD <TARGET> <LINK_FLAGS> <OBJECTS>")
    set(CMAKE_${_openen_lang}_ARCHIVE_APPEND "<CMAKE_AR> qD <TARGET> <LINK_FLAGS> <OBJECTS>")
    set(CMAKE_${_openen_lang}_ARCHIVE_FINISH "<CMAKE_RANLIB> -D <TARGET>")
  endforeach()
endif()

# cpack reads this file (CPACK_PROJECT_CONFIG_FILE, cmake/OpenENPackage.cmake) before it
# writes an archive: without a SOURCE_DATE_EPOCH of its own, it takes the build's.
set(OPENEN_CPACK_PROJECT_CONFIG ${PROJECT_BINARY_DIR}/OpenENCPackProject.cmake)
file(WRITE ${OPENEN_CPACK_PROJECT_CONFIG}
  "# Written by cmake/OpenENReproducible.cmake: the packages' times.\n"
  "if(\"\$ENV{SOURCE_DATE_EPOCH}\" STREQUAL \"\")\n"
  "  set(ENV{SOURCE_DATE_EPOCH} \"${OPENEN_SOURCE_DATE_EPOCH}\")\n"
  "endif()\n")
