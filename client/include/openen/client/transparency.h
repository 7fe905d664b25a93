// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Reading a relay's transparency log (docs/transparency.md) from any
// BatchSource: its signed checkpoint, checked under the log's key and k
// witnesses' cosignatures; consistency between two checkpoints; and
// entries, each authenticated against a checkpoint's root. Client::Sync uses
// it when ClientOptions::log names a log; `openen log` (monitors, witnesses)
// uses it directly. Every hash and entry comes from the source and counts
// only once it leads to a signed root.

#ifndef OPENEN_CLIENT_TRANSPARENCY_H_
#define OPENEN_CLIENT_TRANSPARENCY_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "openen/base/cancellation.h"
#include "openen/base/status.h"
#include "openen/client/sync.h"
#include "openen/wire/tlog.h"

namespace openen::client {

// LogPolicy says which log a reader trusts, and how many of which witnesses
// must have cosigned a checkpoint before it counts.
struct LogPolicy {
  wire::NoteKey log_key;                    // Ed25519; its name is the log's origin
  std::vector<wire::NoteKey> witness_keys;  // cosignature/v1 keys
  size_t witness_quorum = 0;                // 0..witness_keys.size()

  // Check refuses (INVALID_ARGUMENT) a policy whose keys have the wrong
  // types, that names a witness twice, or whose quorum is out of range.
  base::Status Check() const;
};

// SignedHead is a checkpoint that verified under a policy.
struct SignedHead {
  wire::Checkpoint checkpoint;
  std::string note;         // the signed note, as it came
  size_t cosignatures = 0;  // distinct policy witnesses that cosigned
};

// VerifyHead checks a signed checkpoint: the log key's signature, the
// origin (the key's name) and at least witness_quorum cosignatures by
// distinct witnesses of the policy. UNAUTHENTICATED when a signature is
// missing, INVALID_ARGUMENT for a note or checkpoint that does not parse.
base::StatusOr<SignedHead> VerifyHead(std::string_view note, const LogPolicy& policy);

// LogReader reads one log's files from a source for one task (a sync, a
// monitor's run), keeping the tiles it read. Not thread-safe.
class LogReader {
 public:
  // |source| must outlive the reader.
  LogReader(BatchSource* source, const base::Cancellation& cancel)
      : source_(source), cancel_(cancel) {}

  // Head fetches the source's checkpoint and verifies it under |policy|.
  base::StatusOr<SignedHead> Head(const LogPolicy& policy);

  // CheckConsistent checks that |next| extends |old| (RFC 9162 consistency,
  // the proof built from |next|'s tiles). DATA_LOSS when it does not: a
  // different root at the same size, a proof that fails. UNAVAILABLE for a
  // smaller tree (a source behind, or rolled back: retry) or a tile that
  // does not have its size.
  base::Status CheckConsistent(const wire::Checkpoint& old, const wire::Checkpoint& next);

  // Entries returns entries [begin, end) of the tree |head| (end <= size),
  // read from entry bundles, after checking that they, with the tiles, give
  // |head|'s root (DATA_LOSS otherwise). INVALID_ARGUMENT for a range of
  // more than kMaxLogEntriesRead entries.
  base::StatusOr<std::vector<std::string>> Entries(const wire::Checkpoint& head, uint64_t begin,
                                                   uint64_t end);

  // CheckTiles checks every hash tile of the tree |head|, at every level,
  // full and partial, read as phones read them for their proofs, against
  // |leaves|: the leaf hashes of all head.size entries, which must give
  // |head|'s root. DATA_LOSS naming the first tile hash that differs (a
  // phone that builds a proof from it refuses the log as a fork); a tile
  // that cannot be read or parsed gives that status. A monitor's check:
  // Entries over the whole tree needs no tile at all.
  base::Status CheckTiles(const wire::Checkpoint& head,
                          const std::vector<crypto::MerkleHash>& leaves);

 private:
  base::StatusOr<base::Bytes> Read(const std::string& path);
  base::StatusOr<std::vector<crypto::MerkleHash>> Tile(int level, uint64_t index, uint64_t width);

  BatchSource* source_;
  const base::Cancellation& cancel_;
  std::map<std::tuple<int, uint64_t, uint64_t>, std::vector<crypto::MerkleHash>> tiles_;
};

// The most entries LogReader::Entries reads at once: at most 16.8 MB of
// bundles of the longest entries (1 KiB), 2 MB of openen-relay's (about
// 130 bytes); a sync reads more at the next sync (14 days of hourly batches
// are 336 entries).
inline constexpr uint64_t kMaxLogEntriesRead = 16'384;

}  // namespace openen::client

#endif  // OPENEN_CLIENT_TRANSPARENCY_H_
