// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// The transparency log's wire formats, all from C2SP so that existing
// monitors and witnesses work with OpenEN's log unchanged:
//   - checkpoints (c2sp.org/tlog-checkpoint): the signed tree head, text;
//   - signed notes (c2sp.org/signed-note) with Ed25519 signatures, and
//     witness cosignatures (c2sp.org/tlog-cosignature, cosignature/v1);
//   - tiles (c2sp.org/tlog-tiles): the tree's hashes and entries as static
//     files, so that any web server or mirror serves the log;
//   - OpenEN's log entries: one line of digests per released batch, served
//     configuration and decommission order, nothing personal.
// The tree hashing and proofs are RFC 9162's (openen/crypto/merkle.h).

#ifndef OPENEN_WIRE_TLOG_H_
#define OPENEN_WIRE_TLOG_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "openen/base/bytes.h"
#include "openen/base/status.h"
#include "openen/crypto/ed25519.h"
#include "openen/crypto/hash.h"
#include "openen/crypto/merkle.h"

namespace openen::wire {

// Bounds on what a reader accepts: a signed checkpoint (or any note) of at
// most kMaxNoteBytes and kMaxNoteSignatures signatures; a log entry of at
// most kMaxLogEntryBytes.
inline constexpr size_t kMaxNoteBytes = 16 << 10;
inline constexpr size_t kMaxNoteSignatures = 64;
inline constexpr size_t kMaxLogEntryBytes = 1024;
// No file of a log (checkpoint, tile, entry bundle) is larger: a full bundle
// of the longest entries is 256 x (2 + 1024) bytes.
inline constexpr size_t kMaxLogFileBytes = 256 * (2 + kMaxLogEntryBytes);

// --- Checkpoints ---

// Checkpoint is a tree head: the log's name (origin), its size and root
// hash, and extension lines. OpenEN's relay writes one extension, "time
// <unix seconds>", when it signed.
struct Checkpoint {
  std::string origin;
  uint64_t size = 0;
  crypto::MerkleHash root{};
  std::vector<std::string> extensions;

  // Time returns the "time" extension's value; nullopt without one.
  std::optional<int64_t> Time() const;
  // Format returns the checkpoint's text (the note's body), each line ending "\n".
  std::string Format() const;
  // Parse reads a checkpoint's text strictly: a non-empty origin, a decimal
  // size without leading zeros, a base64 32-byte root, non-empty extension
  // lines, every line ending "\n". INVALID_ARGUMENT saying what is wrong.
  static base::StatusOr<Checkpoint> Parse(std::string_view text);

  friend bool operator==(const Checkpoint&, const Checkpoint&) = default;
};

// --- Signed notes ---

struct NoteSignature {
  std::string name;
  uint32_t key_id = 0;
  base::Bytes signature;  // what follows the key id
};

// SignedNote is a text and its signature lines ("— <name> <base64(key id ||
// signature)>"). Signatures from unknown keys are kept and ignored.
struct SignedNote {
  std::string text;
  std::vector<NoteSignature> signatures;

  std::string Format() const;
  // Parse splits a note at its last blank line. INVALID_ARGUMENT for a
  // note over kMaxNoteBytes, with more than kMaxNoteSignatures signatures,
  // with no signature, or whose lines do not have the format.
  static base::StatusOr<SignedNote> Parse(std::string_view note);
};

// NoteKey is a public key that signs notes: the log's key (Ed25519
// signatures, type 0x01) or a witness's (cosignature/v1, type 0x04). Its
// text form is the vkey format "<name>+<hex key id>+<base64(type || key)>".
class NoteKey {
 public:
  enum class Type : uint8_t { kEd25519 = 0x01, kCosignature = 0x04 };

  static base::StatusOr<NoteKey> Parse(std::string_view vkey);
  static base::StatusOr<NoteKey> Make(std::string name, Type type,
                                      const crypto::Ed25519PublicKey& key);

  const std::string& name() const { return name_; }
  uint32_t key_id() const { return key_id_; }
  Type type() const { return type_; }
  const crypto::Ed25519PublicKey& key() const { return key_; }
  std::string Encode() const;

  // Verify checks that |note| carries this key's valid signature over its
  // text. For a cosignature, |*time| (when given) gets the time it states.
  // UNAUTHENTICATED when no signature of this key verifies.
  base::Status Verify(const SignedNote& note, int64_t* time = nullptr) const;

  friend bool operator==(const NoteKey& a, const NoteKey& b) {
    return a.name_ == b.name_ && a.type_ == b.type_ && a.key_ == b.key_;
  }

 private:
  friend class NoteSigner;
  NoteKey(std::string name, Type type, crypto::Ed25519PublicKey key);
  std::string name_;
  Type type_;
  crypto::Ed25519PublicKey key_;
  uint32_t key_id_ = 0;
};

// NoteSigner signs notes. Its text form is "PRIVATE+KEY+<name>+<hex key
// id>+<base64(type || 32-byte seed)>", as note.GenerateKey writes it.
class NoteSigner {
 public:
  static NoteSigner Generate(std::string name, NoteKey::Type type);
  static base::StatusOr<NoteSigner> Parse(std::string_view skey);

  const NoteKey& public_key() const { return public_key_; }
  // Encode returns the private key's text form: a secret.
  std::string Encode() const;
  // Sign returns this key's signature of |text|; a cosignature states |time|.
  NoteSignature Sign(std::string_view text, int64_t time = 0) const;

 private:
  NoteSigner(crypto::Ed25519PrivateKey key, NoteKey public_key)
      : key_(std::move(key)), public_key_(std::move(public_key)) {}
  crypto::Ed25519PrivateKey key_;
  NoteKey public_key_;
};

// --- Log entries ---

// LogEntry is one entry of an OpenEN relay's log. Its text is one line
// without a newline:
//   batch <name> <start> <end> <keys> <expires> <hex SHA-256 of the file>
//   config <hex SHA-256 of the served SignedEnvelope>
//   decommission <hex SHA-256 of the order's SignedEnvelope>
// where start and end are the batch's signed header window, keys the
// number of keys in the file, padding included, and expires the unix time
// from which the relay no longer serves it (its retention): before then, a
// source that does not serve a logged batch withholds it.
struct LogEntry {
  enum class Kind { kBatch, kConfig, kDecommission };
  Kind kind = Kind::kBatch;
  std::string name;  // batches only
  uint64_t start = 0, end = 0;
  uint64_t keys = 0;
  uint64_t expires = 0;
  crypto::Sha256Digest sha256{};

  std::string Encode() const;
  // Parse reads an entry strictly (INVALID_ARGUMENT): Parse(e.Encode()) == e,
  // and no other text parses.
  static base::StatusOr<LogEntry> Parse(std::string_view text);

  friend bool operator==(const LogEntry&, const LogEntry&) = default;
};

// --- Tiles ---

inline constexpr int kTileHeight = 8;
inline constexpr uint64_t kTileWidth = uint64_t{1} << kTileHeight;

// TilePath returns the path of hash tile |index| of tile level |level|
// with |width| hashes (1..256; a partial tile below 256), e.g.
// "tile/0/x001/234.p/5". EntryBundlePath is the same for entry bundles
// ("tile/entries/...").
std::string TilePath(int level, uint64_t index, uint64_t width);
std::string EntryBundlePath(uint64_t index, uint64_t width);

// IsLogPath says whether |path| names a file of a log: "checkpoint", or a
// tile or entry bundle path as TilePath and EntryBundlePath write them
// (levels 0..63). Nothing else, so that a path is safe to join to a
// directory or URL.
bool IsLogPath(std::string_view path);

// TileWidth returns how many hashes tile |index| of |level| holds in a tree
// of |size| leaves (0 when the tree has none there).
uint64_t TileWidth(int level, uint64_t index, uint64_t size);

// EncodeEntryBundle writes entries as a bundle (each a big-endian 16-bit
// length and its bytes); ParseEntryBundle reads exactly |width| entries.
base::Bytes EncodeEntryBundle(const std::vector<std::string>& entries);
base::StatusOr<std::vector<std::string>> ParseEntryBundle(base::ByteView bundle, uint64_t width);

// ParseTile reads a tile of exactly |width| hashes.
base::StatusOr<std::vector<crypto::MerkleHash>> ParseTile(base::ByteView tile, uint64_t width);

// TileReader returns the hashes of tile |index| at |level| with |width|
// hashes (a cache, a file, a download).
using TileReader = std::function<base::StatusOr<std::vector<crypto::MerkleHash>>(
    int level, uint64_t index, uint64_t width)>;

// TileNodes is the node source (crypto::MerkleNodeSource) of the tree of
// |size| leaves whose tiles |read| returns. A node outside the tree is
// OUT_OF_RANGE.
crypto::MerkleNodeSource TileNodes(uint64_t size, TileReader read);

}  // namespace openen::wire

#endif  // OPENEN_WIRE_TLOG_H_
