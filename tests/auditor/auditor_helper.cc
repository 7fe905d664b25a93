// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// auditor_helper: what the auditor's tests (auditor_test.py) need from the C++
// side and no command line gives them.
//
//   auditor_helper upload VERIFIER_ADDRESS RELAY_ADDRESS STORE_DIR CODE OUT_DIR
//     A real client library, as an app embeds it, keeps three days of keys and
//     uploads them with CODE over gRPC; each request and response of the upload
//     flow is kept as OUT_DIR/<method>.request.bin and .response.bin (the
//     certificate the verifier issued, the keys and HMAC secret the relay got),
//     for the independent verifier to check. Prints "keys sent N accepted M".
//
//   auditor_helper log OUT_DIR N1 N2 [KEY_FILE]
//     The relay's own transparency log code (openen::relay::TransparencyLog)
//     logs N2 entries and publishes them under OUT_DIR/log/ twice: at N1
//     entries (that checkpoint is kept as OUT_DIR/checkpoint-N1) and at N2.
//     More entries than a relay's short test run logs: full and partial tiles,
//     two tile levels. Prints the log's verifier key; its signing key goes to
//     OUT_DIR/log.key. Given the KEY_FILE of another run, signs with that key
//     entries other than that run's: a fork of its log.
//
// Exits 0, or names the error and exits 1.

#include <grpcpp/grpcpp.h>

#include <cstdio>
#include <ctime>
#include <string>

#include "openen/base/clock.h"
#include "openen/base/file.h"
#include "openen/client/client.h"
#include "openen/client/platform.h"
#include "openen/client/upload.h"
#include "openen/client_grpc/upload_transport.h"
#include "openen/relay/transparency_log.h"
#include "openen/store/db.h"
#include "server/synthetic_log.h"

namespace openen {
namespace {

int Fail(const base::Status& s) {
  std::fprintf(stderr, "auditor_helper: %s\n", s.ToString().c_str());
  return 1;
}

// Recording passes every call on and keeps its bytes.
class Recording final : public client::UploadTransport {
 public:
  Recording(client::UploadTransport* inner, std::string dir)
      : inner_(inner), dir_(std::move(dir)) {}
  base::StatusOr<base::Bytes> Call(std::string_view method, base::ByteView request) override {
    const std::string name = dir_ + "/" + std::string(method.substr(method.rfind('/') + 1));
    OPENEN_RETURN_IF_ERROR(
        base::WriteFileAtomically(name + ".request.bin", base::AsChars(request), false));
    auto response = inner_->Call(method, request);
    if (response.ok()) {
      OPENEN_RETURN_IF_ERROR(
          base::WriteFileAtomically(name + ".response.bin", base::AsChars(*response), false));
    }
    return response;
  }

 private:
  client::UploadTransport* inner_;
  std::string dir_;
};

int Upload(char** argv) {
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  base::FakeClock clock(now - 2 * 86400);  // the radio's days, passed quickly
  auto keystore = client::FileKeyStore::FromKey(crypto::SecretBytes::Random(32));
  if (!keystore.ok()) return Fail(keystore.status());
  client::ClientOptions options;
  options.store_dir = argv[4];
  auto phone = client::Client::Open(options, keystore->get(), &clock);
  if (!phone.ok()) return Fail(phone.status());
  for (int day = 2; day >= 0; --day) {
    clock.Set(now - day * 86400);
    if (auto ad = (*phone)->CurrentAdvertisement(); !ad.ok()) return Fail(ad.status());
  }
  client_grpc::GrpcUploadTransport grpc(
      grpc::CreateChannel(argv[2], grpc::InsecureChannelCredentials()),
      grpc::CreateChannel(argv[3], grpc::InsecureChannelCredentials()), 30);
  Recording transport(&grpc, argv[6]);
  auto report = (*phone)->UploadDiagnosis(transport, argv[5]);
  if (!report.ok()) return Fail(report.status());
  std::printf("keys sent %u accepted %u\n", report->keys_sent, report->keys_accepted);
  return 0;
}

int Log(char** argv) {
  const std::string out = argv[2];
  const uint64_t n1 = std::stoull(argv[3]), n2 = std::stoull(argv[4]);
  const bool fork = argv[5] != nullptr;
  std::shared_ptr<const wire::NoteSigner> signer;
  if (fork) {
    auto text = base::ReadFile(argv[5], 1 << 10);
    if (!text.ok()) return Fail(text.status());
    auto parsed = wire::NoteSigner::Parse(base::Trim(*text));
    if (!parsed.ok()) return Fail(parsed.status());
    signer = std::make_shared<const wire::NoteSigner>(std::move(*parsed));
  } else {
    signer = std::make_shared<const wire::NoteSigner>(
        wire::NoteSigner::Generate("auditor.example/log", wire::NoteKey::Type::kEd25519));
  }
  if (auto s = base::WriteFileAtomically(out + "/log.key", signer->Encode() + "\n", true); !s.ok())
    return Fail(s);
  auto db = store::OpenPrivateDb(out + "/db");
  if (!db.ok()) return Fail(db.status());
  auto log = relay::TransparencyLog::Load(db->get(), signer);
  if (!log.ok()) return Fail(log.status());
  for (uint64_t upto : {n1, n2}) {
    std::vector<wire::LogEntry> entries;
    for (uint64_t i = log->size(); i < upto; ++i) {
      entries.push_back(openen::testing::SyntheticLogEntry(i, fork ? "fork " : ""));
    }
    rocksdb::WriteBatch wb;
    log->Append(entries, 1700000000 + static_cast<int64_t>(upto), &wb);
    if (auto s = store::WriteSynced(db->get(), &wb, "log"); !s.ok()) return Fail(s);
    log->Appended(entries, 1700000000 + static_cast<int64_t>(upto));
    if (auto s = log->Publish(out + "/log"); !s.ok()) return Fail(s);
    if (upto == n1) {
      auto cp = base::ReadFile(out + "/log/checkpoint", 1 << 20);
      if (!cp.ok()) return Fail(cp.status());
      auto s = base::WriteFileAtomically(out + "/checkpoint-" + std::to_string(n1), *cp, false);
      if (!s.ok()) return Fail(s);
    }
  }
  std::printf("%s\n", signer->public_key().Encode().c_str());
  return 0;
}

}  // namespace
}  // namespace openen

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "upload" && argc == 7) return openen::Upload(argv);
  if (mode == "log" && (argc == 5 || argc == 6)) return openen::Log(argv);
  std::fprintf(stderr,
               "usage: auditor_helper upload VERIFIER RELAY STORE_DIR CODE OUT_DIR\n"
               "       auditor_helper log OUT_DIR N1 N2 [KEY_FILE]\n");
  return 2;
}
