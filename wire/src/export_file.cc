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

#include "export_zip.h"
#include "gaen/export.pb.h"
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

// ReadLengthDelimited reads a length prefix and returns the span it covers.
bool ReadLengthDelimited(CodedInputStream* in, const uint8_t* base, base::ByteView* out) {
  uint32_t len = 0;
  if (!in->ReadVarint32(&len)) return false;
  int pos = in->CurrentPosition();
  if (!in->Skip(static_cast<int>(len))) return false;
  *out = base::ByteView(base + pos, len);
  return true;
}

base::Status ParseKey(base::ByteView bytes, const std::string& where, ExportKey* key) {
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
        if (wire != kWireBytes) return WrongWireType(where, "key_data", wire, kWireBytes);
        base::ByteView data;
        if (!ReadLengthDelimited(&in, bytes.data(), &data))
          return Malformed(where, "truncated key_data");
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
          return WrongWireType(where, kNames[field], wire, kWireVarint);
        }
        if (!in.ReadVarint64(&v)) return Malformed(where, "truncated varint");
        break;
      default:
        if (!WireFormatLite::SkipField(&in, tag))
          return Malformed(where, "truncated unknown field");
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
    return Malformed(where, "invalid tag at byte " + std::to_string(in.CurrentPosition() - 1));
  }
  return base::Status::Ok();
}

// ScanTopLevel walks the fields of a TemporaryExposureKeyExport, calling
// |on_keys(list, bytes)| for each key and |on_field(field, wire, in)| for others.
template <typename OnKey, typename OnField>
base::Status ScanTopLevel(base::ByteView body, OnKey on_key, OnField on_field) {
  CodedInputStream in(body.data(), static_cast<int>(body.size()));
  in.SetTotalBytesLimit(static_cast<int>(std::min<size_t>(body.size() + 1, INT32_MAX)));
  while (true) {
    uint32_t tag = in.ReadTag();
    if (tag == 0) break;
    int field = WireFormatLite::GetTagFieldNumber(tag);
    int wire = WireFormatLite::GetTagWireType(tag);
    if (field == 7 || field == 8) {
      const char* name = field == 7 ? "keys" : "revised_keys";
      if (wire != kWireBytes) return WrongWireType("export", name, wire, kWireBytes);
      base::ByteView key;
      if (!ReadLengthDelimited(&in, body.data(), &key)) {
        return Malformed("export", std::string("truncated ") + name);
      }
      OPENEN_RETURN_IF_ERROR(on_key(field == 7 ? KeyList::kKeys : KeyList::kRevisedKeys, key));
      continue;
    }
    OPENEN_RETURN_IF_ERROR(on_field(field, wire, tag, &in));
  }
  if (!in.ConsumedEntireMessage()) {
    return Malformed("export", "invalid tag at byte " + std::to_string(in.CurrentPosition() - 1 +
                                                                       kExportBinHeader.size()));
  }
  return base::Status::Ok();
}

// SkipAll is the on_field of a pass that looks only at keys.
base::Status SkipAll(int, int, uint32_t tag, CodedInputStream* in) {
  if (!WireFormatLite::SkipField(in, tag)) return Malformed("export", "truncated field");
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
  const size_t header_size = kExportBinHeader.size();
  if (export_bin_.size() < header_size ||
      base::AsChars(base::ByteView(export_bin_).first(header_size)) != kExportBinHeader) {
    std::string got(base::AsChars(
        base::ByteView(export_bin_).first(std::min(header_size, export_bin_.size()))));
    for (char& c : got) {
      if (c < 0x20 || c > 0x7e) c = '?';
    }
    return base::InvalidArgumentError("export.bin starts with '" + got + "', want '" +
                                      std::string(kExportBinHeader) + "'");
  }
  base::ByteView body = base::ByteView(export_bin_).subspan(header_size);
  ExportKey key;
  key_count_ = revised_key_count_ = 0;
  auto on_key = [&](KeyList list, base::ByteView bytes) {
    size_t& n = list == KeyList::kKeys ? key_count_ : revised_key_count_;
    std::string where =
        (list == KeyList::kKeys ? "keys[" : "revised_keys[") + std::to_string(n) + "]";
    OPENEN_RETURN_IF_ERROR(ParseKey(bytes, where, &key));
    base::Status s = ValidateExportKey(key);
    if (!s.ok()) return s.WithContext(where);
    if (key_count_ + revised_key_count_ >= kMaxExportKeys) {
      return base::ResourceExhaustedError("export holds more than " +
                                          std::to_string(kMaxExportKeys) + " keys");
    }
    ++n;
    return base::Status::Ok();
  };
  auto on_field = [&](int field, int wire, uint32_t tag, CodedInputStream* in) -> base::Status {
    static const char* kNames[] = {"",          "start_timestamp", "end_timestamp",  "region",
                                   "batch_num", "batch_size",      "signature_infos"};
    int want = field <= 2 ? kWireFixed64 : (field == 3 || field == 6) ? kWireBytes : kWireVarint;
    if (field >= 1 && field <= 6 && wire != want)
      return WrongWireType("export", kNames[field], wire, want);
    uint64_t v = 0;
    switch (field) {
      case 1:
      case 2:
        if (!in->ReadLittleEndian64(&v)) return Malformed("export", "truncated timestamp");
        (field == 1 ? header_.start_timestamp : header_.end_timestamp) = v;
        return base::Status::Ok();
      case 3: {
        base::ByteView s;
        if (!ReadLengthDelimited(in, body.data(), &s))
          return Malformed("export", "truncated region");
        header_.region.assign(base::AsChars(s));
        return base::Status::Ok();
      }
      case 4:
      case 5:
        if (!in->ReadVarint64(&v)) return Malformed("export", "truncated varint");
        (field == 4 ? header_.batch_num : header_.batch_size) = static_cast<int32_t>(v);
        return base::Status::Ok();
      case 6: {
        base::ByteView s;
        gaen::SignatureInfo info;
        if (!ReadLengthDelimited(in, body.data(), &s) ||
            !info.ParseFromArray(s.data(), static_cast<int>(s.size()))) {
          return Malformed("export", "invalid signature_infos");
        }
        header_.signature_infos.push_back(FromProto(info));
        return base::Status::Ok();
      }
      default:
        return SkipAll(field, wire, tag, in);
    }
  };
  return ScanTopLevel(body, on_key, on_field);
}

base::Status ExportFile::ForEachKey(const std::function<base::Status(const ExportKey&)>& fn,
                                    KeyList list) const {
  base::ByteView body = base::ByteView(export_bin_).subspan(kExportBinHeader.size());
  ExportKey key;
  return ScanTopLevel(
      body,
      [&](KeyList l, base::ByteView bytes) {
        if (l != list) return base::Status::Ok();
        OPENEN_RETURN_IF_ERROR(ParseKey(bytes, "key", &key));  // validated by Parse
        return fn(key);
      },
      SkipAll);
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

base::Status ExportFile::CheckSignatureList(
    std::vector<std::pair<SignatureInfo, base::Bytes>>* signatures) const {
  if (!export_sig_) return base::UnauthenticatedError("export has no export.sig");
  gaen::TEKSignatureList list;
  if (!list.ParseFromArray(export_sig_->data(), static_cast<int>(export_sig_->size()))) {
    return base::UnauthenticatedError("export.sig is not a valid TEKSignatureList");
  }
  if (static_cast<size_t>(list.signatures_size()) != header_.signature_infos.size()) {
    return base::UnauthenticatedError("export.sig has " + std::to_string(list.signatures_size()) +
                                      " signatures, export.bin lists " +
                                      std::to_string(header_.signature_infos.size()));
  }
  for (const gaen::TEKSignature& s : list.signatures()) {
    signatures->emplace_back(FromProto(s.signature_info()), base::ToBytes(s.signature()));
  }
  return base::Status::Ok();
}

base::Status ExportFile::Verify(const TrustedExportKeys& trusted) const {
  std::vector<std::pair<SignatureInfo, base::Bytes>> signatures;
  OPENEN_RETURN_IF_ERROR(CheckSignatureList(&signatures));
  int verified = 0;
  std::string names;
  for (const auto& [info, sig] : signatures) {
    std::string name = info.KeyName();
    names += (names.empty() ? "" : ", ") + name;
    auto it = trusted.find(name);
    if (it == trusted.end()) continue;
    if (info.signature_algorithm != crypto::kEcdsaP256Sha256Oid) {
      return base::UnauthenticatedError("signature by " + name + " uses algorithm '" +
                                        info.signature_algorithm + "', want " +
                                        std::string(crypto::kEcdsaP256Sha256Oid));
    }
    if (!it->second.Verify(export_bin_, sig).ok()) {
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

base::Status ExportFile::VerifyWithKey(const crypto::EcdsaP256PublicKey& key) const {
  std::vector<std::pair<SignatureInfo, base::Bytes>> signatures;
  OPENEN_RETURN_IF_ERROR(CheckSignatureList(&signatures));
  for (const auto& [info, sig] : signatures) {
    if (key.Verify(export_bin_, sig).ok()) return base::Status::Ok();
  }
  return base::UnauthenticatedError("no signature in export.sig verifies with the given key");
}

}  // namespace openen::wire
