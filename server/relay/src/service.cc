// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/relay/service.h"

#include <atomic>

#include "openen/rpc/codec.h"
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

namespace {

using server::Lane;

base::Status FillPublishResponse(const base::StatusOr<PublishResult>& result,
                                 openen::v1::PublishResponse* response) {
  if (!result.ok()) return result.status();
  response->set_accepted(result->accepted);
  for (const KeyRejection& r : result->rejected) {
    auto* out = response->add_rejected();
    out->set_index(r.index);
    out->set_reason(r.reason);
  }
  return wire::PadToSize(response, kPublishResponseSize);
}

std::vector<SubmittedKey> Keys(const openen::v1::PublishRequest& request) {
  std::vector<SubmittedKey> keys;
  keys.reserve(request.keys_size());
  for (const auto& k : request.keys()) {
    keys.push_back({base::ToBytes(k.key_data()), k.rolling_start_interval_number(),
                    k.rolling_period(), k.transmission_risk()});
  }
  return keys;
}

}  // namespace

RelayService::RelayService(Relay* relay, server::WorkerPool* pool, server::Metrics* metrics)
    : relay_(relay),
      publish_{
          [](const openen::v1::PublishRequest& request) {
            return request.chaff() ? Lane::kChaff : Lane::kReal;
          },
          [this](const openen::v1::PublishRequest& request, openen::v1::PublishResponse* response) {
            return FillPublishResponse(
                relay_->Publish(Keys(request), request.certificate(),
                                base::AsBytes(request.hmac_secret()), request.chaff()),
                response);
          },
          [this](const openen::v1::PublishRequest& request, openen::v1::PublishResponse* response) {
            return FillPublishResponse(
                relay_->ChaffReply(request.keys_size(), request.hmac_secret().size()), response);
          }},
      list_batches_{[](const openen::v1::ListBatchesRequest&) { return Lane::kRead; },
                    [this](const openen::v1::ListBatchesRequest& request,
                           openen::v1::ListBatchesResponse* response) {
                      for (auto& info : relay_->ListBatches(request.after(), kMaxBatchesPerList)) {
                        *response->add_batches() = std::move(info);
                      }
                      return PadToMultiple(response, kConfigResponsePadTo);
                    },
                    {}},
      get_config_{
          [](const openen::v1::GetConfigRequest&) { return Lane::kRead; },
          [this](const openen::v1::GetConfigRequest&, openen::v1::GetConfigResponse* response) {
            auto order = relay_->decommission_order();
            const bool decommissioned = relay_->decommissioned();
            if (!order && !relay_->config()) {
              return base::NotFoundError("this relay serves no configuration");
            }
            if (order) *response->mutable_decommission_order() = *order;
            if (relay_->config() && !decommissioned)
              *response->mutable_config() = *relay_->config();
            return PadToMultiple(response, kConfigResponsePadTo);
          },
          {}},
      get_log_file_{[](const openen::v1::GetLogFileRequest&) { return Lane::kRead; },
                    [this](const openen::v1::GetLogFileRequest& request,
                           openen::v1::GetLogFileResponse* response) {
                      OPENEN_ASSIGN_OR_RETURN(std::string data,
                                              relay_->ReadLogFile(request.path()));
                      response->set_data(std::move(data));
                      return PadToMultiple(response, kConfigResponsePadTo);
                    },
                    {}},
      dispatcher_(pool, metrics) {}

grpc::ServerUnaryReactor* RelayService::Publish(grpc::CallbackServerContext* ctx,
                                                const grpc::ByteBuffer* request,
                                                grpc::ByteBuffer* response) {
  return dispatcher_.Serve(ctx, request, response, publish_);
}

grpc::ServerUnaryReactor* RelayService::ListBatches(grpc::CallbackServerContext* ctx,
                                                    const grpc::ByteBuffer* request,
                                                    grpc::ByteBuffer* response) {
  return dispatcher_.Serve(ctx, request, response, list_batches_);
}

grpc::ServerUnaryReactor* RelayService::GetConfig(grpc::CallbackServerContext* ctx,
                                                  const grpc::ByteBuffer* request,
                                                  grpc::ByteBuffer* response) {
  return dispatcher_.Serve(ctx, request, response, get_config_);
}

grpc::ServerUnaryReactor* RelayService::GetLogFile(grpc::CallbackServerContext* ctx,
                                                   const grpc::ByteBuffer* request,
                                                   grpc::ByteBuffer* response) {
  return dispatcher_.Serve(ctx, request, response, get_log_file_);
}

namespace {

// BatchStreamer sends one batch file as BatchChunks, reading each chunk on
// the worker pool and writing it from there; it deletes itself when done.
class BatchStreamer final : public grpc::ServerWriteReactor<grpc::ByteBuffer> {
 public:
  // |streams| counts the streams open; this one is counted until OnDone.
  // Its chunks wait in |flow|'s turn of the read lane.
  BatchStreamer(Relay* relay, server::Dispatcher* dispatcher, std::atomic<size_t>* streams,
                server::WorkerPool::Flow flow)
      : relay_(relay), dispatcher_(dispatcher), streams_(streams), flow_(flow) {
    ++*streams_;
  }

  // Start decodes the request and reads the first chunk, or finishes the
  // call: INVALID_ARGUMENT for bytes that are no GetBatchRequest,
  // RESOURCE_EXHAUSTED when the read lane is full.
  void Start(const grpc::ByteBuffer& request_bytes) {
    openen::v1::GetBatchRequest request;
    if (base::Status s = rpc::DecodeMessage(request_bytes, &request); !s.ok()) {
      Finish(rpc::ToGrpcStatus(s));
      return;
    }
    name_ = request.name();
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
  void OnDone() override {
    --*streams_;
    delete this;
  }

 private:
  void ReadNext() {
    const bool queued = dispatcher_->pool()->TrySubmit(
        Lane::kRead,
        [this] {
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
          if (base::Status s = rpc::EncodeMessage(chunk_, &chunk_bytes_); !s.ok()) {
            Finish(rpc::ToGrpcStatus(s));
            return;
          }
          StartWrite(&chunk_bytes_);
        },
        flow_, [this] { Finish(rpc::ToGrpcStatus(dispatcher_->Shed())); });
    if (!queued) Finish(rpc::ToGrpcStatus(dispatcher_->Shed()));
  }

  Relay* relay_;
  server::Dispatcher* dispatcher_;
  std::atomic<size_t>* streams_;
  const server::WorkerPool::Flow flow_;
  std::string name_;
  openen::v1::BatchChunk chunk_;
  grpc::ByteBuffer chunk_bytes_;
  uint64_t offset_ = 0;
  uint64_t total_ = 0;
};

}  // namespace

grpc::ServerWriteReactor<grpc::ByteBuffer>* RelayService::GetBatch(
    grpc::CallbackServerContext* ctx, const grpc::ByteBuffer* request) {
  auto* streamer =
      new BatchStreamer(relay_, &dispatcher_, &batch_streams_, server::ConnectionOf(ctx));
  // Each open stream holds a chunk while its reader is slow: their number
  // is bounded, whatever the connections.
  if (batch_streams_ > kMaxBatchStreams) {
    streamer->Finish(rpc::ToGrpcStatus(dispatcher_.Shed()));
  } else {
    streamer->Start(*request);
  }
  return streamer;
}

}  // namespace openen::relay
