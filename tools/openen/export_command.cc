// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// `openen export inspect`: read a GAEN export (zip or export.bin), print its
// header and keys, and check its signature against a given public key.

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

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
    "Exit status: 0 when the file parses and the key (if given) verifies it;\n"
    "1 with a one-line reason on stderr otherwise; 2 for bad arguments.\n";

base::StatusOr<crypto::EcdsaP256PublicKey> LoadPublicKey(const std::string& value) {
  std::ifstream probe(value, std::ios::binary);
  if (probe) {
    OPENEN_ASSIGN_OR_RETURN(std::string contents, base::ReadFile(value, base::kMaxSmallFileBytes));
    auto key = crypto::EcdsaP256PublicKey::Parse(base::AsBytes(contents));
    if (!key.ok()) return key.status().WithContext("--public-key " + value);
    return key;
  }
  auto key = crypto::EcdsaP256PublicKey::FromSpkiBase64(value);
  if (!key.ok()) return key.status().WithContext("--public-key is neither a file nor base64 SPKI");
  return key;
}

void WriteKeysJson(const wire::ExportFile& file, wire::KeyList list, JsonWriter* j) {
  j->BeginArray();
  (void)file.ForEachKey(
      [&](const wire::ExportKey& k) {
        j->BeginObject();
        j->Key("key_data").String(base::HexEncode(k.key_data));
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

std::string OptionalText(const std::optional<int32_t>& v) {
  return v ? std::to_string(*v) : std::string("-");
}

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
          std::printf(
              "%s\t%s\t%s\t%d\t%d\t%s\t%s\n", list == wire::KeyList::kKeys ? "key" : "revised",
              base::HexEncode(k.key_data).c_str(), OptionalText(k.transmission_risk_level).c_str(),
              k.rolling_start_interval_number, k.RollingPeriod(),
              k.report_type ? std::string(wire::ReportTypeName(*k.report_type)).c_str() : "-",
              OptionalText(k.days_since_onset_of_symptoms).c_str());
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
  auto bytes = base::ReadFile(path, wire::kMaxExportFileSize);
  if (!bytes.ok()) return Fail(bytes.status().message(), kExitFailure);
  auto file = wire::ExportFile::Parse(base::ToBytes(*bytes));
  if (!file.ok()) return Fail(path + ": " + file.status().message(), kExitFailure);

  base::Status verified = base::Status::Ok();
  const char* signature = "unchecked";
  if (key) {
    verified = file->VerifyWithKey(*key);
    signature = verified.ok() ? "valid" : "invalid";
  }

  if (args->Has("json")) {
    const wire::ExportHeader& h = file->header();
    JsonWriter j;
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
    std::printf("%s\n", j.str().c_str());
  } else {
    PrintText(*file, signature);
  }
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
