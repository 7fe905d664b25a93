#!/usr/bin/env bash
# Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
# Cross-compiles the phone library's layers (OPENEN_CLIENT_ONLY: base, crypto, wire,
# store, and the client once it links no gRPC) for another CPU with Debian's cross
# compiler, and runs their tests there under qemu-user.
#
# usage: scripts/cross-test.sh arm64
#
# The target's libraries come from a sysroot unpacked from Debian's arm64 packages:
# a private apt state (its own lists, cache and an empty dpkg status, under
# OPENEN_CROSS_DIR) resolves the -dev packages and everything they depend on,
# `apt-get install --download-only` fetches them from the same Debian archive the
# host uses, and `dpkg-deb -x` unpacks them. The host's dpkg database, architectures
# and packages are not touched. The sysroot is kept and reused while the package
# list stays the same; delete OPENEN_CROSS_DIR to start cold.
# OPENEN_CROSS_DIR chooses the directory (default build-cross-ARCH); the build is in
# its build/, the sysroot in its sysroot/.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"

arch="${1:-}"
case "$arch" in
  arm64) triple=aarch64-linux-gnu ;;
  *)
    echo "usage: $0 arm64" >&2
    exit 2
    ;;
esac
toolchain="$root/cmake/toolchains/$triple.cmake"
work="${OPENEN_CROSS_DIR:-$root/build-cross-$arch}"
mkdir -p "$work"
work="$(cd "$work" && pwd)"
sysroot="$work/sysroot"
build_dir="$work/build"
jobs="$(nproc)"

# The target's packages: what OPENEN_CLIENT_ONLY links and tests with. apt adds
# their dependencies (libc6, libstdc++6, libgcc-s1, compression libraries...).
sysroot_packages=(
  libc6-dev libstdc++6 libgcc-s1
  libsodium-dev libssl-dev libprotobuf-dev
  librocksdb-dev libzip-dev zlib1g-dev
  catch2 nlohmann-json3-dev
)

start=$SECONDS
phase_start=$SECONDS
timings=()
phase_done() {
  local took=$((SECONDS - phase_start))
  timings+=("$(printf '%-10s %4d s' "$1" "$took")")
  echo "cross-test: $1 took ${took} s"
  phase_start=$SECONDS
}

# 1. Host packages: the cross compiler and qemu-user, through install-deps.sh.
bash "$root/scripts/install-deps.sh" "cross-$arch"
phase_done "host"

# 2. The sysroot.
stamp="$sysroot/.openen-sysroot"
want_stamp="$arch ${sysroot_packages[*]} at $sysroot"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want_stamp" ]; then
  echo "cross-test: reusing the $arch sysroot in $sysroot"
else
  echo "cross-test: making the $arch sysroot in $sysroot"
  apt_dir="$work/apt"
  mkdir -p "$apt_dir/lists/partial" "$apt_dir/archives/partial" "$apt_dir/cache"
  : >"$apt_dir/status"
  apt_opts=(
    -o "APT::Architecture=$arch" -o "APT::Architectures::=$arch"
    -o "Dir::State=$apt_dir" -o "Dir::State::lists=$apt_dir/lists"
    -o "Dir::State::status=$apt_dir/status"
    -o "Dir::Cache=$apt_dir/cache" -o "Dir::Cache::archives=$apt_dir/archives"
    -o "Debug::NoLocking=1" -o "APT::Sandbox::User=$(id -un)"
  )
  apt-get "${apt_opts[@]}" -qq update
  rm -f "$apt_dir"/archives/*.deb # only this resolution's packages get unpacked
  apt-get "${apt_opts[@]}" -qq -y --no-install-recommends --download-only install \
    "${sysroot_packages[@]}" >/dev/null
  rm -rf "$sysroot"
  mkdir -p "$sysroot"
  n=0
  for deb in "$apt_dir"/archives/*.deb; do
    dpkg-deb -x "$deb" "$sysroot"
    n=$((n + 1))
  done
  # Absolute symlinks (libz.so -> /lib/aarch64-linux-gnu/libz.so.1...) would point
  # into the host: make them relative inside the sysroot.
  while IFS= read -r -d '' link; do
    target="$(readlink "$link")"
    ln -sfn "$(realpath -m --relative-to="$(dirname "$link")" "$sysroot$target")" "$link"
  done < <(find "$sysroot" -type l -lname '/*' -print0)
  # Some CMake package files name /usr/... outright (Snappy's imported locations,
  # RocksDB's link interface): point them into the sysroot.
  while IFS= read -r -d '' f; do
    if grep -qE '(["; ])/usr([/"])' "$f"; then
      sed -i -E "s#([\"; ])/usr([/\"])#\\1$sysroot/usr\\2#g" "$f"
    fi
  done < <(find "$sysroot" -name '*.cmake' -print0)
  echo "$want_stamp" >"$stamp"
  echo "cross-test: $n packages unpacked, $(du -sh "$sysroot" | cut -f1)"
fi
phase_done "sysroot"

# 3. Configure and build: no sanitizers, no benchmarks.
launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
mkdir -p "$build_dir"
cmake -S "$root" -B "$build_dir" -DCMAKE_TOOLCHAIN_FILE="$toolchain" \
  -DOPENEN_SYSROOT="$sysroot" -DOPENEN_CLIENT_ONLY=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DOPENEN_SANITIZE= -DOPENEN_BUILD_BENCH=OFF "${launcher[@]}" >"$build_dir/configure.log" 2>&1 || {
  cat "$build_dir/configure.log"
  exit 1
}
phase_done "configure"
cmake --build "$build_dir" --parallel "$jobs"
phase_done "build"

# 4. Every test, each run by qemu-$triple's emulator (CMAKE_CROSSCOMPILING_EMULATOR).
(cd "$build_dir" && ctest --output-on-failure --parallel "$jobs" --timeout 600)
tests="$(cd "$build_dir" && ctest -N | sed -n 's/^Total Tests: //p')"
phase_done "test"

if find "$build_dir" -name libopenen.so -not -path '*/CMakeFiles/*' | grep -q .; then
  bash "$root/scripts/client-size.sh" "$build_dir" "$sysroot"
fi

echo "cross-test: $arch: $tests tests passed under qemu-user"
printf '  %s\n' "${timings[@]}"
echo "cross-test: $arch took $((SECONDS - start)) s in all"
