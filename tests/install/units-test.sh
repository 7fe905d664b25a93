#!/usr/bin/env bash
# Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
# The systemd units of packaging/systemd/ as systemd itself reads them:
# systemd-analyze verify (ExecStart pointed at this build's binaries) must
# report nothing at all (an unknown or misspelt directive is only a warning
# to it, so any output fails), and systemd-analyze security --offline must
# rate each unit's exposure at most 2.0 ("OK"; 10 is an unhardened service).
# usage: units-test.sh UNIT_DIR BUILD_DIR WORK_DIR
set -euo pipefail
units=$1 build=$2 work=$3
rm -rf "$work"
mkdir -p "$work"
for name in openen-relay openen-verifier; do
  sed "s|/usr/bin/$name|$build/server/$name|" "$units/$name.service" >"$work/$name.service"
done
cd "$work"
if ! out=$(systemd-analyze verify openen-relay.service openen-verifier.service 2>&1) || [[ -n $out ]]; then
  echo "systemd-analyze verify:"
  echo "$out"
  exit 1
fi
for name in openen-relay openen-verifier; do
  line=$(systemd-analyze security --offline=true "$name.service" 2>&1 | grep 'Overall exposure level')
  score=$(sed -E 's/.*: ([0-9.]+).*/\1/' <<<"$line")
  echo "$name.service: exposure $score"
  if ! awk -v s="$score" 'BEGIN { exit !(s + 0 <= 2.0) }'; then
    echo "$name.service: exposure $score is above 2.0"
    exit 1
  fi
done
