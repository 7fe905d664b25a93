// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// export.bin is parsed with protobuf's CodedInputStream field by field rather
// than into a generated TemporaryExposureKeyExport: a million keys become a
// million small message objects that way, and matching only needs to look at
// each key once. export.sig (a few hundred bytes) uses the generated classes.

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/wire_format_lite.h>

#include <algorithm>
#include <memory>
#include <optional>

#include "export_zip.h"
#include "gaen/export.pb.h"
#include "openen/crypto/hash.h"
#include "openen/wire/export.h"

namespace openen::wire {
namespace {

using google::protobuf::internal::WireFormatLite;
using google::protobuf::io::CodedInputStream;
using google::protobuf::io::CodedOutputStream;
using google::protobuf::io::StringOutputStream;

constexpr int kWireVarint = WireFormatLite::WIRETYPE_VARINT;
constexpr int kWireFixed64 = WireFormatLite::WIRETYPE_FIXED64;
constexpr int kWireBytes = WireFormatLite::WIRETYPE_LENGTH_DELIMITED;

const char* WireTypeName(int t) {
  switch (t) {
    case kWireVarint:
      return "varint";
    case kWireFixed64:
      return "fixed64";
    case kWireBytes:
      return "length-delimited";
    default:
      return "other";
  }
}

base::Status Malformed(const std::string& where, const std::string& what) {
  return base::InvalidArgumentError("malformed export.bin: " + where + ": " + what);
}

base::Status WrongWireType(const std::string& where, const char* field, int got, int want) {
  return Malformed(where, std::string("field ") + field + " has wire type " + WireTypeName(got) +
                              ", want " + WireTypeName(want));
}

// ReadLengthDelimited reads a length prefix and returns the span it covers,
// for a stream over the contiguous bytes at |base|.
bool ReadLengthDelimited(CodedInputStream* in, const uint8_t* base, base::ByteView* out) {
  uint32_t len = 0;
  if (!in->ReadVarint32(&len)) return false;
  int pos = in->CurrentPosition();
  if (!in->Skip(static_cast<int>(len))) return false;
  *out = base::ByteView(base + pos, len);
  return true;
}

// ParseKey reads one TemporaryExposureKey. |where| names it, for errors only:
// it is called only when there is one.
template <typename Where>
base::Status ParseKey(base::ByteView bytes, const Where& where, ExportKey* key) {
  key->key_data.clear();
  key->transmission_risk_level.reset();
  key->rolling_start_interval_number = 0;
  key->rolling_period.reset();
  key->report_type.reset();
  key->days_since_onset_of_symptoms.reset();

  CodedInputStream in(bytes.data(), static_cast<int>(bytes.size()));
  while (true) {
    uint32_t tag = in.ReadTag();
    if (tag == 0) break;
    int field = WireFormatLite::GetTagFieldNumber(tag);
    int wire = WireFormatLite::GetTagWireType(tag);
    uint64_t v = 0;
    switch (field) {
      case 1: {
        if (wire != kWireBytes) return WrongWireType(where(), "key_data", wire, kWireBytes);
        base::ByteView data;
        if (!ReadLengthDelimited(&in, bytes.data(), &data))
          return Malformed(where(), "truncated key_data");
        key->key_data.assign(data.begin(), data.end());
        continue;
      }
      case 2:
      case 3:
      case 4:
      case 5:
      case 6:
        if (wire != kWireVarint) {
          static const char* kNames[] = {"",
                                         "",
                                         "transmission_risk_level",
                                         "rolling_start_interval_number",
                                         "rolling_period",
                                         "report_type",
                                         "days_since_onset_of_symptoms"};
          return WrongWireType(where(), kNames[field], wire, kWireVarint);
        }
        if (!in.ReadVarint64(&v)) return Malformed(where(), "truncated varint");
        break;
      default:
        if (!WireFormatLite::SkipField(&in, tag))
          return Malformed(where(), "truncated unknown field");
        continue;
    }
    switch (field) {
      case 2:
        key->transmission_risk_level = static_cast<int32_t>(v);
        break;
      case 3:
        key->rolling_start_interval_number = static_cast<int32_t>(v);
        break;
      case 4:
        key->rolling_period = static_cast<int32_t>(v);
        break;
      case 5:
        // proto2: an enum value this reader does not know is an unknown field.
        if (v <= static_cast<uint64_t>(ReportType::kRevoked)) {
          key->report_type = static_cast<ReportType>(v);
        }
        break;
      case 6:
        key->days_since_onset_of_symptoms =
            WireFormatLite::ZigZagDecode32(static_cast<uint32_t>(v));
        break;
    }
  }
  // ReadTag returns 0 both at the end and for the invalid tag 0; only the
  // stream knows which.
  if (!in.ConsumedEntireMessage()) {
    return Malformed(where(), "invalid tag at byte " + std::to_string(in.CurrentPosition() - 1));
  }
  return base::Status::Ok();
}

SignatureInfo FromProto(const gaen::SignatureInfo& p);

// BinStream yields export.bin's bytes to a CodedInputStream, from memory or
// inflated from a zip 64 KiB at a time, and hashes each byte once as it
// first goes by (a stream may back up and read again).
class BinStream final : public google::protobuf::io::ZeroCopyInputStream {
 public:
  explicit BinStream(base::ByteView bytes) : contiguous_(bytes) {}
  explicit BinStream(internal::ExportZip* zip) : zip_(zip), buffer_(kChunk) {}

  bool Next(const void** data, int* size) override {
    if (backed_up_ > 0) {
      *data = chunk_.data() + chunk_.size() - backed_up_;
      *size = static_cast<int>(backed_up_);
      count_ += backed_up_;
      backed_up_ = 0;
      return true;
    }
    if (!Fill()) return false;
    *data = chunk_.data();
    *size = static_cast<int>(chunk_.size());
    count_ += chunk_.size();
    return true;
  }
  void BackUp(int count) override {
    backed_up_ += static_cast<size_t>(count);
    count_ -= count;
  }
  bool Skip(int count) override {
    const void* data;
    int size;
    while (count > 0) {
      if (!Next(&data, &size)) return false;
      if (size > count) {
        BackUp(size - count);
        return true;
      }
      count -= size;
    }
    return true;
  }
  int64_t ByteCount() const override { return count_; }

  // Finish reads what is left (so that it is hashed, and a zip member's size
  // and CRC are checked) and returns the SHA-256 of all of export.bin.
  base::StatusOr<crypto::Sha256Digest> Finish() {
    while (Fill()) {
    }
    OPENEN_RETURN_IF_ERROR(status_);
    return hash_.Final();
  }
  // status is the zip's error when Next failed on one.
  const base::Status& status() const { return status_; }

 private:
  static constexpr size_t kChunk = size_t{64} << 10;

  // Fill makes the next piece current (hashed); false at the end or on error.
  bool Fill() {
    if (zip_ == nullptr) {
      if (contiguous_.empty()) return false;
      chunk_ = contiguous_;
      contiguous_ = {};
    } else {
      if (!status_.ok()) return false;
      base::StatusOr<size_t> n = zip_->Read(buffer_.data(), buffer_.size());
      if (!n.ok()) status_ = n.status();
      if (!n.ok() || *n == 0) return false;
      chunk_ = base::ByteView(buffer_.data(), *n);
    }
    hash_.Update(chunk_);
    return true;
  }

  base::ByteView contiguous_;
  internal::ExportZip* zip_ = nullptr;
  base::Bytes buffer_;
  base::ByteView chunk_;  // the current piece
  size_t backed_up_ = 0;  // bytes at the end of chunk_ given back
  int64_t count_ = 0;
  base::Status status_;
  crypto::Sha256Stream hash_;
};

// ReadField reads a length-delimited field's bytes: in place when the
// stream's current piece holds them all, else copied into |scratch|. A field
// longer than |max| is refused before it is read.
base::Status ReadField(CodedInputStream* in, const std::string& what, size_t max,
                       std::string* scratch, base::ByteView* out) {
  uint32_t len = 0;
  if (!in->ReadVarint32(&len)) return Malformed("export", "truncated " + what);
  if (len > max) {
    return Malformed(
        "export", what + " is " + std::to_string(len) + " bytes, more than " + std::to_string(max));
  }
  const void* data = nullptr;
  int size = 0;
  if (in->GetDirectBufferPointer(&data, &size) && static_cast<uint32_t>(size) >= len) {
    *out = base::ByteView(static_cast<const uint8_t*>(data), len);
    in->Skip(static_cast<int>(len));
    return base::Status::Ok();
  }
  scratch->resize(len);
  if (!in->ReadRaw(scratch->data(), static_cast<int>(len)))
    return Malformed("export", "truncated " + what);
  *out = base::ByteView(reinterpret_cast<const uint8_t*>(scratch->data()), len);
  return base::Status::Ok();
}

// Export is what a scan of export.bin found besides its keys.
struct ScannedExport {
  ExportHeader header;
  size_t key_count = 0;
  size_t revised_key_count = 0;
};

// ScanExportBin reads export.bin from |stream|: the file header, then every
// field of the TemporaryExposureKeyExport. It fills |out|, validates every
// key, and calls |on_key(list, key)| for each (reusing one ExportKey). A key
// or header field over kMaxExportHeaderSize bytes is refused, so that a
// streamed read holds at most that much of the file at a time.
base::Status ScanExportBin(BinStream* stream, ScannedExport* out,
                           const std::function<base::Status(KeyList, const ExportKey&)>& on_key) {
  CodedInputStream in(stream);
  in.SetTotalBytesLimit(static_cast<int>(kMaxExportBinSize + 1));
  // The 16-byte file header, shown as far as it goes when it is wrong.
  const size_t header_size = kExportBinHeader.size();
  std::string got;
  for (char c; got.size() < header_size && in.ReadRaw(&c, 1);) got += c;
  OPENEN_RETURN_IF_ERROR(stream->status());
  if (got != kExportBinHeader) {
    for (char& c : got) {
      if (c < 0x20 || c > 0x7e) c = '?';
    }
    return base::InvalidArgumentError("export.bin starts with '" + got + "', want '" +
                                      std::string(kExportBinHeader) + "'");
  }
  ExportHeader& header = out->header;
  std::string scratch;
  ExportKey key;
  while (true) {
    uint32_t tag = in.ReadTag();
    if (tag == 0) break;
    const int field = WireFormatLite::GetTagFieldNumber(tag);
    const int wire = WireFormatLite::GetTagWireType(tag);
    static const char* kNames[] = {
        "",           "start_timestamp", "end_timestamp", "region",      "batch_num",
        "batch_size", "signature_infos", "keys",          "revised_keys"};
    const int want = field <= 2                                               ? kWireFixed64
                     : (field == 3 || field == 6 || field == 7 || field == 8) ? kWireBytes
                                                                              : kWireVarint;
    if (field >= 1 && field <= 8 && wire != want)
      return WrongWireType("export", kNames[field], wire, want);
    uint64_t v = 0;
    base::ByteView bytes;
    switch (field) {
      case 1:
      case 2:
        if (!in.ReadLittleEndian64(&v)) return Malformed("export", "truncated timestamp");
        (field == 1 ? header.start_timestamp : header.end_timestamp) = v;
        continue;
      case 3:
        OPENEN_RETURN_IF_ERROR(ReadField(&in, "region", kMaxExportHeaderSize, &scratch, &bytes));
        header.region.assign(base::AsChars(bytes));
        continue;
      case 4:
      case 5:
        if (!in.ReadVarint64(&v)) return Malformed("export", "truncated varint");
        (field == 4 ? header.batch_num : header.batch_size) = static_cast<int32_t>(v);
        continue;
      case 6: {
        OPENEN_RETURN_IF_ERROR(
            ReadField(&in, "signature_infos", kMaxExportHeaderSize, &scratch, &bytes));
        gaen::SignatureInfo info;
        if (!info.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
          return Malformed("export", "invalid signature_infos");
        header.signature_infos.push_back(FromProto(info));
        continue;
      }
      case 7:
      case 8: {
        const KeyList list = field == 7 ? KeyList::kKeys : KeyList::kRevisedKeys;
        OPENEN_RETURN_IF_ERROR(
            ReadField(&in, kNames[field], kMaxExportHeaderSize, &scratch, &bytes));
        size_t& n = list == KeyList::kKeys ? out->key_count : out->revised_key_count;
        auto where = [&] { return std::string(kNames[field]) + "[" + std::to_string(n) + "]"; };
        OPENEN_RETURN_IF_ERROR(ParseKey(bytes, where, &key));
        if (base::Status s = ValidateExportKey(key); !s.ok()) return s.WithContext(where());
        if (out->key_count + out->revised_key_count >= kMaxExportKeys) {
          return base::ResourceExhaustedError("export holds more than " +
                                              std::to_string(kMaxExportKeys) + " keys");
        }
        ++n;
        if (on_key) OPENEN_RETURN_IF_ERROR(on_key(list, key));
        continue;
      }
      default:
        if (!WireFormatLite::SkipField(&in, tag)) {
          OPENEN_RETURN_IF_ERROR(stream->status());
          return Malformed("export", "truncated field");
        }
        continue;
    }
  }
  OPENEN_RETURN_IF_ERROR(stream->status());
  // ReadTag returns 0 both at the end and for the invalid tag 0; only the
  // stream knows which.
  if (!in.ConsumedEntireMessage()) {
    return Malformed("export", "invalid tag at byte " + std::to_string(in.CurrentPosition() - 1));
  }
  return base::Status::Ok();
}

SignatureInfo FromProto(const gaen::SignatureInfo& p) {
  return {p.verification_key_version(), p.verification_key_id(), p.signature_algorithm()};
}

void ToProto(const SignatureInfo& s, gaen::SignatureInfo* p) {
  p->set_verification_key_version(s.verification_key_version);
  p->set_verification_key_id(s.verification_key_id);
  p->set_signature_algorithm(s.signature_algorithm);
}

void WriteKey(const ExportKey& k, int field, CodedOutputStream* out) {
  // Compute the submessage length first, then write it in field order.
  size_t len = 0;
  len += 1 + CodedOutputStream::VarintSize32(static_cast<uint32_t>(k.key_data.size())) +
         k.key_data.size();
  auto int32_size = [](int32_t v) { return WireFormatLite::Int32Size(v); };
  if (k.transmission_risk_level) len += 1 + int32_size(*k.transmission_risk_level);
  len += 1 + int32_size(k.rolling_start_interval_number);
  if (k.rolling_period) len += 1 + int32_size(*k.rolling_period);
  if (k.report_type) len += 1 + int32_size(static_cast<int32_t>(*k.report_type));
  if (k.days_since_onset_of_symptoms)
    len += 1 + WireFormatLite::SInt32Size(*k.days_since_onset_of_symptoms);

  WireFormatLite::WriteTag(field, WireFormatLite::WIRETYPE_LENGTH_DELIMITED, out);
  out->WriteVarint32(static_cast<uint32_t>(len));
  WireFormatLite::WriteBytes(1, std::string(base::AsChars(k.key_data)), out);
  if (k.transmission_risk_level) WireFormatLite::WriteInt32(2, *k.transmission_risk_level, out);
  WireFormatLite::WriteInt32(3, k.rolling_start_interval_number, out);
  if (k.rolling_period) WireFormatLite::WriteInt32(4, *k.rolling_period, out);
  if (k.report_type) WireFormatLite::WriteEnum(5, static_cast<int>(*k.report_type), out);
  if (k.days_since_onset_of_symptoms)
    WireFormatLite::WriteSInt32(6, *k.days_since_onset_of_symptoms, out);
}

bool KeyLess(const ExportKey& a, const ExportKey& b) { return a.key_data < b.key_data; }

}  // namespace

std::string_view ReportTypeName(ReportType t) {
  switch (t) {
    case ReportType::kUnknown:
      return "UNKNOWN";
    case ReportType::kConfirmedTest:
      return "CONFIRMED_TEST";
    case ReportType::kConfirmedClinicalDiagnosis:
      return "CONFIRMED_CLINICAL_DIAGNOSIS";
    case ReportType::kSelfReport:
      return "SELF_REPORT";
    case ReportType::kRecursive:
      return "RECURSIVE";
    case ReportType::kRevoked:
      return "REVOKED";
  }
  return "UNKNOWN";
}

base::Status ValidateExportKey(const ExportKey& key) {
  if (key.key_data.size() != kExportKeySize) {
    return base::InvalidArgumentError("key_data is " + std::to_string(key.key_data.size()) +
                                      " bytes, want 16");
  }
  if (key.RollingPeriod() < 1 ||
      key.RollingPeriod() > static_cast<int32_t>(crypto::kTekRollingPeriod)) {
    return base::InvalidArgumentError("rolling_period is " + std::to_string(key.RollingPeriod()) +
                                      ", want 1..144");
  }
  if (key.rolling_start_interval_number < 0) {
    return base::InvalidArgumentError("rolling_start_interval_number is " +
                                      std::to_string(key.rolling_start_interval_number) +
                                      ", want >= 0");
  }
  return base::Status::Ok();
}

base::Bytes EncodeExportBin(ExportBatch batch) {
  std::sort(batch.keys.begin(), batch.keys.end(), KeyLess);
  std::sort(batch.revised_keys.begin(), batch.revised_keys.end(), KeyLess);
  std::string out(kExportBinHeader);
  {
    StringOutputStream stream(&out);
    CodedOutputStream cos(&stream);
    cos.SetSerializationDeterministic(true);
    const ExportHeader& h = batch.header;
    WireFormatLite::WriteFixed64(1, h.start_timestamp, &cos);
    WireFormatLite::WriteFixed64(2, h.end_timestamp, &cos);
    WireFormatLite::WriteString(3, h.region, &cos);
    WireFormatLite::WriteInt32(4, h.batch_num, &cos);
    WireFormatLite::WriteInt32(5, h.batch_size, &cos);
    for (const SignatureInfo& s : h.signature_infos) {
      gaen::SignatureInfo p;
      ToProto(s, &p);
      WireFormatLite::WriteBytes(6, p.SerializeAsString(), &cos);
    }
    for (const ExportKey& k : batch.keys) WriteKey(k, 7, &cos);
    for (const ExportKey& k : batch.revised_keys) WriteKey(k, 8, &cos);
  }
  return base::Bytes(out.begin(), out.end());
}

base::StatusOr<base::Bytes> WriteExportZip(ExportBatch batch,
                                           const std::vector<ExportSigner>& signers) {
  if (signers.empty()) return base::InvalidArgumentError("an export needs at least one signer");
  for (size_t i = 0; i < batch.keys.size(); ++i) {
    base::Status s = ValidateExportKey(batch.keys[i]);
    if (!s.ok()) return s.WithContext("keys[" + std::to_string(i) + "]");
  }
  for (size_t i = 0; i < batch.revised_keys.size(); ++i) {
    base::Status s = ValidateExportKey(batch.revised_keys[i]);
    if (!s.ok()) return s.WithContext("revised_keys[" + std::to_string(i) + "]");
  }
  batch.header.signature_infos.clear();
  for (const ExportSigner& signer : signers) {
    if (signer.key == nullptr) return base::InvalidArgumentError("signer without a key");
    SignatureInfo info = signer.info;
    if (info.signature_algorithm.empty()) info.signature_algorithm = crypto::kEcdsaP256Sha256Oid;
    batch.header.signature_infos.push_back(std::move(info));
  }
  const int32_t batch_num = batch.header.batch_num, batch_size = batch.header.batch_size;
  const std::vector<SignatureInfo> infos = batch.header.signature_infos;
  base::Bytes bin = EncodeExportBin(std::move(batch));

  gaen::TEKSignatureList list;
  for (size_t i = 0; i < signers.size(); ++i) {
    OPENEN_ASSIGN_OR_RETURN(base::Bytes sig, signers[i].key->Sign(bin));
    gaen::TEKSignature* s = list.add_signatures();
    ToProto(infos[i], s->mutable_signature_info());
    s->set_batch_num(batch_num);
    s->set_batch_size(batch_size);
    s->set_signature(std::string(base::AsChars(sig)));
  }
  std::string sig_bytes;
  list.SerializeToString(&sig_bytes);
  return internal::WriteZip({{"export.bin", bin}, {"export.sig", base::AsBytes(sig_bytes)}});
}

base::StatusOr<ExportFile> ExportFile::Parse(base::Bytes file) {
  ExportFile f;
  if (internal::IsZip(file)) {
    OPENEN_RETURN_IF_ERROR(internal::ReadExportZip(file, &f.export_bin_, &f.export_sig_));
  } else {
    if (file.size() > kMaxExportBinSize) {
      return base::ResourceExhaustedError("export.bin is " + std::to_string(file.size()) +
                                          " bytes, more than the limit of " +
                                          std::to_string(kMaxExportBinSize));
    }
    f.export_bin_ = std::move(file);
  }
  OPENEN_RETURN_IF_ERROR(f.ParseExportBin());
  return f;
}

base::Status ExportFile::ParseExportBin() {
  BinStream stream(export_bin_);
  ScannedExport scanned;
  OPENEN_RETURN_IF_ERROR(ScanExportBin(&stream, &scanned, nullptr));
  header_ = std::move(scanned.header);
  key_count_ = scanned.key_count;
  revised_key_count_ = scanned.revised_key_count;
  return base::Status::Ok();
}

base::Status ExportFile::ForEachKey(const std::function<base::Status(const ExportKey&)>& fn,
                                    KeyList list) const {
  BinStream stream(export_bin_);
  ScannedExport scanned;
  return ScanExportBin(&stream, &scanned, [&](KeyList l, const ExportKey& key) {
    return l == list ? fn(key) : base::Status::Ok();
  });
}

base::StatusOr<ExportSummary> StreamExport(
    base::ByteView file, const std::function<base::Status(const ExportKey&)>& on_key,
    KeyList list) {
  std::unique_ptr<internal::ExportZip> zip;
  std::optional<BinStream> stream;
  if (internal::IsZip(file)) {
    OPENEN_ASSIGN_OR_RETURN(zip, internal::ExportZip::Open(file));
    stream.emplace(zip.get());
  } else {
    if (file.size() > kMaxExportBinSize) {
      return base::ResourceExhaustedError("export.bin is " + std::to_string(file.size()) +
                                          " bytes, more than the limit of " +
                                          std::to_string(kMaxExportBinSize));
    }
    stream.emplace(file);
  }
  ScannedExport scanned;
  bool caller_stopped = false;
  base::Status scan = ScanExportBin(&*stream, &scanned, [&](KeyList l, const ExportKey& key) {
    if (l != list) return base::Status::Ok();
    base::Status s = on_key(key);
    caller_stopped = !s.ok();
    return s;
  });
  // A member that is broken as a zip member (its size or CRC) is refused
  // for that, as Parse refuses it, even where its bytes failed to parse
  // first: the rest is read (no more than its declared size) to tell.
  if (caller_stopped) return scan;
  base::StatusOr<crypto::Sha256Digest> digest = stream->Finish();
  if (!scan.ok() && digest.ok()) return scan;
  ExportSummary summary;
  OPENEN_ASSIGN_OR_RETURN(summary.export_bin_sha256, std::move(digest));
  summary.header = std::move(scanned.header);
  summary.key_count = scanned.key_count;
  summary.revised_key_count = scanned.revised_key_count;
  if (zip) summary.export_sig = zip->TakeExportSig();
  return summary;
}

std::vector<ExportKey> ExportFile::Keys(KeyList list) const {
  std::vector<ExportKey> keys;
  keys.reserve(list == KeyList::kKeys ? key_count_ : revised_key_count_);
  (void)ForEachKey(
      [&](const ExportKey& k) {
        keys.push_back(k);
        return base::Status::Ok();
      },
      list);
  return keys;
}

namespace {

// Signatures reads export.sig: one signature per SignatureInfo in export.bin.
base::StatusOr<std::vector<std::pair<SignatureInfo, base::Bytes>>> Signatures(
    const std::optional<base::Bytes>& export_sig, const ExportHeader& header) {
  if (!export_sig) return base::UnauthenticatedError("export has no export.sig");
  gaen::TEKSignatureList list;
  if (!list.ParseFromArray(export_sig->data(), static_cast<int>(export_sig->size()))) {
    return base::UnauthenticatedError("export.sig is not a valid TEKSignatureList");
  }
  if (static_cast<size_t>(list.signatures_size()) != header.signature_infos.size()) {
    return base::UnauthenticatedError("export.sig has " + std::to_string(list.signatures_size()) +
                                      " signatures, export.bin lists " +
                                      std::to_string(header.signature_infos.size()));
  }
  std::vector<std::pair<SignatureInfo, base::Bytes>> signatures;
  for (const gaen::TEKSignature& s : list.signatures()) {
    signatures.emplace_back(FromProto(s.signature_info()), base::ToBytes(s.signature()));
  }
  return signatures;
}

base::Status VerifyTrusted(const std::optional<base::Bytes>& export_sig, const ExportHeader& header,
                           const crypto::Sha256Digest& digest, const TrustedExportKeys& trusted) {
  OPENEN_ASSIGN_OR_RETURN(auto signatures, Signatures(export_sig, header));
  int verified = 0;
  std::string names;
  for (const auto& [info, sig] : signatures) {
    std::string name = info.KeyName();
    names += (names.empty() ? "" : ", ") + name;
    auto it = trusted.find(name);
    if (it == trusted.end()) continue;
    // export.sig is not signed: its name for a signature counts only if
    // export.bin's signed header names that key too. Otherwise a signature
    // made under one name could be relabelled as another of the same key's.
    if (std::none_of(
            header.signature_infos.begin(), header.signature_infos.end(),
            [&](const SignatureInfo& signed_info) { return signed_info.KeyName() == name; })) {
      return base::UnauthenticatedError("export.sig names a signature by " + name +
                                        ", which export.bin's signed header does not");
    }
    if (info.signature_algorithm != crypto::kEcdsaP256Sha256Oid) {
      return base::UnauthenticatedError("signature by " + name + " uses algorithm '" +
                                        info.signature_algorithm + "', want " +
                                        std::string(crypto::kEcdsaP256Sha256Oid));
    }
    if (!it->second.VerifyDigest(digest, sig).ok()) {
      return base::UnauthenticatedError("signature by " + name + " does not verify");
    }
    ++verified;
  }
  if (verified == 0) {
    return base::UnauthenticatedError("no signature by a trusted key (signed by: " +
                                      (names.empty() ? std::string("none") : names) + ")");
  }
  return base::Status::Ok();
}

}  // namespace

base::Status ExportFile::Verify(const TrustedExportKeys& trusted) const {
  return VerifyTrusted(export_sig_, header_, crypto::Sha256(export_bin_), trusted);
}

base::Status ExportSummary::Verify(const TrustedExportKeys& trusted) const {
  return VerifyTrusted(export_sig, header, export_bin_sha256, trusted);
}

base::Status ExportFile::VerifyWithKey(const crypto::EcdsaP256PublicKey& key) const {
  OPENEN_ASSIGN_OR_RETURN(auto signatures, Signatures(export_sig_, header_));
  const crypto::Sha256Digest digest = crypto::Sha256(export_bin_);
  for (const auto& [info, sig] : signatures) {
    if (key.VerifyDigest(digest, sig).ok()) return base::Status::Ok();
  }
  return base::UnauthenticatedError("no signature in export.sig verifies with the given key");
}

}  // namespace openen::wire
