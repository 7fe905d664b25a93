// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// make_corpus writes the seed corpus of every fuzz target: a few small
// valid inputs each, made with the project's own writers and signed with
// the keys fuzz_util.h fixes, so that the fuzzers start past every
// signature check. Run from the build directory:
//   tests/fuzz/make_corpus <source>/fuzz/corpus
// It writes <target>/<name> files (ECDSA signatures are randomized, so the
// bytes differ from run to run; the inputs mean the same). The corpus also
// holds inputs that reproduced findings (named crash-*), which it keeps.

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "fuzz_util.h"
#include "openen/base/coding.h"
#include "openen/crypto/hash.h"
#include "openen/crypto/interval.h"
#include "openen/v1/relay.pb.h"
#include "openen/v1/verification.pb.h"
#include "openen/wire/export.h"
#include "openen/wire/signed.h"
#include "records_codec.h"
#include "store.h"

namespace openen::fuzz {
namespace {

std::string out_dir;

void Write(const std::string& target, const std::string& name, std::string_view bytes) {
  const std::string dir = out_dir + "/" + target;
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/" + name, std::ios::binary).write(bytes.data(), bytes.size());
}

std::string Str(base::ByteView b) { return std::string(base::AsChars(b)); }
std::string Selected(uint8_t selector, std::string_view rest) {
  return std::string(1, static_cast<char>(selector)) + std::string(rest);
}

const uint32_t kToday = crypto::RollingStart(crypto::EnIntervalNumber(kFuzzNow));

wire::ExportBatch Batch(int keys) {
  wire::ExportBatch batch;
  batch.header.start_timestamp = kFuzzNow - 3600;
  batch.header.end_timestamp = kFuzzNow;
  batch.header.region = "ZZ";
  for (int i = 0; i < keys; ++i) {
    wire::ExportKey k;
    k.key_data = base::Bytes(16, static_cast<uint8_t>(0x40 + i));
    k.transmission_risk_level = 4;
    k.rolling_start_interval_number = kToday - 144 * (i + 1);
    k.report_type = wire::ReportType::kConfirmedTest;
    k.days_since_onset_of_symptoms = i;
    batch.keys.push_back(k);
  }
  return batch;
}

std::string Zip(const wire::ExportBatch& batch) {
  static const crypto::EcdsaP256PrivateKey key = FixedExportKey();
  wire::ExportSigner signer{{"v1", "openen", ""}, &key};
  auto zip = wire::WriteExportZip(batch, {signer});
  if (!zip.ok()) abort();
  return Str(*zip);
}

std::string Envelope(std::string_view context, const google::protobuf::MessageLite& m, char role) {
  return wire::SignEnvelope(context, m, FixedEd25519(role)).SerializeAsString();
}

openen::v1::RelayConfig Config() {
  openen::v1::RelayConfig config;
  config.set_expires_at(kFuzzNow + 30 * 86400);
  config.set_serial(7);
  (*config.mutable_export_signing_keys())[kExportKeyName] =
      FixedExportKey().PublicKey().ToSpkiBase64();
  config.set_retention_days(14);
  return config;
}

openen::v1::DecommissionOrder Order() {
  openen::v1::DecommissionOrder order;
  order.set_effective_at(kFuzzNow - 60);
  order.set_sequence(1);
  order.set_issuer("health authority");
  return order;
}

void Exports() {
  const wire::ExportBatch one = Batch(1), five = Batch(5);
  Write("export_zip", "one-key.zip", Zip(one));
  Write("export_zip", "five-keys.zip", Zip(five));
  Write("export_zip", "bare-export.bin", Str(wire::EncodeExportBin(five)));
  wire::ExportBatch revised = Batch(2);
  revised.revised_keys = Batch(1).keys;
  revised.revised_keys[0].report_type = wire::ReportType::kRevoked;
  Write("export_bin", "revised.bin", Str(wire::EncodeExportBin(revised)).substr(16));
  Write("export_bin", "five-keys.bin", Str(wire::EncodeExportBin(five)).substr(16));
  wire::ExportBatch bare = Batch(1);
  bare.keys[0].transmission_risk_level.reset();
  bare.keys[0].report_type.reset();
  bare.keys[0].days_since_onset_of_symptoms.reset();
  Write("export_bin", "fields-absent.bin", Str(wire::EncodeExportBin(bare)).substr(16));
}

void Envelopes() {
  openen::v1::Certificate cert;
  cert.set_report_type(openen::v1::CONFIRMED_TEST);
  cert.set_key_hmac(std::string(32, 'h'));
  cert.set_issuer("openen-verifier");
  cert.set_audience("openen-relay");
  cert.set_expires_at(kFuzzNow + 900);
  cert.set_nonce(std::string(16, 'n'));
  Write("signed_envelope", "certificate",
        Selected(0, Envelope(wire::kCertificateContext, cert, 'A')));
  Write("signed_envelope", "configuration",
        Selected(1, Envelope(wire::kRelayConfigContext, Config(), 'C')));
  Write("signed_envelope", "decommission-order",
        Selected(2, Envelope(wire::kDecommissionOrderContext, Order(), 'D')));
  Write("signed_envelope", "certificate-payload", Selected(0x80, cert.SerializeAsString()));
  Write("signed_envelope", "configuration-payload", Selected(0x81, Config().SerializeAsString()));
  Write("signed_envelope", "decommission-payload", Selected(0x82, Order().SerializeAsString()));
}

void RelayRequests() {
  // Keys the relay accepts: one a day for the three days before today.
  openen::v1::PublishRequest publish;
  for (int i = 1; i <= 3; ++i) {
    auto* k = publish.add_keys();
    k->set_key_data(std::string(16, static_cast<char>(0x20 + i)));
    k->set_rolling_start_interval_number(kToday - 144u * i);
    k->set_rolling_period(144);
    k->set_transmission_risk(4);
  }
  publish.set_hmac_secret(std::string(32, 'S'));
  std::vector<crypto::TekHmacEntry> entries;
  for (const auto& k : publish.keys()) {
    entries.push_back({base::ToBytes(k.key_data()), k.rolling_start_interval_number(),
                       k.rolling_period(), k.transmission_risk()});
  }
  openen::v1::Certificate cert;
  cert.set_report_type(openen::v1::CONFIRMED_TEST);
  const crypto::Sha256Digest mac = crypto::TekHmac(base::AsBytes(publish.hmac_secret()), entries,
                                                   crypto::TekHmacForm::kWithTransmissionRisk);
  cert.set_key_hmac(Str(mac));
  cert.set_issuer("openen-verifier");
  cert.set_audience("openen-relay");
  cert.set_expires_at(kFuzzNow + 2 * 3600);  // past the harness's request time
  cert.set_nonce(std::string(16, 'n'));
  *publish.mutable_certificate() =
      wire::SignEnvelope(wire::kCertificateContext, cert, FixedEd25519('A'));
  Write("relay_rpc", "publish", Selected(0, publish.SerializeAsString()));
  // Helped: the target re-signs the certificate payload for whatever keys.
  publish.mutable_certificate()->clear_signature();
  Write("relay_rpc", "publish-helped", Selected(0x80, publish.SerializeAsString()));
  publish.set_chaff(true);
  Write("relay_rpc", "publish-chaff", Selected(0x80, publish.SerializeAsString()));
  openen::v1::ListBatchesRequest list;
  Write("relay_rpc", "list-batches", Selected(1, list.SerializeAsString()));
  list.set_after("batch-0000000000.zip");
  Write("relay_rpc", "list-batches-after", Selected(1, list.SerializeAsString()));
  openen::v1::GetBatchRequest get;
  Write("relay_rpc", "get-batch-helped", Selected(0x82, get.SerializeAsString()));
  get.set_name("batch-" + std::to_string(kFuzzNow + 3600) + ".zip");
  Write("relay_rpc", "get-batch", Selected(2, get.SerializeAsString()));
  Write("relay_rpc", "get-config", Selected(3, openen::v1::GetConfigRequest().SerializeAsString()));
  // Bytes that do not decode: a length running past the end, a bad tag.
  Write("relay_rpc", "publish-truncated", Selected(0, std::string("\x0a\xff\xff\x03", 4)));
  Write("relay_rpc", "get-batch-bad-tag", Selected(2, std::string("\xff\xff\xff\xff\x0f", 5)));
}

void VerifierRequests() {
  openen::v1::IssueCodeRequest issue;
  issue.set_test_type(openen::v1::CONFIRMED_TEST);
  Write("verifier_rpc", "issue-code", Selected(0, issue.SerializeAsString()));
  issue.set_symptom_onset_interval(kToday - 144 * 3);
  Write("verifier_rpc", "issue-code-onset", Selected(0, issue.SerializeAsString()));
  Write("verifier_rpc", "issue-code-admin", Selected(0x80, issue.SerializeAsString()));
  // A code that is not UTF-8.
  Write("verifier_rpc", "exchange-not-utf8", Selected(1, std::string("\x0a\x02\xff\xfe", 4)));
  openen::v1::ExchangeCodeRequest exchange;
  Write("verifier_rpc", "exchange-helped", Selected(0x81, exchange.SerializeAsString()));
  exchange.set_code("1234 5678-9012 3456");
  Write("verifier_rpc", "exchange-wrong", Selected(1, exchange.SerializeAsString()));
  exchange.set_chaff(true);
  Write("verifier_rpc", "exchange-chaff", Selected(1, exchange.SerializeAsString()));
  openen::v1::CertifyRequest certify;
  certify.set_key_hmac(std::string(32, 'h'));
  Write("verifier_rpc", "certify-helped", Selected(0x82, certify.SerializeAsString()));
  certify.set_token("not-a-token");
  certify.set_chaff(true);
  Write("verifier_rpc", "certify-chaff", Selected(2, certify.SerializeAsString()));
}

void ClientRecords() {
  using namespace client::internal;
  client::OwnKey key;
  key.key_data = crypto::SecretBytes(base::Bytes(16, 0x33));
  key.rolling_start_interval_number = kToday;
  key.rolling_period = 144;
  Write("client_records", "own-key", Selected(0, Str(EncodeTek(key))));
  const uint32_t day = kFuzzNow / 86400;
  client::Sighting s;
  s.rpi.fill(0x44);
  s.aem.fill(0x55);
  s.interval = day * 144 + 60;
  s.scans = {{crypto::IntervalStartSeconds(s.interval) + 10, -60},
             {crypto::IntervalStartSeconds(s.interval) + 300, -70}};
  Write("client_records", "sightings", Selected(1, Str(EncodeSightings({s, s}))));
  client::ExposureWindow w;
  w.day = day;
  w.report_type = wire::ReportType::kConfirmedTest;
  w.infectiousness = client::Infectiousness::kHigh;
  w.key_tag.emplace().fill(0x66);
  w.scans = {{55, 50, 300}, {60, 58, 240}};
  const base::Bytes window = EncodeWindow(w);
  Write("client_records", "window", Selected(2, Str(window)));
  Write("client_records", "windows", Selected(3, Str(EncodeWindows({window, window}))));
  Write("client_records", "padded", Selected(4, Str(Pad(window, 64))));
}

void CApi() {
  const std::string batch_name = "batch-" + std::to_string(kFuzzNow - 3600) + ".zip";
  const std::string zip = Zip(Batch(3));
  const crypto::Sha256Digest digest = crypto::Sha256(base::AsBytes(zip));
  std::string hex;
  for (uint8_t b : digest) {
    static const char kHex[] = "0123456789abcdef";
    hex += kHex[b >> 4];
    hex += kHex[b & 15];
  }
  const std::string config = Envelope(wire::kRelayConfigContext, Config(), 'C');
  openen::v1::ExchangeCodeResponse exchange;
  exchange.set_token("token-from-the-verifier");
  exchange.set_token_expires_at(kFuzzNow + 3600);
  exchange.set_test_type(openen::v1::CONFIRMED_TEST);
  openen::v1::Certificate cert;
  cert.set_report_type(openen::v1::CONFIRMED_TEST);
  cert.set_key_hmac(std::string(32, 'h'));
  cert.set_audience("openen-relay");
  cert.set_expires_at(kFuzzNow + 900);
  openen::v1::CertifyResponse certify;
  *certify.mutable_certificate() =
      wire::SignEnvelope(wire::kCertificateContext, cert, FixedEd25519('A'));
  openen::v1::PublishResponse publish;
  publish.set_accepted(1);
  const crypto::Ed25519PrivateKey config_key = FixedEd25519('C');
  const std::string key = Str(config_key.PublicKey().bytes());
  auto input = [&](uint8_t selector, const std::string& decommission) {
    const std::vector<std::string> parts = {config,
                                            batch_name + "\n",
                                            hex + "  " + batch_name + "\n",
                                            config,
                                            decommission,
                                            zip,
                                            exchange.SerializeAsString(),
                                            certify.SerializeAsString(),
                                            publish.SerializeAsString(),
                                            std::string(16, 'r'),
                                            std::string(4, 'a'),
                                            key,
                                            kExportKeyName,
                                            FixedExportKey().PublicKey().ToSpkiBase64()};
    std::string in(1, static_cast<char>(selector));
    for (const std::string& part : parts) AppendPart(&in, part);
    return in;
  };
  Write("c_api", "update-configuration", input(1, ""));
  Write("c_api", "sync", input(2, ""));
  Write("c_api", "upload", input(4, ""));
  Write("c_api", "sighting-and-keys", input(8 | 16, ""));
  Write("c_api", "sync-decommissioned",
        input(2, Envelope(wire::kDecommissionOrderContext, Order(), 'D')));
}

}  // namespace
}  // namespace openen::fuzz

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: make_corpus <tests/fuzz/corpus directory>\n");
    return 2;
  }
  openen::fuzz::out_dir = argv[1];
  openen::fuzz::Exports();
  openen::fuzz::Envelopes();
  openen::fuzz::RelayRequests();
  openen::fuzz::VerifierRequests();
  openen::fuzz::ClientRecords();
  openen::fuzz::CApi();
  return 0;
}
