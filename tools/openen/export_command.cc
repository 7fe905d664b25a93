// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// `openen export inspect`: read a GAEN export (zip or export.bin), print its
// header and keys, and check its signature against a given public key.

#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

#include "commands.h"
#include "json.h"
#include "openen/base/file.h"
#include "openen/cli/args.h"
#include "openen/wire/export.h"

namespace openen::tools {

using cli::Args;
using cli::Fail;
using cli::kExitFailure;
using cli::kExitOk;

namespace {

constexpr char kUsage[] =
    "usage: openen export inspect FILE [--public-key KEY] [--json]\n"
    "\n"
    "Reads a GAEN key export (a zip with export.bin and export.sig, or a bare\n"
    "export.bin) and prints its header and keys.\n"
    "\n"
    "  --public-key KEY  base64 SubjectPublicKeyInfo, or a file holding one (PEM,\n"
    "                    base64 or DER): the export must carry a signature that\n"
    "                    verifies with it\n"
    "  --json            print one JSON object instead of text\n"
    "\n"
    "A file larger than the largest legal export (about 15 MB, 200,000 keys) is\n"
    "refused before it is read or inflated; keys are printed as they are decoded.\n"
    "\n"
    "Exit status: 0 when the file parses and the key (if given) verifies it;\n"
    "1 with a one-line reason on stderr otherwise; 2 for bad arguments.\n";

base::StatusOr<crypto::EcdsaP256PublicKey> LoadPublicKey(const std::string& value) {
  // FileExists, not a trial open: a trial open of a FIFO (--public-key
  // <(...)) waits for its writer, and closing it can end the writer before
  // ReadFile opens it again.
  if (base::FileExists(value)) {
    OPENEN_ASSIGN_OR_RETURN(std::string contents, base::ReadFile(value, base::kMaxSmallFileBytes));
    auto key = crypto::EcdsaP256PublicKey::Parse(base::AsBytes(contents));
    if (!key.ok()) return key.status().WithContext("--public-key " + value);
    return key;
  }
  auto key = crypto::EcdsaP256PublicKey::FromSpkiBase64(value);
  if (!key.ok()) return key.status().WithContext("--public-key is neither a file nor base64 SPKI");
  return key;
}

// KeyHex is the hex form of a key's key_data, built without a heap
// allocation: a large export prints hundreds of thousands of them.
class KeyHex {
 public:
  explicit KeyHex(base::ByteView data) {
    static constexpr char kDigits[] = "0123456789abcdef";
    // Parse validated key_data as kExportKeySize bytes.
    for (size_t i = 0; i < data.size() && i < wire::kExportKeySize; ++i) {
      hex_[len_++] = kDigits[data[i] >> 4];
      hex_[len_++] = kDigits[data[i] & 0xf];
    }
  }
  std::string_view view() const { return {hex_, len_}; }

 private:
  char hex_[2 * wire::kExportKeySize];
  size_t len_ = 0;
};

void WriteKeysJson(const wire::ExportFile& file, wire::KeyList list, JsonWriter* j) {
  j->BeginArray();
  (void)file.ForEachKey(
      [&](const wire::ExportKey& k) {
        j->BeginObject();
        j->Key("key_data").String(KeyHex(k.key_data).view());
        j->Key("transmission_risk_level").Optional(k.transmission_risk_level);
        j->Key("rolling_start_interval_number").Int(k.rolling_start_interval_number);
        j->Key("rolling_period").Int(k.RollingPeriod());
        if (k.report_type) {
          j->Key("report_type").String(wire::ReportTypeName(*k.report_type));
        } else {
          j->Key("report_type").Null();
        }
        j->Key("days_since_onset_of_symptoms").Optional(k.days_since_onset_of_symptoms);
        j->EndObject();
        return base::Status::Ok();
      },
      list);
  j->EndArray();
}

// OptionalText writes |v| or "-" into |buf|, which it returns.
const char* OptionalText(const std::optional<int32_t>& v, char (&buf)[16]) {
  if (!v) return "-";
  std::snprintf(buf, sizeof(buf), "%d", *v);
  return buf;
}

// PrintText prints the header and then each key as it is decoded: nothing
// grows with the key count.
void PrintText(const wire::ExportFile& file, const char* signature) {
  const wire::ExportHeader& h = file.header();
  std::printf("region: %s\nbatch: %d of %d\nstart_timestamp: %llu\nend_timestamp: %llu\n",
              h.region.c_str(), h.batch_num, h.batch_size,
              static_cast<unsigned long long>(h.start_timestamp),
              static_cast<unsigned long long>(h.end_timestamp));
  for (const wire::SignatureInfo& s : h.signature_infos) {
    std::printf("signature_info: %s (%s)\n", s.KeyName().c_str(), s.signature_algorithm.c_str());
  }
  std::printf("signature: %s\nkeys: %zu\nrevised_keys: %zu\n", signature, file.key_count(),
              file.revised_key_count());
  std::printf("list\tkey_data\ttransmission_risk\trolling_start\trolling_period\treport_type\t"
              "days_since_onset\n");
  for (auto list : {wire::KeyList::kKeys, wire::KeyList::kRevisedKeys}) {
    (void)file.ForEachKey(
        [&](const wire::ExportKey& k) {
          const KeyHex hex(k.key_data);
          const std::string_view report =
              k.report_type ? wire::ReportTypeName(*k.report_type) : std::string_view("-");
          char risk[16], onset[16];
          std::printf(
              "%s\t%.*s\t%s\t%d\t%d\t%.*s\t%s\n", list == wire::KeyList::kKeys ? "key" : "revised",
              static_cast<int>(hex.view().size()), hex.view().data(),
              OptionalText(k.transmission_risk_level, risk), k.rolling_start_interval_number,
              k.RollingPeriod(), static_cast<int>(report.size()), report.data(),
              OptionalText(k.days_since_onset_of_symptoms, onset));
          return base::Status::Ok();
        },
        list);
  }
}

int Inspect(int argc, char** argv, int first) {
  auto args = Args::Parse(argc, argv, first, {"public-key"}, {"json", "help"});
  if (!args.ok()) return Fail(args.status().message());
  if (args->Has("help")) {
    std::fputs(kUsage, stdout);
    return kExitOk;
  }
  if (args->positional().size() != 1) return Fail("export inspect takes exactly one FILE");
  const std::string& path = args->positional()[0];

  std::optional<crypto::EcdsaP256PublicKey> key;
  if (auto value = args->Get("public-key")) {
    auto k = LoadPublicKey(*value);
    if (!k.ok()) return Fail(k.status().message());
    key = std::move(*k);
  }
  // ReadFile refuses a regular file larger than the largest legal export by
  // its size, before reading it, and stops reading a pipe at that size plus
  // one byte.
  base::Bytes data;
  {
    auto bytes = base::ReadFile(path, wire::kMaxExportFileSize);
    if (!bytes.ok()) return Fail(bytes.status().message(), kExitFailure);
    data = base::ToBytes(*bytes);
  }  // the text copy goes before export.bin is inflated
  auto file = wire::ExportFile::Parse(std::move(data));
  if (!file.ok()) return Fail(path + ": " + file.status().message(), kExitFailure);

  base::Status verified = base::Status::Ok();
  const char* signature = "unchecked";
  if (key) {
    verified = file->VerifyWithKey(*key);
    signature = verified.ok() ? "valid" : "invalid";
  }

  // Both outputs are written as the keys are decoded from export.bin, so the
  // memory of a run does not grow with its output: at its peak (in Parse) it
  // holds the file and its export.bin, at most kMaxExportFileSize and
  // kMaxExportBinSize (room for kMaxExportKeys keys; a member declaring more
  // is refused before it is inflated), then export.bin and a
  // JsonWriter::kFlushBytes output buffer.
  if (args->Has("json")) {
    const wire::ExportHeader& h = file->header();
    JsonWriter j(stdout);
    j.BeginObject();
    j.Key("region").String(h.region);
    j.Key("batch_num").Int(h.batch_num);
    j.Key("batch_size").Int(h.batch_size);
    j.Key("start_timestamp").Uint(h.start_timestamp);
    j.Key("end_timestamp").Uint(h.end_timestamp);
    j.Key("key_count").Uint(file->key_count());
    j.Key("keys");
    WriteKeysJson(*file, wire::KeyList::kKeys, &j);
    j.Key("revised_keys");
    WriteKeysJson(*file, wire::KeyList::kRevisedKeys, &j);
    j.Key("signature").String(signature);
    j.EndObject();
    if (!j.Flush() || std::fputc('\n', stdout) == EOF) {
      return Fail("cannot write the output", kExitFailure);
    }
  } else {
    PrintText(*file, signature);
  }
  if (std::fflush(stdout) != 0) return Fail("cannot write the output", kExitFailure);
  if (!verified.ok()) return Fail(path + ": " + verified.message(), kExitFailure);
  return kExitOk;
}

}  // namespace

int ExportCommand(int argc, char** argv, int first) {
  if (first >= argc) return Fail(std::string("missing subcommand\n") + kUsage);
  std::string sub = argv[first];
  if (sub == "inspect") return Inspect(argc, argv, first + 1);
  if (sub == "--help" || sub == "help") {
    std::fputs(kUsage, stdout);
    return kExitOk;
  }
  return Fail("unknown subcommand 'export " + sub + "'");
}

}  // namespace openen::tools
