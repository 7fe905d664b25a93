#!/usr/bin/env bash
# Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
# What the phone library costs an app: prints stripped libopenen.so and every library
# it loads, found by following DT_NEEDED (readelf) the way the dynamic loader would,
# inside SYSROOT when one is given (a cross build) or on this machine. Each file is
# measured after `strip --strip-all` of a copy. libc (with glibc's libm, libpthread,
# libdl, librt), libstdc++, libgcc_s and the dynamic loader are the system's: listed,
# not summed, not followed.
#
# usage: scripts/client-size.sh BUILD_DIR [SYSROOT]
#   scripts/client-size.sh build                                  # this machine (x86-64)
#   scripts/client-size.sh build-cross-arm64/build build-cross-arm64/sysroot
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
  echo "usage: $0 BUILD_DIR [SYSROOT]" >&2
  exit 2
fi
build_dir="$1"
sysroot="${2:-}"
if [ -n "$sysroot" ]; then sysroot="$(cd "$sysroot" && pwd)"; fi

lib="$(find "$build_dir" -name 'libopenen.so' -not -path '*/CMakeFiles/*' | head -n 1)"
if [ -z "$lib" ]; then
  echo "client-size: no libopenen.so under $build_dir (build the target openen_client_c)" >&2
  exit 1
fi

machine="$(readelf -h "$lib" | sed -n 's/^ *Machine: *//p')"
case "$machine" in
  *AArch64*) triple=aarch64-linux-gnu; strip_tool=aarch64-linux-gnu-strip; arch=arm64 ;;
  *X86-64*) triple=x86_64-linux-gnu; strip_tool=strip; arch=x86-64 ;;
  *) echo "client-size: unknown machine '$machine'" >&2; exit 1 ;;
esac
command -v "$strip_tool" >/dev/null || { echo "client-size: $strip_tool not found" >&2; exit 1; }

# Where the loader looks: the library's own RUNPATH, then Debian's multiarch and
# plain library directories (inside the sysroot for a cross build).
search=()
runpath="$(readelf -d "$lib" | sed -n 's/.*(\(RUNPATH\|RPATH\)).*\[\(.*\)\]/\2/p' | tr ':' ' ')"
for d in $runpath; do search+=("$d"); done
for d in /lib/$triple /usr/lib/$triple /lib /usr/lib; do search+=("$sysroot$d"); done

is_system() {
  case "$1" in
    libc.so.* | libm.so.* | libpthread.so.* | libdl.so.* | librt.so.* | libstdc++.so.* | \
      libgcc_s.so.* | ld-linux*.so.*) return 0 ;;
    *) return 1 ;;
  esac
}

resolve() {
  local d
  for d in "${search[@]}"; do
    if [ -e "$d/$1" ]; then
      readlink -f "$d/$1"
      return 0
    fi
  done
  return 1
}

needed() { readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'; }

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
stripped_size() {
  cp "$1" "$tmp/lib"
  "$strip_tool" --strip-all "$tmp/lib"
  stat -c %s "$tmp/lib"
}

# Breadth first from libopenen.so; each name once.
declare -A seen=()
queue=("libopenen.so")
seen[libopenen.so]=1
declare -A path_of=([libopenen.so]="$(readlink -f "$lib")")
order=()
while [ "${#queue[@]}" -gt 0 ]; do
  name="${queue[0]}"
  queue=("${queue[@]:1}")
  order+=("$name")
  if is_system "$name"; then continue; fi
  for n in $(needed "${path_of[$name]}"); do
    [ -n "${seen[$n]:-}" ] && continue
    seen[$n]=1
    p="$(resolve "$n")" || { echo "client-size: $n (needed by $name) not found" >&2; exit 1; }
    path_of[$n]="$p"
    queue+=("$n")
  done
done

mib() { awk -v b="$1" 'BEGIN { printf "%.2f", b / 1048576 }'; }
total=0
system_total=0
grpc=()
printf '%-50s %12s %9s  %s\n' "library ($arch)" "bytes" "MiB" ""
for name in "${order[@]}"; do
  size="$(stripped_size "${path_of[$name]}")"
  if is_system "$name"; then
    system_total=$((system_total + size))
    printf '%-50s %12d %9s  %s\n' "$name" "$size" "$(mib "$size")" "system, not summed"
  else
    total=$((total + size))
    printf '%-50s %12d %9s\n' "$name" "$size" "$(mib "$size")"
  fi
  case "$name" in libgrpc* | libgpr* | libaddress_sorting* | libupb*) grpc+=("$name") ;; esac
done
count=$(( ${#order[@]} ))
own="$(stripped_size "${path_of[libopenen.so]}")"
printf '%-50s %12d %9s  %s\n' "sum without the system's" "$total" "$(mib "$total")" \
  "$count libraries in all"
printf '%-50s %12d %9s\n' "  of which libopenen.so's dependencies" "$((total - own))" \
  "$(mib "$((total - own))")"
printf '%-50s %12d %9s\n' "the system's (libc, libstdc++...)" "$system_total" "$(mib "$system_total")"
if [ "${#grpc[@]}" -eq 0 ]; then
  echo "gRPC: not among them"
else
  echo "gRPC: ${grpc[*]}"
fi
