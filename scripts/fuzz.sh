#!/usr/bin/env bash
# Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
# Fuzzes each target in tests/fuzz/ with libFuzzer for a chosen time and prints what
# it did: executions, executions per second, corpus size, crashes.
#
# usage: scripts/fuzz.sh [seconds-per-target] [target...]
#   seconds-per-target  default 60
#   target              default all: export_zip export_bin signed_envelope
#                       tlog relay_rpc verifier_rpc client_records c_api
#
# Builds with clang in build-fuzz/ (OPENEN_BUILD_FUZZ=ON, ASan and UBSan; set
# OPENEN_FUZZ_BUILD_DIR to choose another). Each target starts from the seed
# corpus in tests/fuzz/corpus/<target>/, which it only reads: what it finds new goes
# to build-fuzz/corpus/<target>/, crashes to build-fuzz/crashes/<target>/. A
# crash stops that target's run; replay one with
#   build-fuzz/tests/fuzz/fuzz_<target> build-fuzz/crashes/<target>/crash-...
# and, once fixed, copy it into tests/fuzz/corpus/<target>/ so that every test
# build replays it (fuzz_replay:<target>). The table counts the crashes of
# this run; exits non-zero when any target crashed. OPENEN_FUZZ_JOBS
# (default 2) builds with that many jobs.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

all_targets=(export_zip export_bin signed_envelope tlog relay_rpc verifier_rpc client_records c_api)
seconds="${1:-60}"
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -lt 1 ]; then
  echo "fuzz.sh: seconds-per-target must be a positive number, got '$seconds'" >&2
  exit 2
fi
shift || true
targets=("$@")
if [ "${#targets[@]}" -eq 0 ]; then targets=("${all_targets[@]}"); fi
for t in "${targets[@]}"; do
  if [ ! -d "tests/fuzz/corpus/$t" ]; then
    echo "fuzz.sh: unknown target '$t' (known: ${all_targets[*]})" >&2
    exit 2
  fi
done

build_dir="${OPENEN_FUZZ_BUILD_DIR:-$root/build-fuzz}"
launcher=()
if command -v ccache > /dev/null; then
  launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
CC=clang CXX=clang++ cmake -S "$root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DOPENEN_BUILD_FUZZ=ON -DOPENEN_SANITIZE=address,undefined -DOPENEN_BUILD_TESTS=OFF \
  -DOPENEN_BUILD_BENCH=OFF "${launcher[@]}" > "$build_dir.cmake.log" 2>&1 ||
  { cat "$build_dir.cmake.log" >&2; exit 1; }
ninja -C "$build_dir" -j "${OPENEN_FUZZ_JOBS:-2}" "${targets[@]/#/fuzz_}"

# Uninstrumented system libraries (gRPC, RocksDB) trip ASan's container-overflow
# check on their own std::vector use; every other check stays on.
export ASAN_OPTIONS="detect_container_overflow=0:detect_leaks=1:abort_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"

declare -A execs rate corpus crashes
failed=0
for t in "${targets[@]}"; do
  out="$build_dir/corpus/$t"
  crash_dir="$build_dir/crashes/$t"
  log="$build_dir/logs/$t.log"
  mkdir -p "$out" "$crash_dir" "$(dirname "$log")"
  # Crashes count from this run on (older ones stay for replaying).
  touch "$log.start"
  echo "fuzz.sh: $t for ${seconds}s (log: $log)"
  status=0
  "$build_dir/tests/fuzz/fuzz_$t" -max_total_time="$seconds" -print_final_stats=1 -timeout=30 \
    -rss_limit_mb=4096 -artifact_prefix="$crash_dir/" "$out" "tests/fuzz/corpus/$t" > "$log" 2>&1 ||
    status=$?
  execs[$t]="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)"
  rate[$t]="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)"
  corpus[$t]="$(find "$out" "tests/fuzz/corpus/$t" -type f | wc -l)"
  crashes[$t]="$(find "$crash_dir" -type f -newer "$log.start" | wc -l)"
  if [ "$status" -ne 0 ] || [ "${crashes[$t]}" -ne 0 ]; then
    failed=1
    grep -m 3 -E 'ERROR: |runtime error|deadly signal' "$log" || tail -5 "$log"
  fi
done

printf '\n%-16s %12s %8s %8s %8s\n' target executions exec/s corpus crashes
for t in "${targets[@]}"; do
  printf '%-16s %12s %8s %8s %8s\n' "$t" "${execs[$t]:-?}" "${rate[$t]:-?}" "${corpus[$t]}" \
    "${crashes[$t]}"
done
exit "$failed"
