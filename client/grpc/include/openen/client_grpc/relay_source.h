// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// RelaySource: released batches and announcements from openen-relay's gRPC
// API (ListBatches, GetBatch, GetConfig).

#ifndef OPENEN_CLIENT_GRPC_RELAY_SOURCE_H_
#define OPENEN_CLIENT_GRPC_RELAY_SOURCE_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "openen/client/sync.h"

namespace grpc {
class Channel;
}

namespace openen::client_grpc {

// The relay's listing calls, by their full gRPC names (wire/openen/v1/relay.proto).
inline constexpr std::string_view kListBatchesMethod = "/openen.v1.Relay/ListBatches";
inline constexpr std::string_view kGetBatchMethod = "/openen.v1.Relay/GetBatch";
inline constexpr std::string_view kGetConfigMethod = "/openen.v1.Relay/GetConfig";
inline constexpr std::string_view kGetLogFileMethod = "/openen.v1.Relay/GetLogFile";

class RelaySource final : public client::BatchSource {
 public:
  // Each call gives up after |timeout_seconds| (DEADLINE_EXCEEDED).
  explicit RelaySource(std::shared_ptr<grpc::Channel> channel, int timeout_seconds = 60);
  ~RelaySource() override;
  base::StatusOr<std::vector<client::ListedBatch>> ListAfter(
      const std::string& after, const base::Cancellation& cancel) override;
  base::StatusOr<base::Bytes> Fetch(const std::string& name,
                                    const base::Cancellation& cancel) override;
  // Calls GetConfig; NOT_FOUND from the relay means none.
  base::StatusOr<Signed> Announcements(const base::Cancellation& cancel) override;
  // Calls GetLogFile: the same files as the export directory's log/.
  base::StatusOr<base::Bytes> LogFile(const std::string& path,
                                      const base::Cancellation& cancel) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace openen::client_grpc

#endif  // OPENEN_CLIENT_GRPC_RELAY_SOURCE_H_
