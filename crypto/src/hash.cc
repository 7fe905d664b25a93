// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/crypto/hash.h"

#include <algorithm>
#include <bit>
#include <cstring>

#include "hmac_state.h"
#include "openen/crypto/secret.h"

namespace openen::crypto {
namespace internal {

HmacSha256State::~HmacSha256State() {
  Wipe(std::span<uint8_t>(reinterpret_cast<uint8_t*>(&inner_), sizeof(inner_)));
  Wipe(std::span<uint8_t>(reinterpret_cast<uint8_t*>(&outer_), sizeof(outer_)));
}

void HmacSha256State::SetKey(base::ByteView key) {
  constexpr size_t kBlock = 64;
  uint8_t block[kBlock] = {};
  if (key.size() > kBlock) {
    SHA256(key.data(), key.size(), block);
  } else if (!key.empty()) {
    std::memcpy(block, key.data(), key.size());
  }
  uint8_t pad[kBlock];
  for (size_t i = 0; i < kBlock; ++i) pad[i] = block[i] ^ 0x36;
  SHA256_Init(&inner_);
  SHA256_Update(&inner_, pad, kBlock);
  for (size_t i = 0; i < kBlock; ++i) pad[i] = block[i] ^ 0x5c;
  SHA256_Init(&outer_);
  SHA256_Update(&outer_, pad, kBlock);
  Wipe(block);
  Wipe(pad);
}

void HmacSha256State::Mac(base::ByteView a, base::ByteView b, uint8_t out[32]) const {
  SHA256_CTX ctx = inner_;
  if (!a.empty()) SHA256_Update(&ctx, a.data(), a.size());
  if (!b.empty()) SHA256_Update(&ctx, b.data(), b.size());
  uint8_t inner_digest[32];
  SHA256_Final(inner_digest, &ctx);
  ctx = outer_;
  SHA256_Update(&ctx, inner_digest, sizeof(inner_digest));
  SHA256_Final(out, &ctx);
  Wipe(std::span<uint8_t>(reinterpret_cast<uint8_t*>(&ctx), sizeof(ctx)));
}

namespace {

// The derivation below builds every SHA-256 block from 16-byte lanes, each
// written with one vector store. SHA-NI loads blocks 16 bytes at a time;
// blocks assembled byte by byte made those loads wait on store forwarding,
// which cost more than the compressions.
typedef uint8_t Lane __attribute__((vector_size(16)));

struct alignas(16) Block {
  Lane q[4];
};

Lane LoadLane(const uint8_t* p) {
  Lane v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}

// Length lane: the message bit length, big-endian, in bytes 8..15.
constexpr Lane LengthLane(uint64_t message_bytes) {
  const uint64_t bits = message_bytes * 8;
  auto byte = [bits](int i) { return static_cast<uint8_t>(bits >> (56 - 8 * i)); };
  return Lane{0, 0, 0, 0, 0, 0, 0, 0, byte(0), byte(1), byte(2), byte(3),
              byte(4), byte(5), byte(6), byte(7)};
}

constexpr Lane kZeroLane{};
constexpr Lane kPadLane{0x80};
constexpr Lane kLength80 = LengthLane(64 + 16);  // key block + 16-byte TEK
constexpr Lane kLength72 = LengthLane(64 + 8);   // key block + info || 0x01
constexpr Lane kLength96 = LengthLane(64 + 32);  // key block + 32-byte digest

// State holds the eight working words in SHA256_CTX so that the block
// function runs on it in place.
struct State {
  SHA256_CTX ctx;
  void Compress(const Block& b) { SHA256_Transform(&ctx, reinterpret_cast<const uint8_t*>(&b)); }
  // Digest returns the state as big-endian bytes: two lanes.
  void Digest(Lane* lo, Lane* hi) const {
    Lane a, b;
    std::memcpy(&a, &ctx.h[0], 16);
    std::memcpy(&b, &ctx.h[4], 16);
    if constexpr (std::endian::native == std::endian::little) {
      a = __builtin_shufflevector(a, a, 3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12);
      b = __builtin_shufflevector(b, b, 3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12);
    }
    *lo = a;
    *hi = b;
  }
  ~State() { Wipe(std::span<uint8_t>(reinterpret_cast<uint8_t*>(&ctx), sizeof(ctx))); }
};

// KeyState absorbs the block (key || zeros) XOR pad, for a 32-byte key.
void KeyState(Lane key_lo, Lane key_hi, uint8_t pad, State* st) {
  const Lane p = kZeroLane + pad;
  Block b{{key_lo ^ p, key_hi ^ p, p, p}};
  SHA256_Init(&st->ctx);
  st->Compress(b);
}

// FinishWithDigest compresses one block holding a 32-byte digest plus padding.
void FinishWithDigest(State* st, Lane lo, Lane hi) {
  Block b{{lo, hi, kPadLane, kLength96}};
  st->Compress(b);
}

struct ZeroSaltStates {
  State inner, outer;
  ZeroSaltStates() {
    KeyState(kZeroLane, kZeroLane, 0x36, &inner);
    KeyState(kZeroLane, kZeroLane, 0x5c, &outer);
  }
};

}  // namespace

InfoBlock::InfoBlock(const char (&info)[8]) {
  // info (7 bytes) || 0x01 || 0x80 || zeros.
  uint8_t bytes[16] = {};
  std::memcpy(bytes, info, 7);
  bytes[7] = 0x01;
  bytes[8] = 0x80;
  std::memcpy(first_lane, bytes, 16);
}

void HkdfTek16(const uint8_t tek[16], const InfoBlock& info, uint8_t out[16]) {
  static const ZeroSaltStates salt;
  Lane lo, hi;

  // Extract: PRK = HMAC(zero salt, TEK).
  State inner = salt.inner;
  inner.Compress(Block{{LoadLane(tek), kPadLane, kZeroLane, kLength80}});
  inner.Digest(&lo, &hi);
  State outer = salt.outer;
  FinishWithDigest(&outer, lo, hi);
  outer.Digest(&lo, &hi);  // lo, hi = PRK

  // Expand: T(1) = HMAC(PRK, info || 0x01); the output is its first 16 bytes.
  KeyState(lo, hi, 0x36, &inner);
  KeyState(lo, hi, 0x5c, &outer);
  inner.Compress(Block{{LoadLane(info.first_lane), kZeroLane, kZeroLane, kLength72}});
  inner.Digest(&lo, &hi);
  FinishWithDigest(&outer, lo, hi);
  outer.Digest(&lo, &hi);
  std::memcpy(out, &lo, 16);
  lo ^= lo;
  hi ^= hi;
}

}  // namespace internal

Sha256Digest Sha256(base::ByteView data) {
  Sha256Digest d;
  SHA256(data.data(), data.size(), d.data());
  return d;
}

struct Sha256Stream::State {
  SHA256_CTX ctx;
};

Sha256Stream::Sha256Stream() : state_(std::make_unique<State>()) { SHA256_Init(&state_->ctx); }
Sha256Stream::~Sha256Stream() = default;

void Sha256Stream::Update(base::ByteView data) {
  SHA256_Update(&state_->ctx, data.data(), data.size());
}

Sha256Digest Sha256Stream::Final() {
  Sha256Digest d;
  SHA256_Final(d.data(), &state_->ctx);
  SHA256_Init(&state_->ctx);
  return d;
}

HmacSha256Key::HmacSha256Key(base::ByteView key)
    : state_(std::make_unique<internal::HmacSha256State>(key)) {}
HmacSha256Key::~HmacSha256Key() = default;

Sha256Digest HmacSha256Key::Mac(base::ByteView data) const {
  Sha256Digest d;
  state_->Mac(data, d.data());
  return d;
}

Sha256Digest HmacSha256(base::ByteView key, base::ByteView data) {
  Sha256Digest d;
  internal::HmacSha256State(key).Mac(data, d.data());
  return d;
}

base::StatusOr<SecretBytes> HkdfSha256(base::ByteView ikm, base::ByteView salt, base::ByteView info,
                                       size_t length) {
  constexpr size_t kMax = 255 * 32;
  if (length == 0 || length > kMax) {
    return base::InvalidArgumentError("HKDF output length " + std::to_string(length) +
                                      " is outside 1.." + std::to_string(kMax));
  }
  uint8_t prk[32];
  internal::HmacSha256State(salt).Mac(ikm, prk);
  internal::HmacSha256State expand(prk);
  Wipe(prk);

  SecretBytes okm(length);
  auto dst = okm.MutableReveal();
  uint8_t t[32];
  size_t t_len = 0;
  for (size_t done = 0, i = 1; done < length; ++i) {
    base::Bytes msg(t, t + t_len);
    msg.insert(msg.end(), info.begin(), info.end());
    msg.push_back(static_cast<uint8_t>(i));
    expand.Mac(msg, t);
    Wipe(msg);
    t_len = 32;
    size_t n = std::min(length - done, t_len);
    std::memcpy(dst.data() + done, t, n);
    done += n;
  }
  Wipe(t);
  return okm;
}

std::string TekHmacMessage(const std::vector<TekHmacEntry>& keys, TekHmacForm form) {
  std::vector<std::string> entries;
  entries.reserve(keys.size());
  for (const TekHmacEntry& k : keys) {
    std::string e = base::Base64Encode(k.key_data);
    e += '.' + std::to_string(k.rolling_start_interval_number);
    e += '.' + std::to_string(k.rolling_period);
    if (form == TekHmacForm::kWithTransmissionRisk) e += '.' + std::to_string(k.transmission_risk);
    entries.push_back(std::move(e));
  }
  std::sort(entries.begin(), entries.end());
  std::string message;
  for (size_t i = 0; i < entries.size(); ++i) {
    if (i) message += ',';
    message += entries[i];
  }
  return message;
}

Sha256Digest TekHmac(base::ByteView secret, const std::vector<TekHmacEntry>& keys,
                     TekHmacForm form) {
  return HmacSha256(secret, base::AsBytes(TekHmacMessage(keys, form)));
}

}  // namespace openen::crypto
