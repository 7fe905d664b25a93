#!/usr/bin/env bash
# Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
# Rotating the certificate key (the verifier's online key) without breaking
# a code already issued: docs/operations.md, "Rotating keys". Each step runs on
# its own host, in this order:
#
#   new KEYDIR            verifier host: makes KEYDIR/certificate-next.key (the
#                         group and mode of certificate.key) and prints its public half
#   trust FILE PUBLIC     relay host: adds PUBLIC to the relay's --certificate-key
#                         FILE; then restart the relay
#   switch KEYDIR         verifier host: the next key becomes KEYDIR/certificate.key,
#                         the old one KEYDIR/certificate-previous.key; then restart
#                         the verifier with --previous-signing-key
#                         KEYDIR/certificate-previous.key, so that codes issued
#                         under the old key stay valid until they expire
#   untrust FILE PUBLIC   relay host, 15 minutes after switch (the longest a
#                         certificate lives): removes the old key's PUBLIC line;
#                         then restart the relay
#   finish KEYDIR         verifier host, 24 hours after switch (the longest a code
#                         lives): deletes the old key; then restart the verifier
#                         without --previous-signing-key. Refused earlier unless
#                         --force is given.
#
# The binaries are found on PATH, or through OPENEN_VERIFIER.
set -euo pipefail

verifier=${OPENEN_VERIFIER:-openen-verifier}
readonly code_lifetime=$((24 * 3600 + 15 * 60))

die() { echo "rotate-certificate-key: $*" >&2; exit 1; }
usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0" >&2; exit 2; }
# keys FILE: the keys a --certificate-key file holds, one per line, as the
# relay reads them (trimmed; blank lines and # comments skipped).
keys() { awk '{ gsub(/^[ \t\r]+|[ \t\r]+$/, "") } $0 != "" && !/^#/' "$1"; }

[[ $# -ge 2 ]] || usage
step=$1
shift
case $step in
  new)
    keydir=$1
    [[ -e $keydir/certificate-next.key ]] && die "$keydir/certificate-next.key exists: a rotation is under way"
    [[ -e $keydir/certificate-previous.key ]] && die "$keydir/certificate-previous.key exists: finish the last rotation first"
    "$verifier" keygen --out "$keydir/certificate-next.key" > "$keydir/certificate-next.pub"
    # Readable as the current key is (by the service's group, when installed
    # as a package: docs/operations.md, Running it as a service).
    if [[ -f $keydir/certificate.key ]]; then
      chgrp --reference="$keydir/certificate.key" "$keydir/certificate-next.key"
      chmod --reference="$keydir/certificate.key" "$keydir/certificate-next.key"
    fi
    cat "$keydir/certificate-next.pub"
    ;;
  trust)
    [[ $# -eq 2 ]] || usage
    file=$1 public=$2
    [[ -f $file ]] || die "$file does not exist"
    if ! keys "$file" | grep -qxF -- "$public"; then
      [[ -s $file && $(tail -c 1 "$file" | od -An -c | tr -d ' ') != '\n' ]] && echo >> "$file"
      printf '%s\n' "$public" >> "$file"
    fi
    echo "the relay trusts $(keys "$file" | wc -l) certificate keys; restart the relay"
    ;;
  switch)
    keydir=$1
    [[ -f $keydir/certificate-next.key ]] || die "no $keydir/certificate-next.key: run 'new' first"
    [[ -e $keydir/certificate-previous.key ]] && die "$keydir/certificate-previous.key exists: finish the last rotation first"
    mv "$keydir/certificate.key" "$keydir/certificate-previous.key"
    mv "$keydir/certificate.pub" "$keydir/certificate-previous.pub" 2>/dev/null || true
    mv "$keydir/certificate-next.key" "$keydir/certificate.key"
    mv "$keydir/certificate-next.pub" "$keydir/certificate.pub"
    date +%s > "$keydir/certificate-previous.since"
    sync "$keydir"
    echo "restart the verifier with --previous-signing-key $keydir/certificate-previous.key"
    ;;
  untrust)
    [[ $# -eq 2 ]] || usage
    file=$1 public=$2
    keys "$file" | grep -qxF -- "$public" || die "$file does not hold that key"
    [[ $(keys "$file" | grep -cvxF -- "$public") -ge 1 ]] || die "$file would trust no key"
    awk -v key="$public" '{ line = $0; gsub(/^[ \t\r]+|[ \t\r]+$/, "", line) } line != key' \
      "$file" > "$file.new"
    mv "$file.new" "$file"
    echo "restart the relay"
    ;;
  finish)
    keydir=$1 force=${2:-}
    [[ -f $keydir/certificate-previous.key ]] || die "no rotation to finish in $keydir"
    since=$(cat "$keydir/certificate-previous.since" 2>/dev/null || date +%s)
    left=$((since + code_lifetime - $(date +%s)))
    if [[ $left -gt 0 && $force != --force ]]; then
      die "codes issued under the previous key may live $left more seconds; run finish then (or give --force)"
    fi
    # The key file is overwritten before it is removed (best effort on
    # journalling and copy-on-write file systems: keep key directories on
    # encrypted storage).
    shred -u "$keydir/certificate-previous.key" 2>/dev/null || rm -f "$keydir/certificate-previous.key"
    rm -f "$keydir/certificate-previous.pub" "$keydir/certificate-previous.since"
    echo "restart the verifier without --previous-signing-key"
    ;;
  *) usage ;;
esac
