// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// The Exposure Notification key export file (Apple/Google "Exposure Key Export
// File Format and Verification"): a zip holding
//   export.bin  "EK Export v1    " followed by a TemporaryExposureKeyExport
//   export.sig  a TEKSignatureList: one ECDSA P-256/SHA-256 DER signature of
//               the whole export.bin per signing key
// read and written byte-compatibly with phones and other national servers.

#ifndef OPENEN_WIRE_EXPORT_H_
#define OPENEN_WIRE_EXPORT_H_

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "openen/base/bytes.h"
#include "openen/base/status.h"
#include "openen/crypto/ecdsa.h"
#include "openen/crypto/interval.h"

namespace openen::wire {

// The 16-byte header that starts every export.bin.
inline constexpr std::string_view kExportBinHeader = "EK Export v1    ";
inline constexpr size_t kExportKeySize = 16;

// Size limits, derived from the largest export a reader accepts, so that no
// file makes a reader hold more than about 16 MB, whatever it declares:
// - at most kMaxExportKeys keys and revised keys in one file (Google's
//   reference server writes at most 30,000 a file and splits the rest into
//   batch_num/batch_size parts; openen-relay splits above this too);
// - each TemporaryExposureKey at most kMaxEncodedKeySize bytes: its tag and
//   length (3), key_data (18) and five varint fields at their widest (5 x 11);
// - a header (timestamps, region, batch numbers, signature infos) of at most
//   kMaxExportHeaderSize bytes.
inline constexpr size_t kMaxExportKeys = 200'000;
inline constexpr size_t kMaxEncodedKeySize = 3 + 18 + 5 * 11;  // 76
inline constexpr size_t kMaxExportHeaderSize = size_t{64} << 10;
// export.bin: the 16-byte file header, the export header and the keys
// (15,265,552 bytes).
inline constexpr size_t kMaxExportBinSize =
    16 + kMaxExportHeaderSize + kMaxExportKeys * kMaxEncodedKeySize;
inline constexpr size_t kMaxExportSigSize = size_t{64} << 10;
// A whole export file: both members, deflate's worst-case growth (5 bytes a
// 64 KiB stored block) and the zip headers fit in 64 KiB more.
inline constexpr size_t kMaxExportFileSize =
    kMaxExportBinSize + kMaxExportSigSize + (size_t{64} << 10);
// A member may inflate to at most this many times its compressed size (or
// kMinRatioCheckedSize, whichever is larger). Export files are mostly random
// key bytes and deflate to about half; a deflate bomb reaches 1032:1.
inline constexpr size_t kMaxExportCompressionRatio = 16;
inline constexpr size_t kMinRatioCheckedSize = size_t{64} << 10;

// ReportType values of TemporaryExposureKey.report_type.
enum class ReportType : int32_t {
  kUnknown = 0,
  kConfirmedTest = 1,
  kConfirmedClinicalDiagnosis = 2,
  kSelfReport = 3,
  kRecursive = 4,
  kRevoked = 5,
};
// ReportTypeName returns the upstream enum name, e.g. "CONFIRMED_TEST".
std::string_view ReportTypeName(ReportType t);

// ExportKey is one TemporaryExposureKey. Optional fields keep their presence
// so that a file can be reproduced byte for byte.
struct ExportKey {
  base::Bytes key_data;
  std::optional<int32_t> transmission_risk_level;
  int32_t rolling_start_interval_number = 0;
  // Absent means 144 (the proto2 default).
  std::optional<int32_t> rolling_period;
  std::optional<ReportType> report_type;
  std::optional<int32_t> days_since_onset_of_symptoms;

  int32_t RollingPeriod() const { return rolling_period.value_or(crypto::kTekRollingPeriod); }
  friend bool operator==(const ExportKey&, const ExportKey&) = default;
};

// SignatureInfo identifies one signing key.
struct SignatureInfo {
  std::string verification_key_version;
  std::string verification_key_id;
  std::string signature_algorithm;

  // KeyName returns "<id>-<version>", the name trusted keys are looked up by.
  std::string KeyName() const { return verification_key_id + "-" + verification_key_version; }
  friend bool operator==(const SignatureInfo&, const SignatureInfo&) = default;
};

struct ExportHeader {
  uint64_t start_timestamp = 0;
  uint64_t end_timestamp = 0;
  std::string region;
  int32_t batch_num = 1;
  int32_t batch_size = 1;
  std::vector<SignatureInfo> signature_infos;
  friend bool operator==(const ExportHeader&, const ExportHeader&) = default;
};

struct ExportBatch {
  ExportHeader header;
  std::vector<ExportKey> keys;
  std::vector<ExportKey> revised_keys;
};

// ValidateExportKey checks one key as a reader must: key_data is 16 bytes,
// rolling period 1..144 (absent = 144), rolling start not negative.
base::Status ValidateExportKey(const ExportKey& key);

// EncodeExportBin returns header || TemporaryExposureKeyExport with the keys and
// revised keys sorted by key bytes. It is the raw codec: it writes exactly the
// fields given, present or absent, without validating them (WriteExportZip
// validates). Fields are written in field-number order, like protobuf.
base::Bytes EncodeExportBin(ExportBatch batch);

// ExportSigner is one key that signs an export.
struct ExportSigner {
  SignatureInfo info;  // signature_algorithm defaults to ECDSA P-256 SHA-256
  const crypto::EcdsaP256PrivateKey* key = nullptr;
};

// WriteExportZip validates every key, sets header.signature_infos from the
// signers, and returns the zip (export.bin then export.sig, deflated, fixed
// timestamps). The same batch and keys always give the same bytes.
base::StatusOr<base::Bytes> WriteExportZip(ExportBatch batch,
                                           const std::vector<ExportSigner>& signers);

// Which list of keys to visit.
enum class KeyList { kKeys, kRevisedKeys };

// TrustedExportKeys maps "<verification_key_id>-<verification_key_version>" to
// the public key a health authority published for it.
using TrustedExportKeys = std::map<std::string, crypto::EcdsaP256PublicKey>;

// ExportFile is a parsed, validated export: a zip or a bare export.bin. It
// owns export.bin's bytes and iterates keys straight from them, so even a
// million-key file is never held twice. Thread-compatible.
class ExportFile {
 public:
  // Parse reads a zip (export.bin, optional export.sig, nothing else) or a
  // bare export.bin, and validates every key. Errors name the problem:
  // a wrong header, an unexpected, duplicate or path-like zip entry, truncated
  // or malformed protobuf, a key_data that is not 16 bytes, a rolling period
  // outside 1..144. Unknown fields are skipped.
  static base::StatusOr<ExportFile> Parse(base::Bytes file);

  const ExportHeader& header() const { return header_; }
  size_t key_count() const { return key_count_; }
  size_t revised_key_count() const { return revised_key_count_; }
  // export.bin, header included (what the signatures cover).
  base::ByteView export_bin() const { return export_bin_; }
  bool has_signature_file() const { return export_sig_.has_value(); }

  // ForEachKey calls |fn| for every key of |list| in file order, reusing one
  // ExportKey object (copy what you keep). Stops at and returns the first
  // non-OK status from |fn|.
  base::Status ForEachKey(const std::function<base::Status(const ExportKey&)>& fn,
                          KeyList list = KeyList::kKeys) const;
  // Keys returns a copy of one list: for small files and tests.
  std::vector<ExportKey> Keys(KeyList list = KeyList::kKeys) const;

  // Verify checks export.sig against |trusted|: the signature count must equal
  // the SignatureInfo count in export.bin; every signature whose key name is
  // trusted must be named in export.bin's (signed) header too and verify, and
  // at least one must. UNAUTHENTICATED otherwise.
  base::Status Verify(const TrustedExportKeys& trusted) const;
  // VerifyWithKey passes when any signature in export.sig verifies with |key|,
  // whatever its name (for tools given a bare public key).
  base::Status VerifyWithKey(const crypto::EcdsaP256PublicKey& key) const;

 private:
  ExportFile() = default;
  base::Status ParseExportBin();

  base::Bytes export_bin_;
  std::optional<base::Bytes> export_sig_;
  ExportHeader header_;
  size_t key_count_ = 0;
  size_t revised_key_count_ = 0;
};

// ExportSummary is what a streamed read of an export file found besides its
// keys: the header, the key counts, and what the signatures cover.
struct ExportSummary {
  ExportHeader header;
  size_t key_count = 0;
  size_t revised_key_count = 0;
  crypto::Sha256Digest export_bin_sha256{};
  std::optional<base::Bytes> export_sig;
  // Verify checks export.sig as ExportFile::Verify does.
  base::Status Verify(const TrustedExportKeys& trusted) const;
};

// StreamExport reads an export file (a zip or a bare export.bin) in one
// pass, inflating export.bin 64 KiB at a time and hashing it as it goes, and
// calls |on_key| for each key of |list| in file order as it is read (one
// ExportKey object, reused). It checks what ExportFile::Parse checks, with the
// same errors; the first failure, or the first non-OK status from |on_key|,
// ends the read. The keys are not yet verified while |on_key| sees them: a
// caller acts on what it found only once StreamExport returned OK and the
// summary verified. It holds the zip given, 64 KiB and one key, whatever the
// size of export.bin: the phone's sync reads exports this way.
base::StatusOr<ExportSummary> StreamExport(
    base::ByteView file, const std::function<base::Status(const ExportKey&)>& on_key,
    KeyList list = KeyList::kKeys);

}  // namespace openen::wire

#endif  // OPENEN_WIRE_EXPORT_H_
