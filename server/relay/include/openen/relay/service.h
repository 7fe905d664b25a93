// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// RelayService: the gRPC face of the Relay (callback API, raw methods). Each
// unary call is decoded, queued in its lane and answered by a Dispatcher:
// real publishes in kReal, chaff in kChaff (answered by a decoy when its lane
// is full), listings, the configuration and the log's files in kRead. GetBatch streams a file
// chunk by chunk, reading each chunk in kRead before writing it.

#ifndef OPENEN_RELAY_SERVICE_H_
#define OPENEN_RELAY_SERVICE_H_

#include <atomic>

#include "openen/relay/relay.h"
#include "openen/server/dispatcher.h"
#include "openen/server/worker_pool.h"
#include "openen/v1/relay.grpc.pb.h"

namespace openen::relay {

// Padded sizes: every Publish response is the same size, real or chaff.
inline constexpr size_t kPublishResponseSize = 4096;
inline constexpr size_t kConfigResponsePadTo = 1024;  // GetConfig rounds up to a multiple
inline constexpr size_t kBatchChunkBytes = 64 * 1024;
inline constexpr size_t kMaxBatchesPerList = 1000;
// GetBatch streams open at once (each holds up to two 64 KiB chunks while
// its reader is slow); past it, RESOURCE_EXHAUSTED.
inline constexpr size_t kMaxBatchStreams = 256;

// The generated service with every method raw: the service decodes each
// request itself (server/dispatcher.h).
using RawRelayService = openen::v1::Relay::WithRawCallbackMethod_Publish<
    openen::v1::Relay::WithRawCallbackMethod_ListBatches<
        openen::v1::Relay::WithRawCallbackMethod_GetBatch<
            openen::v1::Relay::WithRawCallbackMethod_GetConfig<
                openen::v1::Relay::WithRawCallbackMethod_GetLogFile<openen::v1::Relay::Service>>>>>;

// The worker pool must be drained (destroyed) before the service: its
// queued tasks refer to the service's handlers.
class RelayService final : public RawRelayService {
 public:
  // |metrics| (may be null) counts the calls shed as busy.
  RelayService(Relay* relay, server::WorkerPool* pool, server::Metrics* metrics = nullptr);

  grpc::ServerUnaryReactor* Publish(grpc::CallbackServerContext* ctx,
                                    const grpc::ByteBuffer* request,
                                    grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* ListBatches(grpc::CallbackServerContext* ctx,
                                        const grpc::ByteBuffer* request,
                                        grpc::ByteBuffer* response) override;
  grpc::ServerWriteReactor<grpc::ByteBuffer>* GetBatch(grpc::CallbackServerContext* ctx,
                                                       const grpc::ByteBuffer* request) override;
  grpc::ServerUnaryReactor* GetConfig(grpc::CallbackServerContext* ctx,
                                      const grpc::ByteBuffer* request,
                                      grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* GetLogFile(grpc::CallbackServerContext* ctx,
                                       const grpc::ByteBuffer* request,
                                       grpc::ByteBuffer* response) override;

 private:
  Relay* relay_;
  const server::UnaryHandler<openen::v1::PublishRequest, openen::v1::PublishResponse> publish_;
  const server::UnaryHandler<openen::v1::ListBatchesRequest, openen::v1::ListBatchesResponse>
      list_batches_;
  const server::UnaryHandler<openen::v1::GetConfigRequest, openen::v1::GetConfigResponse>
      get_config_;
  const server::UnaryHandler<openen::v1::GetLogFileRequest, openen::v1::GetLogFileResponse>
      get_log_file_;
  // After the handlers: destroyed first, it sends its waiting decoys with them.
  server::Dispatcher dispatcher_;
  std::atomic<size_t> batch_streams_{0};
};

}  // namespace openen::relay

#endif  // OPENEN_RELAY_SERVICE_H_
