// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/client_grpc/relay_source.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <chrono>

#include "openen/rpc/call.h"
#include "openen/rpc/status.h"
#include "openen/v1/relay.pb.h"
#include "openen/wire/export.h"
#include "openen/wire/padding.h"
#include "openen/wire/tlog.h"

namespace openen::client_grpc {

struct RelaySource::Impl {
  std::shared_ptr<grpc::Channel> channel;
  int timeout_seconds;
  void SetDeadline(grpc::ClientContext* ctx) const {
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(timeout_seconds));
  }
};

RelaySource::RelaySource(std::shared_ptr<grpc::Channel> channel, int timeout_seconds)
    : impl_(new Impl{std::move(channel), timeout_seconds}) {}
RelaySource::~RelaySource() = default;

base::StatusOr<std::vector<client::ListedBatch>> RelaySource::ListAfter(
    const std::string& after, const base::Cancellation& cancel) {
  std::vector<client::ListedBatch> listed;
  std::string cursor = after;
  size_t bytes = 0;
  while (true) {
    grpc::ClientContext ctx;
    impl_->SetDeadline(&ctx);
    base::Cancellation::Callback stop(cancel, [&ctx] { ctx.TryCancel(); });
    openen::v1::ListBatchesRequest req;
    req.set_after(cursor);
    OPENEN_RETURN_IF_ERROR(wire::PadToSize(&req, 256));
    openen::v1::ListBatchesResponse resp;
    grpc::Status st =
        rpc::UnaryCall(impl_->channel.get(), kListBatchesMethod, &ctx, req, &resp);
    if (!st.ok()) return rpc::FromGrpcStatus(st).WithContext("ListBatches");
    // A relay (or something posing as one) that pages on and on is stopped.
    bytes += resp.ByteSizeLong();
    if (bytes > client::kMaxListingBytes) {
      return base::ResourceExhaustedError("relay listed more than " +
                                          std::to_string(client::kMaxListingBytes) +
                                          " bytes in one sync");
    }
    for (const auto& b : resp.batches()) {
      if (!client::IsBatchName(b.name()) || b.name() <= cursor) {
        return base::InvalidArgumentError(
            "relay listed '" + b.name().substr(0, client::kMaxBatchNameSize) + "' out of order");
      }
      client::ListedBatch out{b.name(), std::nullopt, std::nullopt};
      if (!b.sha256().empty()) {
        if (b.sha256().size() != crypto::kSha256Size) {
          return base::InvalidArgumentError("relay listed " + b.name() + " with a " +
                                            std::to_string(b.sha256().size()) + "-byte SHA-256");
        }
        out.sha256.emplace();
        std::copy(b.sha256().begin(), b.sha256().end(), out.sha256->begin());
        out.size = b.size();
      }
      listed.push_back(std::move(out));
      cursor = b.name();
      // The oldest kMaxListedBatches now, the rest at the next sync.
      if (listed.size() == client::kMaxListedBatches) return listed;
    }
    if (resp.batches_size() == 0) break;
  }
  return listed;
}

base::StatusOr<base::Bytes> RelaySource::Fetch(const std::string& name,
                                               const base::Cancellation& cancel) {
  grpc::ClientContext ctx;
  impl_->SetDeadline(&ctx);
  base::Cancellation::Callback stop(cancel, [&ctx] { ctx.TryCancel(); });
  openen::v1::GetBatchRequest req;
  req.set_name(name);
  OPENEN_RETURN_IF_ERROR(wire::PadToSize(&req, 256));
  auto reader = rpc::ServerStreamingCall<openen::v1::GetBatchRequest, openen::v1::BatchChunk>(
      impl_->channel.get(), kGetBatchMethod, &ctx, req);
  openen::v1::BatchChunk chunk;
  base::Bytes data;
  uint64_t total = 0;
  while (reader->Read(&chunk)) {
    if (data.empty()) total = chunk.total_size();
    // A relay (or something posing as one) cannot make the phone buffer more
    // than the announced size, nor more than any export may be.
    if (chunk.offset() != data.size() || chunk.total_size() != total ||
        total > wire::kMaxExportFileSize || data.size() + chunk.data().size() > total) {
      ctx.TryCancel();
      reader->Finish();
      return base::DataLossError("batch " + name +
                                 " arrived out of order or larger than announced");
    }
    data.insert(data.end(), chunk.data().begin(), chunk.data().end());
  }
  grpc::Status st = reader->Finish();
  if (!st.ok()) return rpc::FromGrpcStatus(st).WithContext("GetBatch " + name);
  if (data.size() != total) return base::DataLossError("batch " + name + " arrived incomplete");
  return data;
}

base::StatusOr<client::BatchSource::Signed> RelaySource::Announcements(
    const base::Cancellation& cancel) {
  grpc::ClientContext ctx;
  impl_->SetDeadline(&ctx);
  base::Cancellation::Callback stop(cancel, [&ctx] { ctx.TryCancel(); });
  openen::v1::GetConfigRequest req;
  OPENEN_RETURN_IF_ERROR(wire::PadToSize(&req, 256));
  openen::v1::GetConfigResponse resp;
  grpc::Status st = rpc::UnaryCall(impl_->channel.get(), kGetConfigMethod, &ctx, req, &resp);
  if (st.error_code() == grpc::NOT_FOUND) return Signed{};
  if (!st.ok()) return rpc::FromGrpcStatus(st).WithContext("GetConfig");
  Signed out;
  auto bytes = [](const openen::v1::SignedEnvelope& e) {
    std::string s = e.SerializeAsString();
    return base::Bytes(s.begin(), s.end());
  };
  if (resp.has_config()) out.configuration = bytes(resp.config());
  if (resp.has_decommission_order()) out.decommission_order = bytes(resp.decommission_order());
  return out;
}

base::StatusOr<base::Bytes> RelaySource::LogFile(const std::string& path,
                                                 const base::Cancellation& cancel) {
  if (!wire::IsLogPath(path)) return base::InvalidArgumentError("not a log path");
  grpc::ClientContext ctx;
  impl_->SetDeadline(&ctx);
  base::Cancellation::Callback stop(cancel, [&ctx] { ctx.TryCancel(); });
  openen::v1::GetLogFileRequest req;
  req.set_path(path);
  OPENEN_RETURN_IF_ERROR(wire::PadToSize(&req, 256));
  openen::v1::GetLogFileResponse resp;
  grpc::Status st = rpc::UnaryCall(impl_->channel.get(), kGetLogFileMethod, &ctx, req, &resp);
  if (!st.ok()) return rpc::FromGrpcStatus(st).WithContext("GetLogFile " + path);
  if (resp.data().size() > wire::kMaxLogFileBytes) {
    return base::ResourceExhaustedError("log file " + path + " is larger than any log file may be");
  }
  return base::Bytes(resp.data().begin(), resp.data().end());
}

}  // namespace openen::client_grpc
