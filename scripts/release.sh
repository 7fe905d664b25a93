#!/usr/bin/env bash
# Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
#
# Builds a release: the Debian packages of the committed HEAD, made by
# scripts/package.sh in a fresh clone (so that no uncommitted or untracked file
# reaches them), into OUT_DIR with
#   SHA256SUMS   the packages' SHA-256 (sha256sum's format): what the release
#                publishes and what an auditor's rebuild must give
#                (docs/auditing.md, "Verify a release")
#   BUILDINFO    the commit, its SOURCE_DATE_EPOCH and the versions of the Debian
#                packages the build used: a rebuild with other versions gives
#                other bytes
# The build is reproducible: the same commit built the same way anywhere gives the
# same packages (scripts/reproducible.sh). Refuses to run with uncommitted changes
# to tracked files unless OPENEN_RELEASE_DIRTY=1 (they would not be in the release).
# usage: scripts/release.sh [OUT_DIR [WORK_DIR]]   (defaults: dist/release, build-release)
#   OPENEN_PACKAGE_MAINTAINER  the packages' Maintainer field (scripts/package.sh)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out_dir="${1:-$root/dist/release}"
work="${2:-$root/build-release}"
case "$work" in "" | / | /usr* | /etc* | /var*) echo "refusing work directory '$work'" >&2; exit 2 ;; esac

commit="$(git -C "$root" rev-parse HEAD)"
if [ -n "$(git -C "$root" status --porcelain --untracked-files=no)" ] &&
   [ "${OPENEN_RELEASE_DIRTY:-0}" != "1" ]; then
  echo "release: $root has uncommitted changes, which the release would not contain;" >&2
  echo "commit them (or set OPENEN_RELEASE_DIRTY=1 to build HEAD anyway)" >&2
  exit 1
fi
# Only a directory this script made is emptied (it holds the mark).
if [ -n "$(ls -A "$work" 2>/dev/null)" ] && [ ! -f "$work/.openen-release" ]; then
  echo "refusing to empty $work: not made by scripts/release.sh" >&2
  exit 2
fi
rm -rf "$work"
mkdir -p "$work"
touch "$work/.openen-release"
git clone --quiet --no-checkout "$root" "$work/src"
git -C "$work/src" checkout --quiet --detach "$commit"
epoch="${SOURCE_DATE_EPOCH:-$(git -C "$work/src" log -1 --format=%ct)}"
SOURCE_DATE_EPOCH="$epoch" bash "$work/src/scripts/package.sh" "$work/src/build-package" "$work/out"

mkdir -p "$out_dir"
out_dir="$(cd "$out_dir" && pwd)"
rm -f "$out_dir"/*.deb "$out_dir/SHA256SUMS" "$out_dir/BUILDINFO"
cp "$work/out"/*.deb "$out_dir/"
(cd "$out_dir" && sha256sum -- *.deb >SHA256SUMS)

# The packages whose files go into the build (compilers, tools, libraries, JDK).
build_packages=(gcc-12 g++-12 cpp-12 binutils libc6-dev libstdc++-12-dev libgcc-12-dev cmake
  dpkg-dev file openjdk-17-jdk-headless libjetbrains-annotations-java protobuf-compiler
  protobuf-compiler-grpc libprotobuf-dev libprotoc-dev libgrpc++-dev libgrpc-dev libabsl-dev
  libsodium-dev libssl-dev librocksdb-dev libzip-dev zlib1g-dev prometheus-cpp-dev liboath-dev
  libcpp-httplib-dev libcurl4-openssl-dev)
{
  # The origin without any user or token a CI checkout's URL carries; no local path.
  echo "Source: $(git -C "$root" remote get-url origin 2>/dev/null |
    sed -E 's#^([a-z+]+://)[^/@]*@#\1#' || true)"
  echo "Commit: $commit"
  echo "SOURCE_DATE_EPOCH: $epoch ($(date -u -d "@$epoch" +%Y-%m-%dT%H:%M:%SZ))"
  echo "Built-By: scripts/release.sh (scripts/package.sh: Release, prefix /usr, OPENEN_REPRODUCIBLE)"
  echo "Package-Maintainer: ${OPENEN_PACKAGE_MAINTAINER:-(default)}"
  echo "System: Debian $(cat /etc/debian_version 2>/dev/null || echo '?') $(dpkg --print-architecture)"
  echo "Installed-Build-Depends:"
  { dpkg-query -W -f='${Package} (= ${Version})\n' "${build_packages[@]}" 2>/dev/null || true; } | sed 's/^/ /'
} >"$out_dir/BUILDINFO"

echo "== release of $commit in $out_dir"
cat "$out_dir/SHA256SUMS"
echo "verify a rebuild: cd <its OUT_DIR> && sha256sum -c $out_dir/SHA256SUMS"
