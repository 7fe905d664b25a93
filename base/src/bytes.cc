// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/base/bytes.h"

#include <sodium.h>

#include <string>

namespace openen::base {

std::string HexEncode(ByteView in) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(in.size() * 2, '\0');
  for (size_t i = 0; i < in.size(); ++i) {
    out[2 * i] = kDigits[in[i] >> 4];
    out[2 * i + 1] = kDigits[in[i] & 0x0f];
  }
  return out;
}

namespace {
int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

StatusOr<Bytes> HexDecode(std::string_view hex) {
  if (hex.size() % 2 != 0) {
    return InvalidArgumentError("hex string has odd length " + std::to_string(hex.size()));
  }
  Bytes out(hex.size() / 2);
  for (size_t i = 0; i < out.size(); ++i) {
    int hi = HexValue(hex[2 * i]);
    int lo = HexValue(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) {
      return InvalidArgumentError("non-hex character at position " +
                                  std::to_string(hi < 0 ? 2 * i : 2 * i + 1));
    }
    out[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return out;
}

// libsodium's base64 helpers are constant-time and need no sodium_init.
std::string Base64Encode(ByteView in) {
  constexpr int kVariant = sodium_base64_VARIANT_ORIGINAL;
  std::string out(sodium_base64_ENCODED_LEN(in.size(), kVariant), '\0');
  sodium_bin2base64(out.data(), out.size(), in.data(), in.size(), kVariant);
  out.resize(out.size() - 1);  // drop the NUL terminator
  return out;
}

StatusOr<Bytes> Base64Decode(std::string_view b64) {
  Bytes out(b64.size() / 4 * 3 + 3);
  size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(out.data(), out.size(), b64.data(), b64.size(), nullptr, &len, &end,
                        sodium_base64_VARIANT_ORIGINAL) != 0 ||
      end != b64.data() + b64.size()) {
    size_t at = end ? static_cast<size_t>(end - b64.data()) : 0;
    return InvalidArgumentError("invalid base64 at position " + std::to_string(at));
  }
  out.resize(len);
  return out;
}

}  // namespace openen::base
