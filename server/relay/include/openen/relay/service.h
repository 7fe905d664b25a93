// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// RelayService: the gRPC face of the Relay (callback API). Storage and file
// work runs on a WorkerPool; GetBatch streams a file chunk by chunk, reading
// each chunk on the pool before writing it.

#ifndef OPENEN_RELAY_SERVICE_H_
#define OPENEN_RELAY_SERVICE_H_

#include "openen/relay/relay.h"
#include "openen/server/worker_pool.h"
#include "openen/v1/relay.grpc.pb.h"

namespace openen::relay {

// Padded sizes: every Publish response is the same size, real or chaff.
inline constexpr size_t kPublishResponseSize = 4096;
inline constexpr size_t kConfigResponsePadTo = 1024;  // GetConfig rounds up to a multiple
inline constexpr size_t kBatchChunkBytes = 64 * 1024;
inline constexpr size_t kMaxBatchesPerList = 1000;

class RelayService final : public openen::v1::Relay::CallbackService {
 public:
  RelayService(Relay* relay, server::WorkerPool* pool) : relay_(relay), pool_(pool) {}

  grpc::ServerUnaryReactor* Publish(grpc::CallbackServerContext* ctx,
                                    const openen::v1::PublishRequest* request,
                                    openen::v1::PublishResponse* response) override;
  grpc::ServerUnaryReactor* ListBatches(grpc::CallbackServerContext* ctx,
                                        const openen::v1::ListBatchesRequest* request,
                                        openen::v1::ListBatchesResponse* response) override;
  grpc::ServerWriteReactor<openen::v1::BatchChunk>* GetBatch(
      grpc::CallbackServerContext* ctx, const openen::v1::GetBatchRequest* request) override;
  grpc::ServerUnaryReactor* GetConfig(grpc::CallbackServerContext* ctx,
                                      const openen::v1::GetConfigRequest* request,
                                      openen::v1::GetConfigResponse* response) override;

 private:
  Relay* relay_;
  server::WorkerPool* pool_;
};

}  // namespace openen::relay

#endif  // OPENEN_RELAY_SERVICE_H_
