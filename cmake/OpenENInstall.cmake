# Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
# What `cmake --install` puts under the prefix for an app's build to consume:
#   include/openen/*.h                    the C API (and each adapter's header)
#   lib/libopenen.so.X.Y.Z, .so.X, .so    OpenEN::client
#   lib/libopenen.a                       OpenEN::client_static (component `static`)
#   lib/cmake/OpenEN/                     OpenENConfig.cmake, its version file, the targets
#   lib/pkgconfig/openen.pc               the same for pkg-config
# The C API is the installed, supported interface; the C++ layers stay inside.
#
# Components: `client` is always loaded; every other component NAME (`static`,
# each optional adapter) installs lib/cmake/OpenEN/OpenEN-NAME.cmake, which
# finds that component's dependencies and loads its targets, and which
# OpenENConfig.cmake includes when find_package(OpenEN COMPONENTS NAME) asks.
#
# Every installed text file is relocatable: paths are relative to the file
# (${CMAKE_CURRENT_LIST_DIR}, ${pcfiledir}), never the build's or the prefix's.

include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(OPENEN_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/OpenEN
    CACHE STRING "Where OpenENConfig.cmake goes, relative to the prefix")
set(OPENEN_INSTALL_PKGCONFIGDIR ${CMAKE_INSTALL_LIBDIR}/pkgconfig
    CACHE STRING "Where openen.pc goes, relative to the prefix")

# _openen_dependency(ITEM OUT_CMAKE OUT_PC OUT_LIBS) says how an app finds a
# third-party link dependency ITEM of the static library: the CMake code that
# defines ITEM in the app's project (OUT_CMAKE), the pkg-config module
# (OUT_PC) or linker flags (OUT_LIBS) for openen.pc. A dependency not listed
# here stops the configuration, so that libopenen.a never installs with a
# dependency an app cannot find.
function(_openen_dependency item out_cmake out_pc out_libs)
  set(cmake "")
  set(pc "")
  set(libs "")
  if(item STREQUAL "PkgConfig::sodium")
    set(cmake "_openen_pkg_module(sodium libsodium>=1.0.18)")
    set(pc "libsodium >= 1.0.18")
  elseif(item STREQUAL "PkgConfig::libzip")
    set(cmake "_openen_pkg_module(libzip libzip>=1.7)")
    set(pc "libzip >= 1.7")
  elseif(item STREQUAL "OpenSSL::Crypto")
    set(cmake "find_dependency(OpenSSL 3.0 COMPONENTS Crypto)")
    set(pc "libcrypto >= 3.0")
  elseif(item STREQUAL "OpenSSL::SSL")
    set(cmake "find_dependency(OpenSSL 3.0 COMPONENTS SSL Crypto)")
    set(pc "libssl >= 3.0")
  elseif(item STREQUAL "protobuf::libprotobuf")
    set(cmake "find_dependency(Protobuf)")
    set(pc "protobuf")
  elseif(item STREQUAL "protobuf::libprotobuf-lite")
    set(cmake "find_dependency(Protobuf)")
    set(pc "protobuf-lite")
  elseif(item MATCHES "^RocksDB::rocksdb(-shared)?$")
    set(cmake "find_dependency(RocksDB CONFIG)")
    set(pc "rocksdb")
  elseif(item MATCHES "^gRPC::")
    set(cmake "find_dependency(gRPC CONFIG)")
    set(pc "grpc++")
  elseif(item STREQUAL "ZLIB::ZLIB")
    set(cmake "find_dependency(ZLIB)")
    set(pc "zlib")
  elseif(item STREQUAL "CURL::libcurl")
    set(cmake "find_dependency(CURL)")
    set(pc "libcurl")
  elseif(item STREQUAL "Threads::Threads")
    set(cmake "find_dependency(Threads)")
    set(libs "-pthread")
  elseif(NOT TARGET "${item}" AND item MATCHES "^-")
    set(libs "${item}")
  elseif(NOT TARGET "${item}" AND item MATCHES "^[A-Za-z0-9_+.-]+$")
    set(libs "-l${item}")
  else()
    message(FATAL_ERROR "OpenEN install: the static library links ${item}; say in "
                        "cmake/OpenENInstall.cmake (_openen_dependency) how an app finds it")
  endif()
  set(${out_cmake} "${cmake}" PARENT_SCOPE)
  set(${out_pc} "${pc}" PARENT_SCOPE)
  set(${out_libs} "${libs}" PARENT_SCOPE)
endfunction()

# _openen_link_closure(TARGET OUT_INTERNAL OUT_EXTERNAL) walks the link
# dependencies of OpenEN's static library TARGET (PRIVATE ones too: a static
# library carries them all): OpenEN's own static libraries into OUT_INTERNAL,
# everything else (imported targets, -l names, flags) into OUT_EXTERNAL, both
# in first-seen order without repeats. OpenEN's build flags are left out.
function(_openen_link_closure target out_internal out_external)
  set(internal "")
  set(external "")
  set(queue "${target}")
  while(queue)
    list(POP_FRONT queue current)
    get_target_property(aliased ${current} ALIASED_TARGET)
    if(aliased)
      set(current ${aliased})
    endif()
    if(current IN_LIST internal)
      continue()
    endif()
    list(APPEND internal ${current})
    get_target_property(deps ${current} LINK_LIBRARIES)
    if(NOT deps)
      set(deps "")
    endif()
    foreach(dep IN LISTS deps)
      if(dep MATCHES "^\\$<LINK_ONLY:(.*)>$" OR dep MATCHES "^\\$<BUILD_INTERFACE:(.*)>$")
        set(dep "${CMAKE_MATCH_1}")
      elseif(dep MATCHES "^\\$<")
        message(FATAL_ERROR "OpenEN install: ${current} links ${dep}, which "
                            "cmake/OpenENInstall.cmake cannot follow")
      endif()
      if(TARGET "${dep}")
        get_target_property(real ${dep} ALIASED_TARGET)
        if(NOT real)
          set(real ${dep})
        endif()
        get_target_property(type ${real} TYPE)
        get_target_property(imported ${real} IMPORTED)
        if(real STREQUAL "openen_build_flags")
          continue()
        elseif(NOT imported AND type STREQUAL "STATIC_LIBRARY")
          list(APPEND queue ${real})
          continue()
        elseif(NOT imported)
          message(FATAL_ERROR "OpenEN install: ${current} links ${real} (${type}); the "
                              "static library can only bundle static libraries")
        endif()
      endif()
      if(NOT dep IN_LIST external)
        list(APPEND external "${dep}")
      endif()
    endforeach()
  endwhile()
  list(REMOVE_AT internal 0)
  set(${out_internal} "${internal}" PARENT_SCOPE)
  set(${out_external} "${external}" PARENT_SCOPE)
endfunction()

# openen_bundle_static(TARGET SHARED) makes the static library TARGET the
# self-contained twin of the shared library SHARED: TARGET gets SHARED's
# sources, compiled the same way, plus the object code of every OpenEN static
# library SHARED links (the whole closure), and SHARED's third-party
# dependencies as link dependencies, which the installed target and openen.pc
# pass on to the app. Sets OPENEN_STATIC_FIND_DEPENDENCIES (CMake code for
# openen_install_component) in the caller's scope, and keeps openen.pc's
# Requires.private and Libs.private for openen_install_package.
function(openen_bundle_static target shared)
  _openen_link_closure(${shared} internal external)
  get_target_property(sources ${shared} SOURCES)
  target_sources(${target} PRIVATE ${sources})
  foreach(lib IN LISTS internal)
    target_sources(${target} PRIVATE $<TARGET_OBJECTS:${lib}>)
  endforeach()
  # SHARED's own sources compile as in SHARED: its include directories,
  # definitions and options and those its link dependencies give it (headers
  # generated there too), OpenEN's warnings and sanitizers among them. None of
  # this is exported.
  set(direct ${shared})
  get_target_property(links ${shared} LINK_LIBRARIES)
  foreach(dep IN LISTS links)
    if(TARGET "${dep}")
      get_target_property(real ${dep} ALIASED_TARGET)
      if(NOT real)
        set(real ${dep})
      endif()
      list(APPEND direct ${real})
      get_target_property(imported ${real} IMPORTED)
      if(NOT imported)
        add_dependencies(${target} ${real})
      endif()
    endif()
  endforeach()
  foreach(property INCLUDE_DIRECTORIES COMPILE_DEFINITIONS COMPILE_OPTIONS)
    set_property(TARGET ${target} APPEND PROPERTY ${property}
                 $<TARGET_PROPERTY:${shared},${property}>)
    foreach(dep IN LISTS direct)
      set_property(TARGET ${target} APPEND PROPERTY ${property}
                   $<TARGET_PROPERTY:${dep},INTERFACE_${property}>)
    endforeach()
  endforeach()

  set(find_code "")
  set(pc_requires "")
  set(pc_libs "")
  foreach(dep IN LISTS external)
    _openen_dependency("${dep}" cmake pc libs)
    if(cmake)
      list(APPEND find_code "${cmake}")
    endif()
    if(pc)
      list(APPEND pc_requires "${pc}")
    endif()
    if(libs)
      list(APPEND pc_libs "${libs}")
    endif()
    target_link_libraries(${target} PRIVATE "${dep}")
  endforeach()
  # A C program links libopenen.a with the C compiler (a CMake project without
  # CXX too): name the C++ runtime, the libraries C++ links beyond C's.
  set(cxx_runtime ${CMAKE_CXX_IMPLICIT_LINK_LIBRARIES})
  if(CMAKE_C_IMPLICIT_LINK_LIBRARIES)
    list(REMOVE_ITEM cxx_runtime ${CMAKE_C_IMPLICIT_LINK_LIBRARIES})
  endif()
  foreach(lib IN LISTS cxx_runtime)
    list(APPEND pc_libs "-l${lib}")
    target_link_libraries(${target} PRIVATE ${lib})
  endforeach()
  list(REMOVE_DUPLICATES find_code)
  list(REMOVE_DUPLICATES pc_requires)
  list(REMOVE_DUPLICATES pc_libs)
  list(JOIN pc_requires ", " pc_requires)
  list(JOIN pc_libs " " pc_libs)
  list(JOIN find_code "\n" find_code)
  set_property(GLOBAL PROPERTY OPENEN_PC_REQUIRES_PRIVATE "${pc_requires}")
  set_property(GLOBAL PROPERTY OPENEN_PC_LIBS_PRIVATE "${pc_libs}")
  set(OPENEN_STATIC_FIND_DEPENDENCIES "${find_code}" PARENT_SCOPE)
endfunction()

# openen_install_component(NAME TARGETS tgt... [HEADERS file...] [DEPENDENCIES code])
# installs TARGETS (libraries; their EXPORT_NAME is the name after OpenEN::)
# and HEADERS (into include/openen/), and the component file
# OpenEN-NAME.cmake that runs DEPENDENCIES (CMake code such as
# "find_dependency(CURL)") and loads the targets. NAME `client` is the
# package's core, which OpenENConfig.cmake always loads.
function(openen_install_component name)
  cmake_parse_arguments(C "" "DEPENDENCIES" "TARGETS;HEADERS" ${ARGN})
  set(export_set OpenEN-${name}-targets)
  if(name STREQUAL "client")
    set(export_set OpenENTargets)
  endif()
  # An app includes <openen/...> from the prefix's include directory.
  foreach(target IN LISTS C_TARGETS)
    get_target_property(includes ${target} INTERFACE_INCLUDE_DIRECTORIES)
    if(NOT includes MATCHES "INSTALL_INTERFACE")
      target_include_directories(${target} INTERFACE
                                 $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
    endif()
  endforeach()
  install(TARGETS ${C_TARGETS} EXPORT ${export_set}
          LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT runtime NAMELINK_COMPONENT devel
          ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT devel
          RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT runtime)
  if(C_HEADERS)
    install(FILES ${C_HEADERS} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/openen COMPONENT devel)
  endif()
  install(EXPORT ${export_set} NAMESPACE OpenEN:: DESTINATION ${OPENEN_INSTALL_CMAKEDIR}
          COMPONENT devel)
  if(NOT name STREQUAL "client")
    set(OPENEN_COMPONENT ${name})
    set(OPENEN_COMPONENT_DEPENDENCIES "${C_DEPENDENCIES}")
    set(OPENEN_COMPONENT_TARGETS_FILE ${export_set}.cmake)
    list(GET C_TARGETS 0 first)
    get_target_property(OPENEN_COMPONENT_FIRST_TARGET ${first} EXPORT_NAME)
    if(NOT OPENEN_COMPONENT_FIRST_TARGET)
      set(OPENEN_COMPONENT_FIRST_TARGET ${first})
    endif()
    configure_file(${CMAKE_CURRENT_FUNCTION_LIST_DIR}/OpenENComponent.cmake.in
                   ${PROJECT_BINARY_DIR}/OpenEN-${name}.cmake @ONLY)
    install(FILES ${PROJECT_BINARY_DIR}/OpenEN-${name}.cmake
            DESTINATION ${OPENEN_INSTALL_CMAKEDIR} COMPONENT devel)
  endif()
endfunction()

# openen_install_package() writes and installs OpenENConfig.cmake, its version
# file and openen.pc. Call it once, after the static library was bundled.
function(openen_install_package)
  get_property(OPENEN_PC_REQUIRES_PRIVATE GLOBAL PROPERTY OPENEN_PC_REQUIRES_PRIVATE)
  get_property(OPENEN_PC_LIBS_PRIVATE GLOBAL PROPERTY OPENEN_PC_LIBS_PRIVATE)
  configure_package_config_file(${CMAKE_CURRENT_FUNCTION_LIST_DIR}/OpenENConfig.cmake.in
                                ${PROJECT_BINARY_DIR}/OpenENConfig.cmake
                                INSTALL_DESTINATION ${OPENEN_INSTALL_CMAKEDIR}
                                NO_SET_AND_CHECK_MACRO)
  # 0.x releases break the ABI between minor versions; 1.0 on, within a major.
  if(PROJECT_VERSION_MAJOR EQUAL 0)
    set(compatibility SameMinorVersion)
  else()
    set(compatibility SameMajorVersion)
  endif()
  write_basic_package_version_file(${PROJECT_BINARY_DIR}/OpenENConfigVersion.cmake
                                   VERSION ${PROJECT_VERSION} COMPATIBILITY ${compatibility})
  install(FILES ${PROJECT_BINARY_DIR}/OpenENConfig.cmake
                ${PROJECT_BINARY_DIR}/OpenENConfigVersion.cmake
          DESTINATION ${OPENEN_INSTALL_CMAKEDIR} COMPONENT devel)

  # openen.pc and openen-static.pc find the prefix from their own place (${pcfiledir}).
  if(IS_ABSOLUTE "${OPENEN_INSTALL_PKGCONFIGDIR}")
    message(FATAL_ERROR "OPENEN_INSTALL_PKGCONFIGDIR must be relative to the prefix")
  endif()
  file(RELATIVE_PATH pc_to_prefix /prefix/${OPENEN_INSTALL_PKGCONFIGDIR} /prefix)
  string(REGEX REPLACE "/$" "" pc_to_prefix "${pc_to_prefix}")
  set(OPENEN_PC_PREFIX "\${pcfiledir}/${pc_to_prefix}")
  foreach(dir LIBDIR INCLUDEDIR)
    if(IS_ABSOLUTE "${CMAKE_INSTALL_${dir}}")
      set(OPENEN_PC_${dir} "${CMAKE_INSTALL_${dir}}")
    else()
      set(OPENEN_PC_${dir} "\${prefix}/${CMAKE_INSTALL_${dir}}")
    endif()
  endforeach()
  foreach(pc openen openen-static)
    configure_file(${CMAKE_CURRENT_FUNCTION_LIST_DIR}/${pc}.pc.in ${PROJECT_BINARY_DIR}/${pc}.pc
                   @ONLY)
    install(FILES ${PROJECT_BINARY_DIR}/${pc}.pc DESTINATION ${OPENEN_INSTALL_PKGCONFIGDIR}
            COMPONENT devel)
  endforeach()
endfunction()
