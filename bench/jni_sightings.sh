#!/usr/bin/env bash
# Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
#
# What JNI costs per recordSightings batch: runs bench_jni_sightings (the C API) and then
# org.openen.bench.RecordSightingsBench (the Java API over libopenen_jni.so), the same workload,
# each on a fresh temporary store directory, and prints both sets of JSON lines, then one line per
# batch size comparing them:
#   {"name": "record_sightings_jni_overhead", "batch": N, "java_over_c": R, "overhead_ns_per_batch": D}
# R is Java's time over C's (above 1: Java is slower), D the difference per batch in nanoseconds.
# Batch 0 is the bare call (an empty batch, nothing stored). Each figure is the fastest of --runs
# runs (default 3) on fresh stores; the store's own work varies by several percent from run to run,
# so a difference that small at batch sizes 1 to 256 is noise.
#
# usage: bench/jni_sightings.sh BUILD_DIR [--sightings N] [--warmup N] [--calls N] [--runs N]
#   built with: ninja -C BUILD_DIR bench_jni_sightings (a Release build, OPENEN_BUILD_JAVA=ON)
#   JAVA=/path/to/java picks the JVM (default: java on the PATH).
set -euo pipefail
if [ $# -lt 1 ]; then
  echo "usage: bench/jni_sightings.sh BUILD_DIR [--sightings N] [--warmup N] [--calls N] [--runs N]" >&2
  exit 2
fi
build="$1"
shift
c_bench="$build/bench/bench_jni_sightings"
bench_jar="$build/bench/bench.jar"
openen_jar="$build/bindings/java/openen.jar"
jni="$build/bindings/java/libopenen_jni.so"
for f in "$c_bench" "$bench_jar" "$openen_jar" "$jni"; do
  if [ ! -e "$f" ]; then
    echo "jni_sightings.sh: $f is missing: ninja -C $build bench_jni_sightings" >&2
    exit 1
  fi
done
java="${JAVA:-java}"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir "$work/c" "$work/java"

"$c_bench" --dir "$work/c" "$@" | tee "$work/c.json"
"$java" -Dopenen.jni.library="$(realpath "$jni")" -cp "$openen_jar:$bench_jar" \
  org.openen.bench.RecordSightingsBench --dir "$work/java" "$@" | tee "$work/java.json"

awk '
  function field(line, key,   m) {
    if (!match(line, "\"" key "\": [-0-9.e+]+")) return ""
    m = substr(line, RSTART, RLENGTH)
    sub(/^[^:]*: /, "", m)
    return m
  }
  FNR == 1 { side++ }
  {
    b = field($0, "batch")
    if (b == "") next
    ns[side, b] = field($0, "ns_per_batch")
    if (side == 1) order[++n] = b
  }
  END {
    for (i = 1; i <= n; i++) {
      b = order[i]
      if ((2, b) in ns && ns[1, b] > 0) {
        printf "{\"name\": \"record_sightings_jni_overhead\", \"batch\": %d, \"java_over_c\": %.6g, \"overhead_ns_per_batch\": %.6g}\n", b, ns[2, b] / ns[1, b], ns[2, b] - ns[1, b]
      }
    }
  }' "$work/c.json" "$work/java.json"
