// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// The Verifier in-process, with a fake clock standing at every expiry edge.

#include "openen/verifier/verifier.h"

#include <rocksdb/db.h>

#include <catch2/catch.hpp>
#include <cctype>
#include <map>

#include "openen/base/clock.h"
#include "openen/crypto/hash.h"
#include "openen/crypto/interval.h"
#include "openen/wire/signed.h"
#include "test_util.h"

namespace openen::verifier {
namespace {

using openen::v1::CONFIRMED_TEST;
using testing::FilesContaining;
using testing::TempDir;

constexpr int64_t kNow = 1795000000;  // 2026-11-18T...; any fixed time works
const uint32_t kToday = crypto::RollingStart(crypto::EnIntervalNumber(kNow));

struct Fixture {
  TempDir dir;
  base::FakeClock clock{kNow};
  crypto::Ed25519PrivateKey key = crypto::Ed25519PrivateKey::Generate();
  std::unique_ptr<Verifier> verifier;

  explicit Fixture(VerifierOptions options = {}) { Reopen(options); }
  void Reopen(VerifierOptions options = {}) {
    verifier.reset();
    auto v = Verifier::Open(dir.Sub("db"), *crypto::Ed25519PrivateKey::FromSeed(key.seed().Reveal()),
                            options, &clock);
    REQUIRE(v.ok());
    verifier = std::move(*v);
  }
};

base::Bytes Hmac() { return base::Bytes(32, 0x42); }

const base::Status kInvalidCode(base::StatusCode::kNotFound, "invalid or expired code");
const base::Status kInvalidToken(base::StatusCode::kNotFound, "invalid or expired token");

TEST_CASE("issue, exchange and certify: the full flow", "[verifier]") {
  Fixture f;
  auto codes = f.verifier->IssueCode(CONFIRMED_TEST, kToday - 2 * 144);
  REQUIRE(codes.ok());
  CHECK(codes->short_code.size() == 16);
  CHECK(codes->short_code.find_first_not_of("0123456789") == std::string::npos);
  CHECK(codes->long_code.size() == 25);
  CHECK(codes->long_code.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789") == std::string::npos);
  CHECK(codes->short_code_expires_at == kNow + 15 * 60);
  CHECK(codes->long_code_expires_at == kNow + 24 * 3600);

  auto token = f.verifier->ExchangeCode(codes->short_code);
  REQUIRE(token.ok());
  CHECK(token->token.size() == 64);
  CHECK(token->expires_at == kNow + 24 * 3600);
  CHECK(token->test_type == CONFIRMED_TEST);
  CHECK(token->symptom_onset_interval == kToday - 2 * 144);

  auto env = f.verifier->Certify(token->token, Hmac());
  REQUIRE(env.ok());
  openen::v1::Certificate cert;
  REQUIRE(wire::OpenEnvelope(*env, wire::kCertificateContext, {f.key.PublicKey()}, &cert).ok());
  CHECK(cert.report_type() == CONFIRMED_TEST);
  CHECK(cert.symptom_onset_interval() == kToday - 2 * 144);
  CHECK(cert.key_hmac() == std::string(32, 0x42));
  CHECK(cert.issuer() == "openen-verifier");
  CHECK(cert.audience() == "openen-relay");
  CHECK(cert.expires_at() == kNow + 15 * 60);
  CHECK(cert.nonce().size() == 16);
}

TEST_CASE("consent to share with peers goes from the code to the certificate",
          "[verifier][federation]") {
  Fixture f;
  const auto certified = [&](bool share) {
    auto codes = f.verifier->IssueCode(CONFIRMED_TEST, 0, share);
    REQUIRE(codes.ok());
    CHECK(codes->share_with_peers == share);  // what the issuer is told
    auto token = f.verifier->ExchangeCode(codes->long_code);
    REQUIRE(token.ok());
    CHECK(token->share_with_peers == share);
    f.Reopen();  // through the stored token record
    auto env = f.verifier->Certify(token->token, Hmac());
    REQUIRE(env.ok());
    openen::v1::Certificate cert;
    REQUIRE(wire::OpenEnvelope(*env, wire::kCertificateContext, {f.key.PublicKey()}, &cert).ok());
    return cert.share_with_peers();
  };
  CHECK(certified(true));
  CHECK_FALSE(certified(false));
}

TEST_CASE("a code stored before consent existed (version 1) still works, without consent",
          "[verifier][federation]") {
  Fixture f;
  auto codes = f.verifier->IssueCode(CONFIRMED_TEST, 0, true);
  REQUIRE(codes.ok());
  f.verifier.reset();
  {
    // Rewrite both code records as version 1 wrote them: no flags byte.
    rocksdb::DB* raw = nullptr;
    REQUIRE(rocksdb::DB::Open({}, f.dir.Sub("db"), &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator({}));
    int rewritten = 0;
    for (it->Seek("c"); it->Valid() && it->key().starts_with("c"); it->Next()) {
      std::string v = it->value().ToString();
      REQUIRE(v.size() == 15 + 32);
      REQUIRE(v[0] == 2);
      v[0] = 1;
      v.erase(14, 1);
      REQUIRE(db->Put({}, it->key(), v).ok());
      ++rewritten;
    }
    CHECK(rewritten == 2);
  }
  f.Reopen();
  auto token = f.verifier->ExchangeCode(codes->short_code);
  REQUIRE(token.ok());
  CHECK_FALSE(token->share_with_peers);
  CHECK(f.verifier->Certify(token->token, Hmac()).ok());
}

TEST_CASE("the long code works too, and either code burns both", "[verifier]") {
  Fixture f;
  auto codes = f.verifier->IssueCode(CONFIRMED_TEST, 0);
  REQUIRE(f.verifier->ExchangeCode(codes->long_code).ok());
  CHECK(f.verifier->ExchangeCode(codes->long_code).status() == kInvalidCode);
  CHECK(f.verifier->ExchangeCode(codes->short_code).status() == kInvalidCode);
}

TEST_CASE("wrong, used and expired codes look the same", "[verifier]") {
  Fixture f;
  auto used = f.verifier->IssueCode(CONFIRMED_TEST, 0);
  REQUIRE(f.verifier->ExchangeCode(used->short_code).ok());
  auto expired = f.verifier->IssueCode(CONFIRMED_TEST, 0);
  f.clock.Advance(15 * 60);
  CHECK(f.verifier->ExchangeCode(used->short_code).status() == kInvalidCode);
  CHECK(f.verifier->ExchangeCode(expired->short_code).status() == kInvalidCode);
  CHECK(f.verifier->ExchangeCode("00000000").status() == kInvalidCode);
  CHECK(f.verifier->ExchangeCode("").status() == kInvalidCode);
  CHECK(f.verifier->ExchangeCode(std::string(10000, 'x')).status() == kInvalidCode);
}

TEST_CASE("codes and tokens expire at the exact second", "[verifier]") {
  Fixture f;
  auto a = f.verifier->IssueCode(CONFIRMED_TEST, 0);
  auto b = f.verifier->IssueCode(CONFIRMED_TEST, 0);
  auto c = f.verifier->IssueCode(CONFIRMED_TEST, 0);
  f.clock.Set(kNow + 15 * 60 - 1);
  CHECK(f.verifier->ExchangeCode(a->short_code).ok());  // last valid second
  f.clock.Set(kNow + 15 * 60);
  CHECK(f.verifier->ExchangeCode(b->short_code).status() == kInvalidCode);  // first invalid second
  f.clock.Set(kNow + 24 * 3600 - 1);
  auto token = f.verifier->ExchangeCode(b->long_code);  // long code: last valid second
  REQUIRE(token.ok());
  f.clock.Set(kNow + 24 * 3600);
  CHECK(f.verifier->ExchangeCode(c->long_code).status() == kInvalidCode);

  // Tokens live 24 hours from their exchange.
  const int64_t issued = f.clock.NowSeconds();
  auto t2 = f.verifier->IssueCode(CONFIRMED_TEST, 0);
  auto t3 = f.verifier->IssueCode(CONFIRMED_TEST, 0);
  auto t2_token = f.verifier->ExchangeCode(t2->short_code);
  auto t3_token = f.verifier->ExchangeCode(t3->short_code);
  REQUIRE(t2_token.ok());
  REQUIRE(t3_token.ok());
  f.clock.Set(issued + 24 * 3600 - 1);
  CHECK(f.verifier->Certify(t2_token->token, Hmac()).ok());
  f.clock.Set(issued + 24 * 3600);
  CHECK(f.verifier->Certify(t3_token->token, Hmac()).status() == kInvalidToken);
}

TEST_CASE("tokens are single-use - a bad HMAC does not burn one", "[verifier]") {
  Fixture f;
  auto codes = f.verifier->IssueCode(CONFIRMED_TEST, 0);
  auto token = f.verifier->ExchangeCode(codes->short_code);
  REQUIRE(token.ok());
  base::Status short_hmac = f.verifier->Certify(token->token, base::Bytes(31, 1)).status();
  CHECK(short_hmac ==
        base::Status(base::StatusCode::kInvalidArgument, "key_hmac is 31 bytes, want 32"));
  CHECK(f.verifier->Certify(token->token, base::Bytes(33, 1)).status().code() ==
        base::StatusCode::kInvalidArgument);
  CHECK(f.verifier->Certify(token->token, Hmac()).ok());
  CHECK(f.verifier->Certify(token->token, Hmac()).status() == kInvalidToken);
  CHECK(f.verifier->Certify("not a token", Hmac()).status() == kInvalidToken);
}

TEST_CASE("certificates verify with the published key only, and not after tampering", "[verifier]") {
  Fixture f;
  auto codes = f.verifier->IssueCode(openen::v1::SELF_REPORT, kToday);
  auto env = f.verifier->Certify(f.verifier->ExchangeCode(codes->short_code)->token, Hmac());
  REQUIRE(env.ok());
  openen::v1::Certificate cert;
  CHECK(wire::OpenEnvelope(*env, wire::kCertificateContext, {f.verifier->public_key()}, &cert).ok());
  CHECK(cert.report_type() == openen::v1::SELF_REPORT);
  CHECK_FALSE(wire::OpenEnvelope(*env, wire::kCertificateContext,
                                 {crypto::Ed25519PrivateKey::Generate().PublicKey()}, &cert)
                  .ok());
  // Tamper with each field: report type, onset, HMAC, audience, expiry.
  openen::v1::Certificate original;
  REQUIRE(original.ParseFromString(env->payload()));
  std::vector<std::function<void(openen::v1::Certificate*)>> edits = {
      [](auto* c) { c->set_report_type(CONFIRMED_TEST); },
      [](auto* c) { c->set_symptom_onset_interval(c->symptom_onset_interval() - 144); },
      [](auto* c) { (*c->mutable_key_hmac())[0] ^= 1; },
      [](auto* c) { c->set_audience("other-relay"); },
      [](auto* c) { c->set_expires_at(c->expires_at() + 3600); },
  };
  for (auto& edit : edits) {
    openen::v1::Certificate changed = original;
    edit(&changed);
    auto forged = *env;
    forged.set_payload(changed.SerializeAsString());
    CHECK(wire::OpenEnvelope(forged, wire::kCertificateContext, {f.verifier->public_key()}, &cert)
              .code() == base::StatusCode::kUnauthenticated);
  }
}

TEST_CASE("a guessing flood never refuses a valid code", "[verifier]") {
  Fixture f;
  auto codes = f.verifier->IssueCode(CONFIRMED_TEST, 0);
  auto other = f.verifier->IssueCode(CONFIRMED_TEST, 0);
  REQUIRE(codes.ok());
  // Far more wrong codes than any per-minute budget, all within one second.
  for (int i = 0; i < 5000; ++i) {
    REQUIRE(f.verifier->ExchangeCode(RandomShortCode(16)).status() == kInvalidCode);
  }
  CHECK(f.verifier->WrongCodes() == 5000);
  CHECK(f.verifier->ExchangeCode(codes->short_code).ok());
  CHECK(f.verifier->ExchangeCode(RandomLongCode()).status() == kInvalidCode);
  CHECK(f.verifier->ExchangeCode(other->long_code).ok());
  CHECK(f.verifier->WrongCodes() == 5001);
  CHECK(f.verifier->ChaffToken(RandomShortCode(16)).ok());  // chaff is not a wrong code
  CHECK(f.verifier->WrongCodes() == 5001);
}

TEST_CASE("codes are entered as read: groups, dashes and capitals", "[verifier]") {
  Fixture f;
  CHECK(GroupForReading("1234567890123456") == "1234 5678 9012 3456");
  CHECK(GroupForReading("12345") == "1234 5");
  CHECK(NormalizeCode(" 1234-5678 9012--3456 ") == "1234567890123456");
  CHECK(NormalizeCode("AbC-9z") == "abc9z");
  auto a = f.verifier->IssueCode(CONFIRMED_TEST, 0);
  auto b = f.verifier->IssueCode(CONFIRMED_TEST, 0);
  CHECK(f.verifier->ExchangeCode(GroupForReading(a->short_code)).ok());
  std::string upper = b->long_code;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  CHECK(f.verifier->ExchangeCode(upper.substr(0, 5) + "-" + upper.substr(5)).ok());
  // Other characters are not dropped: a code with one is wrong.
  auto c = f.verifier->IssueCode(CONFIRMED_TEST, 0);
  CHECK(f.verifier->ExchangeCode(c->short_code + ".").status() == kInvalidCode);
  CHECK(f.verifier->ExchangeCode(c->short_code.substr(1)).status() == kInvalidCode);
}

TEST_CASE("IssueCode validates the test type and onset, both sides of each limit", "[verifier]") {
  Fixture f;
  CHECK(f.verifier->IssueCode(openen::v1::REPORT_TYPE_UNSPECIFIED, 0).status().code() ==
        base::StatusCode::kInvalidArgument);
  CHECK(f.verifier->IssueCode(openen::v1::CONFIRMED_CLINICAL_DIAGNOSIS, 0).ok());
  CHECK(f.verifier->IssueCode(CONFIRMED_TEST, kToday).ok());
  CHECK(f.verifier->IssueCode(CONFIRMED_TEST, kToday + 144).status().message() ==
        "symptom_onset_interval " + std::to_string(kToday + 144) + " is in the future");
  CHECK(f.verifier->IssueCode(CONFIRMED_TEST, kToday - 28 * 144).ok());
  CHECK(f.verifier->IssueCode(CONFIRMED_TEST, kToday - 29 * 144).status().message() ==
        "symptom_onset_interval " + std::to_string(kToday - 29 * 144) + " is more than 28 days ago");
  CHECK(f.verifier->IssueCode(CONFIRMED_TEST, kToday + 1).status().message() ==
        "symptom_onset_interval " + std::to_string(kToday + 1) +
            " is not the start of a day (a multiple of 144)");
}

TEST_CASE("codes survive a restart - a different signing key cannot find them", "[verifier]") {
  Fixture f;
  auto codes = f.verifier->IssueCode(CONFIRMED_TEST, 0);
  f.Reopen();
  CHECK(f.verifier->ExchangeCode(codes->short_code).ok());

  auto more = f.verifier->IssueCode(CONFIRMED_TEST, 0);
  f.verifier.reset();
  auto other = Verifier::Open(f.dir.Sub("db"), crypto::Ed25519PrivateKey::Generate(), {}, &f.clock);
  REQUIRE(other.ok());
  CHECK((*other)->ExchangeCode(more->short_code).status() == kInvalidCode);
}

TEST_CASE("Maintain deletes expired codes and tokens", "[verifier]") {
  Fixture f;
  auto a = f.verifier->IssueCode(CONFIRMED_TEST, 0);
  auto b = f.verifier->IssueCode(CONFIRMED_TEST, 0);
  REQUIRE(f.verifier->ExchangeCode(b->short_code).ok());  // a token now lives 24 h
  CHECK(f.verifier->LiveRecords() == 3);                    // a's two codes and b's token
  CHECK(*f.verifier->Maintain() == 0);
  f.clock.Advance(15 * 60);
  CHECK(*f.verifier->Maintain() == 1);  // a's short code
  CHECK(f.verifier->LiveRecords() == 2);
  f.clock.Advance(24 * 3600);
  CHECK(*f.verifier->Maintain() == 2);  // a's long code and b's token
  CHECK(f.verifier->LiveRecords() == 0);
}

TEST_CASE("expired codes and tokens are deleted physically (byte scan for their lookup hashes)",
          "[verifier][privacy]") {
  Fixture f;
  auto lookup_key = crypto::HkdfSha256(f.key.seed().Reveal(), {},
                                       base::AsBytes("openen verifier lookup key v1"), 32);
  auto lookup = [&](const std::string& s) {
    auto d = crypto::HmacSha256(lookup_key->Reveal(), base::AsBytes(s));
    return base::Bytes(d.begin(), d.end());
  };
  auto unused = f.verifier->IssueCode(CONFIRMED_TEST, 0);
  auto exchanged = f.verifier->IssueCode(CONFIRMED_TEST, 0);
  auto token = f.verifier->ExchangeCode(exchanged->short_code);
  REQUIRE(token.ok());
  // Flushed to table files first, so that the scan must find what Maintain
  // leaves in them, not only in the write-ahead log.
  REQUIRE(f.verifier->Maintain().ok());
  const std::vector<std::pair<std::string, base::Bytes>> needles = {
      {"unused short code hash", lookup(unused->short_code)},
      {"unused long code hash", lookup(unused->long_code)},
      {"token hash", lookup(token->token)},
  };
  for (const auto& [what, needle] : needles) {
    INFO(what << " is on disk while live");
    CHECK_FALSE(FilesContaining(f.dir.path(), needle).empty());
  }
  f.clock.Advance(24 * 3600);  // every code and the token have expired
  REQUIRE(*f.verifier->Maintain() == 3);
  for (const auto& [what, needle] : needles) {
    auto files = FilesContaining(f.dir.path(), needle);
    std::string names;
    for (const auto& n : files) names += n + " ";
    INFO(what << " after expiry: " << names);
    CHECK(files.empty());
  }
}

TEST_CASE("after use, nothing in the data directory links a code to its certificate",
          "[verifier][privacy]") {
  Fixture f;
  auto lookup_key = crypto::HkdfSha256(f.key.seed().Reveal(), {},
                                       base::AsBytes("openen verifier lookup key v1"), 32);
  auto lookup = [&](const std::string& s) {
    auto d = crypto::HmacSha256(lookup_key->Reveal(), base::AsBytes(s));
    return base::Bytes(d.begin(), d.end());
  };
  auto codes = f.verifier->IssueCode(CONFIRMED_TEST, 0);
  REQUIRE(codes.ok());
  // The scan can see: right after issue the short code's hash is on disk.
  CHECK_FALSE(FilesContaining(f.dir.path(), lookup(codes->short_code)).empty());

  auto token = f.verifier->ExchangeCode(codes->short_code);
  auto env = f.verifier->Certify(token->token, Hmac());
  REQUIRE(env.ok());
  openen::v1::Certificate cert;
  REQUIRE(cert.ParseFromString(env->payload()));
  REQUIRE(f.verifier->Maintain().ok());

  std::vector<std::pair<std::string, base::Bytes>> needles = {
      {"short code", base::ToBytes(codes->short_code)},
      {"long code", base::ToBytes(codes->long_code)},
      {"token", base::ToBytes(token->token)},
      {"short code hash", lookup(codes->short_code)},
      {"long code hash", lookup(codes->long_code)},
      {"token hash", lookup(token->token)},
      {"key HMAC", base::ToBytes(cert.key_hmac())},
      {"certificate nonce", base::ToBytes(cert.nonce())},
      {"certificate signature", base::ToBytes(env->signature())},
  };
  for (const auto& [what, needle] : needles) {
    auto files = FilesContaining(f.dir.path(), needle);
    std::string names;
    for (const auto& n : files) names += n + " ";
    INFO(what << ": " << names);
    CHECK(files.empty());
  }
  CHECK(f.verifier->LiveRecords() == 0);
}

TEST_CASE("chaff answers have the real shapes and verify nowhere", "[verifier]") {
  Fixture f;
  auto t = *f.verifier->ChaffToken(RandomShortCode(16));
  CHECK(t.token.size() == 64);
  CHECK(t.expires_at == kNow + 24 * 3600);
  CHECK(f.verifier->Certify(t.token, Hmac()).status() == kInvalidToken);
  auto env = *f.verifier->ChaffCertificate(t.token, Hmac());
  openen::v1::Certificate cert;
  CHECK(wire::OpenEnvelope(env, wire::kCertificateContext, {f.verifier->public_key()}, &cert)
            .code() == base::StatusCode::kUnauthenticated);
  CHECK(env.signature().size() == 64);
  CHECK(env.signer_public_key() == std::string(base::AsChars(f.verifier->public_key().bytes())));
  // The certificate repeats nothing the phone sent: its HMAC is random.
  REQUIRE(cert.ParseFromString(env.payload()));
  CHECK(cert.key_hmac().size() == 32);
  CHECK(cert.key_hmac() != std::string(base::AsChars(Hmac())));
  CHECK(f.verifier->LiveRecords() == 0);
  // The checks of the real call, with its errors.
  CHECK(f.verifier->ChaffCertificate(t.token, base::Bytes(31, 1)).status() ==
        base::Status(base::StatusCode::kInvalidArgument, "key_hmac is 31 bytes, want 32"));

  // A chaff code that names a live code burns nothing.
  auto codes = f.verifier->IssueCode(CONFIRMED_TEST, 0);
  CHECK(f.verifier->ChaffToken(codes->short_code).ok());
  auto token = f.verifier->ExchangeCode(codes->short_code);
  REQUIRE(token.ok());
  CHECK(f.verifier->ChaffCertificate(token->token, Hmac()).ok());
  CHECK(f.verifier->Certify(token->token, Hmac()).ok());
  CHECK(f.verifier->LiveRecords() == 0);
}

TEST_CASE("invalid options are refused at open", "[verifier]") {
  TempDir dir;
  base::FakeClock clock(kNow);
  VerifierOptions o;
  o.short_code_digits = 11;
  CHECK(Verifier::Open(dir.Sub("db"), crypto::Ed25519PrivateKey::Generate(), o, &clock).status().message() ==
        "short code digits must be 12..20, got 11");
  o.short_code_digits = 21;
  CHECK(Verifier::Open(dir.Sub("db"), crypto::Ed25519PrivateKey::Generate(), o, &clock).status().message() ==
        "short code digits must be 12..20, got 21");
  o = {};
  o.audience = std::string(65, 'a');
  CHECK_FALSE(Verifier::Open(dir.Sub("db"), crypto::Ed25519PrivateKey::Generate(), o, &clock).ok());
  o = {};
  o.short_code_digits = 12;
  auto twelve = Verifier::Open(dir.Sub("db"), crypto::Ed25519PrivateKey::Generate(), o, &clock);
  REQUIRE(twelve.ok());
  CHECK((*twelve)->IssueCode(CONFIRMED_TEST, 0)->short_code.size() == 12);
  twelve->reset();
  o.short_code_digits = 20;
  auto twenty = Verifier::Open(dir.Sub("db"), crypto::Ed25519PrivateKey::Generate(), o, &clock);
  REQUIRE(twenty.ok());
  CHECK((*twenty)->IssueCode(CONFIRMED_TEST, 0)->short_code.size() == 20);
}

}  // namespace
}  // namespace openen::verifier

namespace openen::verifier {
namespace {

// Copy returns a copy of |key|.
crypto::Ed25519PrivateKey Copy(const crypto::Ed25519PrivateKey& key) {
  return *crypto::Ed25519PrivateKey::FromSeed(key.seed().Reveal());
}

TEST_CASE(
    "codes and tokens issued before a certificate key rotation stay valid under the previous key",
    "[verifier][rotation]") {
  Fixture f;
  auto before = f.verifier->IssueCode(CONFIRMED_TEST, kToday - 2 * 144);
  auto exchanged = f.verifier->IssueCode(CONFIRMED_TEST, 0);
  REQUIRE(before.ok());
  REQUIRE(exchanged.ok());
  auto token = f.verifier->ExchangeCode(exchanged->long_code);
  REQUIRE(token.ok());
  const crypto::Ed25519PrivateKey old_key = Copy(f.key);
  const crypto::Ed25519PrivateKey new_key = crypto::Ed25519PrivateKey::Generate();
  f.verifier.reset();

  SECTION("without the previous key they are gone") {
    auto v = Verifier::Open(f.dir.Sub("db"), Copy(new_key), {}, &f.clock);
    REQUIRE(v.ok());
    CHECK((*v)->ExchangeCode(before->short_code).status() == kInvalidCode);
    CHECK((*v)->Certify(token->token, Hmac()).status() == kInvalidToken);
  }
  SECTION("with it they count once, and certificates are signed by the new key only") {
    std::vector<crypto::Ed25519PrivateKey> previous;
    previous.push_back(Copy(old_key));
    auto v = Verifier::Open(f.dir.Sub("db"), Copy(new_key), {}, &f.clock, previous);
    REQUIRE(v.ok());
    Verifier& verifier = **v;
    CHECK(verifier.public_key() == new_key.PublicKey());
    auto second = verifier.ExchangeCode(before->short_code);
    REQUIRE(second.ok());
    CHECK(second->symptom_onset_interval == kToday - 2 * 144);
    // The pair is burnt together, as before the rotation.
    CHECK(verifier.ExchangeCode(before->long_code).status() == kInvalidCode);
    for (const std::string& t : {token->token, second->token}) {
      auto cert = verifier.Certify(t, Hmac());
      REQUIRE(cert.ok());
      openen::v1::Certificate c;
      CHECK(wire::OpenEnvelope(*cert, wire::kCertificateContext, {new_key.PublicKey()}, &c).ok());
      CHECK_FALSE(
          wire::OpenEnvelope(*cert, wire::kCertificateContext, {old_key.PublicKey()}, &c).ok());
      CHECK(verifier.Certify(t, Hmac()).status() == kInvalidToken);
    }
    // Codes issued now are stored under the new key: found without the old one.
    auto after = verifier.IssueCode(CONFIRMED_TEST, 0);
    REQUIRE(after.ok());
    v->reset();
    auto without = Verifier::Open(f.dir.Sub("db"), Copy(new_key), {}, &f.clock);
    REQUIRE(without.ok());
    CHECK((*without)->ExchangeCode(after->short_code).ok());
    without->reset();
    // The previous key is refused as the current one, or as a decommission key.
    std::vector<crypto::Ed25519PrivateKey> same;
    same.push_back(Copy(new_key));
    CHECK(Verifier::Open(f.dir.Sub("db"), Copy(new_key), {}, &f.clock, same).status().code() ==
          base::StatusCode::kInvalidArgument);
    VerifierOptions roles;
    roles.decommission_keys = {old_key.PublicKey()};
    CHECK(
        Verifier::Open(f.dir.Sub("db"), Copy(new_key), roles, &f.clock, previous).status().code() ==
        base::StatusCode::kInvalidArgument);
  }
}

// A tally that keeps what it is told.
struct RecordingTally final : CodeTally {
  std::map<int64_t, CodeCounts> days;
  void AddCounts(int64_t day, const CodeCounts& counts) override {
    days[day].issued += counts.issued;
    days[day].used += counts.used;
    days[day].expired += counts.expired;
  }
};

TEST_CASE("the tally hears the counts at maintenance and what is left when the verifier ends",
          "[verifier]") {
  testing::TempDir dir;
  base::FakeClock clock{kNow};
  RecordingTally tally;
  VerifierOptions options;
  options.tally = &tally;
  auto v = Verifier::Open(dir.Sub("db"), crypto::Ed25519PrivateKey::Generate(), options, &clock);
  REQUIRE(v.ok());
  auto first = (*v)->IssueCode(openen::v1::CONFIRMED_TEST, 0);
  REQUIRE(first.ok());
  REQUIRE((*v)->ExchangeCode(first->short_code).ok());
  CHECK(tally.days.empty());  // counted in memory, told at maintenance
  REQUIRE((*v)->Maintain().ok());
  const int64_t day = kNow / crypto::kDaySeconds;
  CHECK(tally.days[day].issued == 1);
  CHECK(tally.days[day].used == 1);
  REQUIRE((*v)->Maintain().ok());  // nothing new: nothing told twice
  CHECK(tally.days[day].issued == 1);
  REQUIRE((*v)->IssueCode(openen::v1::SELF_REPORT, 0).ok());
  v->reset();  // a stop after the last maintenance
  CHECK(tally.days[day].issued == 2);
  CHECK(tally.days.size() == 1);
}

}  // namespace
}  // namespace openen::verifier
