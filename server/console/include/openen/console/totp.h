// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Time-based one-time passwords (RFC 6238), the console's second factor, as
// every authenticator app makes them: HMAC-SHA1, 6 digits, 30-second steps,
// a 20-byte secret given to the app as base32 in an otpauth:// URI. Debian's
// liboath computes them.

#ifndef OPENEN_CONSOLE_TOTP_H_
#define OPENEN_CONSOLE_TOTP_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "openen/base/status.h"
#include "openen/crypto/secret.h"

namespace openen::console {

inline constexpr int kTotpDigits = 6;
inline constexpr int kTotpStepSeconds = 30;
inline constexpr size_t kTotpSecretBytes = 20;

enum class TotpHash { kSha1, kSha256, kSha512 };

// NewTotpSecret draws a kTotpSecretBytes secret.
crypto::SecretBytes NewTotpSecret();

// TotpCode is the |digits|-digit password of |secret| at |unix_time|.
std::string TotpCode(const crypto::SecretBytes& secret, int64_t unix_time, int digits = kTotpDigits,
                     TotpHash hash = TotpHash::kSha1);

// TotpStep is the step |code| belongs to: the current step at |unix_time|
// or the one before or after (clocks drift; an app shows a code for up to
// 30 s), compared in constant time. NOT_FOUND when it is none of them, or
// malformed (not kTotpDigits digits). A caller refuses a step it has seen
// accepted before for the same secret: a password is used once.
base::StatusOr<int64_t> TotpStep(const crypto::SecretBytes& secret, std::string_view code,
                                 int64_t unix_time);

// TotpUri is the otpauth:// URI an authenticator app reads (as a QR code or
// typed): the account |account| at |issuer|, the secret in base32.
std::string TotpUri(const crypto::SecretBytes& secret, std::string_view issuer,
                    std::string_view account);

// Base32 is |secret| in RFC 4648 base32 without padding, as apps take it typed.
std::string Base32(const crypto::SecretBytes& secret);

}  // namespace openen::console

#endif  // OPENEN_CONSOLE_TOTP_H_
