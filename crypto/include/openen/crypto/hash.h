// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// SHA-256, HMAC-SHA256 and HKDF-SHA256 (RFC 5869), and the GAEN "TEK HMAC"
// that binds a verification certificate to the keys a person will publish
// (google/exposure-notifications-server, pkg/verification).

#ifndef OPENEN_CRYPTO_HASH_H_
#define OPENEN_CRYPTO_HASH_H_

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "openen/base/bytes.h"
#include "openen/base/status.h"
#include "openen/crypto/secret.h"

namespace openen::crypto {

inline constexpr size_t kSha256Size = 32;
using Sha256Digest = std::array<uint8_t, kSha256Size>;

// Sha256 returns the SHA-256 digest of |data|.
Sha256Digest Sha256(base::ByteView data);

// Sha256Stream hashes a message given in pieces.
class Sha256Stream {
 public:
  Sha256Stream();
  ~Sha256Stream();
  Sha256Stream(const Sha256Stream&) = delete;
  Sha256Stream& operator=(const Sha256Stream&) = delete;
  void Update(base::ByteView data);
  // Final returns the digest of everything given; the stream starts over.
  Sha256Digest Final();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

namespace internal {
class HmacSha256State;
}

// HmacSha256Key is an HMAC-SHA256 key whose padded blocks are hashed once:
// each Mac of a short message then costs two compressions instead of four.
// Its state is wiped on destruction. Thread-compatible (Mac is const).
class HmacSha256Key {
 public:
  explicit HmacSha256Key(base::ByteView key);
  ~HmacSha256Key();
  HmacSha256Key(const HmacSha256Key&) = delete;
  HmacSha256Key& operator=(const HmacSha256Key&) = delete;
  Sha256Digest Mac(base::ByteView data) const;

 private:
  std::unique_ptr<internal::HmacSha256State> state_;
};

// HmacSha256 returns HMAC-SHA256(key, data) for a key of any length.
Sha256Digest HmacSha256(base::ByteView key, base::ByteView data);

// HkdfSha256 returns |length| bytes of HKDF-SHA256 (RFC 5869). An empty |salt|
// means "no salt" (32 zero bytes). Fails if length is 0 or above 255 * 32.
base::StatusOr<SecretBytes> HkdfSha256(base::ByteView ikm, base::ByteView salt, base::ByteView info,
                                       size_t length);

// TekHmacEntry is one key as the TEK HMAC sees it.
struct TekHmacEntry {
  base::Bytes key_data;
  uint32_t rolling_start_interval_number = 0;
  uint32_t rolling_period = 0;
  int32_t transmission_risk = 0;
};

// TekHmacForm selects the text form of each key.
enum class TekHmacForm {
  // "<base64 key>.<rolling start>.<rolling period>.<transmission risk>"
  kWithTransmissionRisk,
  // "<base64 key>.<rolling start>.<rolling period>" (the form newer servers use)
  kWithoutTransmissionRisk,
};

// TekHmacMessage returns the text that is HMACed: each key in its text form,
// the entries sorted bytewise, joined with ','.
std::string TekHmacMessage(const std::vector<TekHmacEntry>& keys, TekHmacForm form);

// TekHmac returns HMAC-SHA256(secret, TekHmacMessage(keys, form)).
Sha256Digest TekHmac(base::ByteView secret, const std::vector<TekHmacEntry>& keys,
                     TekHmacForm form);

}  // namespace openen::crypto

#endif  // OPENEN_CRYPTO_HASH_H_
