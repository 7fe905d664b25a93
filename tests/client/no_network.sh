#!/bin/sh
# Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
# Checks that a library opens no connection of its own: its code calls no
# socket function, and nothing it loads is a network library (gRPC and its
# parts, libcurl, libssl). libcrypto stays: the GAEN primitives need it.
# Usage: no_network.sh LIBRARY
# OPENEN_LDD replaces ldd for a library of another CPU (a cross build lists its
# dependencies with the target's loader under qemu).
set -eu
lib="$1"
ldd="${OPENEN_LDD:-ldd}"
[ -f "$lib" ] || { echo "no such file: $lib"; exit 1; }
calls=$(nm -D --undefined-only "$lib" |
  awk '{print $NF}' | sed 's/@.*//' |
  grep -xE 'socket|connect|accept|bind|listen|getaddrinfo|gethostbyname|sendto|sendmsg|recvfrom|recvmsg' || true)
if [ -n "$calls" ]; then
  echo "$lib calls socket functions: $calls"
  exit 1
fi
loads=$($ldd "$lib" | awk '{print $1}' | grep -E 'grpc|gpr|upb|absl|cares|curl|libssl|nghttp' | tr '\n' ' ' || true)
if [ -n "$loads" ]; then
  echo "$lib loads network libraries: $loads"
  exit 1
fi
echo "$lib: no socket calls, no network library among $($ldd "$lib" | wc -l) loaded"
