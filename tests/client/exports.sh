#!/bin/sh
# Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
#
# exports.sh NM LIBRARY HEADER...: the shared LIBRARY exports exactly the
# openen_* functions its public HEADERs declare with OPENEN_EXPORT, and no
# debug, test or internal accessor.
set -eu
nm="$1"
lib="$2"
shift 2
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
"$nm" -D --defined-only "$lib" | awk '{print $NF}' | sed 's/@.*//' | sort -u >"$tmp/exported"
# A declaration: OPENEN_EXPORT <type> openen_name( , possibly over two lines.
cat "$@" | tr '\n' ' ' | grep -oE 'OPENEN_EXPORT[^;(]*\(' | grep -oE 'openen_[a-z0-9_]+ *\($' |
  sed 's/ *($//' | sort -u >"$tmp/declared"
status=0
if [ ! -s "$tmp/declared" ]; then
  echo "no OPENEN_EXPORT declaration found in $*"
  status=1
fi
if grep -v '^openen_' "$tmp/exported" >"$tmp/stray"; then
  echo "$lib exports symbols outside openen_*:"
  cat "$tmp/stray"
  status=1
fi
if grep -iE 'debug|test|internal|dump|fault|peek|secret' "$tmp/exported" >"$tmp/debug"; then
  echo "$lib exports what looks like a debug accessor:"
  cat "$tmp/debug"
  status=1
fi
if ! diff -u "$tmp/declared" "$tmp/exported" >"$tmp/diff"; then
  echo "exported (+) and declared (-) functions differ:"
  cat "$tmp/diff"
  status=1
fi
[ "$status" -ne 0 ] || echo "$lib exports the $(wc -l <"$tmp/exported") functions its headers declare"
exit "$status"
