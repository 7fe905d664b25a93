#!/usr/bin/env bash
# Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
# Installs dependencies, builds OpenEN (Release) and runs the main job: a
# simulated city on this machine. A health authority (openen-verifier and
# openen-relay on loopback) and 2,000 phones, each a real client library with
# its own encrypted store, live 14 days: people meet, phones record each
# other, people who test positive upload through the verification flow, and
# every phone syncs, matches and scores. The report compares notifications
# with the ground truth. Extra arguments go to `openen simulate` (see --help).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

bash scripts/install-deps.sh
build_dir="${OPENEN_BUILD_DIR:-$root/build}"
mkdir -p "$build_dir"
bash scripts/build.sh "$build_dir" -DCMAKE_BUILD_TYPE=Release -DOPENEN_BUILD_TESTS=OFF -DOPENEN_BUILD_BENCH=OFF

echo "== openen simulate $*"
"$build_dir/tools/openen" simulate "$@"
