// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// The Exposure Notification key schedule (GAEN Cryptography Specification v1.2):
//   TEK   = 16 random bytes, one per key period (UTC day)
//   RPIK  = HKDF-SHA256(TEK, salt = none, info = "EN-RPIK", 16)
//   RPI_j = AES-128(RPIK, "EN-RPI" || 0x000000000000 || LE32(j))
//   AEMK  = HKDF-SHA256(TEK, salt = none, info = "EN-AEMK", 16)
//   AEM   = AES-128-CTR(AEMK, IV = RPI, Bluetooth metadata)
// and the Bluetooth payload: the 4-byte metadata (GAEN Bluetooth Specification
// v1.2, "Associated Encrypted Metadata") and the 20-byte service data RPI || AEM.
// Vectors: tests/vectors/gaen-v1.2-rpi-aem.tsv.

#ifndef OPENEN_CRYPTO_GAEN_H_
#define OPENEN_CRYPTO_GAEN_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "openen/base/bytes.h"
#include "openen/base/status.h"
#include "openen/crypto/secret.h"

namespace openen::crypto {

inline constexpr size_t kTekSize = 16;
inline constexpr size_t kRpikSize = 16;
inline constexpr size_t kAemkSize = 16;
inline constexpr size_t kRpiSize = 16;
inline constexpr size_t kAemSize = 4;
inline constexpr size_t kMetadataSize = 4;
inline constexpr size_t kAdvertisementSize = kRpiSize + kAemSize;

using Rpi = std::array<uint8_t, kRpiSize>;
using Aem = std::array<uint8_t, kAemSize>;
using Metadata = std::array<uint8_t, kMetadataSize>;
using Advertisement = std::array<uint8_t, kAdvertisementSize>;

// GenerateTek returns a fresh 16-byte Temporary Exposure Key from the OS CSPRNG.
SecretBytes GenerateTek();

// DeriveRpik returns HKDF-SHA256(tek, "EN-RPIK", 16). Fails if tek is not 16 bytes.
base::StatusOr<SecretBytes> DeriveRpik(base::ByteView tek);
// DeriveAemk returns HKDF-SHA256(tek, "EN-AEMK", 16). Fails if tek is not 16 bytes.
base::StatusOr<SecretBytes> DeriveAemk(base::ByteView tek);

// DeriveRpiks writes the RPIK of each TEK in |teks| (packed, 16 bytes each)
// to the same place in |rpiks|, which must be as long: the matcher's path for
// published keys, with several keys' hashes in flight at once where the CPU
// has SHA or AVX-512 instructions. Sizes that are not equal multiples of 16 abort.
void DeriveRpiks(base::ByteView teks, std::span<uint8_t> rpiks);

// DerivationKernel names the implementation that derivation runs on this CPU:
// "x86-avx512-shani-vaes", "x86-shani-vaes", "x86-shani-aesni", "arm64-ce" or
// "portable" (OpenSSL).
// OPENEN_CRYPTO_KERNELS=portable in the environment forces the last.
const char* DerivationKernel();

// PaddedData returns "EN-RPI" || 0x000000000000 || LE32(interval), the AES input.
std::array<uint8_t, 16> PaddedData(uint32_t interval);

// RpiDeriver computes Rolling Proximity Identifiers for one key at a time. It
// keeps its hash and cipher contexts between keys, so a matcher derives many
// keys with no allocation: construct once, then SetTek/Compute per key.
// Not thread-safe; use one per thread. The derived key is wiped on destruction.
class RpiDeriver {
 public:
  RpiDeriver();
  ~RpiDeriver();
  RpiDeriver(RpiDeriver&&) noexcept;
  RpiDeriver& operator=(RpiDeriver&&) noexcept;

  // SetTek derives the RPIK of |tek| and makes it current. Fails (and leaves
  // the deriver without a key) if tek is not 16 bytes.
  base::Status SetTek(base::ByteView tek);
  // SetRpik makes |rpik| (16 bytes) current.
  base::Status SetRpik(base::ByteView rpik);

  // Compute returns RPI_interval under the current key. Requires a key.
  Rpi Compute(uint32_t interval);
  // ComputeRun writes RPI_first, RPI_first+1, ... into |out| (one cipher call
  // for the whole run). Requires a key.
  void ComputeRun(uint32_t first_interval, std::span<Rpi> out);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// RpiBatch derives the identifiers of a batch of published keys, the
// matcher's path: the RPIKs of all of them with several keys' hashes in flight
// (DeriveRpiks), then their AES key schedules (several at a time on x86-64),
// then any run of identifiers of any of them. Not thread-safe; use one per
// thread.
class RpiBatch {
 public:
  static constexpr size_t kMaxKeys = 256;
  RpiBatch();
  ~RpiBatch();
  RpiBatch(const RpiBatch&) = delete;
  RpiBatch& operator=(const RpiBatch&) = delete;

  // SetTeks takes up to kMaxKeys packed 16-byte TEKs (other sizes abort).
  void SetTeks(base::ByteView teks);
  // ComputeRun writes RPI_first, RPI_first+1, ... of key |key| (its index in
  // the last SetTeks) into |out|.
  void ComputeRun(size_t key, uint32_t first_interval, std::span<Rpi> out);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// EncryptAem returns AES-128-CTR(aemk, iv = rpi, metadata). Fails if aemk is not
// 16 bytes. DecryptAem is the same operation (CTR mode is its own inverse).
base::StatusOr<Aem> EncryptAem(base::ByteView aemk, const Rpi& rpi, const Metadata& metadata);
base::StatusOr<Metadata> DecryptAem(base::ByteView aemk, const Rpi& rpi, const Aem& aem);

// BleMetadata is the decoded 4-byte Associated Encrypted Metadata:
//   byte 0: bits 7..6 major version, bits 5..4 minor version, bits 3..0 reserved
//   byte 1: transmit power level in dBm, signed
//   bytes 2..3: reserved (zero)
struct BleMetadata {
  uint8_t version_major = 1;
  uint8_t version_minor = 0;
  int8_t tx_power_dbm = 0;

  friend bool operator==(const BleMetadata&, const BleMetadata&) = default;
};

// EncodeMetadata packs |m|. Fails if a version does not fit in two bits.
base::StatusOr<Metadata> EncodeMetadata(const BleMetadata& m);
// DecodeMetadata unpacks 4 bytes; reserved bits are ignored, as the
// specification requires of receivers. Fails if |bytes| is not 4 bytes long.
base::StatusOr<BleMetadata> DecodeMetadata(base::ByteView bytes);

// MakeAdvertisement returns the 20-byte service data RPI || AEM.
Advertisement MakeAdvertisement(const Rpi& rpi, const Aem& aem);

// ParsedAdvertisement is the two halves of received service data.
struct ParsedAdvertisement {
  Rpi rpi;
  Aem aem;
};
// ParseAdvertisement splits 20 bytes of service data. Fails on any other length.
base::StatusOr<ParsedAdvertisement> ParseAdvertisement(base::ByteView service_data);

}  // namespace openen::crypto

#endif  // OPENEN_CRYPTO_GAEN_H_
