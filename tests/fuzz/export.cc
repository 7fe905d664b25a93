// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Fuzz target export_zip: any bytes as a downloaded export file (a zip or a
// bare export.bin), as a phone and `openen export inspect` read them.
// Compiled with OPENEN_FUZZ_BARE_BIN it is export_bin: the input follows the
// 16-byte "EK Export v1    " header, so that every mutation reaches the
// protobuf decoder instead of the zip reader.
//
// Beyond "no crash": a file that parses holds only keys that pass
// ValidateExportKey, as many as it says, and re-encoding what was read gives
// a file that reads back the same; and the phone's one-pass reader,
// StreamExport, reaches the same verdict with the same error, the same keys
// and the digest of the same export.bin.

#include "openen/wire/export.h"

#include <algorithm>
#include <cstdlib>
#include <tuple>

#include "fuzz_util.h"
#include "openen/crypto/hash.h"

namespace openen::fuzz {
namespace {

// Sorted orders keys by every field: EncodeExportBin sorts by key bytes
// only, so keys with the same bytes may come back in any order.
std::vector<wire::ExportKey> Sorted(std::vector<wire::ExportKey> keys) {
  auto fields = [](const wire::ExportKey& k) {
    return std::tie(k.key_data, k.transmission_risk_level, k.rolling_start_interval_number,
                    k.rolling_period, k.report_type, k.days_since_onset_of_symptoms);
  };
  std::sort(keys.begin(), keys.end(),
            [&](const auto& a, const auto& b) { return fields(a) < fields(b); });
  return keys;
}

void Check(const wire::ExportFile& file) {
  for (wire::KeyList list : {wire::KeyList::kKeys, wire::KeyList::kRevisedKeys}) {
    size_t n = 0;
    base::Status s = file.ForEachKey(
        [&](const wire::ExportKey& key) {
          if (!wire::ValidateExportKey(key).ok()) abort();  // Parse promised every key valid
          ++n;
          return base::Status::Ok();
        },
        list);
    if (!s.ok()) abort();
    if (n != (list == wire::KeyList::kKeys ? file.key_count() : file.revised_key_count())) abort();
  }
  static const wire::TrustedExportKeys trusted = {{kExportKeyName, FixedExportKey().PublicKey()}};
  static const crypto::EcdsaP256PublicKey public_key = FixedExportKey().PublicKey();
  (void)file.Verify(trusted);
  (void)file.VerifyWithKey(public_key);

  // What was read, written again, reads back the same.
  wire::ExportBatch batch{file.header(), file.Keys(), file.Keys(wire::KeyList::kRevisedKeys)};
  auto again = wire::ExportFile::Parse(wire::EncodeExportBin(batch));
  if (!again.ok()) abort();
  if (!(again->header() == file.header())) abort();
  if (Sorted(again->Keys()) != Sorted(batch.keys)) abort();
  if (Sorted(again->Keys(wire::KeyList::kRevisedKeys)) != Sorted(batch.revised_keys)) abort();
}

// SameAsStream streams the file the parse saw and aborts on any difference.
void SameAsStream(const base::Bytes& file, const base::StatusOr<wire::ExportFile>& parsed) {
  std::vector<wire::ExportKey> keys;
  auto streamed = wire::StreamExport(file, [&](const wire::ExportKey& k) {
    keys.push_back(k);
    return base::Status::Ok();
  });
  if (streamed.ok() != parsed.ok()) abort();
  if (!parsed.ok()) {
    if (streamed.status().code() != parsed.status().code()) abort();
    if (streamed.status().message() != parsed.status().message()) abort();
    return;
  }
  if (!(streamed->header == parsed->header())) abort();
  if (streamed->key_count != parsed->key_count()) abort();
  if (streamed->revised_key_count != parsed->revised_key_count()) abort();
  if (keys != parsed->Keys()) abort();
  if (streamed->export_bin_sha256 != crypto::Sha256(parsed->export_bin())) abort();
}

}  // namespace
}  // namespace openen::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace openen;
  base::Bytes file;
#ifdef OPENEN_FUZZ_BARE_BIN
  file.assign(wire::kExportBinHeader.begin(), wire::kExportBinHeader.end());
#endif
  file.insert(file.end(), data, data + size);
  auto parsed = wire::ExportFile::Parse(file);
  fuzz::SameAsStream(file, parsed);
  if (parsed.ok()) fuzz::Check(*parsed);
  return 0;
}
