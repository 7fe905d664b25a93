// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/crypto/ecdsa.h"

#include <catch2/catch.hpp>

#include <cstdio>

#include "test_util.h"

namespace openen::crypto {
namespace {

bool FromScalarRejects() {
  return !EcdsaP256PrivateKey::FromScalar(base::Bytes(32, 0)).ok() &&
         !EcdsaP256PrivateKey::FromScalar(base::Bytes(31, 1)).ok() &&
         // n itself is out of range.
         !EcdsaP256PrivateKey::FromScalar(
              testing::Hex("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551"))
              .ok();
}

// Upstream export signing keys (google/exposure-notifications-internals).
constexpr char k310v1[] =
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE49JY6kekDgxj3Crm4y6kEHdfoKQFSNDM4mV9cgDb+e5nOAw0GeRoRThCu9/"
    "wX5wDT2QloFoOjl2pGZHI0f3C3w==";

TEST_CASE("ECDSA P-256 round trip with a fresh key", "[ecdsa]") {
  auto key = EcdsaP256PrivateKey::Generate();
  REQUIRE(key.ok());
  base::Bytes message = base::ToBytes("EK Export v1    and some keys");
  auto sig = key->Sign(message);
  REQUIRE(sig.ok());
  CHECK((*sig)[0] == 0x30);  // DER SEQUENCE
  EcdsaP256PublicKey pub = key->PublicKey();
  CHECK(pub.Verify(message, *sig).ok());

  SECTION("tampered message fails") {
    for (size_t i = 0; i < message.size(); ++i) {
      base::Bytes m = message;
      m[i] ^= 0x01;
      base::Status s = pub.Verify(m, *sig);
      CHECK(s.code() == base::StatusCode::kUnauthenticated);
      CHECK(s.message() == "signature verification failed");
    }
  }
  SECTION("tampered signature fails") {
    for (size_t i = 0; i < sig->size(); ++i) {
      base::Bytes s = *sig;
      s[i] ^= 0x80;
      CHECK_FALSE(pub.Verify(message, s).ok());
    }
    CHECK_FALSE(pub.Verify(message, base::ByteView()).ok());
    CHECK_FALSE(pub.Verify(message, base::ByteView(*sig).first(sig->size() - 1)).ok());
  }
  SECTION("another key does not verify") {
    auto other = EcdsaP256PrivateKey::Generate();
    CHECK_FALSE(other->PublicKey().Verify(message, *sig).ok());
  }
}

TEST_CASE("ECDSA keys round-trip through PEM and base64 SPKI", "[ecdsa]") {
  auto key = EcdsaP256PrivateKey::Generate();
  auto pem = key->ToPem();
  REQUIRE(pem.ok());
  CHECK(pem->find("-----BEGIN PRIVATE KEY-----") == 0);
  auto again = EcdsaP256PrivateKey::FromPem(*pem);
  REQUIRE(again.ok());
  base::Bytes message = base::ToBytes("hello");
  auto sig = again->Sign(message);
  CHECK(key->PublicKey().Verify(message, *sig).ok());

  std::string b64 = key->PublicKey().ToSpkiBase64();
  auto parsed = EcdsaP256PublicKey::FromSpkiBase64(b64);
  REQUIRE(parsed.ok());
  CHECK(parsed->Verify(message, *sig).ok());
  CHECK(EcdsaP256PublicKey::Parse(base::AsBytes(b64 + "\n"))->ToSpkiBase64() == b64);
  CHECK(EcdsaP256PublicKey::Parse(base::AsBytes(key->PublicKey().ToPem()))->ToSpkiBase64() == b64);
  CHECK(EcdsaP256PublicKey::Parse(key->PublicKey().ToSpkiDer())->ToSpkiBase64() == b64);
}

// RFC 6979 appendix A.2.5: P-256, SHA-256, message "sample" and "test".
TEST_CASE("ECDSA signatures are deterministic (RFC 6979 A.2.5)", "[ecdsa][vectors]") {
  auto key = EcdsaP256PrivateKey::FromScalar(
      testing::Hex("c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721"));
  REQUIRE(key.ok());
  auto der = [](const std::string& r, const std::string& s) {
    // SEQUENCE { INTEGER r, INTEGER s }, each with a leading zero when its top bit is set.
    auto integer = [](const std::string& hex) {
      std::string body = (std::stoi(hex.substr(0, 2), nullptr, 16) & 0x80) ? "00" + hex : hex;
      char len[3];
      std::snprintf(len, sizeof(len), "%02x", static_cast<unsigned>(body.size() / 2));
      return "02" + std::string(len) + body;
    };
    std::string seq = integer(r) + integer(s);
    char len[3];
    std::snprintf(len, sizeof(len), "%02x", static_cast<unsigned>(seq.size() / 2));
    return "30" + std::string(len) + seq;
  };
  auto sample = key->Sign(base::AsBytes("sample"));
  REQUIRE(sample.ok());
  CHECK(base::HexEncode(*sample) ==
        der("efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716",
            "f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8"));
  auto test = key->Sign(base::AsBytes("test"));
  REQUIRE(test.ok());
  CHECK(base::HexEncode(*test) ==
        der("f1abb023518351cd71d881567b1ea663ed3efcf6c5132b354f28d3b0b7d38367",
            "019f4113742a2b14bd25926b49c649155f267e60d3814b4c0cc84250e46f0083"));
  CHECK(key->PublicKey().Verify(base::AsBytes("sample"), *sample).ok());
  CHECK(*key->Sign(base::AsBytes("sample")) == *sample);
  CHECK(FromScalarRejects());
}

TEST_CASE("the upstream 310-v1 key parses and re-encodes identically", "[ecdsa][vectors]") {
  auto pub = EcdsaP256PublicKey::FromSpkiBase64(k310v1);
  REQUIRE(pub.ok());
  CHECK(pub->ToSpkiBase64() == k310v1);
}

TEST_CASE("malformed and wrong-curve keys are rejected", "[ecdsa]") {
  CHECK(EcdsaP256PublicKey::FromSpkiBase64("not base64!").status().code() ==
        base::StatusCode::kInvalidArgument);
  CHECK(EcdsaP256PublicKey::FromSpkiDer(base::ToBytes("\x30\x03\x02\x01\x01")).status().message() ==
        "not a DER SubjectPublicKeyInfo");
  base::Bytes der = *base::Base64Decode(k310v1);
  der.push_back(0);
  CHECK(EcdsaP256PublicKey::FromSpkiDer(der).status().message() ==
        "trailing bytes after SubjectPublicKeyInfo");
  // A P-384 key (openssl ecparam -name secp384r1 -genkey | openssl ec -pubout).
  constexpr char kP384[] =
      "MHYwEAYHKoZIzj0CAQYFK4EEACIDYgAE3kdBGI2zy+gjLgjPJw4op6iFxbq/Hmpq"
      "4e0duUnp4y+rS5tV7nknZvRYUcqoBHdN6OEZuu2m/e0sIvJgWjk4dUAniI3knH32"
      "7VvLzN3Q0AZz+JUTuTNHrRc5asysOcZS";
  auto p384 = EcdsaP256PublicKey::FromSpkiBase64(kP384);
  REQUIRE_FALSE(p384.ok());
  CHECK(p384.status().message() == "key is on curve 'secp384r1', want P-256");
  CHECK(EcdsaP256PrivateKey::FromPem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
            .status()
            .message() == "not a PEM private key");
}

}  // namespace
}  // namespace openen::crypto
