# Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
# Debian packages of a build, made by CPack (`cpack -G DEB` in the build
# directory; scripts/package.sh makes the release build and runs it). One
# package per install component, all for prefix /usr:
#
#   libopenen0       runtime   libopenen.so.0, libopenen_curl.so.0
#   libopenen-dev    devel     the C API's headers, libopenen.so and .a,
#                              OpenENConfig.cmake, openen.pc (depends on libopenen0)
#   openen           tools     the `openen` command (health probes, the
#                              transparency log, exports, simulate) and the
#                              key rotation scripts in /usr/libexec/openen/
#   openen-relay     relay     openen-relay, its systemd unit and sysusers.d user
#   openen-verifier  verifier  openen-verifier, its systemd unit and sysusers.d user
#
# The servers' packages create their user and /etc/openen/<server>/ (0750,
# group of the user) and start nothing: the service needs its keys first
# (docs/operations.md, "Running it as a service"). Purging deletes the data a
# service keeps and never its keys (packaging/debian/postrm.in). Each package's
# Depends comes from dpkg-shlibdeps: the Debian libraries the binaries link.
#
# The units and sysusers.d files are part of the packages only (EXCLUDE_FROM_ALL:
# installed for a component, as CPack does, not by a plain `cmake --install`),
# because they name /usr/bin.

set(OPENEN_PACKAGE_MAINTAINER "OpenEN maintainers <openen@example.org>"
    CACHE STRING "The Maintainer field of OpenEN's Debian packages (the authority that builds them)")

# openen_install_service(SERVER) installs SERVER's (relay or verifier) unit
# and sysusers.d file into component SERVER, and writes its maintainer
# scripts.
function(openen_install_service server)
  set(name openen-${server})
  set(systemd ${PROJECT_SOURCE_DIR}/packaging/systemd)
  install(FILES ${systemd}/${name}.service DESTINATION lib/systemd/system
          COMPONENT ${server} EXCLUDE_FROM_ALL)
  install(FILES ${systemd}/${name}.sysusers DESTINATION lib/sysusers.d RENAME ${name}.conf
          COMPONENT ${server} EXCLUDE_FROM_ALL)
  set(SERVER ${server})
  set(scripts "")
  foreach(script postinst prerm postrm)
    configure_file(${PROJECT_SOURCE_DIR}/packaging/debian/${script}.in
                   ${PROJECT_BINARY_DIR}/packaging/${server}/${script} @ONLY
                   FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ
                                    GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
    list(APPEND scripts ${PROJECT_BINARY_DIR}/packaging/${server}/${script})
  endforeach()
  string(TOUPPER ${server} upper)
  set(CPACK_DEBIAN_${upper}_PACKAGE_CONTROL_EXTRA "${scripts}" PARENT_SCOPE)
endfunction()

# openen_install_copyright(COMPONENT PACKAGE): LICENSE as PACKAGE's
# /usr/share/doc/PACKAGE/copyright, where Debian looks for it.
function(openen_install_copyright component package)
  install(FILES ${PROJECT_SOURCE_DIR}/LICENSE DESTINATION share/doc/${package}
          RENAME copyright COMPONENT ${component} EXCLUDE_FROM_ALL)
endfunction()

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME openen)
set(CPACK_PACKAGE_VENDOR "OpenEN")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "${OPENEN_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# libopenen0's shlibs (and ldconfig in its postinst and postrm). A 0.x
# release may break the ABI in a minor version (OpenENInstall.cmake): apps'
# packages then depend on exactly this version; from 1.0 on, on >= it.
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
if(PROJECT_VERSION_MAJOR EQUAL 0)
  set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS_POLICY "=")
else()
  set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS_POLICY ">=")
endif()
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
# A reproducible build (cmake/OpenENReproducible.cmake) gives cpack its SOURCE_DATE_EPOCH:
# every time in the packages is the commit's.
if(OPENEN_CPACK_PROJECT_CONFIG)
  set(CPACK_PROJECT_CONFIG_FILE ${OPENEN_CPACK_PROJECT_CONFIG})
endif()
set(CPACK_DEBIAN_ENABLE_COMPONENT_DEPENDS ON)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://github.com/openen/openen")

set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME libopenen0)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SECTION libs)
string(CONCAT CPACK_COMPONENT_RUNTIME_DESCRIPTION
    "OpenEN exposure notification: the client library\n"
    "The privacy-preserving library that exposure-notification apps embed: daily keys,\n"
    "rolling identifiers, encrypted 14-day storage, matching and risk scoring on the\n"
    "phone (the C API of openen.h), and libopenen_curl, its HTTPS transport.")
openen_install_copyright(runtime libopenen0)

set(CPACK_DEBIAN_DEVEL_PACKAGE_NAME libopenen-dev)
set(CPACK_DEBIAN_DEVEL_PACKAGE_SECTION libdevel)
set(CPACK_COMPONENT_DEVEL_DEPENDS runtime)
# What libopenen.a (find_package COMPONENTS static, openen-static.pc) links
# besides libopenen, and what the curl component finds.
set(CPACK_DEBIAN_DEVEL_PACKAGE_DEPENDS
    "libsodium-dev (>= 1.0.18), libssl-dev (>= 3.0), libprotobuf-dev, libzip-dev (>= 1.7), librocksdb-dev, zlib1g-dev, libcurl4-openssl-dev | libcurl-dev, pkgconf | pkg-config")
string(CONCAT CPACK_COMPONENT_DEVEL_DESCRIPTION
    "OpenEN exposure notification: the client library's development files\n"
    "Headers of the C API, the shared and static libraries, OpenENConfig.cmake\n"
    "(find_package(OpenEN)) and openen.pc for building an app against libopenen.")
openen_install_copyright(devel libopenen-dev)

set(CPACK_COMPONENTS_ALL runtime devel)

# The Java/Kotlin API (bindings/java): openen.jar and libopenen_jni.so.
if(TARGET openen_jni)
  set(CPACK_DEBIAN_JAVA_PACKAGE_NAME libopenen-java)
  set(CPACK_DEBIAN_JAVA_PACKAGE_SECTION java)
  set(CPACK_COMPONENT_JAVA_DEPENDS runtime)
  # dpkg-shlibdeps cannot see libopenen.so.0 in the package built beside this one: the JNI
  # library's other needs are stated (libopenen0's exact version comes from the component
  # dependency above).
  set(CPACK_DEBIAN_JAVA_PACKAGE_SHLIBDEPS OFF)
  set(CPACK_DEBIAN_JAVA_PACKAGE_DEPENDS "libc6, libstdc++6, libgcc-s1")
  set(CPACK_DEBIAN_JAVA_PACKAGE_RECOMMENDS "default-jre-headless | java17-runtime-headless")
  string(CONCAT CPACK_COMPONENT_JAVA_DESCRIPTION
      "OpenEN exposure notification: the client library's Java/Kotlin API\n"
      "org.openen over the C API: /usr/share/java/openen.jar (Java 17) and its JNI\n"
      "library libopenen_jni.so, which the JVM finds by name.")
  openen_install_copyright(java libopenen-java)
  list(APPEND CPACK_COMPONENTS_ALL java)
endif()

if(NOT OPENEN_CLIENT_ONLY)
  set(CPACK_DEBIAN_TOOLS_PACKAGE_NAME openen)
  string(CONCAT CPACK_COMPONENT_TOOLS_DESCRIPTION
      "OpenEN exposure notification: the openen command\n"
      "Health probes for the servers (openen health), the transparency log's monitor\n"
      "and witness (openen log), export inspection and a simulated city (openen\n"
      "simulate), and the key rotation scripts in /usr/libexec/openen/.")
  install(PROGRAMS ${PROJECT_SOURCE_DIR}/scripts/ops/rotate-certificate-key.sh
                   ${PROJECT_SOURCE_DIR}/scripts/ops/rotate-export-key.sh
          DESTINATION libexec/openen COMPONENT tools EXCLUDE_FROM_ALL)
  openen_install_copyright(tools openen)

  set(CPACK_DEBIAN_RELAY_PACKAGE_NAME openen-relay)
  set(CPACK_DEBIAN_RELAY_PACKAGE_DEPENDS "systemd | adduser")
  set(CPACK_DEBIAN_RELAY_PACKAGE_RECOMMENDS "openen")
  string(CONCAT CPACK_COMPONENT_RELAY_DESCRIPTION
      "OpenEN exposure notification: the relay\n"
      "Takes diagnosis keys certified by the verifier and publishes them as signed\n"
      "GAEN export batches with a transparency log, for any static web server or CDN\n"
      "to serve. A hardened systemd unit runs it as user openen-relay.")
  openen_install_service(relay)
  openen_install_copyright(relay openen-relay)

  set(CPACK_DEBIAN_VERIFIER_PACKAGE_NAME openen-verifier)
  set(CPACK_DEBIAN_VERIFIER_PACKAGE_DEPENDS "systemd | adduser")
  set(CPACK_DEBIAN_VERIFIER_PACKAGE_RECOMMENDS "openen")
  string(CONCAT CPACK_COMPONENT_VERIFIER_DESCRIPTION
      "OpenEN exposure notification: the verifier\n"
      "Issues the health authority's one-time codes and exchanges them for the\n"
      "certificates the relay requires. A hardened systemd unit runs it as user\n"
      "openen-verifier.")
  openen_install_service(verifier)
  openen_install_copyright(verifier openen-verifier)

  list(APPEND CPACK_COMPONENTS_ALL tools relay verifier)
endif()

include(CPack)
