// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// ExportDirectory: the relay's static export directory, which any web server,
// CDN or object store can serve as it is. It holds
//   batch-<close time, 10 digits>.zip  signed GAEN export batches
//   index.txt                          their names, oldest first
//   index.sha256                       "<hex SHA-256>  <name>" per batch (sha256sum -c)
//   config.bin                         the signed configuration, when there is one
//   decommission.bin                   the decommission order, once installed
//   log/                               the transparency log (transparency_log.h):
//                                      checkpoint, tile/..., tile/entries/...
// and nothing else of the relay's. Every file is written to "<name>.tmp" and
// renamed into place and the directory synced, so a reader sees a whole file
// or none and a file reported written survives a power cut; a crash can
// leave a .tmp, which RemoveOrphans deletes. The relay's database decides
// which batches are released; this class only keeps the files.

#ifndef OPENEN_RELAY_EXPORT_DIRECTORY_H_
#define OPENEN_RELAY_EXPORT_DIRECTORY_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "openen/base/bytes.h"
#include "openen/base/status.h"
#include "openen/v1/relay.pb.h"
#include "openen/v1/signed.pb.h"

namespace openen::relay {

// BatchFileName returns "batch-<close time, 10 digits>.zip".
std::string BatchFileName(int64_t close_time);

// ParseBatchName returns the close time a batch file name carries, or
// nothing for any other name.
std::optional<int64_t> ParseBatchName(const std::string& name);

class ExportDirectory {
 public:
  // Open creates |path| (mode 0755) unless it exists. UNAVAILABLE when it
  // cannot.
  static base::StatusOr<ExportDirectory> Open(std::string path);

  const std::string& path() const { return path_; }
  // log_path is where the transparency log is published: <path>/log.
  std::string log_path() const { return path_ + "/log"; }

  // WriteBatch writes batch |name| whole, durably.
  base::Status WriteBatch(const std::string& name, base::ByteView zip) const;
  // ReadBatch reads up to |max_bytes| of batch |name| from |offset|, and sets
  // |total_size|. NOT_FOUND when the file is gone.
  base::StatusOr<base::Bytes> ReadBatch(const std::string& name, uint64_t offset, size_t max_bytes,
                                        uint64_t* total_size) const;
  // RemoveBatch deletes batch |name|; OK when it is already gone. Durable
  // once Sync returns OK.
  base::Status RemoveBatch(const std::string& name) const;
  // Sync fsyncs the directory: every file written, renamed or removed in it
  // before survives a power cut. UNAVAILABLE when it cannot.
  base::Status Sync() const;
  // CheckBatch checks that the file of a released batch is there with the
  // size and SHA-256 its record holds. DATA_LOSS "<path> is missing", "<path>
  // is N bytes, not the M recorded" or "<path> has SHA-256 <hex>, not the
  // one recorded".
  base::Status CheckBatch(const openen::v1::BatchInfo& info) const;

  // WriteIndex lists |batches| (in their order) in index.sha256, then in
  // index.txt: a reader that sees a name in index.txt finds its digest.
  base::Status WriteIndex(const std::vector<openen::v1::BatchInfo>& batches) const;

  // SetConfig writes config.bin, or removes it when |config| is empty.
  base::Status SetConfig(const std::optional<openen::v1::SignedEnvelope>& config) const;
  // WriteDecommissionOrder writes decommission.bin.
  base::Status WriteDecommissionOrder(const openen::v1::SignedEnvelope& order) const;

  // RemoveOrphans deletes every .tmp file and every batch file whose close
  // time |released| does not know: what a crash between writing a file and
  // recording it, or between unrecording and deleting it, left behind. The
  // removals are synced.
  base::Status RemoveOrphans(const std::function<bool(int64_t close_time)>& released) const;
  // RemoveAllButOrder deletes every batch, both indexes, config.bin and every
  // .tmp file, synced: what a decommissioned relay still serves is
  // decommission.bin.
  base::Status RemoveAllButOrder() const;

 private:
  explicit ExportDirectory(std::string path) : path_(std::move(path)) {}
  // RemoveIf deletes each file in the directory for which |remove| is true.
  base::Status RemoveIf(const std::function<bool(const std::string& name)>& remove) const;

  std::string path_;
};

}  // namespace openen::relay

#endif  // OPENEN_RELAY_EXPORT_DIRECTORY_H_
