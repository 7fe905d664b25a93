#!/usr/bin/env bash
# Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
# Configures and builds OpenEN into a build directory.
# usage: scripts/build.sh BUILD_DIR [extra cmake arguments]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build_dir="$1"
shift
mkdir -p "$build_dir"
cmake -S "$root" -B "$build_dir" "$@" >"$build_dir/configure.log" 2>&1 || {
  cat "$build_dir/configure.log"
  exit 1
}
cmake --build "$build_dir" --parallel "$(nproc)"
