// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Where released batches come from. The relay serves the same files over gRPC
// (ListBatches/GetBatch) and as static files with an index.txt; an app may also
// implement BatchSource over its platform's HTTP stack for a CDN.

#ifndef OPENEN_CLIENT_SYNC_H_
#define OPENEN_CLIENT_SYNC_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "openen/base/bytes.h"
#include "openen/base/status.h"
#include "openen/crypto/hash.h"

namespace grpc {
class Channel;
}

namespace openen::client {

// Bounds on what a source may list in one sync. ListAfter returns at most
// the oldest kMaxListedBatches names after the cursor, and Sync takes the rest
// at the next sync from its progress (14 days of hourly batches is 336; a
// relay with one-second batches is caught up over several syncs). A listing
// over kMaxListingBytes (however the source pages) is RESOURCE_EXHAUSTED.
// Names are at most kMaxBatchNameSize bytes.
inline constexpr size_t kMaxListedBatches = 100'000;
inline constexpr size_t kMaxListingBytes = size_t{8} << 20;
inline constexpr size_t kMaxBatchNameSize = 255;

// ListedBatch is one released batch as its source lists it, with the size
// and SHA-256 of its file when the listing gives them (openen-relay's gRPC
// listing and index.sha256 do; a plain index.txt does not). Client::Sync
// refuses a file whose bytes differ from what is listed.
struct ListedBatch {
  std::string name;
  std::optional<uint64_t> size;
  std::optional<crypto::Sha256Digest> sha256;
};

class BatchSource {
 public:
  virtual ~BatchSource() = default;
  // ListAfter returns the released batches whose names sort after |after|
  // (all when empty), oldest first, within the bounds above.
  virtual base::StatusOr<std::vector<ListedBatch>> ListAfter(const std::string& after) = 0;
  // Fetch returns one batch file's bytes: RESOURCE_EXHAUSTED, before reading
  // it, for a file larger than wire::kMaxExportFileSize.
  virtual base::StatusOr<base::Bytes> Fetch(const std::string& name) = 0;
  // Announcements returns what the health authority publishes besides
  // batches: the signed configuration and a decommission order, each a
  // serialized SignedEnvelope, or absent.
  struct Signed {
    std::optional<base::Bytes> configuration;
    std::optional<base::Bytes> decommission_order;
  };
  virtual base::StatusOr<Signed> Announcements() { return Signed{}; }
};

// DirectorySource reads a relay's export directory (index.txt + files), e.g.
// a local mirror. Names that are not plain file names are refused. When the
// directory has an index.sha256 (lines "<hex SHA-256>  <name>", as
// openen-relay writes it), every listed name must be in it, and its digest
// is checked; without one (other servers' exports) nothing can be. A name
// missing from index.sha256 is UNAVAILABLE (retryable): the two files are
// published separately (index.sha256 first), and a reader may see them out
// of step.
class DirectorySource final : public BatchSource {
 public:
  explicit DirectorySource(std::string dir) : dir_(std::move(dir)) {}
  base::StatusOr<std::vector<ListedBatch>> ListAfter(const std::string& after) override;
  base::StatusOr<base::Bytes> Fetch(const std::string& name) override;
  // Reads config.bin and decommission.bin, which openen-relay writes beside index.txt.
  base::StatusOr<Signed> Announcements() override;

 private:
  std::string dir_;
};

// RelaySource talks to openen-relay over gRPC.
class RelaySource final : public BatchSource {
 public:
  explicit RelaySource(std::shared_ptr<grpc::Channel> channel, int timeout_seconds = 60);
  ~RelaySource() override;
  base::StatusOr<std::vector<ListedBatch>> ListAfter(const std::string& after) override;
  base::StatusOr<base::Bytes> Fetch(const std::string& name) override;
  // Calls GetConfig; NOT_FOUND from the relay means none.
  base::StatusOr<Signed> Announcements() override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace openen::client

#endif  // OPENEN_CLIENT_SYNC_H_
