// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/wire/padding.h"

#include "openen/crypto/random.h"

namespace openen::wire {

long PaddingLength(size_t unpadded, size_t target) {
  if (unpadded == target) return 0;
  // Field 15, wire type 2: a one-byte tag, a varint length, then at least one
  // byte (proto3 omits an empty field).
  // A length that straddles a varint size boundary may be unreachable by one
  // byte; try each prefix size.
  for (size_t prefix = 1; prefix <= 5; ++prefix) {
    if (unpadded + 1 + prefix > target) return -1;
    size_t n = target - unpadded - 1 - prefix;
    if (n == 0) return -1;  // proto3 does not serialize an empty bytes field
    size_t varint = 1;
    for (size_t v = n; v >= 0x80; v >>= 7) ++varint;
    if (varint == prefix) return static_cast<long>(n);
  }
  return -1;
}

std::string RandomPadding(size_t n) {
  std::string s(n, '\0');
  crypto::PaddingBytes(std::span<uint8_t>(reinterpret_cast<uint8_t*>(s.data()), s.size()));
  return s;
}

}  // namespace openen::wire
