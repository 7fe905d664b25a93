// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/relay/transparency_log.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

#include "openen/base/bytes.h"
#include "openen/base/coding.h"
#include "openen/base/file.h"
#include "openen/store/db.h"

namespace openen::relay {
namespace {

constexpr char kEntryPrefix = 'l';
// BE64(unix seconds) of the last append.
constexpr char kTimeKey[] = "c";

std::string EntryKey(uint64_t index) {
  std::string k(1, kEntryPrefix);
  base::PutFixedBE<8>(&k, index);
  return k;
}

// MakeParents creates the directories of |path| under |root| (which exists).
base::Status MakeParents(const std::string& root, const std::string& path) {
  for (size_t slash = path.find('/'); slash != std::string::npos;
       slash = path.find('/', slash + 1)) {
    const std::string dir = root + "/" + path.substr(0, slash);
    if (::mkdir(dir.c_str(), 0755) == 0) {
      OPENEN_RETURN_IF_ERROR(base::SyncDirectory(dir.substr(0, dir.rfind('/'))));
    } else if (errno != EEXIST) {
      return base::UnavailableError("cannot create " + dir + ": " + std::strerror(errno));
    }
  }
  return base::Status::Ok();
}

}  // namespace

store::Schema TransparencyLog::Schema() {
  static constexpr store::RecordKind kKinds[] = {
      {"relay.log_entry", {&kEntryPrefix, 1}},
      {"relay.log_time", kTimeKey, true},
  };
  return kKinds;
}

base::StatusOr<TransparencyLog> TransparencyLog::Load(
    rocksdb::DB* db, std::shared_ptr<const wire::NoteSigner> signer) {
  TransparencyLog log(db, std::move(signer));
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator({}));
  const std::string prefix(1, kEntryPrefix);
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    if (it->key().size() != 9 || base::GetFixedBE<8>(it->key().data() + 1) != log.size()) {
      return base::DataLossError("the transparency log's entries have a gap at " +
                                 std::to_string(log.size()));
    }
    auto entry = wire::LogEntry::Parse(it->value().ToStringView());
    if (!entry.ok()) {
      return base::DataLossError("the transparency log's entry " + std::to_string(log.size()) +
                                 " is damaged: " + entry.status().message());
    }
    log.Appended({*entry}, 0);
  }
  OPENEN_RETURN_IF_ERROR(store::FromRocksDb(it->status(), "read the transparency log"));
  std::string time;
  if (db->Get({}, kTimeKey, &time).ok() && time.size() == 8) {
    log.time_ = static_cast<int64_t>(base::GetFixedBE<8>(time.data()));
  }
  return log;
}

void TransparencyLog::Append(const std::vector<wire::LogEntry>& entries, int64_t now,
                             rocksdb::WriteBatch* wb) const {
  uint64_t index = size();
  for (const wire::LogEntry& e : entries) wb->Put(EntryKey(index++), e.Encode());
  std::string time;
  base::PutFixedBE<8>(&time, static_cast<uint64_t>(now));
  wb->Put(kTimeKey, time);
}

void TransparencyLog::Appended(const std::vector<wire::LogEntry>& entries, int64_t now) {
  if (entries.empty()) return;
  time_ = now;
  cosignatures_.clear();
  for (const wire::LogEntry& e : entries) {
    AddLeaf(crypto::MerkleLeafHash(base::AsBytes(e.Encode())));
    if (e.kind == wire::LogEntry::Kind::kConfig) last_config_ = e.sha256;
    if (e.kind == wire::LogEntry::Kind::kDecommission) last_order_ = e.sha256;
  }
}

void TransparencyLog::AddLeaf(const crypto::MerkleHash& leaf) {
  crypto::MerkleHash carry = leaf;
  for (size_t level = 0;; ++level) {
    if (levels_.size() == level) levels_.emplace_back();
    levels_[level].push_back(carry);
    if (levels_[level].size() % wire::kTileWidth != 0) return;
    // A tile of this level is complete: its root is a hash of the next.
    const std::vector<crypto::MerkleHash> tile(levels_[level].end() - wire::kTileWidth,
                                               levels_[level].end());
    carry = *crypto::MerkleRoot(tile, tile.size());
  }
}

std::optional<crypto::Sha256Digest> TransparencyLog::LastDigest(wire::LogEntry::Kind kind) const {
  return kind == wire::LogEntry::Kind::kConfig ? last_config_ : last_order_;
}

wire::Checkpoint TransparencyLog::Head() const {
  wire::Checkpoint c;
  c.origin = signer_->public_key().name();
  c.size = size();
  c.root =
      *crypto::MerkleRoot(levels_.empty() ? std::vector<crypto::MerkleHash>() : levels_[0], size());
  c.extensions.push_back("time " + std::to_string(time_));
  return c;
}

size_t TransparencyLog::Cosign(const wire::SignedNote& note,
                               const std::vector<wire::NoteKey>& witnesses) {
  if (note.text != Head().Format()) return cosignatures_.size();
  for (const wire::NoteKey& w : witnesses) {
    const bool known = std::any_of(cosignatures_.begin(), cosignatures_.end(), [&](const auto& s) {
      return s.name == w.name() && s.key_id == w.key_id();
    });
    if (known) continue;
    for (const wire::NoteSignature& s : note.signatures) {
      if (s.name == w.name() && s.key_id == w.key_id() && w.Verify({note.text, {s}}).ok()) {
        cosignatures_.push_back(s);
        break;
      }
    }
  }
  return cosignatures_.size();
}

base::StatusOr<std::vector<std::string>> TransparencyLog::Entries(uint64_t begin,
                                                                  uint64_t end) const {
  std::vector<std::string> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator({}));
  const std::string last = EntryKey(end);
  for (it->Seek(EntryKey(begin)); it->Valid() && it->key().compare(last) < 0; it->Next()) {
    out.push_back(it->value().ToString());
  }
  OPENEN_RETURN_IF_ERROR(store::FromRocksDb(it->status(), "read the transparency log"));
  if (out.size() != end - begin) return base::DataLossError("the transparency log lost entries");
  return out;
}

base::StatusOr<TransparencyLog::Published> TransparencyLog::ReadPublished(
    const std::string& dir) const {
  Published out;
  const std::string checkpoint_path = dir + "/checkpoint";
  if (!base::FileExists(checkpoint_path)) return out;
  auto damaged = [&](const std::string& what) {
    return base::DataLossError("the transparency log published in " + dir + " " + what);
  };
  OPENEN_ASSIGN_OR_RETURN(std::string text, base::ReadFile(checkpoint_path, wire::kMaxNoteBytes));
  base::StatusOr<wire::SignedNote> note = wire::SignedNote::Parse(text);
  if (!note.ok()) return damaged("has a damaged checkpoint: " + note.status().message());
  if (!key().Verify(*note).ok()) {
    return damaged("is not signed by this relay's log key (" + key().name() +
                   "): a relay takes over only a log it can continue");
  }
  base::StatusOr<wire::Checkpoint> head = wire::Checkpoint::Parse(note->text);
  if (!head.ok() || head->origin != key().name()) {
    return damaged("has a checkpoint for another origin");
  }
  if (head->size > kMaxPublishedEntries) {
    return damaged("has " + std::to_string(head->size) + " entries, more than the " +
                   std::to_string(kMaxPublishedEntries) + " a relay takes over");
  }
  out.time = head->Time().value_or(0);
  std::vector<crypto::MerkleHash> leaves;
  for (uint64_t t = 0; t * wire::kTileWidth < head->size; ++t) {
    const uint64_t width = wire::TileWidth(0, t, head->size);
    const std::string path = wire::EntryBundlePath(t, width);
    OPENEN_ASSIGN_OR_RETURN(std::string bundle,
                            base::ReadFile(dir + "/" + path, wire::kMaxLogFileBytes, path));
    auto entries = wire::ParseEntryBundle(base::AsBytes(bundle), width);
    if (!entries.ok()) return damaged("has a damaged " + path + ": " + entries.status().message());
    for (const std::string& text : *entries) {
      auto entry = wire::LogEntry::Parse(text);
      if (!entry.ok()) return damaged("has a damaged entry in " + path);
      leaves.push_back(crypto::MerkleLeafHash(base::AsBytes(text)));
      out.entries.push_back(std::move(*entry));
    }
  }
  if (*crypto::MerkleRoot(leaves, leaves.size()) != head->root) {
    return damaged("has entries that do not give its checkpoint's root");
  }
  out.note = std::move(*note);
  return out;
}

base::Status TransparencyLog::Publish(const std::string& dir) {
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
    return base::UnavailableError("cannot create " + dir + ": " + std::strerror(errno));
  }
  const uint64_t n = size(), old = published_.value_or(0);
  std::vector<std::string> completed;  // tiles now full: their partial versions go last
  auto write = [&](const std::string& path, std::string_view contents, bool full) {
    OPENEN_RETURN_IF_ERROR(MakeParents(dir, path));
    OPENEN_RETURN_IF_ERROR(base::WriteFileAtomically(dir + "/" + path, contents, false));
    if (full) completed.push_back(dir + "/" + path);
    return base::Status::Ok();
  };
  // The tiles a tree of |old| leaves had complete stay as they were; from
  // the first that was not, each is written at its new width.
  for (size_t level = 0; level < levels_.size(); ++level) {
    const std::vector<crypto::MerkleHash>& hashes = levels_[level];
    const uint64_t first = published_ ? (old >> (wire::kTileHeight * level)) / wire::kTileWidth : 0;
    for (uint64_t t = first; t * wire::kTileWidth < hashes.size(); ++t) {
      const uint64_t width = wire::TileWidth(static_cast<int>(level), t, n);
      std::string tile;
      for (uint64_t i = t * wire::kTileWidth; i < t * wire::kTileWidth + width; ++i) {
        tile.append(base::AsChars(hashes[i]));
      }
      OPENEN_RETURN_IF_ERROR(write(wire::TilePath(static_cast<int>(level), t, width), tile,
                                   width == wire::kTileWidth));
    }
  }
  for (uint64_t t = published_ ? old / wire::kTileWidth : 0; t * wire::kTileWidth < n; ++t) {
    const uint64_t width = wire::TileWidth(0, t, n);
    OPENEN_ASSIGN_OR_RETURN(std::vector<std::string> entries,
                            Entries(t * wire::kTileWidth, t * wire::kTileWidth + width));
    OPENEN_RETURN_IF_ERROR(write(wire::EntryBundlePath(t, width),
                                 base::AsChars(wire::EncodeEntryBundle(entries)),
                                 width == wire::kTileWidth));
  }
  wire::SignedNote note{Head().Format(), {signer_->Sign(Head().Format())}};
  note.signatures.insert(note.signatures.end(), cosignatures_.begin(), cosignatures_.end());
  OPENEN_RETURN_IF_ERROR(base::WriteFileAtomically(dir + "/checkpoint", note.Format(), false));
  published_ = n;
  // A full tile's partial versions ("<tile>.p/<width>") served the
  // checkpoints before this one; readers still on those fall back to the
  // full tile.
  for (const std::string& tile : completed) {
    OPENEN_RETURN_IF_ERROR(base::RemoveTree(tile + ".p"));
    OPENEN_RETURN_IF_ERROR(base::SyncDirectory(tile.substr(0, tile.rfind('/'))));
  }
  return base::Status::Ok();
}

}  // namespace openen::relay
