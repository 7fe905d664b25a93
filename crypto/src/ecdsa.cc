// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/crypto/ecdsa.h"

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstring>

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

Status CheckP256(EVP_PKEY* key) {
  if (EVP_PKEY_get_base_id(key) != EVP_PKEY_EC) {
    return InvalidArgumentError("key is not an elliptic-curve key");
  }
  char group[64] = {};
  size_t len = 0;
  if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
                                     &len) != 1 ||
      std::strcmp(group, "prime256v1") != 0) {
    return InvalidArgumentError(std::string("key is on curve '") + group + "', want P-256");
  }
  return Status::Ok();
}

std::string BioToString(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  return std::string(data, n > 0 ? static_cast<size_t>(n) : 0);
}

Status VerificationFailed() { return UnauthenticatedError("signature verification failed"); }

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

StatusOr<EcdsaP256PrivateKey> EcdsaP256PrivateKey::Generate() {
  PkeyPtr key(EVP_EC_gen("P-256"));
  if (!key) return InternalError("P-256 key generation failed");
  return EcdsaP256PrivateKey(std::make_unique<Impl>(Impl{std::move(key)}));
}

StatusOr<EcdsaP256PrivateKey> EcdsaP256PrivateKey::FromPem(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key) return InvalidArgumentError("not a PEM private key");
  OPENEN_RETURN_IF_ERROR(CheckP256(key.get()));
  return EcdsaP256PrivateKey(std::make_unique<Impl>(Impl{std::move(key)}));
}

StatusOr<std::string> EcdsaP256PrivateKey::ToPem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), impl_->key.get(), nullptr, nullptr, 0, nullptr,
                                       nullptr) != 1) {
    return InternalError("cannot encode private key as PEM");
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

StatusOr<Bytes> EcdsaP256PrivateKey::Sign(ByteView message) const {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  size_t sig_len = 0;
  if (!ctx ||
      EVP_DigestSignInit_ex(ctx.get(), nullptr, "SHA256", nullptr, nullptr, impl_->key.get(),
                            nullptr) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &sig_len, message.data(), message.size()) != 1) {
    return InternalError("ECDSA signing setup failed");
  }
  Bytes sig(sig_len);
  if (EVP_DigestSign(ctx.get(), sig.data(), &sig_len, message.data(), message.size()) != 1) {
    return InternalError("ECDSA signing failed");
  }
  sig.resize(sig_len);
  return sig;
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

StatusOr<EcdsaP256PublicKey> EcdsaP256PublicKey::FromSpkiDer(ByteView der) {
  const unsigned char* p = der.data();
  PkeyPtr key(d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size())));
  if (!key) return InvalidArgumentError("not a DER SubjectPublicKeyInfo");
  if (p != der.data() + der.size()) {
    return InvalidArgumentError("trailing bytes after SubjectPublicKeyInfo");
  }
  OPENEN_RETURN_IF_ERROR(CheckP256(key.get()));
  return EcdsaP256PublicKey(std::make_unique<Impl>(Impl{std::move(key)}));
}

StatusOr<EcdsaP256PublicKey> EcdsaP256PublicKey::FromSpkiBase64(std::string_view b64) {
  auto der = Base64Decode(b64);
  if (!der.ok()) return der.status().WithContext("public key");
  return FromSpkiDer(*der);
}

StatusOr<EcdsaP256PublicKey> EcdsaP256PublicKey::FromPem(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  PkeyPtr key(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  if (!key) return InvalidArgumentError("not a PEM public key");
  OPENEN_RETURN_IF_ERROR(CheckP256(key.get()));
  return EcdsaP256PublicKey(std::make_unique<Impl>(Impl{std::move(key)}));
}

StatusOr<EcdsaP256PublicKey> EcdsaP256PublicKey::Parse(ByteView text_or_der) {
  std::string_view text = AsChars(text_or_der);
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

Bytes EcdsaP256PublicKey::ToSpkiDer() const {
  unsigned char* der = nullptr;
  int len = i2d_PUBKEY(impl_->key.get(), &der);
  Bytes out(der, der + (len > 0 ? len : 0));
  OPENSSL_free(der);
  return out;
}

std::string EcdsaP256PublicKey::ToSpkiBase64() const { return Base64Encode(ToSpkiDer()); }

std::string EcdsaP256PublicKey::ToPem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PUBKEY(bio.get(), impl_->key.get());
  return BioToString(bio.get());
}

Status EcdsaP256PublicKey::Verify(ByteView message, ByteView der_signature) const {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit_ex(ctx.get(), nullptr, "SHA256", nullptr, nullptr,
                                      impl_->key.get(), nullptr) != 1) {
    return VerificationFailed();
  }
  if (EVP_DigestVerify(ctx.get(), der_signature.data(), der_signature.size(), message.data(),
                       message.size()) != 1) {
    return VerificationFailed();
  }
  return Status::Ok();
}

}  // namespace openen::crypto
