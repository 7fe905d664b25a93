// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/client/sync.h"

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <fstream>
#include <sstream>

#include "openen/v1/relay.grpc.pb.h"
#include "openen/wire/export.h"
#include "openen/wire/padding.h"

namespace openen::client {
namespace {

bool PlainName(const std::string& name) {
  return !name.empty() && name.find('/') == std::string::npos && name.find('\\') == std::string::npos &&
         name.find("..") == std::string::npos;
}

Status FromGrpc(const grpc::Status& s, const std::string& what) {
  return Status(static_cast<StatusCode>(s.error_code()), what + ": " + s.error_message());
}

}  // namespace

StatusOr<std::vector<std::string>> DirectorySource::ListAfter(const std::string& after) {
  std::ifstream in(dir_ + "/index.txt");
  if (!in) return UnavailableError("cannot read " + dir_ + "/index.txt");
  std::vector<std::string> names;
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    if (!PlainName(line)) return InvalidArgumentError("index.txt lists '" + line + "', not a plain file name");
    if (line > after) names.push_back(line);
  }
  std::sort(names.begin(), names.end());
  return names;
}

StatusOr<Bytes> DirectorySource::Fetch(const std::string& name) {
  if (!PlainName(name)) return InvalidArgumentError("'" + name + "' is not a plain file name");
  std::ifstream in(dir_ + "/" + name, std::ios::binary);
  if (!in) return NotFoundError("cannot read batch " + name);
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  if (s.size() > wire::kMaxExportBinSize) return ResourceExhaustedError("batch " + name + " is too large");
  return Bytes(s.begin(), s.end());
}

namespace {
std::optional<Bytes> ReadIfPresent(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  return Bytes(s.begin(), s.end());
}
}  // namespace

StatusOr<BatchSource::Signed> DirectorySource::Announcements() {
  return Signed{ReadIfPresent(dir_ + "/config.bin"), ReadIfPresent(dir_ + "/decommission.bin")};
}

struct RelaySource::Impl {
  std::unique_ptr<openen::v1::Relay::Stub> stub;
  int timeout_seconds;
  void SetDeadline(grpc::ClientContext* ctx) const {
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(timeout_seconds));
  }
};

RelaySource::RelaySource(std::shared_ptr<grpc::Channel> channel, int timeout_seconds)
    : impl_(new Impl{openen::v1::Relay::NewStub(std::move(channel)), timeout_seconds}) {}
RelaySource::~RelaySource() = default;

StatusOr<std::vector<std::string>> RelaySource::ListAfter(const std::string& after) {
  std::vector<std::string> names;
  std::string cursor = after;
  while (true) {
    grpc::ClientContext ctx;
    impl_->SetDeadline(&ctx);
    openen::v1::ListBatchesRequest req;
    req.set_after(cursor);
    OPENEN_RETURN_IF_ERROR(wire::PadToSize(&req, 256));
    openen::v1::ListBatchesResponse resp;
    grpc::Status st = impl_->stub->ListBatches(&ctx, req, &resp);
    if (!st.ok()) return FromGrpc(st, "ListBatches");
    for (const auto& b : resp.batches()) {
      if (!PlainName(b.name()) || b.name() <= cursor) {
        return InvalidArgumentError("relay listed '" + b.name() + "' out of order");
      }
      names.push_back(b.name());
      cursor = b.name();
    }
    if (resp.batches_size() == 0) break;
  }
  return names;
}

StatusOr<Bytes> RelaySource::Fetch(const std::string& name) {
  grpc::ClientContext ctx;
  impl_->SetDeadline(&ctx);
  openen::v1::GetBatchRequest req;
  req.set_name(name);
  OPENEN_RETURN_IF_ERROR(wire::PadToSize(&req, 256));
  auto reader = impl_->stub->GetBatch(&ctx, req);
  openen::v1::BatchChunk chunk;
  Bytes data;
  uint64_t total = 0;
  while (reader->Read(&chunk)) {
    if (data.empty()) total = chunk.total_size();
    // A relay (or something posing as one) cannot make the phone buffer more
    // than the announced size, nor more than any export may be.
    if (chunk.offset() != data.size() || chunk.total_size() != total || total > wire::kMaxExportBinSize ||
        data.size() + chunk.data().size() > total) {
      ctx.TryCancel();
      reader->Finish();
      return DataLossError("batch " + name + " arrived out of order or larger than announced");
    }
    data.insert(data.end(), chunk.data().begin(), chunk.data().end());
  }
  grpc::Status st = reader->Finish();
  if (!st.ok()) return FromGrpc(st, "GetBatch " + name);
  if (data.size() != total) return DataLossError("batch " + name + " arrived incomplete");
  return data;
}

StatusOr<BatchSource::Signed> RelaySource::Announcements() {
  grpc::ClientContext ctx;
  impl_->SetDeadline(&ctx);
  openen::v1::GetConfigRequest req;
  OPENEN_RETURN_IF_ERROR(wire::PadToSize(&req, 256));
  openen::v1::GetConfigResponse resp;
  grpc::Status st = impl_->stub->GetConfig(&ctx, req, &resp);
  if (st.error_code() == grpc::NOT_FOUND) return Signed{};
  if (!st.ok()) return FromGrpc(st, "GetConfig");
  Signed out;
  auto bytes = [](const openen::v1::SignedEnvelope& e) {
    std::string s = e.SerializeAsString();
    return Bytes(s.begin(), s.end());
  };
  if (resp.has_config()) out.configuration = bytes(resp.config());
  if (resp.has_decommission_order()) out.decommission_order = bytes(resp.decommission_order());
  return out;
}

}  // namespace openen::client
