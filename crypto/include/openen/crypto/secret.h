// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// SecretBytes: the one type for key material (TEKs, data keys, HMAC secrets,
// private keys). It wipes itself on destruction, compares in constant time, and
// gives its raw bytes out only through Reveal(), so that every use of a secret
// can be found with one grep.

#ifndef OPENEN_CRYPTO_SECRET_H_
#define OPENEN_CRYPTO_SECRET_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "openen/base/bytes.h"

namespace openen::crypto {

class SecretBytes {
 public:
  // An empty secret.
  SecretBytes() = default;
  // A zero-filled secret of |size| bytes.
  explicit SecretBytes(size_t size);
  // A copy of |bytes|. The caller remains responsible for wiping its own copy.
  explicit SecretBytes(base::ByteView bytes);
  ~SecretBytes();

  SecretBytes(SecretBytes&& other) noexcept;
  SecretBytes& operator=(SecretBytes&& other) noexcept;
  // Copies are explicit (Clone) so that secrets are not duplicated by accident.
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;

  // Random returns |size| bytes from the OS CSPRNG.
  static SecretBytes Random(size_t size);

  SecretBytes Clone() const { return SecretBytes(Reveal()); }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  // Reveal gives read access to the raw secret. Grep for it when auditing.
  base::ByteView Reveal() const { return base::ByteView(data_.get(), size_); }
  // MutableReveal gives write access, for filling a secret in place.
  std::span<uint8_t> MutableReveal() { return std::span<uint8_t>(data_.get(), size_); }

  // Equal compares in constant time for equal sizes; different sizes are unequal.
  bool Equal(const SecretBytes& other) const;
  friend bool operator==(const SecretBytes& a, const SecretBytes& b) { return a.Equal(b); }

 private:
  void Wipe();

  std::unique_ptr<uint8_t[]> data_;
  size_t size_ = 0;
};

// ConstantTimeEqual compares two byte strings without data-dependent timing
// (the lengths are not secret). Returns false for different lengths.
bool ConstantTimeEqual(base::ByteView a, base::ByteView b);

// Wipe zeroes |buf| in a way the compiler cannot optimise away.
void Wipe(std::span<uint8_t> buf);
// Wipe zeroes the bytes |s| holds (its size stays), as the other Wipe does.
void Wipe(std::string* s);

}  // namespace openen::crypto

#endif  // OPENEN_CRYPTO_SECRET_H_
