// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/crypto/secret.h"

#include <sodium.h>

#include <cstring>

#include "openen/crypto/random.h"

namespace openen::crypto {

SecretBytes::SecretBytes(size_t size) : data_(new uint8_t[size]()), size_(size) {}

SecretBytes::SecretBytes(base::ByteView bytes) : SecretBytes(bytes.size()) {
  if (!bytes.empty()) std::memcpy(data_.get(), bytes.data(), bytes.size());
}

SecretBytes::~SecretBytes() { Wipe(); }

SecretBytes::SecretBytes(SecretBytes&& other) noexcept
    : data_(std::move(other.data_)), size_(other.size_) {
  other.size_ = 0;
}

SecretBytes& SecretBytes::operator=(SecretBytes&& other) noexcept {
  if (this != &other) {
    Wipe();
    data_ = std::move(other.data_);
    size_ = other.size_;
    other.size_ = 0;
  }
  return *this;
}

SecretBytes SecretBytes::Random(size_t size) {
  SecretBytes s(size);
  RandomBytes(s.MutableReveal());
  return s;
}

bool SecretBytes::Equal(const SecretBytes& other) const {
  return ConstantTimeEqual(Reveal(), other.Reveal());
}

void SecretBytes::Wipe() {
  if (data_) crypto::Wipe(MutableReveal());
}

bool ConstantTimeEqual(base::ByteView a, base::ByteView b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  (void)Init();
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

void Wipe(std::span<uint8_t> buf) {
  if (!buf.empty()) sodium_memzero(buf.data(), buf.size());
}

void Wipe(std::string* s) {
  if (s != nullptr) Wipe(std::span<uint8_t>(reinterpret_cast<uint8_t*>(s->data()), s->size()));
}

}  // namespace openen::crypto
