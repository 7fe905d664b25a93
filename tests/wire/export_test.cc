// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/wire/export.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstring>
#include <random>

#include "export_zip.h"  // internal: to rebuild zips with tampered members
#include "gaen/export.pb.h"
#include "openen/crypto/hash.h"
#include "openen/crypto/random.h"
#include "random_batch.h"
#include "test_util.h"
#include "zip_bombs.h"

namespace openen::wire {
namespace {

using crypto::EcdsaP256PrivateKey;
using crypto::EcdsaP256PublicKey;

// Upstream keys (google/exposure-notifications-internals and -server tests).
constexpr char k310v1[] =
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE49JY6kekDgxj3Crm4y6kEHdfoKQFSNDM4mV9cgDb+"
    "e5nOAw0GeRoRThCu9/"
    "wX5wDT2QloFoOjl2pGZHI0f3C3w==";
constexpr char kExampleServerV1[] =
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEUczyMAkfSeoU77Nmcb1G7t7xyGCAhQqMOIVDFLFas3J+"
    "elP7CiotovigCLWj706F"
    "07j1EPL27ThRzZl7Ha9uOA==";

base::Bytes ReadVector(const std::string& name) {
  return base::ToBytes(testing::ReadFile(testing::VectorPath(name)));
}

ExportKey Key(const std::string& data, std::optional<int32_t> tr, int32_t rsin,
              std::optional<int32_t> rp, std::optional<ReportType> type,
              std::optional<int32_t> dsos) {
  return ExportKey{base::ToBytes(data), tr, rsin, rp, type, dsos};
}

TEST_CASE("export.bin is byte-exact with the upstream 137-byte vector", "[export][vectors]") {
  // google/exposure-notifications-server internal/export/exportfile_test.go
  ExportBatch batch;
  batch.header = {1588291200, 1588294800, "US", 1, 1, {{"1", "310", "1.2.840.10045.4.3.2"}}};
  batch.keys = {Key("GHI", 5, 118, 1, ReportType::kSelfReport, -1),
                Key("ABC", 8, 18, 0, ReportType::kConfirmedClinicalDiagnosis, 0),
                Key("DEF", 1, 118, 1, ReportType::kConfirmedTest, -1)};
  batch.revised_keys = {Key("123", 4, 100, std::nullopt, ReportType::kRevoked, std::nullopt)};
  base::Bytes bin = EncodeExportBin(batch);
  CHECK(bin.size() == 137);
  CHECK(base::HexEncode(crypto::Sha256(bin)) ==
        "868f40a943e5797a06b38c1ce4f11453b32f6d3a03af212743eac9f056f51ef7");
}

TEST_CASE("the upstream sample export parses and verifies with 310-v1 only", "[export][vectors]") {
  auto file = ExportFile::Parse(ReadVector("gaen-sample-export.zip"));
  REQUIRE(file.ok());
  CHECK(file->key_count() == 140);
  CHECK(file->revised_key_count() == 0);
  CHECK(file->header().region == "US");
  CHECK(file->header().start_timestamp == 1593633600);
  CHECK(file->header().end_timestamp == 1593633900);
  CHECK(file->header().batch_num == 1);
  CHECK(file->header().batch_size == 1);
  REQUIRE(file->header().signature_infos.size() == 1);
  CHECK(file->header().signature_infos[0] == SignatureInfo{"v1", "310", "1.2.840.10045.4.3.2"});
  auto keys = file->Keys();
  CHECK(base::HexEncode(keys[0].key_data) == "0003d60b188f19856e8b3dd29a0c463b");
  CHECK(keys[0].transmission_risk_level == 3);
  CHECK(keys[0].rolling_start_interval_number == 2653920);
  CHECK_FALSE(keys[0].rolling_period.has_value());
  CHECK(keys[0].RollingPeriod() == 144);

  auto good = EcdsaP256PublicKey::FromSpkiBase64(k310v1);
  auto example = EcdsaP256PublicKey::FromSpkiBase64(kExampleServerV1);
  REQUIRE(good.ok());
  REQUIRE(example.ok());
  CHECK(file->Verify({{"310-v1", *good}}).ok());
  CHECK(file->VerifyWithKey(*good).ok());

  base::Status wrong = file->Verify({{"310-v1", *example}});
  CHECK(wrong.code() == base::StatusCode::kUnauthenticated);
  CHECK(wrong.message() == "signature by 310-v1 does not verify");
  CHECK(file->VerifyWithKey(*example).code() == base::StatusCode::kUnauthenticated);
  CHECK(file->Verify({{"ExampleServer-v1", *example}}).message() ==
        "no signature by a trusted key (signed by: 310-v1)");
  CHECK_FALSE(file->Verify({}).ok());
}

TEST_CASE("flipping any byte of the sample's export.bin breaks its signature",
          "[export][vectors]") {
  base::Bytes zip = ReadVector("gaen-sample-export.zip");
  base::Bytes bin;
  std::optional<base::Bytes> sig;
  REQUIRE(internal::ReadExportZip(zip, &bin, &sig).ok());
  REQUIRE(sig.has_value());
  auto key = EcdsaP256PublicKey::FromSpkiBase64(k310v1);
  for (size_t i = 0; i < bin.size(); ++i) {
    base::Bytes tampered = bin;
    tampered[i] ^= 0x01;
    auto rezipped = internal::WriteZip({{"export.bin", tampered}, {"export.sig", *sig}});
    REQUIRE(rezipped.ok());
    auto file = ExportFile::Parse(*rezipped);
    // Some flips make the file unparseable; every other one must fail to verify.
    if (file.ok()) {
      INFO("byte " << i);
      REQUIRE_FALSE(file->Verify({{"310-v1", *key}}).ok());
      REQUIRE_FALSE(file->VerifyWithKey(*key).ok());
    }
  }
}

TEST_CASE("the upstream unsigned export.bin files parse", "[export][vectors]") {
  auto app = ExportFile::Parse(ReadVector("internals-app-export.bin"));
  REQUIRE(app.ok());
  CHECK(app->key_count() == 110);
  CHECK(app->header().start_timestamp == 1588885200);
  CHECK(app->header().end_timestamp == 1588890000);
  CHECK(app->header().region == "US");
  // Its SignatureInfo holds only the removed field 2 (android_package).
  REQUIRE(app->header().signature_infos.size() == 1);
  CHECK(app->header().signature_infos[0] == SignatureInfo{});
  CHECK_FALSE(app->has_signature_file());
  CHECK(app->Verify({}).message() == "export has no export.sig");
  auto keys = app->Keys();
  CHECK(base::HexEncode(keys.front().key_data) == "00e484ab69328ecfca4ce547deea3e0d");
  CHECK(keys.front().rolling_start_interval_number == 2645035);
  CHECK(keys.front().rolling_period == 117);
  CHECK(base::HexEncode(keys.back().key_data) == "ff696927de321416d584acc08839aa6b");
  CHECK(keys.back().rolling_period == 55);

  auto cpp = ExportFile::Parse(ReadVector("internals-cpp-export.bin"));
  REQUIRE(cpp.ok());
  CHECK(cpp->key_count() == 200);
  CHECK(cpp->header().start_timestamp == 1588425586);
  auto cpp_keys = cpp->Keys();
  CHECK(base::HexEncode(cpp_keys.front().key_data) == "00068b4d1fb011b9c9ae2744419d4ab3");
  CHECK(cpp_keys.front().rolling_start_interval_number == 2625468);
  CHECK(cpp_keys.front().rolling_period == 141);
  CHECK(cpp_keys.front().transmission_risk_level == 2);
  int32_t min_rp = 144;
  for (const auto& k : cpp_keys) min_rp = std::min(min_rp, k.RollingPeriod());
  CHECK(min_rp == 1);
}

using testing::RandomBatch;

bool KeyDataLess(const ExportKey& a, const ExportKey& b) {
  // All keys here are 16 bytes; memcmp keeps GCC 12's -Wstringop-overread quiet.
  return std::memcmp(a.key_data.data(), b.key_data.data(), 16) < 0;
}

std::vector<ExportKey> Sorted(std::vector<ExportKey> v) {
  std::sort(v.begin(), v.end(), KeyDataLess);
  return v;
}

TEST_CASE("write then read random batches round-trips every field", "[export]") {
  std::mt19937 rng(42);
  auto signer = EcdsaP256PrivateKey::Generate();
  REQUIRE(signer.ok());
  for (size_t n : {size_t{0}, size_t{1}, size_t{30}, size_t{1000}}) {
    ExportBatch batch = RandomBatch(rng, n, n / 3 + 1);
    if (!batch.keys.empty()) batch.keys[0].days_since_onset_of_symptoms = -14;  // negative onset
    auto zip = WriteExportZip(batch, {{{"v1", "999", ""}, &*signer}});
    REQUIRE(zip.ok());
    auto file = ExportFile::Parse(*zip);
    REQUIRE(file.ok());
    CHECK(file->key_count() == batch.keys.size());
    CHECK(file->Keys() == Sorted(batch.keys));
    CHECK(file->Keys(KeyList::kRevisedKeys) == Sorted(batch.revised_keys));
    CHECK(file->header().region == "IE");
    CHECK(file->header().start_timestamp == batch.header.start_timestamp);
    REQUIRE(file->header().signature_infos.size() == 1);
    CHECK(file->header().signature_infos[0].signature_algorithm == "1.2.840.10045.4.3.2");
    CHECK(file->Verify({{"999-v1", signer->PublicKey()}}).ok());
    // Keys come out sorted by key bytes.
    auto keys = file->Keys();
    CHECK(std::is_sorted(keys.begin(), keys.end(), KeyDataLess));
  }
}

TEST_CASE("the same batch and key give the same zip bytes", "[export]") {
  std::mt19937 rng(7);
  ExportBatch batch = RandomBatch(rng, 200, 5);
  auto signer = EcdsaP256PrivateKey::Generate();
  auto a = WriteExportZip(batch, {{{"v1", "1", ""}, &*signer}});
  std::shuffle(batch.keys.begin(), batch.keys.end(), rng);
  auto b = WriteExportZip(batch, {{{"v1", "1", ""}, &*signer}});
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(*a == *b);
}

TEST_CASE("two signers: both signatures verify, and a missing one is detected", "[export]") {
  std::mt19937 rng(9);
  ExportBatch batch = RandomBatch(rng, 10, 0);
  auto k1 = EcdsaP256PrivateKey::Generate();
  auto k2 = EcdsaP256PrivateKey::Generate();
  auto zip = WriteExportZip(batch, {{{"v1", "a", ""}, &*k1}, {{"v2", "b", ""}, &*k2}});
  REQUIRE(zip.ok());
  auto file = ExportFile::Parse(*zip);
  REQUIRE(file.ok());
  CHECK(file->Verify({{"a-v1", k1->PublicKey()}}).ok());
  CHECK(file->Verify({{"b-v2", k2->PublicKey()}}).ok());
  CHECK(file->Verify({{"a-v1", k1->PublicKey()}, {"b-v2", k2->PublicKey()}}).ok());
  // A trusted name with the wrong key fails even if another signature is good.
  CHECK_FALSE(file->Verify({{"a-v1", k1->PublicKey()}, {"b-v2", k1->PublicKey()}}).ok());

  // export.sig from a one-signer file: counts differ.
  auto single = WriteExportZip(batch, {{{"v1", "a", ""}, &*k1}});
  base::Bytes bin, sig_two, ignored;
  std::optional<base::Bytes> sig2, sig1;
  REQUIRE(internal::ReadExportZip(*zip, &bin, &sig2).ok());
  REQUIRE(internal::ReadExportZip(*single, &ignored, &sig1).ok());
  auto mixed = internal::WriteZip({{"export.bin", bin}, {"export.sig", *sig1}});
  auto mixed_file = ExportFile::Parse(*mixed);
  REQUIRE(mixed_file.ok());
  CHECK(mixed_file->Verify({{"a-v1", k1->PublicKey()}}).message() ==
        "export.sig has 1 signatures, export.bin lists 2");
}

// Relabelled returns |zip| with the name of its first signature in export.sig
// (which nothing signs) changed to version |version|, its bytes unchanged.
base::Bytes Relabelled(const base::Bytes& zip, const std::string& version) {
  base::Bytes bin;
  std::optional<base::Bytes> sig;
  REQUIRE(internal::ReadExportZip(zip, &bin, &sig).ok());
  gaen::TEKSignatureList list;
  REQUIRE(list.ParseFromArray(sig->data(), static_cast<int>(sig->size())));
  list.mutable_signatures(0)->mutable_signature_info()->set_verification_key_version(version);
  auto rezipped = internal::WriteZip(
      {{"export.bin", bin}, {"export.sig", base::ToBytes(list.SerializeAsString())}});
  REQUIRE(rezipped.ok());
  return *rezipped;
}

TEST_CASE("a signature counts only under a name export.bin's signed header gives it", "[export]") {
  // A relay's feed batches carry a second name for the same key
  // ("<id>-<version>-peers"): a signature of any other batch, relabelled
  // in export.sig, must not pass under it.
  std::mt19937 rng(11);
  auto key = EcdsaP256PrivateKey::Generate();
  auto zip = WriteExportZip(RandomBatch(rng, 10, 0), {{{"v1", "ie", ""}, &*key}});
  REQUIRE(zip.ok());
  auto forged = ExportFile::Parse(Relabelled(*zip, "v1-peers"));
  REQUIRE(forged.ok());
  CHECK(forged->VerifyWithKey(key->PublicKey()).ok());  // the signature itself is good
  base::Status refused = forged->Verify({{"ie-v1-peers", key->PublicKey()}});
  CHECK(refused.code() == base::StatusCode::kUnauthenticated);
  CHECK(refused.message() ==
        "export.sig names a signature by ie-v1-peers, which export.bin's signed header does not");
  CHECK(forged->Verify({{"ie-v1", key->PublicKey()}}).code() ==
        base::StatusCode::kUnauthenticated);  // nor under its own: export.sig no longer names it

  // The same for Google's sample, relabelled from 310-v1 to 310-v2.
  auto sample = ExportFile::Parse(Relabelled(ReadVector("gaen-sample-export.zip"), "v2"));
  REQUIRE(sample.ok());
  auto k310 = EcdsaP256PublicKey::FromSpkiBase64(k310v1);
  CHECK(sample->VerifyWithKey(*k310).ok());
  CHECK(sample->Verify({{"310-v2", *k310}}).code() == base::StatusCode::kUnauthenticated);
}

TEST_CASE("the writer refuses invalid keys, naming them", "[export]") {
  std::mt19937 rng(3);
  auto signer = EcdsaP256PrivateKey::Generate();
  std::vector<ExportSigner> signers = {{{"v1", "1", ""}, &*signer}};
  ExportBatch batch = RandomBatch(rng, 3, 0);
  batch.keys[1].key_data.pop_back();
  CHECK(WriteExportZip(batch, signers).status().message() ==
        "keys[1]: key_data is 15 bytes, want 16");
  batch = RandomBatch(rng, 3, 1);
  batch.revised_keys[0].rolling_period = 145;
  CHECK(WriteExportZip(batch, signers).status().message() ==
        "revised_keys[0]: rolling_period is 145, want 1..144");
  CHECK(WriteExportZip(RandomBatch(rng, 1, 0), {}).status().message() ==
        "an export needs at least one signer");
}

// BinWith returns an export.bin whose one key has the given fields.
base::Bytes BinWith(ExportKey key) {
  ExportBatch b;
  b.keys = {std::move(key)};
  return EncodeExportBin(b);
}

TEST_CASE("rolling period and key length limits, both sides", "[export]") {
  base::Bytes k16(16, 7);
  auto with = [&](base::Bytes data, std::optional<int32_t> rp) {
    return ExportFile::Parse(BinWith(ExportKey{data, 1, 100, rp, std::nullopt, std::nullopt}));
  };
  CHECK(with(k16, 1).ok());
  CHECK(with(k16, 144).ok());
  CHECK(with(k16, std::nullopt).ok());
  CHECK(with(k16, 0).status().message() == "keys[0]: rolling_period is 0, want 1..144");
  CHECK(with(k16, 145).status().message() == "keys[0]: rolling_period is 145, want 1..144");
  CHECK(with(k16, -1).status().message() == "keys[0]: rolling_period is -1, want 1..144");
  CHECK(with(base::Bytes(15, 7), 144).status().message() ==
        "keys[0]: key_data is 15 bytes, want 16");
  CHECK(with(base::Bytes(17, 7), 144).status().message() ==
        "keys[0]: key_data is 17 bytes, want 16");
  CHECK(with(base::Bytes(), 144).status().message() == "keys[0]: key_data is 0 bytes, want 16");
}

TEST_CASE("wrong headers and non-export input are refused", "[export]") {
  base::Bytes bin = BinWith(ExportKey{base::Bytes(16, 1), 1, 1, 144, std::nullopt, std::nullopt});
  base::Bytes bad = bin;
  bad[3] = 'X';
  CHECK(ExportFile::Parse(bad).status().message() ==
        "export.bin starts with 'EK Xxport v1    ', want 'EK Export v1    '");
  CHECK(ExportFile::Parse(base::Bytes()).status().message() ==
        "export.bin starts with '', want 'EK Export v1    '");
  CHECK(ExportFile::Parse(base::ToBytes("EK Export v1")).status().code() ==
        base::StatusCode::kInvalidArgument);
  auto zipped = internal::WriteZip({{"export.bin", bad}});
  CHECK(ExportFile::Parse(*zipped).status().message() ==
        "export.bin starts with 'EK Xxport v1    ', want 'EK Export v1    '");
}

TEST_CASE("truncated and malformed protobuf is refused, never crashes", "[export]") {
  std::mt19937 rng(5);
  base::Bytes bin = EncodeExportBin(RandomBatch(rng, 5, 2));
  auto whole = ExportFile::Parse(bin);
  REQUIRE(whole.ok());
  const size_t total = whole->key_count() + whole->revised_key_count();
  for (size_t len = 16; len < bin.size(); ++len) {
    auto f = ExportFile::Parse(base::Bytes(bin.begin(), bin.begin() + len));
    // A cut on a field boundary is a valid, shorter export; any other cut fails.
    if (f.ok()) CHECK(f->key_count() + f->revised_key_count() < total);
  }
  auto cut = ExportFile::Parse(base::Bytes(bin.begin(), bin.end() - 1));
  CHECK(cut.status().message().find("truncated") != std::string::npos);

  base::Bytes bad_tag = bin;
  bad_tag.push_back(0x00);  // field number 0 is never valid
  CHECK(ExportFile::Parse(bad_tag).status().message() ==
        "malformed export.bin: export: invalid tag at byte " + std::to_string(bin.size()));
  // The same inside a key.
  base::Bytes key_bad_tag(kExportBinHeader.begin(), kExportBinHeader.end());
  for (int b : {0x3a, 19, 0x0a, 16}) key_bad_tag.push_back(static_cast<uint8_t>(b));
  key_bad_tag.insert(key_bad_tag.end(), 16, 0x01);
  key_bad_tag.push_back(0x00);  // a zero tag inside the key
  CHECK(ExportFile::Parse(key_bad_tag)
            .status()
            .message()
            .find("malformed export.bin: keys[0]: invalid tag") == 0);

  // keys (field 7) sent as a varint.
  base::Bytes wrong_wire(kExportBinHeader.begin(), kExportBinHeader.end());
  wrong_wire.push_back(7 << 3 | 0);
  wrong_wire.push_back(1);
  CHECK(ExportFile::Parse(wrong_wire).status().message() ==
        "malformed export.bin: export: field keys has wire type varint, want length-delimited");
}

TEST_CASE("unknown fields are skipped at both levels", "[export]") {
  base::Bytes bin =
      BinWith(ExportKey{base::Bytes(16, 9), 2, 100, 144, ReportType::kConfirmedTest, 3});
  auto plain = ExportFile::Parse(bin);
  REQUIRE(plain.ok());
  // Append field 99 (varint 5) at the top level.
  base::Bytes extended = bin;
  for (uint8_t b : {uint8_t{0x98}, uint8_t{0x06}, uint8_t{0x05}}) extended.push_back(b);
  auto file = ExportFile::Parse(extended);
  REQUIRE(file.ok());
  CHECK(file->Keys() == plain->Keys());

  // An export whose key carries an unknown field 50 and an unknown enum value.
  base::Bytes inner = {0x0a, 16};
  inner.insert(inner.end(), 16, 0x09);
  // Field 50 = "xy" (length-delimited), then report_type (field 5) = 9.
  for (int x : {0x92, 0x03, 0x02, int{'x'}, int{'y'}, 0x28, 0x09}) {
    inner.push_back(static_cast<uint8_t>(x));
  }
  base::Bytes hand(kExportBinHeader.begin(), kExportBinHeader.end());
  hand.push_back(0x3a);
  hand.push_back(static_cast<uint8_t>(inner.size()));
  hand.insert(hand.end(), inner.begin(), inner.end());
  auto odd = ExportFile::Parse(hand);
  REQUIRE(odd.ok());
  auto keys = odd->Keys();
  REQUIRE(keys.size() == 1);
  CHECK(keys[0].key_data == base::Bytes(16, 0x09));
  CHECK_FALSE(keys[0].report_type.has_value());  // report_type 9 is unknown: absent
}

// PatchName renames every occurrence of |from| (local and central headers).
base::Bytes PatchName(base::Bytes zip, const std::string& from, const std::string& to) {
  REQUIRE(from.size() == to.size());
  for (size_t i = 0; i + from.size() <= zip.size(); ++i) {
    if (std::equal(from.begin(), from.end(), zip.begin() + i)) {
      std::copy(to.begin(), to.end(), zip.begin() + i);
    }
  }
  return zip;
}

TEST_CASE("zip containers with extra, duplicate or path entries are refused", "[export]") {
  base::Bytes bin = BinWith(ExportKey{base::Bytes(16, 1), 1, 1, 144, std::nullopt, std::nullopt});
  auto ok = internal::WriteZip({{"export.bin", bin}});
  REQUIRE(ExportFile::Parse(*ok).ok());

  auto extra = internal::WriteZip({{"export.bin", bin}, {"readme.txt", base::AsBytes("hi")}});
  CHECK(ExportFile::Parse(*extra).status().message() ==
        "unexpected zip entry 'readme.txt' (an export holds only export.bin and export.sig)");

  auto dup = internal::WriteZip({{"export.bin", bin}, {"export.biX", bin}});
  auto dup_file = ExportFile::Parse(PatchName(*dup, "export.biX", "export.bin"));
  REQUIRE_FALSE(dup_file.ok());
  CHECK(dup_file.status().message() == "zip has two entries with the same name");

  auto traversal = internal::WriteZip({{"../export.bin", bin}});
  CHECK(ExportFile::Parse(*traversal).status().message() ==
        "zip entry '../export.bin' is a path, not a plain file name");
  auto nested = internal::WriteZip({{"a/export.bin", bin}});
  CHECK_FALSE(ExportFile::Parse(*nested).ok());

  auto no_bin = internal::WriteZip({{"export.sig", bin}});
  CHECK(ExportFile::Parse(*no_bin).status().message() == "zip has no export.bin");
}

TEST_CASE("corrupt zip data is refused", "[export]") {
  std::mt19937 rng(11);
  auto signer = EcdsaP256PrivateKey::Generate();
  auto zip = WriteExportZip(RandomBatch(rng, 50, 0), {{{"v1", "1", ""}, &*signer}});
  REQUIRE(zip.ok());
  // Flip a byte inside the first member's compressed data (after its 30-byte
  // local header and 10-byte name).
  base::Bytes bad = *zip;
  bad[30 + 10 + 20] ^= 0xff;
  auto f = ExportFile::Parse(bad);
  CHECK_FALSE(f.ok());
  // Truncated archives are refused.
  for (size_t len : {size_t{4}, size_t{100}, zip->size() / 2, zip->size() - 1}) {
    CHECK_FALSE(ExportFile::Parse(base::Bytes(zip->begin(), zip->begin() + len)).ok());
  }
}

TEST_CASE("a zip declaring or inflating to more than the limit is refused before it is inflated",
          "[export][limits]") {
  // The limit is derived from the largest legal export.
  STATIC_REQUIRE(kMaxExportBinSize ==
                 16 + kMaxExportHeaderSize + kMaxExportKeys * kMaxEncodedKeySize);
  STATIC_REQUIRE(kMaxExportBinSize < size_t{16} << 20);

  // 137 bytes declaring 255 MiB: refused by its declared size.
  base::Bytes liar = testing::LyingZip(255u << 20);
  CHECK(liar.size() < 200);
  auto lying = ExportFile::Parse(liar);
  REQUIRE_FALSE(lying.ok());
  CHECK(lying.status().code() == base::StatusCode::kResourceExhausted);
  CHECK(lying.status().message() == "export.bin declares 267386880 bytes, more than the limit of " +
                                        std::to_string(kMaxExportBinSize));

  // Just under the limit, from a few hundred bytes: refused by the ratio.
  auto small_liar = ExportFile::Parse(testing::LyingZip(static_cast<uint32_t>(kMaxExportBinSize)));
  REQUIRE_FALSE(small_liar.ok());
  CHECK(small_liar.status().code() == base::StatusCode::kResourceExhausted);
  CHECK(small_liar.status().message().find("compressed, more than 16 times as many") !=
        std::string::npos);

  // Deflate bombs with honest sizes: above the limit, and under it at 1000:1.
  base::Bytes big_bomb = testing::DeflateBomb(kMaxExportBinSize + 1);
  CHECK(big_bomb.size() < 64 << 10);
  CHECK(ExportFile::Parse(big_bomb).status().code() == base::StatusCode::kResourceExhausted);
  auto dense = ExportFile::Parse(testing::DeflateBomb(8 << 20));
  REQUIRE_FALSE(dense.ok());
  CHECK(dense.status().message().find("compressed, more than 16 times as many") !=
        std::string::npos);

  // A bomb that declares less than it inflates to stops at the declared size.
  base::Bytes understated = testing::SetDeclaredSize(testing::DeflateBomb(8 << 20), 100000);
  auto under = ExportFile::Parse(understated);
  REQUIRE_FALSE(under.ok());
  CHECK(under.status().message() ==
        "zip entry export.bin inflates to more than 100000 bytes, its header says 100000");

  // A bare export.bin over the limit is refused too.
  base::Bytes bare(kMaxExportBinSize + 1, 0);
  std::memcpy(bare.data(), kExportBinHeader.data(), kExportBinHeader.size());
  CHECK(ExportFile::Parse(std::move(bare)).status().code() == base::StatusCode::kResourceExhausted);
}

TEST_CASE("an export with more than the most keys a file may hold is refused", "[export][limits]") {
  ExportBatch batch;
  batch.keys.assign(kMaxExportKeys,
                    ExportKey{base::Bytes(16, 7), 1, 100, 144, std::nullopt, std::nullopt});
  base::Bytes bin = EncodeExportBin(batch);
  CHECK(bin.size() <= kMaxExportBinSize);
  CHECK(ExportFile::Parse(bin)->key_count() == kMaxExportKeys);
  batch.revised_keys.push_back(batch.keys[0]);
  auto over = ExportFile::Parse(EncodeExportBin(batch));
  REQUIRE_FALSE(over.ok());
  CHECK(over.status().message() == "export holds more than 200000 keys");
}

}  // namespace
}  // namespace openen::wire
