#!/usr/bin/env bash
# Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
#
# Checks that the release build is reproducible: builds the committed HEAD twice
# with scripts/package.sh, from two fresh clones at different paths (of different
# lengths), one after the other (so at different times), the second under another
# umask, time zone and locale, each with SOURCE_DATE_EPOCH unset (package.sh takes
# the commit's time), and compares bit for bit every .deb, and every library,
# executable and jar of the two build trees. Uncommitted changes are not built.
# On a difference it names the files and shows where they differ (diffoscope if it
# is installed; otherwise cmp, readelf, ar, unzip and dpkg-deb listings), keeps
# both trees, and exits 1.
# usage: scripts/reproducible.sh [WORK_DIR]   (default: build-reproducible)
#        scripts/reproducible.sh --compare TREE_A TREE_B
#   --compare only compares two trees built before, each holding out/*.deb and
#   src/build-package/ as this script leaves them.
#   OPENEN_REPRODUCIBLE_KEEP=1   keep the two trees when they agree too
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
compare_only=0
if [ "${1:-}" = "--compare" ]; then
  [ $# -eq 3 ] || { echo "usage: $0 --compare TREE_A TREE_B" >&2; exit 2; }
  compare_only=1
  tree_a="$(cd "$2" && pwd)"
  tree_b="$(cd "$3" && pwd)"
  work="$(mktemp -d)"
  commit="(the trees' commit)"
else
  work="${1:-$root/build-reproducible}"
  case "$work" in "" | / | /usr* | /etc* | /var*) echo "refusing work directory '$work'" >&2; exit 2 ;; esac
  commit="$(git -C "$root" rev-parse HEAD)"
  if [ -n "$(git -C "$root" status --porcelain --untracked-files=no)" ]; then
    echo "note: $root has uncommitted changes; they are not part of these builds"
  fi
  # Only a directory this script made is emptied (it holds the mark).
  if [ -n "$(ls -A "$work" 2>/dev/null)" ] && [ ! -f "$work/.openen-reproducible" ]; then
    echo "refusing to empty $work: not made by scripts/reproducible.sh" >&2
    exit 2
  fi
  rm -rf "$work"
  mkdir -p "$work"
  touch "$work/.openen-reproducible"
  work="$(cd "$work" && pwd)"
  # Two trees whose paths differ in name and in length.
  tree_a="$work/a"
  tree_b="$work/second-tree-with-a-longer-path"
fi
start_all=$(date +%s)

# build TREE UMASK TZ LC_ALL: clones HEAD into TREE/src and makes the packages in
# TREE/out from the build directory TREE/src/build-package.
build() {
  local tree="$1" mask="$2" tz="$3" locale="$4" start
  start=$(date +%s)
  mkdir -p "$tree"
  echo "== build in $tree (umask $mask, TZ=$tz, LC_ALL=$locale), $(date -u +%H:%M:%S) UTC"
  # The checkout too under the umask: its files' modes differ between the trees.
  if ! (umask "$mask" &&
      git clone --quiet --no-checkout "$root" "$tree/src" &&
      git -C "$tree/src" checkout --quiet --detach "$commit" &&
      env -u SOURCE_DATE_EPOCH TZ="$tz" LC_ALL="$locale" \
        bash "$tree/src/scripts/package.sh" "$tree/src/build-package" "$tree/out") \
      >"$tree/build.log" 2>&1; then
    tail -n 40 "$tree/build.log"
    echo "FAIL: the build in $tree failed (log: $tree/build.log)" >&2
    exit 1
  fi
  echo "   $(( $(date +%s) - start )) s"
}
if [ "$compare_only" = 0 ]; then
  build "$tree_a" 022 UTC C
  # A POSIX TZ string 14 hours ahead of UTC: needs no tzdata.
  build "$tree_b" 002 XYZ-14 C.UTF-8
fi

# The artefacts of a tree, relative to it: the packages, and the build's ELF
# libraries and executables, static archives and jars (not its object files).
artefacts() {
  local tree="$1"
  (cd "$tree" && find -H out -maxdepth 1 -name '*.deb' -type f | sort)
  (cd "$tree" && find src/build-package -path '*/CMakeFiles' -prune -o \
     -path '*/_CPack_Packages' -prune -o -type f -print | sort | while read -r f; do
    case "$f" in
      *.a | *.jar) echo "$f" ;;
      *) if [ "$(head -c 4 "$f" | od -An -c | tr -d ' ')" = '177ELF' ]; then echo "$f"; fi ;;
    esac
  done)
}
artefacts "$tree_a" >"$work/artefacts-a"
artefacts "$tree_b" >"$work/artefacts-b"

# explain A B: where two different files differ.
explain() {
  local a="$1" b="$2"
  if command -v diffoscope >/dev/null; then
    diffoscope --text - "$a" "$b" | head -n 80 || true
    return
  fi
  echo "   (diffoscope is not installed: apt-get install diffoscope shows more)"
  echo "   sizes: $(stat -c %s "$a") and $(stat -c %s "$b") bytes; first differing bytes (offset, octal):"
  cmp -l "$a" "$b" 2>/dev/null | head -n 5 | sed 's/^/     /' || true
  if grep -q -a -F "$tree_a" "$a"; then echo "   the first names its tree's path, $tree_a"; fi
  if grep -q -a -F "$tree_b" "$b"; then echo "   the second names its tree's path, $tree_b"; fi
  case "$a" in
    *.deb)
      diff <(dpkg-deb -I "$a") <(dpkg-deb -I "$b") | head -n 20 | sed 's/^/   control: /' || true
      diff <(dpkg-deb -c "$a") <(dpkg-deb -c "$b") | head -n 20 | sed 's/^/   data: /' || true
      diff <(ar tv "$a") <(ar tv "$b") | sed 's/^/   ar: /' || true
      local name
      name="$(basename "$a")"
      rm -rf "$work/diff/a/$name" "$work/diff/b/$name"
      mkdir -p "$work/diff/a" "$work/diff/b"
      dpkg-deb -R "$a" "$work/diff/a/$name" && dpkg-deb -R "$b" "$work/diff/b/$name" &&
        (cd "$work/diff" && diff -rq --no-dereference "a/$name" "b/$name") | head -n 10 |
        sed 's/^/   files: /' || true
      ;;
    *.jar)
      diff <(unzip -Z -l "$a" | tail -n +2) <(unzip -Z -l "$b" | tail -n +2) | head -n 20 | sed 's/^/   /' || true ;;
    *.a)
      diff <(ar tvO "$a") <(ar tvO "$b") | head -n 20 | sed 's/^/   /' || true
      local name m
      name="$(basename "$a")"
      rm -rf "$work/diff/a/$name" "$work/diff/b/$name"
      mkdir -p "$work/diff/a/$name" "$work/diff/b/$name"
      (cd "$work/diff/a/$name" && ar x "$a") && (cd "$work/diff/b/$name" && ar x "$b") &&
        for m in $(ar t "$a"); do
          cmp -s "$work/diff/a/$name/$m" "$work/diff/b/$name/$m" || echo "   member $m differs"
        done | head -n 10 || true ;;
    *)
      diff <(readelf -SW "$a" | sed -n '/\[ *[0-9]/p') <(readelf -SW "$b" | sed -n '/\[ *[0-9]/p') |
        head -n 20 | sed 's/^/   sections: /' || true
      diff <(readelf -dW "$a") <(readelf -dW "$b") | head -n 10 | sed 's/^/   dynamic: /' || true
      diff <(strings -a "$a") <(strings -a "$b") | head -n 20 | sed 's/^/   strings: /' || true ;;
  esac
}

status=0
if ! diff -u "$work/artefacts-a" "$work/artefacts-b" >"$work/artefacts.diff"; then
  echo "DIFFERENT: the builds made different files:"
  sed 's/^/  /' "$work/artefacts.diff"
  status=1
fi
count=0
while read -r f; do
  [ -f "$tree_b/$f" ] || continue
  count=$((count + 1))
  if ! cmp -s "$tree_a/$f" "$tree_b/$f"; then
    echo "DIFFERENT: $f"
    explain "$tree_a/$f" "$tree_b/$f"
    status=1
  fi
done <"$work/artefacts-a"
[ "$count" -gt 0 ] || { echo "FAIL: no artefacts found" >&2; exit 1; }

echo "== $count files compared ($(grep -c '\.deb$' "$work/artefacts-a") packages), $(( $(date +%s) - start_all )) s in all"
if [ "$compare_only" = 1 ]; then rm -rf "$work"; fi
if [ "$status" -ne 0 ]; then
  echo "FAIL: the two builds of $commit differ (trees: $tree_a, $tree_b)" >&2
  exit 1
fi
(cd "$tree_a/out" && sha256sum ./*.deb)
echo "OK: the two builds of $commit are identical"
if [ "$compare_only" = 0 ] && [ "${OPENEN_REPRODUCIBLE_KEEP:-0}" != "1" ]; then rm -rf "$work"; fi
