// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/client/sync.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <map>
#include <sstream>

#include "openen/base/file.h"
#include "openen/rpc/status.h"
#include "openen/v1/relay.grpc.pb.h"
#include "openen/wire/export.h"
#include "openen/wire/padding.h"

namespace openen::client {
namespace {

bool PlainName(const std::string& name) {
  return !name.empty() && name.find('/') == std::string::npos && name.find('\\') == std::string::npos &&
         name.find("..") == std::string::npos;
}

}  // namespace

namespace {

std::optional<crypto::Sha256Digest> ParseHexDigest(std::string_view hex) {
  if (hex.size() != 64) return std::nullopt;
  crypto::Sha256Digest d;
  for (size_t i = 0; i < 32; ++i) {
    int v = 0;
    for (char c : hex.substr(2 * i, 2)) {
      v <<= 4;
      if (c >= '0' && c <= '9') v |= c - '0';
      else if (c >= 'a' && c <= 'f') v |= c - 'a' + 10;
      else if (c >= 'A' && c <= 'F') v |= c - 'A' + 10;
      else return std::nullopt;
    }
    d[i] = static_cast<uint8_t>(v);
  }
  return d;
}

}  // namespace

base::StatusOr<std::vector<ListedBatch>> DirectorySource::ListAfter(const std::string& after) {
  auto index = base::ReadFile(dir_ + "/index.txt", kMaxListingBytes, "index.txt");
  if (!index.ok()) {
    if (index.status().code() == base::StatusCode::kNotFound)
      return base::UnavailableError("cannot read " + dir_ + "/index.txt");
    return index.status();
  }
  std::optional<std::map<std::string, crypto::Sha256Digest>> digests;
  auto sums = base::ReadFile(dir_ + "/index.sha256", kMaxListingBytes, "index.sha256");
  if (sums.ok()) {
    digests.emplace();
    std::istringstream lines(*sums);
    for (std::string line; std::getline(lines, line);) {
      if (line.empty()) continue;
      auto digest = line.size() > 66 && line.compare(64, 2, "  ") == 0 ? ParseHexDigest(std::string_view(line).substr(0, 64))
                                                                        : std::nullopt;
      if (!digest)
        return base::InvalidArgumentError(
            "index.sha256 has a line that is not '<hex SHA-256>  <name>'");
      (*digests)[line.substr(66)] = *digest;
    }
  } else if (sums.status().code() != base::StatusCode::kNotFound) {
    return sums.status();
  }
  std::vector<ListedBatch> listed;
  std::istringstream lines(*index);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty()) continue;
    if (!PlainName(line) || line.size() > kMaxBatchNameSize) {
      return base::InvalidArgumentError("index.txt lists '" + line.substr(0, kMaxBatchNameSize) +
                                        "', not a plain file name");
    }
    if (line <= after) continue;
    ListedBatch b{line, std::nullopt, std::nullopt};
    if (digests) {
      auto it = digests->find(line);
      // A mirror caught between copying index.sha256 and index.txt: retry.
      if (it == digests->end())
        return base::UnavailableError("index.sha256 does not list " + line + " (yet)");
      b.sha256 = it->second;
    }
    listed.push_back(std::move(b));
  }
  std::sort(listed.begin(), listed.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  // The oldest kMaxListedBatches now, the rest at the next sync (index.txt
  // itself is bounded by kMaxListingBytes).
  if (listed.size() > kMaxListedBatches) listed.resize(kMaxListedBatches);
  return listed;
}

base::StatusOr<base::Bytes> DirectorySource::Fetch(const std::string& name) {
  if (!PlainName(name))
    return base::InvalidArgumentError("'" + name + "' is not a plain file name");
  OPENEN_ASSIGN_OR_RETURN(
      std::string s, base::ReadFile(dir_ + "/" + name, wire::kMaxExportFileSize, "batch " + name));
  return base::Bytes(s.begin(), s.end());
}

base::StatusOr<BatchSource::Signed> DirectorySource::Announcements() {
  // Signed envelopes are a few hundred bytes; 1 MiB bounds a hostile mirror.
  auto read = [&](const std::string& name) -> base::StatusOr<std::optional<base::Bytes>> {
    auto s = base::ReadFile(dir_ + "/" + name, base::kMaxSmallFileBytes, name);
    if (s.status().code() == base::StatusCode::kNotFound) return std::optional<base::Bytes>();
    if (!s.ok()) return s.status();
    return std::optional<base::Bytes>(base::Bytes(s->begin(), s->end()));
  };
  Signed out;
  OPENEN_ASSIGN_OR_RETURN(out.configuration, read("config.bin"));
  OPENEN_ASSIGN_OR_RETURN(out.decommission_order, read("decommission.bin"));
  return out;
}

struct RelaySource::Impl {
  std::unique_ptr<openen::v1::Relay::Stub> relay_api;
  int timeout_seconds;
  void SetDeadline(grpc::ClientContext* ctx) const {
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(timeout_seconds));
  }
};

RelaySource::RelaySource(std::shared_ptr<grpc::Channel> channel, int timeout_seconds)
    : impl_(new Impl{openen::v1::Relay::NewStub(std::move(channel)), timeout_seconds}) {}
RelaySource::~RelaySource() = default;

base::StatusOr<std::vector<ListedBatch>> RelaySource::ListAfter(const std::string& after) {
  std::vector<ListedBatch> listed;
  std::string cursor = after;
  size_t bytes = 0;
  while (true) {
    grpc::ClientContext ctx;
    impl_->SetDeadline(&ctx);
    openen::v1::ListBatchesRequest req;
    req.set_after(cursor);
    OPENEN_RETURN_IF_ERROR(wire::PadToSize(&req, 256));
    openen::v1::ListBatchesResponse resp;
    grpc::Status st = impl_->relay_api->ListBatches(&ctx, req, &resp);
    if (!st.ok()) return rpc::FromGrpcStatus(st).WithContext("ListBatches");
    // A relay (or something posing as one) that pages on and on is stopped.
    bytes += resp.ByteSizeLong();
    if (bytes > kMaxListingBytes) {
      return base::ResourceExhaustedError("relay listed more than " +
                                          std::to_string(kMaxListingBytes) + " bytes in one sync");
    }
    for (const auto& b : resp.batches()) {
      if (!PlainName(b.name()) || b.name().size() > kMaxBatchNameSize || b.name() <= cursor) {
        return base::InvalidArgumentError("relay listed '" + b.name().substr(0, kMaxBatchNameSize) +
                                          "' out of order");
      }
      ListedBatch out{b.name(), std::nullopt, std::nullopt};
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
      if (listed.size() == kMaxListedBatches) return listed;
    }
    if (resp.batches_size() == 0) break;
  }
  return listed;
}

base::StatusOr<base::Bytes> RelaySource::Fetch(const std::string& name) {
  grpc::ClientContext ctx;
  impl_->SetDeadline(&ctx);
  openen::v1::GetBatchRequest req;
  req.set_name(name);
  OPENEN_RETURN_IF_ERROR(wire::PadToSize(&req, 256));
  auto reader = impl_->relay_api->GetBatch(&ctx, req);
  openen::v1::BatchChunk chunk;
  base::Bytes data;
  uint64_t total = 0;
  while (reader->Read(&chunk)) {
    if (data.empty()) total = chunk.total_size();
    // A relay (or something posing as one) cannot make the phone buffer more
    // than the announced size, nor more than any export may be.
    if (chunk.offset() != data.size() || chunk.total_size() != total || total > wire::kMaxExportFileSize ||
        data.size() + chunk.data().size() > total) {
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

base::StatusOr<BatchSource::Signed> RelaySource::Announcements() {
  grpc::ClientContext ctx;
  impl_->SetDeadline(&ctx);
  openen::v1::GetConfigRequest req;
  OPENEN_RETURN_IF_ERROR(wire::PadToSize(&req, 256));
  openen::v1::GetConfigResponse resp;
  grpc::Status st = impl_->relay_api->GetConfig(&ctx, req, &resp);
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

}  // namespace openen::client
