// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/relay/service.h"

#include <atomic>

#include "openen/rpc/status.h"
#include "openen/wire/padding.h"

namespace openen::relay {
namespace {

// PadToMultiple pads |message| up to a multiple of |unit| bytes, leaving the
// 131 bytes of room PadToSize needs.
template <typename Message>
base::Status PadToMultiple(Message* message, size_t unit) {
  message->clear_padding();
  // At least 131 bytes of room, as PadToSize requires.
  size_t target = (message->ByteSizeLong() + 131 + unit - 1) / unit * unit;
  return wire::PadToSize(message, target);
}

}  // namespace

grpc::ServerUnaryReactor* RelayService::Publish(grpc::CallbackServerContext* ctx,
                                                const openen::v1::PublishRequest* request,
                                                openen::v1::PublishResponse* response) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  pool_->Submit([this, reactor, request, response] {
    std::vector<SubmittedKey> keys;
    keys.reserve(request->keys_size());
    for (const auto& k : request->keys()) {
      keys.push_back({base::ToBytes(k.key_data()), k.rolling_start_interval_number(),
                      k.rolling_period(), k.transmission_risk()});
    }
    auto result = relay_->Publish(keys, request->certificate(),
                                  base::AsBytes(request->hmac_secret()), request->chaff());
    base::Status status = result.status();
    if (result.ok()) {
      response->set_accepted(result->accepted);
      for (const KeyRejection& r : result->rejected) {
        auto* out = response->add_rejected();
        out->set_index(r.index);
        out->set_reason(r.reason);
      }
      status = wire::PadToSize(response, kPublishResponseSize);
    }
    reactor->Finish(rpc::ToGrpcStatus(status));
  });
  return reactor;
}

grpc::ServerUnaryReactor* RelayService::ListBatches(grpc::CallbackServerContext* ctx,
                                                    const openen::v1::ListBatchesRequest* request,
                                                    openen::v1::ListBatchesResponse* response) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  pool_->Submit([this, reactor, request, response] {
    for (auto& info : relay_->ListBatches(request->after(), kMaxBatchesPerList)) {
      *response->add_batches() = std::move(info);
    }
    reactor->Finish(rpc::ToGrpcStatus(PadToMultiple(response, kConfigResponsePadTo)));
  });
  return reactor;
}

grpc::ServerUnaryReactor* RelayService::GetConfig(grpc::CallbackServerContext* ctx,
                                                  const openen::v1::GetConfigRequest* request,
                                                  openen::v1::GetConfigResponse* response) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  auto order = relay_->decommission_order();
  const bool decommissioned = relay_->decommissioned();
  if (!order && !relay_->config()) {
    reactor->Finish(grpc::Status(grpc::NOT_FOUND, "this relay serves no configuration"));
    return reactor;
  }
  if (order) *response->mutable_decommission_order() = *order;
  if (relay_->config() && !decommissioned) *response->mutable_config() = *relay_->config();
  reactor->Finish(rpc::ToGrpcStatus(PadToMultiple(response, kConfigResponsePadTo)));
  return reactor;
}

namespace {

// BatchStreamer sends one batch file as BatchChunks, reading each chunk on
// the worker pool and writing it from there; it deletes itself when done.
class BatchStreamer final : public grpc::ServerWriteReactor<openen::v1::BatchChunk> {
 public:
  BatchStreamer(Relay* relay, server::WorkerPool* pool, std::string name)
      : relay_(relay), pool_(pool), name_(std::move(name)) {
    ReadNext();
  }

  void OnWriteDone(bool ok) override {
    if (!ok) {
      Finish(grpc::Status(grpc::CANCELLED, "stream cancelled"));
      return;
    }
    if (offset_ >= total_) {
      Finish(grpc::Status::OK);
      return;
    }
    ReadNext();
  }
  void OnDone() override { delete this; }

 private:
  void ReadNext() {
    pool_->Submit([this] {
      uint64_t total = 0;
      auto data = relay_->ReadBatch(name_, offset_, kBatchChunkBytes, &total);
      if (!data.ok()) {
        Finish(rpc::ToGrpcStatus(data.status()));
        return;
      }
      total_ = total;
      chunk_.Clear();
      chunk_.set_offset(offset_);
      chunk_.set_total_size(total);
      offset_ += data->size();
      chunk_.set_data(std::string(base::AsChars(*data)));
      if (data->empty()) {
        Finish(grpc::Status::OK);  // an empty file: nothing to send
        return;
      }
      StartWrite(&chunk_);
    });
  }

  Relay* relay_;
  server::WorkerPool* pool_;
  const std::string name_;
  openen::v1::BatchChunk chunk_;
  uint64_t offset_ = 0;
  uint64_t total_ = 0;
};

}  // namespace

grpc::ServerWriteReactor<openen::v1::BatchChunk>* RelayService::GetBatch(
    grpc::CallbackServerContext* ctx, const openen::v1::GetBatchRequest* request) {
  return new BatchStreamer(relay_, pool_, request->name());
}

}  // namespace openen::relay
