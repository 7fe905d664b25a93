// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/client/transparency.h"

#include <set>

namespace openen::client {

base::Status LogPolicy::Check() const {
  if (log_key.type() != wire::NoteKey::Type::kEd25519) {
    return base::InvalidArgumentError("the log key must be an Ed25519 note key (type 0x01)");
  }
  std::set<std::string> seen;
  for (const wire::NoteKey& w : witness_keys) {
    if (w.type() != wire::NoteKey::Type::kCosignature) {
      return base::InvalidArgumentError("witness key " + w.name() +
                                        " must be a cosignature/v1 key (type 0x04)");
    }
    if (!seen.insert(w.Encode()).second) {
      return base::InvalidArgumentError("witness key " + w.name() + " is given twice");
    }
  }
  if (witness_quorum > witness_keys.size()) {
    return base::InvalidArgumentError("the witness quorum is " + std::to_string(witness_quorum) +
                                      ", but only " + std::to_string(witness_keys.size()) +
                                      " witness keys are given");
  }
  return base::Status::Ok();
}

base::StatusOr<SignedHead> VerifyHead(std::string_view note, const LogPolicy& policy) {
  OPENEN_ASSIGN_OR_RETURN(wire::SignedNote signed_note, wire::SignedNote::Parse(note));
  if (base::Status s = policy.log_key.Verify(signed_note); !s.ok()) {
    return base::UnauthenticatedError("the checkpoint is not signed by the log key " +
                                      policy.log_key.name());
  }
  OPENEN_ASSIGN_OR_RETURN(wire::Checkpoint checkpoint, wire::Checkpoint::Parse(signed_note.text));
  if (checkpoint.origin != policy.log_key.name()) {
    return base::UnauthenticatedError("the checkpoint is of log '" +
                                      checkpoint.origin.substr(0, 64) + "', not " +
                                      policy.log_key.name());
  }
  SignedHead head{std::move(checkpoint), std::string(note), 0};
  for (const wire::NoteKey& w : policy.witness_keys) {
    if (w.Verify(signed_note).ok()) ++head.cosignatures;
  }
  if (head.cosignatures < policy.witness_quorum) {
    return base::UnauthenticatedError("the checkpoint has " + std::to_string(head.cosignatures) +
                                      " of the " + std::to_string(policy.witness_quorum) +
                                      " witness cosignatures required");
  }
  return head;
}

base::StatusOr<base::Bytes> LogReader::Read(const std::string& path) {
  if (cancel_.cancelled()) return base::Status(base::StatusCode::kCancelled, "cancelled");
  auto bytes = source_->LogFile(path, cancel_);
  if (!bytes.ok()) return bytes.status().WithContext("log/" + path);
  return bytes;
}

base::StatusOr<SignedHead> LogReader::Head(const LogPolicy& policy) {
  OPENEN_ASSIGN_OR_RETURN(base::Bytes note, Read("checkpoint"));
  auto head = VerifyHead(base::AsChars(note), policy);
  if (!head.ok()) return head.status().WithContext("log/checkpoint");
  return head;
}

base::StatusOr<std::vector<crypto::MerkleHash>> LogReader::Tile(int level, uint64_t index,
                                                                uint64_t width) {
  const auto key = std::make_tuple(level, index, width);
  if (auto it = tiles_.find(key); it != tiles_.end()) return it->second;
  const std::string path = wire::TilePath(level, index, width);
  auto bytes = Read(path);
  if (!bytes.ok() && bytes.status().code() == base::StatusCode::kNotFound &&
      width < wire::kTileWidth) {
    // The log has grown and replaced the partial tile with the full one,
    // whose first |width| hashes are the same (C2SP tlog-tiles).
    auto full = Tile(level, index, wire::kTileWidth);
    if (!full.ok()) return bytes.status();
    full->resize(width);
    return tiles_[key] = std::move(*full);
  }
  if (!bytes.ok()) return bytes.status();
  auto hashes = wire::ParseTile(*bytes, width);
  // A cut or damaged download: try again, it says nothing about the log.
  if (!hashes.ok()) return base::UnavailableError("log/" + path + ": " + hashes.status().message());
  return tiles_[key] = std::move(*hashes);
}

base::Status LogReader::CheckConsistent(const wire::Checkpoint& old, const wire::Checkpoint& next) {
  if (next.size < old.size) {
    // A lagging mirror or CDN edge, or a rollback: nothing to check it
    // against here, and nothing to take from it. Retry; a rolled-back log
    // that grows again is a fork.
    return base::UnavailableError("the log's tree head has size " + std::to_string(next.size) +
                                  ", behind the " + std::to_string(old.size) +
                                  " seen before: the source is behind, or was rolled back");
  }
  std::vector<crypto::MerkleHash> proof;
  if (old.size > 0 && old.size < next.size) {
    auto built = crypto::ConsistencyProof(
        wire::TileNodes(next.size, [this](int l, uint64_t i, uint64_t w) { return Tile(l, i, w); }),
        old.size, next.size);
    // A tile that cannot be had is the source's trouble (retry); one that
    // does not lead to the root is the log's.
    if (!built.ok() && built.status().code() != base::StatusCode::kInvalidArgument) {
      return built.status();
    }
    if (built.ok()) proof = std::move(*built);
  }
  if (base::Status s = crypto::VerifyConsistency(old.size, next.size, old.root, next.root, proof);
      !s.ok()) {
    return base::DataLossError("the log's tree head of size " + std::to_string(next.size) +
                               " does not extend the one of size " + std::to_string(old.size) +
                               " seen before (" + s.message() + "): the log forked");
  }
  return base::Status::Ok();
}

base::StatusOr<std::vector<std::string>> LogReader::Entries(const wire::Checkpoint& head,
                                                            uint64_t begin, uint64_t end) {
  if (begin > end || end > head.size) {
    return base::InvalidArgumentError("entries " + std::to_string(begin) + ".." +
                                      std::to_string(end) + " are not in a tree of " +
                                      std::to_string(head.size));
  }
  if (end - begin > kMaxLogEntriesRead) {
    return base::InvalidArgumentError("at most " + std::to_string(kMaxLogEntriesRead) +
                                      " entries are read at once");
  }
  std::vector<std::string> entries;
  for (uint64_t t = begin / wire::kTileWidth; t * wire::kTileWidth < end; ++t) {
    const uint64_t width = wire::TileWidth(0, t, head.size);
    const std::string path = wire::EntryBundlePath(t, width);
    OPENEN_ASSIGN_OR_RETURN(base::Bytes bytes, Read(path));
    auto bundle = wire::ParseEntryBundle(bytes, width);
    if (!bundle.ok()) return bundle.status().WithContext("log/" + path);
    const uint64_t first = t * wire::kTileWidth;
    for (uint64_t i = std::max(first, begin); i < std::min(first + width, end); ++i) {
      entries.push_back(std::move((*bundle)[i - first]));
    }
  }
  if (begin == end) return entries;
  // The entries' own hashes for every node over them, the tiles' for the
  // rest: the root comes out right only if every entry is the log's.
  std::vector<crypto::MerkleHash> leaves;
  leaves.reserve(entries.size());
  for (const std::string& e : entries) leaves.push_back(crypto::MerkleLeafHash(base::AsBytes(e)));
  const crypto::MerkleNodeSource tiles =
      wire::TileNodes(head.size, [this](int l, uint64_t i, uint64_t w) { return Tile(l, i, w); });
  crypto::MerkleNodeSource nodes = [&](int level,
                                       uint64_t index) -> base::StatusOr<crypto::MerkleHash> {
    const uint64_t lo = index << level, hi = (index + 1) << level;
    if (hi <= begin || lo >= end) return tiles(level, index);
    if (level == 0) return leaves[lo - begin];
    OPENEN_ASSIGN_OR_RETURN(crypto::MerkleHash left, nodes(level - 1, 2 * index));
    OPENEN_ASSIGN_OR_RETURN(crypto::MerkleHash right, nodes(level - 1, 2 * index + 1));
    return crypto::MerkleNodeHash(left, right);
  };
  auto root = crypto::MerkleRoot(nodes, head.size);
  if (!root.ok() && root.status().code() != base::StatusCode::kInvalidArgument) {
    return root.status();
  }
  if (!root.ok() || *root != head.root) {
    return base::DataLossError("log entries " + std::to_string(begin) + ".." + std::to_string(end) +
                               " are not those of the signed tree head");
  }
  return entries;
}

base::Status LogReader::CheckTiles(const wire::Checkpoint& head,
                                   const std::vector<crypto::MerkleHash>& leaves) {
  if (leaves.size() != head.size) {
    return base::InvalidArgumentError(std::to_string(leaves.size()) +
                                      " leaf hashes for a tree of " + std::to_string(head.size));
  }
  if (head.size == 0) return base::Status::Ok();
  OPENEN_ASSIGN_OR_RETURN(crypto::MerkleHash root, crypto::MerkleRoot(leaves, head.size));
  if (root != head.root) {
    return base::DataLossError("the log's " + std::to_string(head.size) +
                               " entries do not give the signed tree head's root");
  }
  // |row| holds the hashes of tile level |level|: the roots of the complete
  // subtrees of 256^level leaves, left to right, computed from the leaves.
  std::vector<crypto::MerkleHash> row = leaves;
  for (int level = 0; !row.empty(); ++level) {
    for (uint64_t t = 0; t * wire::kTileWidth < row.size(); ++t) {
      const uint64_t width = wire::TileWidth(level, t, head.size);
      // Read as a proof reads it, but not kept: a monitor reads each once.
      const auto key = std::make_tuple(level, t, width);
      const bool kept = tiles_.count(key) > 0;
      auto hashes = Tile(level, t, width);
      if (!kept) tiles_.erase(key);
      if (!hashes.ok()) return hashes.status();
      for (uint64_t i = 0; i < width; ++i) {
        const crypto::MerkleHash& want = row[t * wire::kTileWidth + i];
        if ((*hashes)[i] != want) {
          return base::DataLossError(
              "log/" + wire::TilePath(level, t, width) + ": hash " + std::to_string(i) + " is " +
              base::Base64Encode((*hashes)[i]) + ", but the log's entries give " +
              base::Base64Encode(want) +
              ": a phone that builds a proof from this tile refuses the log as a fork");
        }
      }
    }
    // The next level up: 8 levels of the tree above this one.
    for (int r = 0; r < wire::kTileHeight; ++r) {
      for (size_t i = 0; i < row.size() / 2; ++i) {
        row[i] = crypto::MerkleNodeHash(row[2 * i], row[2 * i + 1]);
      }
      row.resize(row.size() / 2);
    }
  }
  return base::Status::Ok();
}

}  // namespace openen::client
