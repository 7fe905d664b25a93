#!/usr/bin/env bash
# Installs dependencies, builds OpenEN (Release) and runs the main job: derives
# and prints the identifiers that the official GAEN v1.2 test key broadcasts
# during its first day, then measures derivation speed.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

bash scripts/install-deps.sh
build_dir="${OPENEN_BUILD_DIR:-$root/build}"
mkdir -p "$build_dir"
bash scripts/build.sh "$build_dir" -DCMAKE_BUILD_TYPE=Release -DOPENEN_BUILD_TESTS=OFF

tek=75c734c6dd1a782de7a965da5eb93125
interval=2642976  # ENIntervalNumber(1585785600), the official vector key's day
echo "== Identifiers broadcast by TEK $tek from interval $interval (first 6 of 144)"
echo "interval	rpi	aem"
"$build_dir/tools/openen" keys derive --tek "$tek" --interval "$interval" --count 144 | head -n 6
echo "== Derivation speed on one core (RPIK + 144 RPIs per diagnosis key)"
"$build_dir/bench/bench_derive" 1
