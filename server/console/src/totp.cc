// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/console/totp.h"

#include <liboath/oath.h>
#include <sodium.h>

#include <cstdlib>
#include <mutex>
#include <stdexcept>

namespace openen::console {
namespace {

void InitOath() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (oath_init() != OATH_OK) throw std::runtime_error("liboath: oath_init failed");
  });
}

int Flags(TotpHash hash) {
  switch (hash) {
    case TotpHash::kSha1:
      return 0;
    case TotpHash::kSha256:
      return OATH_TOTP_HMAC_SHA256;
    case TotpHash::kSha512:
      return OATH_TOTP_HMAC_SHA512;
  }
  return 0;
}

// EqualCode compares the entered code with a computed one in constant time
// (liboath's callback: 0 when equal).
int EqualCode(void* entered, const char* computed) {
  const std::string_view* code = static_cast<const std::string_view*>(entered);
  if (code->size() != static_cast<size_t>(kTotpDigits)) return 1;
  return sodium_memcmp(code->data(), computed, code->size()) == 0 ? 0 : 1;
}

// URI-escapes everything but RFC 3986's unreserved characters.
std::string Escape(std::string_view s) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace

crypto::SecretBytes NewTotpSecret() { return crypto::SecretBytes::Random(kTotpSecretBytes); }

std::string TotpCode(const crypto::SecretBytes& secret, int64_t unix_time, int digits,
                     TotpHash hash) {
  InitOath();
  char out[16] = {};
  const base::ByteView s = secret.Reveal();
  const int rc = oath_totp_generate2(reinterpret_cast<const char*>(s.data()), s.size(),
                                     static_cast<time_t>(unix_time), kTotpStepSeconds, 0,
                                     static_cast<unsigned>(digits), Flags(hash), out);
  if (rc != OATH_OK) throw std::runtime_error(std::string("liboath: ") + oath_strerror(rc));
  return out;
}

base::StatusOr<int64_t> TotpStep(const crypto::SecretBytes& secret, std::string_view code,
                                 int64_t unix_time) {
  InitOath();
  const base::Status wrong = base::NotFoundError("wrong one-time password");
  if (code.size() != static_cast<size_t>(kTotpDigits)) return wrong;
  for (char c : code) {
    if (c < '0' || c > '9') return wrong;
  }
  const base::ByteView s = secret.Reveal();
  int position = 0;
  const int rc = oath_totp_validate2_callback(reinterpret_cast<const char*>(s.data()), s.size(),
                                              static_cast<time_t>(unix_time), kTotpStepSeconds, 0,
                                              kTotpDigits, 1, &position, EqualCode, &code);
  if (rc < 0) return wrong;
  return unix_time / kTotpStepSeconds + position;
}

std::string Base32(const crypto::SecretBytes& secret) {
  InitOath();
  char* out = nullptr;
  size_t out_len = 0;
  const base::ByteView s = secret.Reveal();
  if (oath_base32_encode(reinterpret_cast<const char*>(s.data()), s.size(), &out, &out_len) !=
      OATH_OK) {
    throw std::runtime_error("liboath: base32 encoding failed");
  }
  std::string encoded(out, out_len);
  sodium_memzero(out, out_len);
  std::free(out);
  while (!encoded.empty() && encoded.back() == '=') encoded.pop_back();
  return encoded;
}

std::string TotpUri(const crypto::SecretBytes& secret, std::string_view issuer,
                    std::string_view account) {
  return "otpauth://totp/" + Escape(issuer) + ":" + Escape(account) + "?secret=" + Base32(secret) +
         "&issuer=" + Escape(issuer) + "&algorithm=SHA1&digits=" + std::to_string(kTotpDigits) +
         "&period=" + std::to_string(kTotpStepSeconds);
}

}  // namespace openen::console
