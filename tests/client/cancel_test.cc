// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// A sync stopped from another thread, as when the platform ends the app's
// background job: it returns CANCELLED promptly and keeps what it finished.

#include <grpcpp/grpcpp.h>

#include <catch2/catch.hpp>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "openen/client/client.h"
#include "openen/client_grpc/relay_source.h"
#include "openen/client_grpc/upload_transport.h"
#include "openen/v1/relay.grpc.pb.h"
#include "openen/v1/verification.grpc.pb.h"
#include "server/relay_fixture.h"

namespace openen::client {
namespace {

using relay::testing::RelayFixture;

// Stalling serves a directory without looking at the cancellation (so that
// only the client's own checks stop the sync), except that the fetch of
// |stall| hangs, as a stalled download would, until the sync is cancelled.
// |fetched| lists the names fetched.
class Stalling final : public BatchSource {
 public:
  Stalling(const std::string& dir, std::string stall) : files_(dir), stall_(std::move(stall)) {}
  std::vector<std::string> fetched;
  base::StatusOr<std::vector<ListedBatch>> ListAfter(const std::string& after,
                                                     const base::Cancellation&) override {
    return files_.ListAfter(after, base::NeverCancelled());
  }
  base::StatusOr<base::Bytes> Fetch(const std::string& name,
                                    const base::Cancellation& cancel) override {
    fetched.push_back(name);
    if (name != stall_) return files_.Fetch(name, base::NeverCancelled());
    // Registered before taking mu_: an already cancelled sync runs the
    // callback at once, and it takes mu_.
    bool cancelled = false;
    base::Cancellation::Callback wake(cancel, [&] {
      std::lock_guard<std::mutex> l(mu_);
      cancelled = true;
      cv_.notify_all();
    });
    std::unique_lock<std::mutex> lock(mu_);
    stalled_ = true;
    cv_.notify_all();
    cv_.wait(lock, [&] { return cancelled; });
    return base::Status(base::StatusCode::kCancelled, "download cancelled");
  }
  base::StatusOr<Signed> Announcements(const base::Cancellation&) override {
    return files_.Announcements(base::NeverCancelled());
  }
  void WaitUntilStalled() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return stalled_; });
  }

 private:
  DirectorySource files_;
  std::string stall_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stalled_ = false;
};

// TwoBatches is a relay that released two batches an hour apart, and a
// phone that has processed neither.
struct TwoBatches {
  RelayFixture relay;
  openen::testing::TempDir dir;
  base::FakeClock clock{relay::testing::kNow + 2 * 3600};
  std::unique_ptr<FileKeyStore> keystore =
      std::move(*FileKeyStore::FromKey(crypto::SecretBytes::Random(32)));
  std::unique_ptr<Client> phone;
  std::vector<ListedBatch> listed;

  TwoBatches() {
    REQUIRE(relay.Publish(RelayFixture::DailyKeys(3)).ok());
    relay.clock.Set(relay::testing::kNow + 3600);
    REQUIRE(relay.relay->Maintain().ok());
    REQUIRE(relay.Publish(RelayFixture::DailyKeys(3)).ok());
    relay.clock.Set(relay::testing::kNow + 2 * 3600);
    REQUIRE(relay.relay->Maintain().ok());
    auto names = DirectorySource(exports()).ListAfter("", base::NeverCancelled());
    REQUIRE(names.ok());
    REQUIRE(names->size() == 2);
    listed = *names;
    ClientOptions options;
    options.store_dir = dir.Sub("phone");
    options.export_keys = {{"openen-v1", relay.relay->export_public_key()}};
    auto opened = Client::Open(options, keystore.get(), &clock);
    REQUIRE(opened.ok());
    phone = std::move(*opened);
  }
  std::string exports() const { return relay.dir.Sub("export"); }
};

TEST_CASE("a sync cancelled from another thread stops and keeps the batches it finished",
          "[client][sync][cancel]") {
  TwoBatches w;

  Stalling source(w.exports(), w.listed[1].name);
  base::Cancellation cancel;
  base::StatusCode second = base::StatusCode::kOk;
  std::thread platform([&] {
    source.WaitUntilStalled();
    // A second job's sync waits for the first; cancelled, it stops waiting.
    base::Cancellation second_job;
    second_job.Cancel();
    DirectorySource files(w.exports());
    second = w.phone->Sync(files, second_job).status().code();
    cancel.Cancel();
  });
  auto stopped = w.phone->Sync(source, cancel);
  platform.join();
  CHECK(stopped.status().code() == base::StatusCode::kCancelled);
  CHECK(second == base::StatusCode::kCancelled);

  // The first batch stays processed: the next sync takes only the second.
  DirectorySource files(w.exports());
  auto next = w.phone->Sync(files);
  REQUIRE(next.ok());
  CHECK(next->batches == 1);
  // Cancelled before it starts, a sync fetches nothing.
  cancel.Cancel();
  Stalling deaf(w.exports(), "");
  CHECK(w.phone->Sync(deaf, cancel).status().code() == base::StatusCode::kCancelled);
  CHECK(deaf.fetched.empty());
}

TEST_CASE("a sync cancelled while a batch downloads finishes that batch and fetches no other",
          "[client][sync][cancel]") {
  TwoBatches w;

  // The first batch's download completes, but the job was cancelled meanwhile.
  base::Cancellation cancel;
  class CancelOnFirst final : public BatchSource {
   public:
    CancelOnFirst(const std::string& dir, base::Cancellation* cancel)
        : inner_(dir, ""), cancel_(cancel) {}
    base::StatusOr<std::vector<ListedBatch>> ListAfter(const std::string& after,
                                                       const base::Cancellation& c) override {
      return inner_.ListAfter(after, c);
    }
    base::StatusOr<base::Bytes> Fetch(const std::string& name,
                                      const base::Cancellation& c) override {
      cancel_->Cancel();
      return inner_.Fetch(name, c);
    }
    base::StatusOr<Signed> Announcements(const base::Cancellation& c) override {
      return inner_.Announcements(c);
    }
    Stalling inner_;

   private:
    base::Cancellation* cancel_;
  } source(w.exports(), &cancel);
  CHECK(w.phone->Sync(source, cancel).status().code() == base::StatusCode::kCancelled);
  CHECK(source.inner_.fetched.size() == 1);
  DirectorySource files(w.exports());
  auto next = w.phone->Sync(files);
  REQUIRE(next.ok());
  CHECK(next->batches == 1);
}

TEST_CASE("the gRPC adapters use the generated method names and stop when cancelled",
          "[client][grpc][cancel]") {
  CHECK(kExchangeCodeMethod ==
        "/" + std::string(openen::v1::Verification::service_full_name()) + "/ExchangeCode");
  CHECK(kCertifyMethod ==
        "/" + std::string(openen::v1::Verification::service_full_name()) + "/Certify");
  CHECK(kPublishMethod == "/" + std::string(openen::v1::Relay::service_full_name()) + "/Publish");
  const std::string relay = "/" + std::string(openen::v1::Relay::service_full_name()) + "/";
  CHECK(client_grpc::kListBatchesMethod == relay + "ListBatches");
  CHECK(client_grpc::kGetBatchMethod == relay + "GetBatch");
  CHECK(client_grpc::kGetConfigMethod == relay + "GetConfig");

  // Nothing listens on this channel's port: only a cancelled call returns at once.
  auto channel = grpc::CreateChannel("127.0.0.1:1", grpc::InsecureChannelCredentials());
  client_grpc::RelaySource source(channel, /*timeout_seconds=*/30);
  base::Cancellation cancel;
  cancel.Cancel();
  CHECK(source.ListAfter("", cancel).status().code() == base::StatusCode::kCancelled);
  CHECK(source.Fetch("batch-1.zip", cancel).status().code() == base::StatusCode::kCancelled);
  CHECK(source.Announcements(cancel).status().code() == base::StatusCode::kCancelled);

  client_grpc::GrpcUploadTransport transport(channel, channel, 1);
  CHECK(transport.Call("/openen.v1.Relay/ListBatches", {}).status().code() ==
        base::StatusCode::kInvalidArgument);
  const base::Bytes garbage(10, 0xff);
  CHECK(transport.Call(kPublishMethod, garbage).status().code() ==
        base::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace openen::client
