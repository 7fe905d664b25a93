// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/crypto/gaen.h"

#include <openssl/evp.h>

#include <algorithm>
#include <bit>
#include <cassert>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "gaen_kernels.h"
#include "hmac_state.h"
#include "openen/base/coding.h"
#include "openen/crypto/interval.h"
#include "openen/crypto/random.h"

namespace openen::crypto {
namespace {

const internal::InfoBlock& RpikInfo() {
  static const internal::InfoBlock info("EN-RPIK");
  return info;
}
const internal::InfoBlock& AemkInfo() {
  static const internal::InfoBlock info("EN-AEMK");
  return info;
}

// Fetching a cipher implementation is a lookup in OpenSSL 3; do it once.
const EVP_CIPHER* FetchOrDie(const char* name) {
  EVP_CIPHER* c = EVP_CIPHER_fetch(nullptr, name, nullptr);
  if (c == nullptr) {
    std::fprintf(stderr, "openen: OpenSSL has no %s\n", name);
    std::abort();
  }
  return c;
}
const EVP_CIPHER* Aes128Ecb() {
  static const EVP_CIPHER* c = FetchOrDie("AES-128-ECB");
  return c;
}
const EVP_CIPHER* Aes128Ctr() {
  static const EVP_CIPHER* c = FetchOrDie("AES-128-CTR");
  return c;
}

base::Status CheckTek(base::ByteView tek) {
  if (tek.size() != kTekSize) {
    return base::InvalidArgumentError("TEK is " + std::to_string(tek.size()) + " bytes, want 16");
  }
  return base::Status::Ok();
}

base::StatusOr<SecretBytes> DeriveFromTek(base::ByteView tek, const internal::InfoBlock& info) {
  OPENEN_RETURN_IF_ERROR(CheckTek(tek));
  SecretBytes out(16);
  internal::HkdfTek16(tek.data(), info, out.MutableReveal().data());
  return out;
}

// Block is one AES input. It is written with a single 16-byte store: writing
// the interval bytes one by one and then loading the block into the cipher
// stalls store-to-load forwarding, which cost more than the AES itself.
typedef uint32_t Block __attribute__((vector_size(16), aligned(16)));

constexpr uint32_t LoadLe32(const char* p) { return static_cast<uint32_t>(base::GetFixedLE<4>(p)); }

// HostWord returns the 32-bit word whose in-memory bytes are LE32(v).
constexpr uint32_t HostWord(uint32_t le_value) {
  if constexpr (std::endian::native == std::endian::little) {
    return le_value;
  } else {
    return __builtin_bswap32(le_value);
  }
}

inline Block PaddedBlock(uint32_t interval) {
  // "EN-RPI" || 0x000000000000 || LE32(interval), as four host words.
  constexpr uint32_t w0 = HostWord(LoadLe32("EN-R"));
  constexpr uint32_t w1 = HostWord(LoadLe32("PI\0\0"));
  return Block{w0, w1, 0, HostWord(interval)};
}

// Runs of this many intervals are encrypted per cipher call (one day's worth).
constexpr size_t kRunChunk = kTekRollingPeriod;

}  // namespace

SecretBytes GenerateTek() { return SecretBytes::Random(kTekSize); }

base::StatusOr<SecretBytes> DeriveRpik(base::ByteView tek) {
  return DeriveFromTek(tek, RpikInfo());
}
base::StatusOr<SecretBytes> DeriveAemk(base::ByteView tek) {
  return DeriveFromTek(tek, AemkInfo());
}

struct RpiBatch::Impl {
  const internal::GaenKernels& kernels = internal::Kernels();
  size_t n = 0;
  alignas(16) uint8_t rpiks[16 * kMaxKeys];
  alignas(16) uint8_t round_keys[internal::kAesRoundKeysSize * kMaxKeys];
  RpiDeriver portable;  // the portable kernel's: keyed per run

  ~Impl() {
    Wipe(rpiks);
    Wipe(round_keys);
  }
};

RpiBatch::RpiBatch() : impl_(std::make_unique<Impl>()) {}
RpiBatch::~RpiBatch() = default;

void RpiBatch::SetTeks(base::ByteView teks) {
  if (teks.size() % kTekSize != 0 || teks.size() > kTekSize * kMaxKeys) {
    std::fputs("openen: RpiBatch given TEKs that are not up to 256 packed 16-byte keys\n", stderr);
    std::abort();
  }
  Impl& b = *impl_;
  b.n = teks.size() / kTekSize;
  b.kernels.rpiks(teks.data(), b.n, b.rpiks);
  if (b.kernels.rpi_run != nullptr) b.kernels.expand_keys(b.rpiks, b.n, b.round_keys);
}

void RpiBatch::ComputeRun(size_t key, uint32_t first_interval, std::span<Rpi> out) {
  Impl& b = *impl_;
  if (key >= b.n) {
    std::fputs("openen: RpiBatch::ComputeRun of a key it was not given\n", stderr);
    std::abort();
  }
  if (b.kernels.rpi_run == nullptr) {
    (void)b.portable.SetRpik(base::ByteView(b.rpiks + 16 * key, 16));  // 16 bytes: cannot fail
    b.portable.ComputeRun(first_interval, out);
    return;
  }
  for (size_t done = 0; done < out.size();) {
    const size_t n = std::min(kRunChunk, out.size() - done);
    b.kernels.rpi_run(b.round_keys + internal::kAesRoundKeysSize * key,
                      first_interval + static_cast<uint32_t>(done), n, out[done].data());
    done += n;
  }
}

void DeriveRpiks(base::ByteView teks, std::span<uint8_t> rpiks) {
  if (teks.size() != rpiks.size() || teks.size() % kTekSize != 0) {
    std::fputs("openen: DeriveRpiks given sizes that are not equal multiples of 16\n", stderr);
    std::abort();
  }
  internal::Kernels().rpiks(teks.data(), teks.size() / kTekSize, rpiks.data());
}

const char* DerivationKernel() { return internal::Kernels().name; }

std::array<uint8_t, 16> PaddedData(uint32_t interval) {
  Block b = PaddedBlock(interval);
  std::array<uint8_t, 16> p;
  std::memcpy(p.data(), &b, sizeof(b));
  return p;
}

struct RpiDeriver::Impl {
  const internal::GaenKernels& kernels = internal::Kernels();
  // The CPU kernel's AES round keys; the portable kernel keys an OpenSSL
  // context instead.
  alignas(16) uint8_t round_keys[internal::kAesRoundKeysSize] = {};
  EVP_CIPHER_CTX* ctx = nullptr;
  bool has_key = false;
  Block blocks[kRunChunk];  // the portable kernel's AES inputs of a run

  Impl() {
    if (kernels.rpi_run != nullptr) return;
    ctx = EVP_CIPHER_CTX_new();
    if (ctx == nullptr ||
        EVP_EncryptInit_ex2(ctx, Aes128Ecb(), nullptr, nullptr, nullptr) != 1 ||
        EVP_CIPHER_CTX_set_padding(ctx, 0) != 1) {
      std::fputs("openen: cannot create AES-128-ECB context\n", stderr);
      std::abort();
    }
  }
  ~Impl() {
    Wipe(round_keys);
    EVP_CIPHER_CTX_free(ctx);
  }

  // A kernel has both AES functions or neither (kernels_test checks it):
  // the portable one keys OpenSSL instead.
  bool SetKey(const uint8_t rpik[16]) {
    if (kernels.rpi_run != nullptr) {
      kernels.expand_keys(rpik, 1, round_keys);
      return true;
    }
    return EVP_EncryptInit_ex2(ctx, nullptr, rpik, nullptr, nullptr) == 1;
  }

  void Encrypt(uint32_t first, size_t n, uint8_t* out) {
    assert(has_key && n <= kRunChunk);
    if (kernels.rpi_run != nullptr) {
      kernels.rpi_run(round_keys, first, n, out);
      return;
    }
    for (size_t i = 0; i < n; ++i) blocks[i] = PaddedBlock(first + static_cast<uint32_t>(i));
    int out_len = 0;
    if (EVP_EncryptUpdate(ctx, out, &out_len, reinterpret_cast<const uint8_t*>(blocks),
                         static_cast<int>(n * 16)) != 1) {
      std::fputs("openen: AES-128-ECB failed\n", stderr);
      std::abort();
    }
  }
};

RpiDeriver::RpiDeriver() : impl_(std::make_unique<Impl>()) {}
RpiDeriver::~RpiDeriver() = default;
RpiDeriver::RpiDeriver(RpiDeriver&&) noexcept = default;
RpiDeriver& RpiDeriver::operator=(RpiDeriver&&) noexcept = default;

base::Status RpiDeriver::SetTek(base::ByteView tek) {
  impl_->has_key = false;
  OPENEN_RETURN_IF_ERROR(CheckTek(tek));
  uint8_t rpik[kRpikSize];
  internal::HkdfTek16(tek.data(), RpikInfo(), rpik);
  base::Status s = SetRpik(rpik);
  Wipe(rpik);
  return s;
}

base::Status RpiDeriver::SetRpik(base::ByteView rpik) {
  impl_->has_key = false;
  if (rpik.size() != kRpikSize) {
    return base::InvalidArgumentError("RPIK is " + std::to_string(rpik.size()) + " bytes, want 16");
  }
  if (!impl_->SetKey(rpik.data())) return base::InternalError("AES-128 key setup failed");
  impl_->has_key = true;
  return base::Status::Ok();
}

Rpi RpiDeriver::Compute(uint32_t interval) {
  Rpi rpi;
  impl_->Encrypt(interval, 1, rpi.data());
  return rpi;
}

void RpiDeriver::ComputeRun(uint32_t first_interval, std::span<Rpi> out) {
  static_assert(sizeof(Rpi) == 16, "Rpi must be a plain 16-byte block");
  for (size_t done = 0; done < out.size();) {
    size_t n = std::min(kRunChunk, out.size() - done);
    impl_->Encrypt(first_interval + static_cast<uint32_t>(done), n, out[done].data());
    done += n;
  }
}

namespace {
base::StatusOr<std::array<uint8_t, 4>> AesCtr4(base::ByteView aemk, const Rpi& iv,
                                               const uint8_t in[4]) {
  if (aemk.size() != kAemkSize) {
    return base::InvalidArgumentError("AEMK is " + std::to_string(aemk.size()) + " bytes, want 16");
  }
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  std::array<uint8_t, 4> out;
  int len = 0;
  bool ok = ctx != nullptr &&
            EVP_EncryptInit_ex2(ctx, Aes128Ctr(), aemk.data(), iv.data(), nullptr) == 1 &&
            EVP_EncryptUpdate(ctx, out.data(), &len, in, 4) == 1 && len == 4;
  EVP_CIPHER_CTX_free(ctx);
  if (!ok) return base::InternalError("AES-128-CTR failed");
  return out;
}
}  // namespace

base::StatusOr<Aem> EncryptAem(base::ByteView aemk, const Rpi& rpi, const Metadata& metadata) {
  return AesCtr4(aemk, rpi, metadata.data());
}

base::StatusOr<Metadata> DecryptAem(base::ByteView aemk, const Rpi& rpi, const Aem& aem) {
  return AesCtr4(aemk, rpi, aem.data());
}

base::StatusOr<Metadata> EncodeMetadata(const BleMetadata& m) {
  if (m.version_major > 3 || m.version_minor > 3) {
    return base::InvalidArgumentError("metadata version " + std::to_string(m.version_major) + "." +
                                      std::to_string(m.version_minor) +
                                      " does not fit in two bits each");
  }
  return Metadata{static_cast<uint8_t>(m.version_major << 6 | m.version_minor << 4),
                  static_cast<uint8_t>(m.tx_power_dbm), 0, 0};
}

base::StatusOr<BleMetadata> DecodeMetadata(base::ByteView bytes) {
  if (bytes.size() != kMetadataSize) {
    return base::InvalidArgumentError("metadata is " + std::to_string(bytes.size()) +
                                      " bytes, want 4");
  }
  BleMetadata m;
  m.version_major = bytes[0] >> 6;
  m.version_minor = (bytes[0] >> 4) & 0x3;
  m.tx_power_dbm = static_cast<int8_t>(bytes[1]);
  return m;
}

Advertisement MakeAdvertisement(const Rpi& rpi, const Aem& aem) {
  Advertisement a;
  std::copy(rpi.begin(), rpi.end(), a.begin());
  std::copy(aem.begin(), aem.end(), a.begin() + kRpiSize);
  return a;
}

base::StatusOr<ParsedAdvertisement> ParseAdvertisement(base::ByteView service_data) {
  if (service_data.size() != kAdvertisementSize) {
    return base::InvalidArgumentError("service data is " + std::to_string(service_data.size()) +
                                      " bytes, want 20");
  }
  ParsedAdvertisement p;
  std::copy_n(service_data.begin(), kRpiSize, p.rpi.begin());
  std::copy_n(service_data.begin() + kRpiSize, kAemSize, p.aem.begin());
  return p;
}

}  // namespace openen::crypto
