// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// TransparencyLog: the relay's append-only Merkle log of what it released
// (docs/transparency.md). One entry (wire::LogEntry) per released batch,
// per configuration served and per decommission order served: digests
// only, never a key, kept after the batch is deleted. After every append
// the log is published under <export dir>/log/ as C2SP tlog-tiles
// (hash tiles and entry bundles) with a checkpoint signed by the log key
// (a key of its own role), so that any static mirror serves it and any
// phone, monitor or witness checks it.
//
// Entries are kept in the relay's database ('l' || BE64(index) -> entry
// text), written in the same synced write as the release they record; the
// published files are derived from them and rewritten at every start. The
// hashes are kept in memory: 32 bytes per entry, plus 1/255 of that for
// the upper tile levels.
//
// Not thread-safe: the relay's batch lock guards it.

#ifndef OPENEN_RELAY_TRANSPARENCY_LOG_H_
#define OPENEN_RELAY_TRANSPARENCY_LOG_H_

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "openen/base/status.h"
#include "openen/crypto/merkle.h"
#include "openen/store/schema.h"
#include "openen/wire/tlog.h"

namespace openen::relay {

class TransparencyLog {
 public:
  // Load reads the entries stored in |db| (which must outlive the log).
  // The log's origin is |signer|'s key name. DATA_LOSS for a stored entry
  // that does not parse, or a gap in the indices.
  static base::StatusOr<TransparencyLog> Load(rocksdb::DB* db,
                                              std::shared_ptr<const wire::NoteSigner> signer);
  // Schema lists the kinds of record the log keeps in the relay's store.
  static store::Schema Schema();

  uint64_t size() const { return levels_.empty() ? 0 : levels_[0].size(); }
  const wire::NoteKey& key() const { return signer_->public_key(); }

  // Append adds the puts of |entries|, appended at |now|, to |wb|; once
  // |wb| is written, call Appended with the same arguments (or nothing,
  // when the write failed). The checkpoint states the time of the last
  // append, so that it stays the same, signature and all, until the log
  // grows: witnesses cosign it, and their cosignatures stay valid.
  void Append(const std::vector<wire::LogEntry>& entries, int64_t now,
              rocksdb::WriteBatch* wb) const;
  void Appended(const std::vector<wire::LogEntry>& entries, int64_t now);

  // LastDigest returns the digest of the newest entry of |kind| (config or
  // decommission), if any: an unchanged configuration is logged once.
  std::optional<crypto::Sha256Digest> LastDigest(wire::LogEntry::Kind kind) const;

  // Publish writes, under |dir| (the export directory's log/), the tiles and
  // entry bundles that changed since the last Publish (all of them the first
  // time), then the checkpoint, signed, with the cosignatures given to
  // Cosign for it. Each file is written atomically, the checkpoint after
  // the tiles it needs; then the partial versions of tiles now full are
  // removed (a reader of an older checkpoint reads the full tile instead).
  base::Status Publish(const std::string& dir);

  // Head returns the tree head of the log as it is now.
  wire::Checkpoint Head() const;

  // Cosign keeps the signatures of |note| by |witnesses| if its text is
  // the current checkpoint's: they go out with it (at the next Publish)
  // until the log grows. Returns how many cosignatures are kept now.
  size_t Cosign(const wire::SignedNote& note, const std::vector<wire::NoteKey>& witnesses);
  size_t cosignatures() const { return cosignatures_.size(); }

  // ReadPublished reads the log published under |dir| by a relay with the
  // same key (Publish's files): the checkpoint, which must verify under this
  // log's key, and every entry, which together must give its root. Returns
  // the entries and the checkpoint's time; no entries when |dir| has no
  // checkpoint. DATA_LOSS saying what does not hold.
  struct Published {
    std::vector<wire::LogEntry> entries;
    int64_t time = 0;
    std::optional<wire::SignedNote> note;  // the checkpoint, with its cosignatures
  };
  base::StatusOr<Published> ReadPublished(const std::string& dir) const;
  // The most entries ReadPublished reads (a log of hourly batches reaches
  // it in 470 years).
  static constexpr uint64_t kMaxPublishedEntries = uint64_t{1} << 22;

  // Entries returns entries [begin, end) as stored.
  base::StatusOr<std::vector<std::string>> Entries(uint64_t begin, uint64_t end) const;

 private:
  TransparencyLog(rocksdb::DB* db, std::shared_ptr<const wire::NoteSigner> signer)
      : db_(db), signer_(std::move(signer)) {}
  void AddLeaf(const crypto::MerkleHash& leaf);

  rocksdb::DB* db_;
  std::shared_ptr<const wire::NoteSigner> signer_;
  // levels_[L] holds the hashes of tile level L: the roots of the complete
  // subtrees of 256^L leaves, left to right.
  std::vector<std::vector<crypto::MerkleHash>> levels_;
  std::optional<crypto::Sha256Digest> last_config_, last_order_;
  int64_t time_ = 0;                               // of the last append
  std::vector<wire::NoteSignature> cosignatures_;  // of Head(), one per witness
  std::optional<uint64_t> published_;  // size at the last Publish
};

}  // namespace openen::relay

#endif  // OPENEN_RELAY_TRANSPARENCY_LOG_H_
