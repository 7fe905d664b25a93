// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Byte buffers and their text encodings (hex, base64). Every module passes bytes
// as ByteView (a read-only span) and owns them as Bytes.

#ifndef OPENEN_BASE_BYTES_H_
#define OPENEN_BASE_BYTES_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "openen/base/status.h"

namespace openen::base {

using Bytes = std::vector<uint8_t>;
using ByteView = std::span<const uint8_t>;

// AsBytes views the characters of |s| as bytes (no copy).
inline ByteView AsBytes(std::string_view s) {
  return ByteView(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}
// AsChars views |b| as characters (no copy).
inline std::string_view AsChars(ByteView b) {
  return std::string_view(reinterpret_cast<const char*>(b.data()), b.size());
}
inline Bytes ToBytes(std::string_view s) { return Bytes(s.begin(), s.end()); }

// HexEncode returns the lower-case hex form of |in|.
std::string HexEncode(ByteView in);

// HexDecode parses hex (either case, no separators). Fails with INVALID_ARGUMENT
// naming the problem for odd length or a non-hex character.
StatusOr<Bytes> HexDecode(std::string_view hex);

// Base64Encode returns standard base64 (RFC 4648 §4) with padding.
std::string Base64Encode(ByteView in);

// Base64Decode parses standard base64 with padding; whitespace is not allowed.
StatusOr<Bytes> Base64Decode(std::string_view b64);

}  // namespace openen::base

#endif  // OPENEN_BASE_BYTES_H_
