# Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
# Cross-compiling OpenEN for 64-bit ARM Linux (arm64, aarch64) with Debian's cross
# compiler (package g++-aarch64-linux-gnu) against an arm64 sysroot, and running the
# tests under qemu-user (package qemu-user). scripts/cross-test.sh arm64 makes the
# sysroot from Debian's arm64 packages and uses this file:
#
#   cmake -S . -B build-cross-arm64/build \
#     -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/aarch64-linux-gnu.cmake \
#     -DOPENEN_SYSROOT=$PWD/build-cross-arm64/sysroot -DOPENEN_CLIENT_ONLY=ON
#
# OPENEN_SYSROOT (a cache variable, or the environment variable of that name) is a
# directory holding arm64 Debian packages unpacked with `dpkg -x`: the usual
# /usr/include, /usr/lib/aarch64-linux-gnu, /lib/aarch64-linux-gnu layout.
# Code generators (protoc, grpc_cpp_plugin) are host programs: programs are looked
# for on the host only, libraries, headers and packages in the sysroot only.

set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)

if(NOT OPENEN_SYSROOT AND DEFINED ENV{OPENEN_SYSROOT})
  set(OPENEN_SYSROOT "$ENV{OPENEN_SYSROOT}")
endif()
if(NOT OPENEN_SYSROOT OR NOT EXISTS "${OPENEN_SYSROOT}/usr/include")
  message(FATAL_ERROR "aarch64-linux-gnu.cmake: set OPENEN_SYSROOT to an arm64 sysroot "
                      "(scripts/cross-test.sh arm64 makes one); got '${OPENEN_SYSROOT}'")
endif()
set(OPENEN_SYSROOT "${OPENEN_SYSROOT}" CACHE PATH "The arm64 sysroot" FORCE)
# try_compile projects read this file again; hand them the sysroot.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES OPENEN_SYSROOT)

set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_SYSROOT "${OPENEN_SYSROOT}")
set(CMAKE_FIND_ROOT_PATH "${OPENEN_SYSROOT}")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# pkg-config (libsodium, libzip) reads the sysroot's .pc files and prefixes their paths.
set(ENV{PKG_CONFIG_SYSROOT_DIR} "${OPENEN_SYSROOT}")
set(ENV{PKG_CONFIG_LIBDIR}
    "${OPENEN_SYSROOT}/usr/lib/aarch64-linux-gnu/pkgconfig:${OPENEN_SYSROOT}/usr/lib/pkgconfig:${OPENEN_SYSROOT}/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "")

# The libraries a test loads are the sysroot's: its dynamic loader comes through -L,
# and LD_LIBRARY_PATH (set inside the emulated process by -E) names Debian's
# multiarch directories, which the loader would otherwise learn from an ld.so.cache
# the sysroot does not have. ctest and Catch2's test discovery run every test
# executable through this emulator.
find_program(OPENEN_QEMU_AARCH64 NAMES qemu-aarch64 qemu-aarch64-static)
if(OPENEN_QEMU_AARCH64)
  set(CMAKE_CROSSCOMPILING_EMULATOR
      "${OPENEN_QEMU_AARCH64};-L;${OPENEN_SYSROOT};-E;LD_LIBRARY_PATH=${OPENEN_SYSROOT}/lib/aarch64-linux-gnu:${OPENEN_SYSROOT}/usr/lib/aarch64-linux-gnu")
  # What ldd does, for arm64 libraries: the target's loader lists what one loads.
  set(OPENEN_TARGET_LDD ${CMAKE_CROSSCOMPILING_EMULATOR} "${OPENEN_SYSROOT}/lib/ld-linux-aarch64.so.1" --list)
endif()
