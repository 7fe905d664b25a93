// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// The console's second factor: RFC 6238's vectors, the window of one step
// either side, malformed codes, and the URI an authenticator app reads.

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "openen/base/bytes.h"
#include "openen/console/totp.h"

namespace openen::console {
namespace {

crypto::SecretBytes Ascii(const std::string& s) {
  return crypto::SecretBytes(base::ByteView(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
}

TEST_CASE("TOTP passwords are RFC 6238's test vectors for SHA1, SHA256 and SHA512",
          "[console][totp]") {
  const std::string digits = "1234567890";
  const std::string seed64 = digits + digits + digits + digits + digits + digits + "1234";
  std::ifstream in(std::string(OPENEN_TEST_VECTORS_DIR) + "/rfc6238-totp.tsv");
  REQUIRE(in);
  int rows = 0;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    int64_t time = 0;
    std::string hash, expected;
    fields >> time >> hash >> expected;
    INFO(line);
    if (hash == "SHA1") {
      CHECK(TotpCode(Ascii(seed64.substr(0, 20)), time, 8, TotpHash::kSha1) == expected);
    } else if (hash == "SHA256") {
      CHECK(TotpCode(Ascii(seed64.substr(0, 32)), time, 8, TotpHash::kSha256) == expected);
    } else {
      REQUIRE(hash == "SHA512");
      CHECK(TotpCode(Ascii(seed64), time, 8, TotpHash::kSha512) == expected);
    }
    ++rows;
  }
  CHECK(rows == 18);
}

TEST_CASE("a TOTP password counts in its step and the ones either side - nothing else",
          "[console][totp]") {
  const crypto::SecretBytes secret = NewTotpSecret();
  REQUIRE(secret.size() == 20);
  const int64_t now = 1795000000;  // 10 s into its step
  const int64_t step = now / kTotpStepSeconds;
  const std::string code = TotpCode(secret, now);
  REQUIRE(code.size() == 6);
  CHECK(TotpStep(secret, code, now).value() == step);
  CHECK(TotpStep(secret, code, now + kTotpStepSeconds).value() == step);
  CHECK(TotpStep(secret, code, now - kTotpStepSeconds).value() == step);
  CHECK(TotpStep(secret, TotpCode(secret, now + kTotpStepSeconds), now).value() == step + 1);
  CHECK(TotpStep(secret, TotpCode(secret, now - kTotpStepSeconds), now).value() == step - 1);
  CHECK(TotpStep(secret, code, now + 2 * kTotpStepSeconds).status().code() ==
        base::StatusCode::kNotFound);
  CHECK(TotpStep(secret, code, now - 2 * kTotpStepSeconds).status().code() ==
        base::StatusCode::kNotFound);
  // Another secret's password, and malformed ones.
  CHECK_FALSE(TotpStep(NewTotpSecret(), code, now).ok());
  for (const std::string& bad :
       std::vector<std::string>{"", "12345", "1234567", "12345a", " 123456", code + "0"}) {
    INFO(bad);
    CHECK(TotpStep(secret, bad, now).status().code() == base::StatusCode::kNotFound);
  }
}

TEST_CASE("the otpauth URI carries the secret in base32 and escapes names", "[console][totp]") {
  const crypto::SecretBytes secret = Ascii("12345678901234567890");
  CHECK(Base32(secret) == "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
  CHECK(TotpUri(secret, "Health Authority", "ann@example.org") ==
        "otpauth://totp/Health%20Authority:ann%40example.org?secret="
        "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Health%20Authority&algorithm=SHA1&digits=6&"
        "period=30");
}

}  // namespace
}  // namespace openen::console
