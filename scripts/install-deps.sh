#!/usr/bin/env bash
# Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
# Installs every Debian 12 package that OpenEN needs to build, test and benchmark.
# Idempotent: packages already present are not reinstalled, and apt-get update runs
# only when something is missing. Nothing else is downloaded, by this script or by CMake.
#
# usage: scripts/install-deps.sh [cross-arm64] [vs-google]
#   cross-arm64 adds what scripts/cross-test.sh arm64 runs on this machine: Debian's
#   aarch64 cross compiler and qemu-user. (The arm64 libraries themselves go into a
#   sysroot that cross-test.sh unpacks, not into this system.)
#   vs-google adds what bench/vs-google.sh builds Google's matcher with: Android's
#   BoringSSL, nanopb, and libc++ for the clang build.
set -euo pipefail

packages=(
  build-essential cmake pkg-config git
  file  # CPack's Debian packages (dpkg-shlibdeps, shlibs): tests/install/deb-test.sh
  libsodium-dev libssl-dev
  libgrpc++-dev libgrpc-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libabsl-dev  # absl::SetMutexDeadlockDetectionMode (server/src/grpc_server.cc)
  librocksdb-dev libzip-dev zlib1g-dev
  prometheus-cpp-dev  # the servers' metrics (server/include/openen/server/metrics.h)
  liboath-dev  # the console's second factor, TOTP (server/console/include/openen/console/totp.h)
  libcpp-httplib-dev  # the console's HTTP server (server/console/include/openen/console/console.h)
  libcurl4-openssl-dev  # openen::http (the client's curl fetcher, the relay's import)
  catch2 openssl
  nlohmann-json3-dev  # tests: reads the JSON test vectors (tests/vectors/cctv-merkle/)
  systemd  # tests/install/units-test.sh: systemd-analyze verify and security of packaging/systemd/
  nginx  # tests/client/nginx.h: a real web server for the libcurl adapter's, openen log's and the relay import's tests
  default-jdk-headless  # javac, java, jni.h: bindings/java (openen.jar, libopenen_jni.so); tests/docs run the guide's Java
  junit5 libjetbrains-annotations-java  # bindings/java's @NotNull/@Nullable; tests/java's JUnit 5 tests
  kotlin  # kotlinc: tests/java/kotlin_example.cmake compiles and runs docs/java.md's Kotlin
  clang libclang-rt-14-dev  # scripts/fuzz.sh: clang's libFuzzer and sanitizer runtimes
  chromium chromium-driver python3-selenium  # tests/console/browser_test.py: the console in a real browser
  python3-cryptography python3-protobuf  # auditor/: the independent verifier in Python
  reuse  # tests: reuse lint, the licence of every file
)
for extra in "$@"; do
  case "$extra" in
    cross-arm64) packages+=(g++-aarch64-linux-gnu qemu-user) ;;
    vs-google) packages+=(android-libboringssl-dev nanopb libnanopb-dev libc++-dev libc++abi-dev) ;;
    *)
      echo "install-deps: unknown set '$extra' (known: cross-arm64, vs-google)" >&2
      exit 2
      ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
