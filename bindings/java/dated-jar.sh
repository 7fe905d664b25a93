#!/bin/sh
# Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
#
# The jar tool as CMake's add_jar calls it (JAR -cf OUT.jar FILE... @LIST), with every
# entry's time set to DATE (ISO 8601, UTC) instead of its file's time in the local
# time zone: the same classes give the same jar (cmake/OpenENReproducible.cmake).
# usage: dated-jar.sh JAR DATE -cf OUT.jar FILE... [@LIST]
set -eu
jar="$1"
date="$2"
shift 2
if [ "${1:-}" != "-cf" ]; then
  echo "dated-jar.sh: add_jar called '$jar ${1:-}', expected -cf (no entry point or manifest)" >&2
  exit 2
fi
shift
exec "$jar" --date="$date" -c -f "$@"
