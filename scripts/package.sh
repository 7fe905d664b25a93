#!/usr/bin/env bash
# Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
# Builds OpenEN for release (no sanitizers, no tests, no fault points) and makes
# its Debian packages with CPack (cmake/OpenENPackage.cmake): libopenen0,
# libopenen-dev, openen, openen-relay and openen-verifier, for prefix /usr
# (libraries in the multiarch directory), into OUT_DIR.
# The build is reproducible (OPENEN_REPRODUCIBLE, cmake/OpenENReproducible.cmake):
# the same commit gives the same packages, bit for bit, in any directory, at any
# time (scripts/reproducible.sh checks it; scripts/release.sh adds SHA256SUMS).
# usage: scripts/package.sh [BUILD_DIR [OUT_DIR]]   (defaults: build-package, dist)
#   OPENEN_PACKAGE_MAINTAINER  the packages' Maintainer field
#   SOURCE_DATE_EPOCH          every time in the jar and the packages (default: the
#                              time of the source's last commit, git log -1 --format=%ct;
#                              outside a git checkout it must be set)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# The modes of the directories in the packages and of their members follow the umask.
umask 022
if [ -z "${SOURCE_DATE_EPOCH:-}" ] && git -C "$root" rev-parse --git-dir >/dev/null 2>&1; then
  SOURCE_DATE_EPOCH="$(git -C "$root" log -1 --format=%ct)"
fi
if [ -n "${SOURCE_DATE_EPOCH:-}" ]; then export SOURCE_DATE_EPOCH; fi
build_dir="${1:-$root/build-package}"
out_dir="${2:-$root/dist}"
maintainer=()
if [ -n "${OPENEN_PACKAGE_MAINTAINER:-}" ]; then
  maintainer=(-DOPENEN_PACKAGE_MAINTAINER="$OPENEN_PACKAGE_MAINTAINER")
fi
bash "$root/scripts/build.sh" "$build_dir" -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr \
  -DOPENEN_BUILD_TESTS=OFF -DOPENEN_BUILD_BENCH=OFF -DOPENEN_SANITIZE= -DOPENEN_FAULT_INJECTION=OFF \
  -DOPENEN_REPRODUCIBLE=ON "${maintainer[@]}"
mkdir -p "$out_dir"
out_dir="$(cd "$out_dir" && pwd)"  # cpack runs in the build directory
(cd "$build_dir" && cpack -G DEB -B "$out_dir")
ls -l "$out_dir"/*.deb
