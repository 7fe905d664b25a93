// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// ECDSA over P-256 with SHA-256 and DER signatures: the signature of GAEN export
// files (export.sig), which phones verify with the public key their health
// authority registered (base64 SubjectPublicKeyInfo).

#ifndef OPENEN_CRYPTO_ECDSA_H_
#define OPENEN_CRYPTO_ECDSA_H_

#include <memory>
#include <string>
#include <string_view>

#include "openen/base/bytes.h"
#include "openen/base/status.h"
#include "openen/crypto/hash.h"

namespace openen::crypto {

// The X9.62 algorithm identifier that GAEN SignatureInfo carries.
inline constexpr std::string_view kEcdsaP256Sha256Oid = "1.2.840.10045.4.3.2";

class EcdsaP256PublicKey;

// EcdsaP256PrivateKey signs. Thread-safe for concurrent Sign calls.
class EcdsaP256PrivateKey {
 public:
  ~EcdsaP256PrivateKey();
  EcdsaP256PrivateKey(EcdsaP256PrivateKey&&) noexcept;
  EcdsaP256PrivateKey& operator=(EcdsaP256PrivateKey&&) noexcept;

  // Generate makes a fresh key from the OS CSPRNG.
  static base::StatusOr<EcdsaP256PrivateKey> Generate();
  // FromPem parses a PKCS#8 or SEC1 ("EC PRIVATE KEY") PEM. Fails unless the
  // key is on P-256.
  static base::StatusOr<EcdsaP256PrivateKey> FromPem(std::string_view pem);

  // FromScalar builds a key from its 32-byte big-endian private scalar (for
  // test vectors). Fails unless 0 < scalar < n.
  static base::StatusOr<EcdsaP256PrivateKey> FromScalar(base::ByteView scalar);

  // ToPem returns the key as unencrypted PKCS#8 PEM (store it with mode 0600).
  base::StatusOr<std::string> ToPem() const;
  EcdsaP256PublicKey PublicKey() const;

  // Sign returns the DER-encoded ECDSA signature of SHA-256(message), with
  // the nonce derived as RFC 6979 specifies: deterministic for a key and
  // message, so signed export files are reproducible byte for byte.
  base::StatusOr<base::Bytes> Sign(base::ByteView message) const;

 private:
  struct Impl;
  explicit EcdsaP256PrivateKey(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// EcdsaP256PublicKey verifies. Thread-safe for concurrent Verify calls.
class EcdsaP256PublicKey {
 public:
  ~EcdsaP256PublicKey();
  EcdsaP256PublicKey(EcdsaP256PublicKey&&) noexcept;
  EcdsaP256PublicKey& operator=(EcdsaP256PublicKey&&) noexcept;
  EcdsaP256PublicKey(const EcdsaP256PublicKey&);
  EcdsaP256PublicKey& operator=(const EcdsaP256PublicKey&);

  // FromSpkiDer parses a DER SubjectPublicKeyInfo; fails unless it is P-256.
  static base::StatusOr<EcdsaP256PublicKey> FromSpkiDer(base::ByteView der);
  // FromSpkiBase64 parses base64 DER SubjectPublicKeyInfo (as GAEN publishes it).
  static base::StatusOr<EcdsaP256PublicKey> FromSpkiBase64(std::string_view b64);
  // FromPem parses a "PUBLIC KEY" PEM.
  static base::StatusOr<EcdsaP256PublicKey> FromPem(std::string_view pem);
  // Parse accepts any of: PEM, base64 SPKI, or raw DER SPKI.
  static base::StatusOr<EcdsaP256PublicKey> Parse(base::ByteView text_or_der);

  base::Bytes ToSpkiDer() const;
  std::string ToSpkiBase64() const;
  std::string ToPem() const;

  // Verify checks a DER signature of SHA-256(message). Every failure, whatever
  // its cause, is the same UNAUTHENTICATED "signature verification failed".
  base::Status Verify(base::ByteView message, base::ByteView der_signature) const;
  // VerifyDigest is Verify for a message whose SHA-256 is |digest|, for a
  // reader that hashed the message as it streamed by.
  base::Status VerifyDigest(const Sha256Digest& digest, base::ByteView der_signature) const;

 private:
  friend class EcdsaP256PrivateKey;
  struct Impl;
  explicit EcdsaP256PublicKey(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace openen::crypto

#endif  // OPENEN_CRYPTO_ECDSA_H_
