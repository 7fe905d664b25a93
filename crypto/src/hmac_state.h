// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Internal: HMAC-SHA256 with the key's inner and outer hash states computed
// once, and the specialised HKDF of the matching hot path, which derives an
// RPIK per diagnosis key in six SHA-256 compressions with no allocation.

#ifndef OPENEN_CRYPTO_SRC_HMAC_STATE_H_
#define OPENEN_CRYPTO_SRC_HMAC_STATE_H_

// OpenSSL 3 deprecates the low-level SHA256_* calls in favour of EVP, whose
// context copies allocate; these are still the fastest (SHA-NI) path.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

#include <cstdint>

#include "openen/base/bytes.h"

namespace openen::crypto::internal {

class HmacSha256State {
 public:
  HmacSha256State() = default;
  explicit HmacSha256State(base::ByteView key) { SetKey(key); }
  ~HmacSha256State();
  HmacSha256State(const HmacSha256State&) = default;
  HmacSha256State& operator=(const HmacSha256State&) = default;

  void SetKey(base::ByteView key);
  // Mac writes HMAC(key, a || b) into out[32].
  void Mac(base::ByteView a, base::ByteView b, uint8_t out[32]) const;
  void Mac(base::ByteView data, uint8_t out[32]) const { Mac(data, base::ByteView(), out); }

 private:
  SHA256_CTX inner_{};
  SHA256_CTX outer_{};
};

// InfoBlock is a 7-byte HKDF info ("EN-RPIK", "EN-AEMK") laid out once as the
// first 16 bytes of its HMAC block: info || 0x01 || 0x80 || zeros.
struct InfoBlock {
  explicit InfoBlock(const char (&info)[8]);
  alignas(16) uint8_t first_lane[16];
};

// HkdfTek16 writes the 16 bytes of HKDF-SHA256(tek, no salt, info) into |out|
// for a 16-byte TEK: exactly six SHA-256 compressions and no allocation. The
// PRK never leaves this call.
void HkdfTek16(const uint8_t tek[16], const InfoBlock& info, uint8_t out[16]);

}  // namespace openen::crypto::internal

#endif  // OPENEN_CRYPTO_SRC_HMAC_STATE_H_
