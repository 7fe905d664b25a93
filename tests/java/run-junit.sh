#!/usr/bin/env bash
# Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
# run-junit.sh JAVA CLASSPATH SELECTOR [JVM OPTION...]: runs the JUnit 5 tests SELECTOR
# (--select-method=org.openen.X#y) on the JVM with JNI checks on (-Xcheck:jni). The JVM reports
# a JNI misuse (a call with an exception pending, a local reference overflow) as a warning and
# goes on: any such warning fails the test here. Under sanitizers, their runtimes
# (OPENEN_SANITIZER_PRELOAD) load before the JVM's own libraries, with OPENEN_JVM_ASAN_OPTIONS
# (both from tests/jvm_env.cmake).
set -euo pipefail
java="$1" classpath="$2" selector="$3"
shift 3
env=()
if [ -n "${OPENEN_SANITIZER_PRELOAD:-}" ]; then
  env=(env "LD_PRELOAD=$OPENEN_SANITIZER_PRELOAD" "ASAN_OPTIONS=$OPENEN_JVM_ASAN_OPTIONS")
fi
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
status=0
"${env[@]}" "$java" -Xcheck:jni "$@" -jar /usr/share/java/junit-platform-console-standalone.jar \
  --class-path "$classpath" --disable-banner --details=tree --fail-if-no-tests "$selector" \
  >"$out" 2>&1 || status=$?
cat "$out"
if grep -q -E "(WARNING|FATAL ERROR) in native method|JNI local refs: [0-9]+, exceeds capacity" "$out"; then
  echo "run-junit: the JVM's JNI checks reported a misuse (above)" >&2
  exit 1
fi
exit "$status"
