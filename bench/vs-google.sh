#!/usr/bin/env bash
# Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
#
# OpenEN's matcher side by side with Google's production Exposure Notification
# matcher (google/exposure-notifications-internals, exposurenotification/src/main/cpp),
# on the same workload: bench_match's 1,000,000 diagnosis keys in 10 export files
# against 50,000 observed RPIs (4 sightings each, 14 days, 100 true matches).
#
# usage: bench/vs-google.sh GOOGLE_SRC [OPENEN_BUILD_DIR]
#   GOOGLE_SRC        a local copy of exposure-notifications-internals: a checkout
#                     directory or a git repository (bare or not; HEAD is used)
#   OPENEN_BUILD_DIR  an OpenEN Release build with OPENEN_BUILD_BENCH=ON (default: build);
#                     bench_match is built there only if it is missing
#                     (OPENEN_REBUILD=1: run ninja bench_match there first anyway)
# environment: ROUNDS (5), CPU (1, the core both run on), VS_GOOGLE_DIR (scratch directory;
#   default a new one under $TMPDIR, removed at the end unless KEEP_SCRATCH=1)
#
# Google's C++ is never copied into this tree: it is extracted into the scratch
# directory and compiled there, unchanged, with bench/google/harness.cc (a JNI
# stand-in, no JVM) by two toolchains: clang + libc++ (as on Android) and
# gcc + libstdc++. Crypto is Debian's build of Android's BoringSSL
# (android-libboringssl-dev), protobuf decoding Debian's nanopb.
# Google's key files are the export.bin files, unzipped beforehand: unzip and
# signature check are excluded from Google's figures (OpenEN's match_client
# includes both).
set -euo pipefail
shopt -s inherit_errexit  # a failed build inside $(...) stops the script

if [ $# -lt 1 ]; then
  sed -n '9,16p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
GOOGLE_SRC=$1
OPENEN_BUILD=${2:-build}
ROUNDS=${ROUNDS:-5}
CPU=${CPU:-1}
REPO=$(cd "$(dirname "$0")/.." && pwd)

# ---- What this needs ----
missing=()
need() {  # need PACKAGE TEST...
  local pkg=$1
  shift
  "$@" >/dev/null 2>&1 || missing+=("$pkg")
}
need protobuf-compiler command -v protoc
need nanopb test -x /usr/bin/protoc-gen-nanopb
need libnanopb-dev test -f /usr/include/pb_decode.h
need libnanopb-dev test -f /usr/lib/x86_64-linux-gnu/libprotobuf-nanopb.a
need android-libboringssl-dev test -f /usr/include/android/openssl/hkdf.h
need android-libboringssl-dev test -e /usr/lib/x86_64-linux-gnu/android/libcrypto.so
need g++ command -v g++
need python3 command -v python3
need util-linux command -v taskset
need git command -v git
JNI_INCLUDE=${JNI_INCLUDE:-}
if [ -z "$JNI_INCLUDE" ]; then
  for d in "${JAVA_HOME:-/nonexistent}/include" /usr/lib/jvm/default-java/include /usr/lib/jvm/*/include; do
    if [ -f "$d/jni.h" ] && [ -f "$d/linux/jni_md.h" ]; then JNI_INCLUDE=$d; break; fi
  done
fi
[ -n "$JNI_INCLUDE" ] || missing+=(default-jdk-headless)
HAVE_LIBCXX=1
if ! printf '#include <vector>\nint main() { return std::vector<int>(1)[0]; }\n' |
  clang++ -stdlib=libc++ -x c++ - -o /dev/null >/dev/null 2>&1; then
  HAVE_LIBCXX=0
fi
if [ ${#missing[@]} -gt 0 ]; then
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  echo "vs-google: missing Debian packages: ${missing[*]}" >&2
  echo "  bash scripts/install-deps.sh vs-google   (or: apt-get install ${missing[*]})" >&2
  exit 1
fi
if [ "$HAVE_LIBCXX" = 0 ]; then
  echo "vs-google: clang with libc++ not usable (packages clang libc++-dev libc++abi-dev):" \
    "only the gcc + libstdc++ build of Google's matcher is measured" >&2
fi

SCRATCH=${VS_GOOGLE_DIR:-$(mktemp -d)}  # mktemp names it in $TMPDIR, else /tmp
mkdir -p "$SCRATCH"
if [ -z "${VS_GOOGLE_DIR:-}" ] && [ "${KEEP_SCRATCH:-0}" != 1 ]; then
  trap 'rm -rf "$SCRATCH"' EXIT
fi
SCRATCH=$(cd "$SCRATCH" && pwd)
log() { echo "vs-google: $*" >&2; }

# ---- Google's sources, into the scratch directory ----
SRC=$SCRATCH/google-src
rm -rf "$SRC" && mkdir -p "$SRC"
EN=exposurenotification/src/main
GOOGLE_REV=unknown
if [ -d "$GOOGLE_SRC/$EN/cpp" ]; then
  cp -r "$GOOGLE_SRC/$EN/cpp" "$GOOGLE_SRC/$EN/proto" "$SRC/"
  GOOGLE_REV=$(git -C "$GOOGLE_SRC" rev-parse --short HEAD 2>/dev/null || echo "checkout")
  git -C "$GOOGLE_SRC" diff --quiet HEAD -- "$EN" 2>/dev/null || GOOGLE_REV="$GOOGLE_REV (working tree)"
elif git -C "$GOOGLE_SRC" rev-parse --verify -q HEAD >/dev/null 2>&1; then
  git -C "$GOOGLE_SRC" archive HEAD "$EN/cpp" "$EN/proto" | tar -x -C "$SRC"
  mv "$SRC/$EN/cpp" "$SRC/$EN/proto" "$SRC/" && rm -rf "$SRC/exposurenotification"
  GOOGLE_REV=$(git -C "$GOOGLE_SRC" rev-parse --short HEAD)
else
  echo "vs-google: $GOOGLE_SRC holds neither $EN/cpp nor a git HEAD" >&2
  exit 1
fi
for f in matching_helper.cc key_file_parser.cc prefix_id_map.cc nanopb_encoder.cc matchingjni.cc constants.h; do
  [ -f "$SRC/cpp/$f" ] || { echo "vs-google: $SRC/cpp/$f missing from Google's tree" >&2; exit 1; }
done
log "Google's matcher at $GOOGLE_REV"

# ---- Google's matcher, built twice ----
GEN=$SCRATCH/google-gen
mkdir -p "$GEN/gen"
# As Google's CMakeLists.txt: protoc with the nanopb plugin over exposure_key_export.proto.
protoc --plugin=protoc-gen-nanopb=/usr/bin/protoc-gen-nanopb \
  -I /usr/lib/python3/dist-packages/proto -I "$SRC/proto" \
  --nanopb_out="$GEN/gen" "$SRC/proto/exposure_key_export.proto"
# Google's sources are compiled unchanged; their headers leave out three standard
# includes that Android's libc++ pulls in by the way (<memory> in key_file_parser.h,
# <cassert> in prefix_id_map.cc, <limits> in key_file_parser.cc), so they are forced
# on the command line. C++17: constants.h's u8"" literals initialise char arrays,
# which C++20 forbids. -O2 -DNDEBUG: the NDK's release flags.
COMMON=(-O2 -DNDEBUG -fPIC -include memory -include cassert -include limits
  -I "$GEN" -I "$SRC/cpp" -I /usr/include/android -I "$JNI_INCLUDE" -I "$JNI_INCLUDE/linux"
  -I "$REPO/bench")
# shellcheck disable=SC2054  # the commas are -Wl,'s
LINK=(-L/usr/lib/x86_64-linux-gnu/android -Wl,-rpath,/usr/lib/x86_64-linux-gnu/android
  -l:libprotobuf-nanopb.a -lcrypto)
build_google() {  # build_google NAME CC CXX [CXXFLAGS...]
  local name=$1 cc=$2 cxx=$3
  shift 3
  local out=$SCRATCH/google-$name objs=()
  mkdir -p "$out"
  $cc -O2 -fPIC -I "$GEN" -c "$GEN/gen/exposure_key_export.pb.c" -o "$out/exposure_key_export.pb.o"
  objs+=("$out/exposure_key_export.pb.o")
  for f in matching_helper key_file_parser prefix_id_map nanopb_encoder matchingjni; do
    $cxx -std=c++17 "$@" "${COMMON[@]}" -w -c "$SRC/cpp/$f.cc" -o "$out/$f.o"
    objs+=("$out/$f.o")
  done
  $cxx -std=c++17 "$@" "${COMMON[@]}" -Wall -Wextra -c "$REPO/bench/google/harness.cc" -o "$out/harness.o"
  $cxx "$@" -o "$out/google_match_harness" "$out/harness.o" "${objs[@]}" "${LINK[@]}"
  echo "$out/google_match_harness"
}
declare -A HARNESS
if [ "$HAVE_LIBCXX" = 1 ]; then
  log "building Google's matcher: clang + libc++"
  HARNESS[clang-libc++]=$(build_google clang-libcxx clang clang++ -stdlib=libc++)
fi
log "building Google's matcher: gcc + libstdc++"
HARNESS[gcc-libstdc++]=$(build_google gcc-libstdcxx gcc g++)

# ---- OpenEN's bench_match ----
BENCH_MATCH=$OPENEN_BUILD/bench/bench_match
if [ ! -x "$BENCH_MATCH" ] || [ "${OPENEN_REBUILD:-0}" = 1 ]; then
  if [ ! -f "$OPENEN_BUILD/CMakeCache.txt" ]; then
    cmake -S "$REPO" -B "$OPENEN_BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DOPENEN_BUILD_BENCH=ON >&2
  fi
  ninja -C "$OPENEN_BUILD" bench_match >&2
fi
BENCH_MATCH=$(cd "$(dirname "$BENCH_MATCH")" && pwd)/bench_match
build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$OPENEN_BUILD/CMakeCache.txt" 2>/dev/null || true)
[ "$build_type" = Release ] || log "warning: $OPENEN_BUILD is a '$build_type' build, not Release"

# ---- The workload, generated once ----
WORKLOAD=$SCRATCH/workload
BINS=$SCRATCH/bins
rm -rf "$WORKLOAD" "$BINS" && mkdir -p "$BINS"
SAME_WORKLOAD=0
if grep -qa -- '--keep' "$BENCH_MATCH"; then
  log "generating the workload: bench_match --keep (its figures are a warm-up)"
  taskset -c "$CPU" "$BENCH_MATCH" --keep "$WORKLOAD" >"$SCRATCH/warmup.jsonl"
fi
if [ -f "$WORKLOAD/rpis.bin" ] && ls "$WORKLOAD"/exports/*.zip >/dev/null 2>&1; then
  SAME_WORKLOAD=1
  # Google's key files are the export.bin inside each zip, in the index's order.
  python3 - "$WORKLOAD/exports" "$BINS" <<'EOF'
import os, sys, zipfile
src, dst = sys.argv[1], sys.argv[2]
index = os.path.join(src, "index.txt")
names = ([l.strip() for l in open(index) if l.strip()] if os.path.exists(index)
         else sorted(n for n in os.listdir(src) if n.endswith(".zip")))
for i, name in enumerate(names):
    with zipfile.ZipFile(os.path.join(src, os.path.basename(name))) as z:
        with open(os.path.join(dst, "%04d-%s.bin" % (i, os.path.basename(name)[:-4])), "wb") as out:
            out.write(z.read("export.bin"))
EOF
  RPIS=$WORKLOAD/rpis.bin
else
  log "bench_match cannot keep its workload (no --keep): Google runs on one of the same shape" \
    "made by the harness (1,000,000 keys in 10 files, 50,000 RPIs, 100 true matches)"
  "${HARNESS[gcc-libstdc++]}" generate "$SCRATCH/own-workload"
  cp "$SCRATCH"/own-workload/bins/*.bin "$BINS/"
  RPIS=$SCRATCH/own-workload/rpis.bin
fi
mapfile -t BIN_FILES < <(ls "$BINS"/*.bin)

# ---- The OpenEN measurement: one command, printing bench_match's JSON lines ----
# (match_index: keys/s, index_bytes; match_client: keys/s, peak_rss_bytes).
# When bench_match can match a kept workload alone, add: --workload "$WORKLOAD"
OPENEN_CMD=(taskset -c "$CPU" "$BENCH_MATCH")
if [ "$SAME_WORKLOAD" = 1 ] && grep -qa -- '--workload' "$BENCH_MATCH"; then
  OPENEN_CMD+=(--workload "$WORKLOAD")
fi

# ---- Interleaved rounds ----
RESULTS=$SCRATCH/results.jsonl
: >"$RESULTS"
tag() { python3 -c 'import json,sys
for l in sys.stdin:
    l=l.strip()
    if l.startswith("{"):
        d=json.loads(l); d["side"]=sys.argv[1]; d["build"]=sys.argv[2]; d["round"]=int(sys.argv[3]); print(json.dumps(d))' "$@"; }
for r in $(seq 1 "$ROUNDS"); do
  log "round $r/$ROUNDS: OpenEN"
  "${OPENEN_CMD[@]}" | tag openen openen "$r" >>"$RESULTS"
  for b in "${!HARNESS[@]}"; do
    log "round $r/$ROUNDS: Google ($b)"
    for mode in files memory; do
      taskset -c "$CPU" "${HARNESS[$b]}" "$mode" "$RPIS" "${BIN_FILES[@]}" 2>>"$SCRATCH/google-$b.log" |
        tag google "$b" "$r" >>"$RESULTS"
    done
  done
done

# ---- The table ----
python3 - "$RESULTS" "$GOOGLE_REV" "$SAME_WORKLOAD" "$CPU" <<'EOF'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
rev, same, cpu = sys.argv[2], sys.argv[3] == "1", sys.argv[4]

def values(side, build, name, key):
    return [r[key] for r in rows if r["side"] == side and r["build"] == build
            and r["name"] == name and key in r]

def fmt(v, unit):
    if unit == "keys/s": return "%.0f k" % (v / 1e3)
    if unit == "MiB": return "%.2f MiB" % (v / 2**20)
    return "%g" % v

def cell(vs, unit):
    if not vs: return "n/a"
    m = statistics.median(vs)
    return "%s (%s–%s)" % (fmt(m, unit), fmt(min(vs), unit), fmt(max(vs), unit))

builds = sorted({r["build"] for r in rows if r["side"] == "google"})
med = lambda vs: statistics.median(vs) if vs else float("nan")
best = max(builds, key=lambda b: med(values("google", b, "google_match_files", "keys_per_second")))

figures = [  # label, unit, (Google name, key), (OpenEN name, key)
    ("keys/s, keys in memory", "keys/s", ("google_match_memory", "keys_per_second"),
     ("match_index", "keys_per_second")),
    ("keys/s, from export files", "keys/s", ("google_match_files", "keys_per_second"),
     ("match_client", "keys_per_second")),
    ("peak memory of the matching process", "MiB", ("google_match_files", "peak_rss_bytes"),
     ("match_client", "peak_rss_bytes")),
    ("  of which private (anonymous: heap, stacks)", "MiB",
     ("google_match_files", "peak_anon_rss_bytes"), ("match_client", "peak_anon_rss_bytes")),
    ("  of which mapped code and data (file-backed, shared)", "MiB",
     ("google_match_files", "peak_file_rss_bytes"), ("match_client", "peak_file_rss_bytes")),
    ("index size for 50,000 observed RPIs", "MiB", ("google_index", "index_heap_bytes"),
     ("match_index", "index_bytes")),
    ("RSS before matching (Google: index built; OpenEN: client open)", "MiB",
     ("google_match_files", "rss_after_index_bytes"), ("match_client", "peak_rss_at_open_bytes")),
    ("true matches found (of 100)", "", ("google_match_files", "matches"),
     ("match_client", "matched_identifiers")),
]
print()
print("Google's matcher (exposure-notifications-internals %s, best build: %s) and OpenEN, "
      "%d rounds interleaved on core %s; median (min–max); ratio = OpenEN / Google."
      % (rev, best, max(r["round"] for r in rows), cpu))
kernels = sorted({r["kernel"] for r in rows if r["side"] == "openen" and r["name"] == "match_client"})
if kernels:
    print("OpenEN's derivation kernel: %s." % ", ".join(kernels))
if not same:
    print("Workload: same shape, not the same keys (bench_match could not keep its own).")
print()
print("| figure | Google (%s) | OpenEN | ratio |" % best)
print("|---|---|---|---|")
for label, unit, (gn, gk), (on, ok) in figures:
    g, o = values("google", best, gn, gk), values("openen", "openen", on, ok)
    ratio = "%.2f" % (med(o) / med(g)) if g and o and med(g) else "n/a"
    if unit == "": ratio = ""
    print("| %s | %s | %s | %s |" % (label, cell(g, unit), cell(o, unit), ratio))
print()
print("All builds of Google's matcher (medians):")
print()
print("| build | keys/s in memory | keys/s from files | peak RSS (files) | RSS after index | index heap | matches |")
print("|---|---|---|---|---|---|---|")
for b in builds:
    v = lambda n, k, u: fmt(med(values("google", b, n, k)), u)
    print("| %s | %s | %s | %s | %s | %s | %s |" % (
        b, v("google_match_memory", "keys_per_second", "keys/s"),
        v("google_match_files", "keys_per_second", "keys/s"),
        v("google_match_files", "peak_rss_bytes", "MiB"),
        v("google_match_files", "rss_after_index_bytes", "MiB"),
        v("google_index", "index_heap_bytes", "MiB"),
        "/".join(str(int(x)) for x in sorted(set(values("google", b, "google_match_files", "matches")
                                                   + values("google", b, "google_match_memory", "matches"))))))
EOF
if [ -n "${VS_GOOGLE_DIR:-}" ] || [ "${KEEP_SCRATCH:-0}" = 1 ]; then
  log "raw JSON lines: $RESULTS"
fi
