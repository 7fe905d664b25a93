#!/usr/bin/env bash
# Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
# Rotating the relay's export signing key, which apps pin as
# "<id>-<version>": docs/operations.md, "Rotating keys". In this order:
#
#   new KEYDIR VERSION    makes KEYDIR/export-VERSION.pem (export.pem's group and mode) and prints
#                         the line to pin in the next app release,
#                         "<id>-VERSION <public key, base64 SPKI>". Ship an app
#                         that pins the current key and this one; restart the
#                         relay with --next-signing-key KEYDIR/export-VERSION.pem
#                         --next-signing-key-version VERSION: every batch is then
#                         signed by both keys, and apps pinning either verify it.
#   switch KEYDIR VERSION once the new app is installed widely: the next key
#                         becomes KEYDIR/export.pem, the old one is deleted; restart
#                         the relay with --signing-key KEYDIR/export.pem
#                         --signing-key-version VERSION and no --next-signing-key.
#                         Apps that pin only the old key stop accepting new batches:
#                         the app release after that can drop the old pin.
#
# The binaries are found on PATH, or through OPENEN_RELAY. The key id is
# OPENEN_SIGNING_KEY_ID (the relay's --signing-key-id; default openen).
set -euo pipefail

relay=${OPENEN_RELAY:-openen-relay}
id=${OPENEN_SIGNING_KEY_ID:-openen}

die() { echo "rotate-export-key: $*" >&2; exit 1; }
usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0" >&2; exit 2; }

[[ $# -eq 3 ]] || usage
step=$1 keydir=$2 version=$3
[[ $version =~ ^[A-Za-z0-9._-]+$ ]] || die "a version is letters, digits, '.', '_' or '-'"
case $step in
  new)
    [[ -e $keydir/export-$version.pem ]] && die "$keydir/export-$version.pem exists"
    spki=$("$relay" keygen --out "$keydir/export-$version.pem")
    # Readable as the current key is (by the service's group, when installed
    # as a package: docs/operations.md, Running it as a service).
    if [[ -f $keydir/export.pem ]]; then
      chgrp --reference="$keydir/export.pem" "$keydir/export-$version.pem"
      chmod --reference="$keydir/export.pem" "$keydir/export-$version.pem"
    fi
    echo "$id-$version $spki"
    ;;
  switch)
    [[ -f $keydir/export-$version.pem ]] || die "no $keydir/export-$version.pem: run 'new' first"
    shred -u "$keydir/export.pem" 2>/dev/null || rm -f "$keydir/export.pem"
    mv "$keydir/export-$version.pem" "$keydir/export.pem"
    sync "$keydir"
    echo "restart the relay with --signing-key $keydir/export.pem --signing-key-version $version"
    ;;
  *) usage ;;
esac
