// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// StreamExport, the phone's one-pass reader, against ExportFile::Parse on
// every kind of file the export tests use: it must accept exactly what Parse
// accepts, refuse the rest with the same error, and yield the same header,
// keys and signature, whatever the file's size and however the 64 KiB
// pieces it inflates cut the keys.

#include <catch2/catch.hpp>
#include <cstring>
#include <random>

#include "export_zip.h"  // internal: to build zips with chosen members
#include "openen/crypto/hash.h"
#include "openen/crypto/random.h"
#include "openen/wire/export.h"
#include "random_batch.h"
#include "test_util.h"
#include "zip_bombs.h"

namespace openen::wire {
namespace {

constexpr char k310v1[] =
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE49JY6kekDgxj3Crm4y6kEHdfoKQFSNDM4mV9cgDb+"
    "e5nOAw0GeRoRThCu9/"
    "wX5wDT2QloFoOjl2pGZHI0f3C3w==";

using testing::RandomBatch;

// SameAsParse streams |file| and parses it whole, and requires the same
// outcome. Returns whether the file was accepted.
bool SameAsParse(const base::Bytes& file) {
  auto parsed = ExportFile::Parse(file);
  std::vector<ExportKey> keys, revised;
  auto streamed = StreamExport(file, [&](const ExportKey& k) {
    keys.push_back(k);
    return base::Status::Ok();
  });
  auto streamed_revised = StreamExport(
      file,
      [&](const ExportKey& k) {
        revised.push_back(k);
        return base::Status::Ok();
      },
      KeyList::kRevisedKeys);
  REQUIRE(streamed.ok() == parsed.ok());
  REQUIRE(streamed_revised.ok() == parsed.ok());
  if (!parsed.ok()) {
    CHECK(streamed.status().code() == parsed.status().code());
    CHECK(streamed.status().message() == parsed.status().message());
    return false;
  }
  CHECK(streamed->header == parsed->header());
  CHECK(streamed->key_count == parsed->key_count());
  CHECK(streamed->revised_key_count == parsed->revised_key_count());
  CHECK(keys == parsed->Keys());
  CHECK(revised == parsed->Keys(KeyList::kRevisedKeys));
  CHECK(streamed->export_bin_sha256 == crypto::Sha256(parsed->export_bin()));
  CHECK(streamed->export_sig.has_value() == parsed->has_signature_file());
  return true;
}

TEST_CASE("StreamExport accepts what Parse accepts and refuses the rest with the same error",
          "[export][stream]") {
  std::mt19937 rng(17);
  auto signer = crypto::EcdsaP256PrivateKey::Generate();
  REQUIRE(signer.ok());
  // Upstream files.
  for (const char* name :
       {"gaen-sample-export.zip", "internals-app-export.bin", "internals-cpp-export.bin"}) {
    INFO(name);
    CHECK(SameAsParse(base::ToBytes(testing::ReadFile(testing::VectorPath(name)))));
  }
  // Random batches, zipped and bare, small and spanning many 64 KiB pieces.
  for (size_t n : {0, 1, 7, 1000, 5000}) {
    ExportBatch batch = RandomBatch(rng, n, n / 7);
    auto zip = WriteExportZip(batch, {{{"v1", "1", ""}, &*signer}});
    REQUIRE(zip.ok());
    CHECK(SameAsParse(*zip));
    CHECK(SameAsParse(EncodeExportBin(batch)));
  }
  // Every truncation of a bare export.bin, and bad tags and wire types.
  base::Bytes bin = EncodeExportBin(RandomBatch(rng, 5, 2));
  for (size_t len = 0; len <= bin.size(); ++len) {
    INFO("cut at " << len);
    SameAsParse(base::Bytes(bin.begin(), bin.begin() + len));
  }
  base::Bytes bad = bin;
  bad.push_back(0x00);
  CHECK_FALSE(SameAsParse(bad));
  bad = bin;
  bad[3] = 'X';
  CHECK_FALSE(SameAsParse(bad));
  // Corrupt, truncated and hostile zips.
  auto zip = WriteExportZip(RandomBatch(rng, 3000, 0), {{{"v1", "1", ""}, &*signer}});
  REQUIRE(zip.ok());
  for (size_t at : {size_t{60}, size_t{1000}, zip->size() / 2, zip->size() - 200}) {
    base::Bytes flipped = *zip;
    flipped[at] ^= 0xff;
    INFO("flip at " << at);
    CHECK_FALSE(SameAsParse(flipped));
  }
  for (size_t len : {size_t{4}, size_t{100}, zip->size() / 2, zip->size() - 1}) {
    CHECK_FALSE(SameAsParse(base::Bytes(zip->begin(), zip->begin() + len)));
  }
  CHECK_FALSE(SameAsParse(*internal::WriteZip({{"export.bin", bin}, {"extra.txt", bin}})));
  CHECK_FALSE(SameAsParse(*internal::WriteZip({{"export.sig", bin}})));
  CHECK_FALSE(SameAsParse(testing::LyingZip(255u << 20)));
  CHECK_FALSE(SameAsParse(testing::DeflateBomb(8 << 20)));
  CHECK_FALSE(SameAsParse(testing::SetDeclaredSize(testing::DeflateBomb(8 << 20), 100000)));
  CHECK_FALSE(SameAsParse(testing::SetDeclaredSize(*zip, 1000)));
}

TEST_CASE("StreamExport's summary verifies as the file does, and no tampered byte passes",
          "[export][stream]") {
  const base::Bytes sample =
      base::ToBytes(testing::ReadFile(testing::VectorPath("gaen-sample-export.zip")));
  auto key = crypto::EcdsaP256PublicKey::FromSpkiBase64(k310v1);
  REQUIRE(key.ok());
  auto summary = StreamExport(sample, [](const ExportKey&) { return base::Status::Ok(); });
  REQUIRE(summary.ok());
  CHECK(summary->Verify({{"310-v1", *key}}).ok());
  CHECK(summary->Verify({}).message() == "no signature by a trusted key (signed by: 310-v1)");

  base::Bytes bin;
  std::optional<base::Bytes> sig;
  REQUIRE(internal::ReadExportZip(sample, &bin, &sig).ok());
  for (size_t i = 0; i < bin.size(); i += 7) {
    base::Bytes tampered = bin;
    tampered[i] ^= 0x01;
    auto rezipped = internal::WriteZip({{"export.bin", tampered}, {"export.sig", *sig}});
    auto s = StreamExport(*rezipped, [](const ExportKey&) { return base::Status::Ok(); });
    if (s.ok()) {
      INFO("byte " << i);
      CHECK_FALSE(s->Verify({{"310-v1", *key}}).ok());
    }
  }
}

TEST_CASE("StreamExport stops at the first error from its caller, and refuses an oversized field",
          "[export][stream][limits]") {
  std::mt19937 rng(3);
  base::Bytes bin = EncodeExportBin(RandomBatch(rng, 10, 0));
  int seen = 0;
  auto stopped = StreamExport(bin, [&](const ExportKey&) {
    return ++seen == 3 ? base::CancelledError("enough") : base::Status::Ok();
  });
  CHECK(stopped.status().code() == base::StatusCode::kCancelled);
  CHECK(seen == 3);

  // A region of 64 KiB + 1 bytes: refused before it is read, by both readers.
  ExportBatch batch;
  batch.header.region.assign(kMaxExportHeaderSize + 1, 'x');
  base::Bytes big = EncodeExportBin(batch);
  CHECK_FALSE(SameAsParse(big));
  CHECK(StreamExport(big, [](const ExportKey&) { return base::Status::Ok(); }).status().message() ==
        "malformed export.bin: export: region is 65537 bytes, more than 65536");
}

}  // namespace
}  // namespace openen::wire
