#!/usr/bin/env bash
# Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
# Installs OpenEN's build into a fresh prefix (cmake --install), moves it, and
# builds the app-like consumer.c against it four ways and consumer_curl.c once, then runs each:
#   cmake-shared   find_package(OpenEN), OpenEN::client         (libopenen.so)
#   cmake-static   find_package(OpenEN COMPONENTS static),
#                  OpenEN::client_static                        (libopenen.a)
#   cmake-curl     find_package(OpenEN COMPONENTS curl), OpenEN::curl
#                  (libopenen_curl.so: consumer_curl.c)
#   pc-shared      pkg-config --cflags --libs openen            (libopenen.so)
#   pc-static      pkg-config --static openen-static ...      (libopenen.a)
# It also checks that no installed text file names the build or source tree.
#
# usage: consumer-test.sh BUILD_DIR WORK_DIR LIBDIR CC [FLAGS]
#   LIBDIR  CMAKE_INSTALL_LIBDIR of the build (lib, lib/x86_64-linux-gnu...)
#   CC      the C compiler of the build
#   FLAGS   compile and link flags the build's objects need from the app,
#           e.g. "-fsanitize=address,undefined" for an instrumented build
set -euo pipefail

if [ $# -lt 4 ] || [ $# -gt 5 ]; then
  echo "usage: $0 BUILD_DIR WORK_DIR LIBDIR CC [FLAGS]" >&2
  exit 2
fi
build_dir="$(cd "$1" && pwd)"
work="$2"
libdir="$3"
cc="$4"
read -r -a flags <<<"${5:-}"
here="$(cd "$(dirname "$0")" && pwd)"
source_dir="$(cd "$here/../.." && pwd)"

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

rm -rf "$work"
mkdir -p "$work"
work="$(cd "$work" && pwd)"
prefix="$work/prefix"
unset LD_LIBRARY_PATH

# Installed into one directory, used from another: the package is relocatable.
installed="$work/installed"
echo "== cmake --install $build_dir --prefix $installed, moved to $prefix"
cmake --install "$build_dir" --prefix "$installed" >"$work/install.log" 2>&1 ||
  { cat "$work/install.log"; fail "cmake --install"; }
mv "$installed" "$prefix"
(cd "$prefix" && find . -type f -o -type l | sort)

for f in include/openen/openen.h include/openen/openen_curl.h "$libdir/libopenen.so" \
  "$libdir/libopenen.a" "$libdir/libopenen_curl.so" \
  "$libdir/cmake/OpenEN/OpenENConfig.cmake" "$libdir/cmake/OpenEN/OpenENConfigVersion.cmake" \
  "$libdir/pkgconfig/openen.pc"; do
  [ -e "$prefix/$f" ] || fail "not installed: $f"
done

# Relocatable: no installed text file names the build or the source tree, or
# the prefix itself; the shared library carries no RUNPATH into the build.
if grep -rIl -e "$build_dir" -e "$source_dir" -e "$installed" -e "$prefix" "$prefix" \
  >"$work/paths.txt"; then
  cat "$work/paths.txt" >&2
  fail "installed text files hold absolute paths of the build, the sources or the prefix"
fi
if readelf -d "$prefix/$libdir/libopenen.so" | grep -E "RPATH|RUNPATH"; then
  fail "libopenen.so keeps a run path"
fi

# run NAME BINARY [shared|static]: runs BINARY in its own directory, after
# checking it links libopenen.so (shared) or holds the library (static).
run() {
  local name="$1" binary="$2" kind="$3"
  local needed
  needed="$(readelf -d "$binary" | grep NEEDED || true)"
  if [ "$kind" = shared ]; then
    grep -q "libopenen.so.0" <<<"$needed" || fail "$name does not link libopenen.so.0"
  else
    if grep -q "libopenen" <<<"$needed"; then
      fail "$name links a shared libopenen"
    fi
  fi
  mkdir -p "$work/run-$name"
  echo "== run $name"
  "$binary" "$work/run-$name" || fail "$name exited $?"
}

echo "== CMake: find_package(OpenEN COMPONENTS static curl)"
cmake -S "$here" -B "$work/cmake" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_C_COMPILER="$cc" \
  -DCMAKE_C_FLAGS="${flags[*]}" -DCMAKE_EXE_LINKER_FLAGS="${flags[*]}" \
  -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF >"$work/cmake-configure.log" 2>&1 ||
  { cat "$work/cmake-configure.log"; fail "consumer configure"; }
grep -q "OpenEN 0.1.0 from $prefix/" "$work/cmake-configure.log" ||
  { cat "$work/cmake-configure.log"; fail "find_package did not find the installed prefix"; }
cmake --build "$work/cmake" >"$work/cmake-build.log" 2>&1 ||
  { cat "$work/cmake-build.log"; fail "consumer build (CMake)"; }
run cmake-shared "$work/cmake/consumer_shared" shared
run cmake-static "$work/cmake/consumer_static" static
readelf -d "$work/cmake/consumer_curl" | grep -q "libopenen_curl.so.0" ||
  fail "consumer_curl does not link libopenen_curl.so.0"
run cmake-curl "$work/cmake/consumer_curl" shared

echo "== pkg-config openen"
# The shared library's .pc must work where no dependency's .pc is installed:
# with only the prefix's pkgconfig directory in sight.
PKG_CONFIG_LIBDIR="$prefix/$libdir/pkgconfig" pkg-config --print-errors --cflags --libs openen \
  >/dev/null || fail "openen.pc needs other packages' .pc files"
export PKG_CONFIG_PATH="$prefix/$libdir/pkgconfig"
pkg-config --exists --print-errors openen || fail "pkg-config openen"
[ "$(pkg-config --modversion openen)" = "0.1.0" ] || fail "openen.pc version"
pc_libdir="$(pkg-config --variable=libdir openen)"
[ "$(cd "$pc_libdir" && pwd)" = "$prefix/$libdir" ] || fail "openen.pc libdir is $pc_libdir"
# shellcheck disable=SC2046  # pkg-config's output is words
"$cc" "${flags[@]}" "$here/consumer.c" -o "$work/pc-shared" \
  $(pkg-config --cflags --libs openen) -Wl,-rpath,"$pc_libdir" || fail "consumer build (pkg-config)"
run pc-shared "$work/pc-shared" shared
# Static: libopenen.a first; --as-needed drops the -lopenen that pkg-config
# prints again (it finds libopenen.so), keeping the dependencies it lists.
# shellcheck disable=SC2046
"$cc" "${flags[@]}" "$here/consumer.c" -o "$work/pc-static" $(pkg-config --cflags openen-static) \
  -Wl,-Bstatic -lopenen -Wl,-Bdynamic -Wl,--as-needed $(pkg-config --static --libs openen-static) ||
  fail "consumer build (pkg-config --static)"
run pc-static "$work/pc-static" static

echo "PASS: 5 consumers built against $prefix and ran"
