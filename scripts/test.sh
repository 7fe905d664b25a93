#!/usr/bin/env bash
# Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
# Installs dependencies, builds OpenEN with AddressSanitizer and UBSan, and runs
# the whole test suite through ctest. Then cross-builds the phone library's layers
# for arm64 and runs their tests under qemu-user (scripts/cross-test.sh arm64), and
# checks that the release build is reproducible: two builds of the committed HEAD
# give the same packages, libraries, executables and jar (scripts/reproducible.sh).
# OPENEN_SANITIZE= (empty) builds without sanitizers; OPENEN_BUILD_DIR chooses the
# build directory; OPENEN_CROSS=0 skips the arm64 part, OPENEN_REPRODUCIBLE=0 the
# reproducibility check (CI runs both).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

bash scripts/install-deps.sh

sanitize="${OPENEN_SANITIZE-address,undefined}"
build_dir="${OPENEN_BUILD_DIR:-$root/build-test}"
mkdir -p "$build_dir"
bash scripts/build.sh "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DOPENEN_SANITIZE="$sanitize" -DOPENEN_BUILD_BENCH=ON -DOPENEN_FAULT_INJECTION=ON

# Uninstrumented system libraries (gRPC, RocksDB) trip ASan's container-overflow
# check on their own std::vector use; every other check stays on.
export ASAN_OPTIONS="detect_container_overflow=0:detect_leaks=1:abort_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
(cd "$build_dir" && ctest --output-on-failure --parallel "$(nproc)" --timeout 600)

if [ "${OPENEN_CROSS:-1}" != "0" ]; then
  bash scripts/cross-test.sh arm64
fi

# Two release builds (scripts/package.sh) one after the other: 5 to 8 min on 2 busy cores.
if [ "${OPENEN_REPRODUCIBLE:-1}" != "0" ]; then
  bash scripts/reproducible.sh "$root/build-reproducible"
fi
