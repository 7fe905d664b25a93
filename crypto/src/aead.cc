// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/crypto/aead.h"

#include <sodium.h>

#include "openen/crypto/random.h"

namespace openen::crypto {

static_assert(kAeadKeySize == crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
static_assert(kAeadNonceSize == crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
static_assert(kAeadTagSize == crypto_aead_xchacha20poly1305_ietf_ABYTES);

base::StatusOr<Aead> Aead::Create(const SecretBytes& key) {
  OPENEN_RETURN_IF_ERROR(Init());
  if (key.size() != kAeadKeySize) {
    return base::InvalidArgumentError("AEAD key is " + std::to_string(key.size()) +
                                      " bytes, want 32");
  }
  return Aead(key.Clone());
}

base::Bytes Aead::Seal(base::ByteView plaintext, base::ByteView associated_data) const {
  base::Bytes box(kAeadNonceSize + plaintext.size() + kAeadTagSize);
  RandomBytes(std::span<uint8_t>(box.data(), kAeadNonceSize));
  unsigned long long c_len = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      box.data() + kAeadNonceSize, &c_len, plaintext.data(), plaintext.size(),
      associated_data.data(), associated_data.size(), nullptr, box.data(), key_.Reveal().data());
  return box;
}

base::StatusOr<base::Bytes> Aead::Open(base::ByteView box, base::ByteView associated_data) const {
  if (box.size() < kAeadOverhead) return base::DataLossError("authentication failed");
  base::Bytes plaintext(box.size() - kAeadOverhead);
  unsigned long long p_len = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          plaintext.data(), &p_len, nullptr, box.data() + kAeadNonceSize,
          box.size() - kAeadNonceSize, associated_data.data(), associated_data.size(), box.data(),
          key_.Reveal().data()) != 0) {
    return base::DataLossError("authentication failed");
  }
  return plaintext;
}

}  // namespace openen::crypto
