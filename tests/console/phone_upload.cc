// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// phone_upload: a real client library, as an app embeds it, that keeps
// three days of keys and uploads them with the code a person was given. The
// console's browser test runs it with the code the console showed.
//
//   phone_upload VERIFIER_ADDRESS RELAY_ADDRESS STORE_DIR CODE
//
// Prints "keys sent N accepted M" and exits 0, or names the error and exits 1.

#include <grpcpp/grpcpp.h>

#include <cstdio>
#include <ctime>

#include "openen/base/clock.h"
#include "openen/client/client.h"
#include "openen/client/platform.h"
#include "openen/client_grpc/upload_transport.h"

int main(int argc, char** argv) {
  using namespace openen;
  if (argc != 5) {
    std::fprintf(stderr, "usage: phone_upload VERIFIER_ADDRESS RELAY_ADDRESS STORE_DIR CODE\n");
    return 2;
  }
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  base::FakeClock clock(now - 2 * 86400);  // the radio's days, passed quickly
  auto keystore = client::FileKeyStore::FromKey(crypto::SecretBytes::Random(32));
  client::ClientOptions options;
  options.store_dir = argv[3];
  auto phone = keystore.ok() ? client::Client::Open(options, keystore->get(), &clock)
                             : base::StatusOr<std::unique_ptr<client::Client>>(keystore.status());
  if (!phone.ok()) {
    std::fprintf(stderr, "phone_upload: %s\n", phone.status().ToString().c_str());
    return 1;
  }
  for (int day = 2; day >= 0; --day) {
    clock.Set(now - day * 86400);
    if (auto ad = (*phone)->CurrentAdvertisement(); !ad.ok()) {
      std::fprintf(stderr, "phone_upload: %s\n", ad.status().ToString().c_str());
      return 1;
    }
  }
  client_grpc::GrpcUploadTransport transport(
      grpc::CreateChannel(argv[1], grpc::InsecureChannelCredentials()),
      grpc::CreateChannel(argv[2], grpc::InsecureChannelCredentials()), 30);
  auto report = (*phone)->UploadDiagnosis(transport, argv[4]);
  if (!report.ok()) {
    std::fprintf(stderr, "phone_upload: %s\n", report.status().ToString().c_str());
    return 1;
  }
  std::printf("keys sent %u accepted %u\n", report->keys_sent, report->keys_accepted);
  return 0;
}
