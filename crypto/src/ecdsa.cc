// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/crypto/ecdsa.h"

// Deterministic signing (RFC 6979) needs ECDSA_do_sign_ex, which OpenSSL 3.0
// keeps only in its deprecated EC_KEY interface (3.2 added "nonce-type").
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstring>

#include "openen/crypto/hash.h"
#include "openen/crypto/secret.h"

namespace openen::crypto {
namespace {

struct PkeyDeleter {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;
struct BioDeleter {
  void operator()(BIO* b) const { BIO_free(b); }
};
using BioPtr = std::unique_ptr<BIO, BioDeleter>;
struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;

base::Status CheckP256(EVP_PKEY* key) {
  if (EVP_PKEY_get_base_id(key) != EVP_PKEY_EC) {
    return base::InvalidArgumentError("key is not an elliptic-curve key");
  }
  char group[64] = {};
  size_t len = 0;
  if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
                                     &len) != 1 ||
      std::strcmp(group, "prime256v1") != 0) {
    return base::InvalidArgumentError(std::string("key is on curve '") + group + "', want P-256");
  }
  return base::Status::Ok();
}

std::string BioToString(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  return std::string(data, n > 0 ? static_cast<size_t>(n) : 0);
}

base::Status VerificationFailed() {
  return base::UnauthenticatedError("signature verification failed");
}

}  // namespace

struct EcdsaP256PrivateKey::Impl {
  PkeyPtr key;
};
struct EcdsaP256PublicKey::Impl {
  PkeyPtr key;
};

EcdsaP256PrivateKey::EcdsaP256PrivateKey(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
EcdsaP256PrivateKey::~EcdsaP256PrivateKey() = default;
EcdsaP256PrivateKey::EcdsaP256PrivateKey(EcdsaP256PrivateKey&&) noexcept = default;
EcdsaP256PrivateKey& EcdsaP256PrivateKey::operator=(EcdsaP256PrivateKey&&) noexcept = default;

base::StatusOr<EcdsaP256PrivateKey> EcdsaP256PrivateKey::Generate() {
  PkeyPtr key(EVP_EC_gen("P-256"));
  if (!key) return base::InternalError("P-256 key generation failed");
  return EcdsaP256PrivateKey(std::make_unique<Impl>(Impl{std::move(key)}));
}

base::StatusOr<EcdsaP256PrivateKey> EcdsaP256PrivateKey::FromPem(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key) return base::InvalidArgumentError("not a PEM private key");
  OPENEN_RETURN_IF_ERROR(CheckP256(key.get()));
  return EcdsaP256PrivateKey(std::make_unique<Impl>(Impl{std::move(key)}));
}

base::StatusOr<std::string> EcdsaP256PrivateKey::ToPem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), impl_->key.get(), nullptr, nullptr, 0, nullptr,
                                       nullptr) != 1) {
    return base::InternalError("cannot encode private key as PEM");
  }
  return BioToString(bio.get());
}

EcdsaP256PublicKey EcdsaP256PrivateKey::PublicKey() const {
  // Round-trip through SPKI so that the public object holds no private scalar.
  unsigned char* der = nullptr;
  int len = i2d_PUBKEY(impl_->key.get(), &der);
  const unsigned char* p = der;
  PkeyPtr pub(d2i_PUBKEY(nullptr, &p, len));
  OPENSSL_free(der);
  return EcdsaP256PublicKey(std::make_unique<EcdsaP256PublicKey::Impl>(
      EcdsaP256PublicKey::Impl{std::move(pub)}));
}

namespace {

struct BnDeleter {
  void operator()(BIGNUM* b) const { BN_clear_free(b); }
};
using BnPtr = std::unique_ptr<BIGNUM, BnDeleter>;
struct BnCtxDeleter {
  void operator()(BN_CTX* c) const { BN_CTX_free(c); }
};
struct EcKeyDeleter {
  void operator()(EC_KEY* k) const { EC_KEY_free(k); }
};
struct EcPointDeleter {
  void operator()(EC_POINT* p) const { EC_POINT_free(p); }
};
struct EcdsaSigDeleter {
  void operator()(ECDSA_SIG* s) const { ECDSA_SIG_free(s); }
};

// Rfc6979 yields the RFC 6979 §3.2 nonce candidates for (x, h) on a 256-bit
// curve with HMAC-SHA256 (qlen = hlen = 256, so bits2int is the identity).
class Rfc6979 {
 public:
  Rfc6979(const uint8_t x[32], const uint8_t h_mod_q[32]) {
    std::memset(v_, 0x01, 32);
    std::memset(k_, 0x00, 32);
    Step(0x00, x, h_mod_q);
    Step(0x01, x, h_mod_q);
  }
  ~Rfc6979() {
    Wipe(k_);
    Wipe(v_);
  }
  // Next writes the next candidate T into t[32].
  void Next(uint8_t t[32]) {
    if (started_) {  // §3.2 h.3: K = HMAC_K(V || 0x00); V = HMAC_K(V)
      uint8_t zero = 0x00;
      Mac(k_, {v_, base::ByteView(&zero, 1)});
      Mac(v_, {v_});
    }
    started_ = true;
    Mac(v_, {v_});
    std::memcpy(t, v_, 32);
  }

 private:
  void Step(uint8_t sep, const uint8_t x[32], const uint8_t h[32]) {
    Mac(k_, {v_, base::ByteView(&sep, 1), base::ByteView(x, 32), base::ByteView(h, 32)});
    Mac(v_, {v_});
  }
  void Mac(uint8_t out[32], std::initializer_list<base::ByteView> parts) {
    base::Bytes msg;
    for (base::ByteView p : parts) msg.insert(msg.end(), p.begin(), p.end());
    Sha256Digest d = HmacSha256(base::ByteView(k_, 32), msg);
    Wipe(msg);
    std::memcpy(out, d.data(), 32);
    Wipe(d);
  }
  uint8_t v_[32], k_[32];
  bool started_ = false;
};

}  // namespace

base::StatusOr<base::Bytes> EcdsaP256PrivateKey::Sign(base::ByteView message) const {
  // RFC 6979 deterministic ECDSA: the same key and message always give the
  // same signature, so export files are reproducible byte for byte, and no
  // signature depends on the quality of a random nonce.
  const base::Status failed = base::InternalError("ECDSA signing failed");
  std::unique_ptr<EC_KEY, EcKeyDeleter> ec(EVP_PKEY_get1_EC_KEY(impl_->key.get()));
  std::unique_ptr<BN_CTX, BnCtxDeleter> bn_ctx(BN_CTX_secure_new());
  if (!ec || !bn_ctx) return failed;
  const EC_GROUP* group = EC_KEY_get0_group(ec.get());
  const BIGNUM* order = EC_GROUP_get0_order(group);
  const BIGNUM* x = EC_KEY_get0_private_key(ec.get());

  Sha256Digest h = Sha256(message);
  BnPtr h_mod_q(BN_bin2bn(h.data(), 32, nullptr));
  if (!h_mod_q || BN_nnmod(h_mod_q.get(), h_mod_q.get(), order, bn_ctx.get()) != 1) return failed;
  uint8_t x_bytes[32], h_bytes[32];
  if (BN_bn2binpad(x, x_bytes, 32) != 32 || BN_bn2binpad(h_mod_q.get(), h_bytes, 32) != 32) {
    return failed;
  }
  Rfc6979 nonces(x_bytes, h_bytes);
  Wipe(x_bytes);

  BnPtr k(BN_secure_new()), r(BN_new()), kinv(BN_secure_new()), order_minus_2(BN_dup(order));
  std::unique_ptr<EC_POINT, EcPointDeleter> point(EC_POINT_new(group));
  if (!k || !r || !kinv || !order_minus_2 || !point || BN_sub_word(order_minus_2.get(), 2) != 1) return failed;
  // The nonce is as secret as the key: every operation on it is constant time.
  BN_set_flags(k.get(), BN_FLG_CONSTTIME);
  for (int attempt = 0; attempt < 64; ++attempt) {
    uint8_t t[32];
    nonces.Next(t);
    BN_bin2bn(t, 32, k.get());
    Wipe(t);
    if (BN_is_zero(k.get()) || BN_cmp(k.get(), order) >= 0) continue;
    // r = x-coordinate of k*G mod q; kinv = k^-1 mod q.
    if (EC_POINT_mul(group, point.get(), k.get(), nullptr, nullptr, bn_ctx.get()) != 1 ||
        EC_POINT_get_affine_coordinates(group, point.get(), r.get(), nullptr, bn_ctx.get()) != 1 ||
        BN_nnmod(r.get(), r.get(), order, bn_ctx.get()) != 1) {
      return failed;
    }
    if (BN_is_zero(r.get())) continue;
    // k^-1 = k^(q-2) mod q (Fermat; q is prime) with a constant-time
    // exponentiation, as OpenSSL's own ECDSA does: BN_mod_inverse's binary
    // extended Euclid branches on the bits of k.
    if (BN_mod_exp_mont_consttime(kinv.get(), k.get(), order_minus_2.get(), order, bn_ctx.get(), nullptr) != 1) {
      return failed;
    }
    std::unique_ptr<ECDSA_SIG, EcdsaSigDeleter> sig(
        ECDSA_do_sign_ex(h.data(), 32, kinv.get(), r.get(), ec.get()));
    if (!sig) continue;  // s == 0: take the next candidate, as RFC 6979 §3.4 says
    unsigned char* der = nullptr;
    int len = i2d_ECDSA_SIG(sig.get(), &der);
    if (len <= 0) return failed;
    base::Bytes out(der, der + len);
    OPENSSL_free(der);
    return out;
  }
  return failed;
}

base::StatusOr<EcdsaP256PrivateKey> EcdsaP256PrivateKey::FromScalar(base::ByteView scalar) {
  if (scalar.size() != 32) {
    return base::InvalidArgumentError("P-256 private scalar is " + std::to_string(scalar.size()) +
                                      " bytes, want 32");
  }
  std::unique_ptr<EC_KEY, EcKeyDeleter> ec(EC_KEY_new_by_curve_name(NID_X9_62_prime256v1));
  BnPtr d(BN_bin2bn(scalar.data(), 32, nullptr));
  std::unique_ptr<EC_POINT, EcPointDeleter> pub(ec ? EC_POINT_new(EC_KEY_get0_group(ec.get()))
                                                   : nullptr);
  if (!ec || !d || !pub) return base::InternalError("cannot allocate P-256 key");
  const EC_GROUP* group = EC_KEY_get0_group(ec.get());
  if (BN_is_zero(d.get()) || BN_cmp(d.get(), EC_GROUP_get0_order(group)) >= 0) {
    return base::InvalidArgumentError("P-256 private scalar is out of range");
  }
  if (EC_POINT_mul(group, pub.get(), d.get(), nullptr, nullptr, nullptr) != 1 ||
      EC_KEY_set_private_key(ec.get(), d.get()) != 1 ||
      EC_KEY_set_public_key(ec.get(), pub.get()) != 1) {
    return base::InternalError("cannot build P-256 key");
  }
  PkeyPtr key(EVP_PKEY_new());
  if (!key || EVP_PKEY_set1_EC_KEY(key.get(), ec.get()) != 1) {
    return base::InternalError("cannot build P-256 key");
  }
  return EcdsaP256PrivateKey(std::make_unique<Impl>(Impl{std::move(key)}));
}

EcdsaP256PublicKey::EcdsaP256PublicKey(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
EcdsaP256PublicKey::~EcdsaP256PublicKey() = default;
EcdsaP256PublicKey::EcdsaP256PublicKey(EcdsaP256PublicKey&&) noexcept = default;
EcdsaP256PublicKey& EcdsaP256PublicKey::operator=(EcdsaP256PublicKey&&) noexcept = default;
EcdsaP256PublicKey::EcdsaP256PublicKey(const EcdsaP256PublicKey& other)
    : impl_(std::make_unique<Impl>()) {
  EVP_PKEY_up_ref(other.impl_->key.get());
  impl_->key.reset(other.impl_->key.get());
}
EcdsaP256PublicKey& EcdsaP256PublicKey::operator=(const EcdsaP256PublicKey& other) {
  if (this != &other) *this = EcdsaP256PublicKey(other);
  return *this;
}

base::StatusOr<EcdsaP256PublicKey> EcdsaP256PublicKey::FromSpkiDer(base::ByteView der) {
  const unsigned char* p = der.data();
  PkeyPtr key(d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size())));
  if (!key) return base::InvalidArgumentError("not a DER SubjectPublicKeyInfo");
  if (p != der.data() + der.size()) {
    return base::InvalidArgumentError("trailing bytes after SubjectPublicKeyInfo");
  }
  OPENEN_RETURN_IF_ERROR(CheckP256(key.get()));
  return EcdsaP256PublicKey(std::make_unique<Impl>(Impl{std::move(key)}));
}

base::StatusOr<EcdsaP256PublicKey> EcdsaP256PublicKey::FromSpkiBase64(std::string_view b64) {
  auto der = base::Base64Decode(b64);
  if (!der.ok()) return der.status().WithContext("public key");
  return FromSpkiDer(*der);
}

base::StatusOr<EcdsaP256PublicKey> EcdsaP256PublicKey::FromPem(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  PkeyPtr key(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  if (!key) return base::InvalidArgumentError("not a PEM public key");
  OPENEN_RETURN_IF_ERROR(CheckP256(key.get()));
  return EcdsaP256PublicKey(std::make_unique<Impl>(Impl{std::move(key)}));
}

base::StatusOr<EcdsaP256PublicKey> EcdsaP256PublicKey::Parse(base::ByteView text_or_der) {
  std::string_view text = base::AsChars(text_or_der);
  if (text.find("-----BEGIN") != std::string_view::npos) return FromPem(text);
  if (!text_or_der.empty() && text_or_der[0] == 0x30) {
    auto der = FromSpkiDer(text_or_der);
    if (der.ok()) return der;
  }
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
    text.remove_suffix(1);
  }
  return FromSpkiBase64(text);
}

base::Bytes EcdsaP256PublicKey::ToSpkiDer() const {
  unsigned char* der = nullptr;
  int len = i2d_PUBKEY(impl_->key.get(), &der);
  base::Bytes out(der, der + (len > 0 ? len : 0));
  OPENSSL_free(der);
  return out;
}

std::string EcdsaP256PublicKey::ToSpkiBase64() const { return base::Base64Encode(ToSpkiDer()); }

std::string EcdsaP256PublicKey::ToPem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PUBKEY(bio.get(), impl_->key.get());
  return BioToString(bio.get());
}

base::Status EcdsaP256PublicKey::Verify(base::ByteView message,
                                        base::ByteView der_signature) const {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit_ex(ctx.get(), nullptr, "SHA256", nullptr, nullptr,
                                      impl_->key.get(), nullptr) != 1) {
    return VerificationFailed();
  }
  if (EVP_DigestVerify(ctx.get(), der_signature.data(), der_signature.size(), message.data(),
                       message.size()) != 1) {
    return VerificationFailed();
  }
  return base::Status::Ok();
}

base::Status EcdsaP256PublicKey::VerifyDigest(const Sha256Digest& digest,
                                              base::ByteView der_signature) const {
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(
      EVP_PKEY_CTX_new_from_pkey(nullptr, impl_->key.get(), nullptr), EVP_PKEY_CTX_free);
  if (!ctx || EVP_PKEY_verify_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_signature_md(ctx.get(), EVP_sha256()) != 1 ||
      EVP_PKEY_verify(ctx.get(), der_signature.data(), der_signature.size(), digest.data(),
                      digest.size()) != 1) {
    return VerificationFailed();
  }
  return base::Status::Ok();
}

}  // namespace openen::crypto
