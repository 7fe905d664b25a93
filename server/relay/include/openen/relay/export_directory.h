// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// ExportDirectory: the relay's static export directory, which any web server,
// CDN or object store can serve as it is. It holds
//   batch-<close time, 10 digits>.zip  signed GAEN export batches
//   index.txt                          their names, oldest first
//   index.sha256                       "<hex SHA-256>  <name>" per batch (sha256sum -c)
//   peers.txt                          with a peer feed: the names of the batches of
//                                      keys whose uploaders consented to sharing
//   config.bin                         the signed configuration, when there is one
//   decommission.bin                   the decommission order, once installed
//   log/                               the transparency log (transparency_log.h):
//                                      checkpoint, tile/..., tile/entries/...
//   .openen-relay                      the lock and the owner (below); not for
//                                      mirrors, and nothing secret
// and nothing else of the relay's. Every file is written to "<name>.tmp" and
// renamed into place and the directory synced, so a reader sees a whole file
// or none and a file reported written survives a power cut; a crash can
// leave a .tmp, which the relay removes. The relay's database decides
// which batches are released and which files it wrote; this class only keeps
// the files, and never removes one it is not told to.
//
// One relay writes a directory at a time: Open takes an exclusive lock on
// .openen-relay, held until the object is destroyed or the process dies.
// The file also names the directory's owner, the relay (its data directory's
// id) that wrote it last, so that a relay started with another data
// directory can tell that the batches it finds are not its own.

#ifndef OPENEN_RELAY_EXPORT_DIRECTORY_H_
#define OPENEN_RELAY_EXPORT_DIRECTORY_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "openen/base/bytes.h"
#include "openen/base/file.h"
#include "openen/base/status.h"
#include "openen/v1/relay.pb.h"
#include "openen/v1/signed.pb.h"

namespace openen::relay {

// kPeerFeedListing is the peer feed's listing beside index.txt, the one a
// peer follows (relay.h, RelayOptions::peer_feed).
inline constexpr char kPeerFeedListing[] = "peers.txt";

// BatchFileName returns "batch-<close time, 10 digits>.zip".
std::string BatchFileName(int64_t close_time);

// ParseBatchName returns the close time a batch file name carries, or
// nothing for any other name.
std::optional<int64_t> ParseBatchName(const std::string& name);

class ExportDirectory {
 public:
  // Open creates |path| (mode 0755) unless it exists, and locks it.
  // UNAVAILABLE when it cannot. When another relay holds the lock:
  // without |keep_waiting|, FAILED_PRECONDITION saying so; with it (a
  // standby), it calls |keep_waiting| and tries again for as long as that
  // returns true (it should wait a little each time), then CANCELLED.
  static base::StatusOr<ExportDirectory> Open(std::string path,
                                              const std::function<bool()>& keep_waiting = {});

  ExportDirectory(ExportDirectory&&) = default;
  ExportDirectory& operator=(ExportDirectory&&) = default;

  const std::string& path() const { return path_; }
  // log_path is where the transparency log is published: <path>/log.
  std::string log_path() const { return path_ + "/log"; }

  // WriteBatch writes batch |name| whole, durably.
  base::Status WriteBatch(const std::string& name, base::ByteView zip) const;
  // ReadBatch reads up to |max_bytes| of batch |name| from |offset|, and sets
  // |total_size|. NOT_FOUND when the file is gone.
  base::StatusOr<base::Bytes> ReadBatch(const std::string& name, uint64_t offset, size_t max_bytes,
                                        uint64_t* total_size) const;
  // RemoveBatch deletes batch |name| and a temporary file of it; OK when
  // they are already gone. Durable once Sync returns OK.
  base::Status RemoveBatch(const std::string& name) const;
  // BatchNames lists the batch files in the directory (any writer's), in
  // name order.
  base::StatusOr<std::vector<std::string>> BatchNames() const;

  // Owner returns the id of the relay that owns the directory, or nothing
  // when no relay has claimed it. DATA_LOSS when the file is damaged.
  base::StatusOr<std::optional<std::string>> Owner() const;
  // SetOwner records |id| (16 bytes) as the owner, synced.
  base::Status SetOwner(const std::string& id) const;
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
  // With |for_peers| (the relay offers a peer feed), the batches it names
  // are listed in peers.txt too, after index.txt; without, any peers.txt
  // goes.
  base::Status WriteIndex(const std::vector<openen::v1::BatchInfo>& batches,
                          const std::optional<std::set<std::string>>& for_peers = {}) const;

  // SetConfig writes config.bin, or removes it when |config| is empty.
  base::Status SetConfig(const std::optional<openen::v1::SignedEnvelope>& config) const;
  // WriteDecommissionOrder writes decommission.bin.
  base::Status WriteDecommissionOrder(const openen::v1::SignedEnvelope& order) const;

  // RemoveTemporaries deletes the temporary files of batches, index.txt,
  // index.sha256, config.bin and decommission.bin that a crash left.
  base::Status RemoveTemporaries() const;
  // RemoveAllButOrder deletes every batch, both indexes, config.bin and every
  // .tmp file, synced: what a decommissioned relay still serves is
  // decommission.bin (and .openen-relay, emptied: no owner). The owner's
  // batch files all go, as the order says, whoever wrote them.
  base::Status RemoveAllButOrder() const;

 private:
  ExportDirectory(std::string path, base::FileLock lock)
      : path_(std::move(path)), lock_(std::move(lock)) {}
  // RemoveIf deletes each file in the directory for which |remove| is true.
  base::Status RemoveIf(const std::function<bool(const std::string& name)>& remove) const;

  std::string path_;
  base::FileLock lock_;  // of .openen-relay, which also names the owner
};

}  // namespace openen::relay

#endif  // OPENEN_RELAY_EXPORT_DIRECTORY_H_
