// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/wire/tlog.h"

#include <algorithm>
#include <charconv>
#include <utility>

#include "openen/crypto/secret.h"

namespace openen::wire {
namespace {

constexpr std::string_view kSignaturePrefix = "\xe2\x80\x94 ";  // "— "
constexpr std::string_view kCosignatureLabel = "cosignature/v1\ntime ";

base::Status Bad(const std::string& what) { return base::InvalidArgumentError(what); }

// ParseDecimal reads a canonical decimal: digits, no sign, no leading zero.
std::optional<uint64_t> ParseDecimal(std::string_view s) {
  if (s.empty() || s.size() > 20 || (s.size() > 1 && s[0] == '0')) return std::nullopt;
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<crypto::Sha256Digest> ParseDigest(std::string_view hex) {
  if (hex.size() != 2 * crypto::kSha256Size) return std::nullopt;
  if (!std::all_of(hex.begin(), hex.end(),
                   [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); })) {
    return std::nullopt;
  }
  auto bytes = base::HexDecode(hex);
  if (!bytes.ok()) return std::nullopt;
  crypto::Sha256Digest d;
  std::copy(bytes->begin(), bytes->end(), d.begin());
  return d;
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == sep) {
      out.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  return out;
}

// SplitFirst splits |s| at its first |n| '+' signs (n + 1 fields; fewer
// when there are fewer '+').
std::vector<std::string_view> SplitFirst(std::string_view s, size_t n) {
  std::vector<std::string_view> out;
  while (out.size() < n) {
    const size_t plus = s.find('+');
    if (plus == std::string_view::npos) break;
    out.push_back(s.substr(0, plus));
    s.remove_prefix(plus + 1);
  }
  out.push_back(s);
  return out;
}

// A key name: printable ASCII, no space and no '+' (it separates a vkey's fields).
bool IsKeyName(std::string_view name) {
  return !name.empty() && name.size() <= 255 && std::all_of(name.begin(), name.end(), [](char c) {
    return c > 0x20 && c < 0x7f && c != '+';
  });
}

uint32_t KeyId(std::string_view name, NoteKey::Type type, base::ByteView key) {
  base::Bytes data(name.begin(), name.end());
  data.push_back('\n');
  data.push_back(static_cast<uint8_t>(type));
  data.insert(data.end(), key.begin(), key.end());
  const crypto::Sha256Digest h = crypto::Sha256(data);
  return (uint32_t{h[0]} << 24) | (uint32_t{h[1]} << 16) | (uint32_t{h[2]} << 8) | h[3];
}

std::string Hex32(uint32_t v) {
  const uint8_t b[4] = {static_cast<uint8_t>(v >> 24), static_cast<uint8_t>(v >> 16),
                        static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)};
  return base::HexEncode(base::ByteView(b, 4));
}

std::string CosignedMessage(std::string_view text, int64_t time) {
  return std::string(kCosignatureLabel) + std::to_string(time) + "\n" + std::string(text);
}

// IndexPath writes a tile index as C2SP does: groups of three digits, all
// but the last prefixed with 'x' ("x001/x234/067").
std::string IndexPath(uint64_t index) {
  std::string groups;
  do {
    char g[4];
    g[0] = static_cast<char>('0' + index / 100 % 10);
    g[1] = static_cast<char>('0' + index / 10 % 10);
    g[2] = static_cast<char>('0' + index % 10);
    g[3] = 0;
    groups = (groups.empty() ? std::string(g) : "x" + std::string(g) + "/" + groups);
    index /= 1000;
  } while (index > 0);
  return groups;
}

std::string WithWidth(std::string path, uint64_t width) {
  if (width < kTileWidth) path += ".p/" + std::to_string(width);
  return path;
}

}  // namespace

// --- Checkpoints ---

std::optional<int64_t> Checkpoint::Time() const {
  for (const std::string& e : extensions) {
    if (e.rfind("time ", 0) != 0) continue;
    auto v = ParseDecimal(std::string_view(e).substr(5));
    if (v && *v <= static_cast<uint64_t>(INT64_MAX)) return static_cast<int64_t>(*v);
  }
  return std::nullopt;
}

std::string Checkpoint::Format() const {
  std::string out = origin + "\n" + std::to_string(size) + "\n" + base::Base64Encode(root) + "\n";
  for (const std::string& e : extensions) out += e + "\n";
  return out;
}

base::StatusOr<Checkpoint> Checkpoint::Parse(std::string_view text) {
  if (text.size() > kMaxNoteBytes) return Bad("the checkpoint is too large");
  if (text.empty() || text.back() != '\n') return Bad("the checkpoint does not end with a newline");
  std::vector<std::string_view> lines = Split(text.substr(0, text.size() - 1), '\n');
  if (lines.size() < 3) return Bad("the checkpoint has fewer than three lines");
  Checkpoint c;
  if (lines[0].empty()) return Bad("the checkpoint has no origin");
  c.origin = lines[0];
  auto size = ParseDecimal(lines[1]);
  if (!size) return Bad("the checkpoint's size is not a decimal number");
  c.size = *size;
  auto root = base::Base64Decode(lines[2]);
  if (!root.ok() || root->size() != crypto::kSha256Size) {
    return Bad("the checkpoint's root hash is not 32 bytes of base64");
  }
  std::copy(root->begin(), root->end(), c.root.begin());
  for (size_t i = 3; i < lines.size(); ++i) {
    if (lines[i].empty()) return Bad("the checkpoint has an empty line");
    c.extensions.emplace_back(lines[i]);
  }
  return c;
}

// --- Signed notes ---

std::string SignedNote::Format() const {
  std::string out = text + "\n";
  for (const NoteSignature& s : signatures) {
    base::Bytes blob = {static_cast<uint8_t>(s.key_id >> 24), static_cast<uint8_t>(s.key_id >> 16),
                        static_cast<uint8_t>(s.key_id >> 8), static_cast<uint8_t>(s.key_id)};
    blob.insert(blob.end(), s.signature.begin(), s.signature.end());
    out += std::string(kSignaturePrefix) + s.name + " " + base::Base64Encode(blob) + "\n";
  }
  return out;
}

base::StatusOr<SignedNote> SignedNote::Parse(std::string_view note) {
  if (note.size() > kMaxNoteBytes) return Bad("the note is larger than 16 KiB");
  const size_t split = note.rfind("\n\n");
  if (split == std::string_view::npos) return Bad("the note has no signatures");
  SignedNote out;
  out.text = note.substr(0, split + 1);
  std::string_view rest = note.substr(split + 2);
  if (rest.empty() || rest.back() != '\n')
    return Bad("the note's signatures do not end with a newline");
  for (std::string_view line : Split(rest.substr(0, rest.size() - 1), '\n')) {
    if (out.signatures.size() == kMaxNoteSignatures) return Bad("the note has too many signatures");
    if (line.substr(0, kSignaturePrefix.size()) != kSignaturePrefix) {
      return Bad("a note signature line does not start with an em dash");
    }
    line.remove_prefix(kSignaturePrefix.size());
    const size_t space = line.find(' ');
    if (space == std::string_view::npos || !IsKeyName(line.substr(0, space))) {
      return Bad("a note signature line has no key name");
    }
    auto blob = base::Base64Decode(line.substr(space + 1));
    if (!blob.ok() || blob->size() < 5)
      return Bad("a note signature is not base64 of a key id and a signature");
    NoteSignature s;
    s.name = line.substr(0, space);
    s.key_id = (uint32_t{(*blob)[0]} << 24) | (uint32_t{(*blob)[1]} << 16) |
               (uint32_t{(*blob)[2]} << 8) | (*blob)[3];
    s.signature.assign(blob->begin() + 4, blob->end());
    out.signatures.push_back(std::move(s));
  }
  return out;
}

NoteKey::NoteKey(std::string name, Type type, crypto::Ed25519PublicKey key)
    : name_(std::move(name)), type_(type), key_(key), key_id_(KeyId(name_, type, key.bytes())) {}

base::StatusOr<NoteKey> NoteKey::Make(std::string name, Type type,
                                      const crypto::Ed25519PublicKey& key) {
  if (!IsKeyName(name)) return Bad("a key name is printable ASCII without spaces or '+'");
  return NoteKey(std::move(name), type, key);
}

base::StatusOr<NoteKey> NoteKey::Parse(std::string_view vkey) {
  // The name has no '+'; the base64 key may.
  std::vector<std::string_view> f = SplitFirst(vkey, 2);
  if (f.size() != 3 || !IsKeyName(f[0]) || f[1].size() != 8) {
    return Bad("a verifier key is '<name>+<hex key id>+<base64 key>'");
  }
  auto blob = base::Base64Decode(f[2]);
  if (!blob.ok() || blob->size() != 1 + crypto::kEd25519PublicKeySize ||
      ((*blob)[0] != static_cast<uint8_t>(Type::kEd25519) &&
       (*blob)[0] != static_cast<uint8_t>(Type::kCosignature))) {
    return Bad("a verifier key must be an Ed25519 (0x01) or cosignature/v1 (0x04) key");
  }
  OPENEN_ASSIGN_OR_RETURN(crypto::Ed25519PublicKey key,
                          crypto::Ed25519PublicKey::FromBytes(base::ByteView(*blob).subspan(1)));
  NoteKey k(std::string(f[0]), static_cast<Type>((*blob)[0]), key);
  if (Hex32(k.key_id_) != f[1]) return Bad("the verifier key's id does not match its key");
  return k;
}

std::string NoteKey::Encode() const {
  base::Bytes blob = {static_cast<uint8_t>(type_)};
  blob.insert(blob.end(), key_.bytes().begin(), key_.bytes().end());
  return name_ + "+" + Hex32(key_id_) + "+" + base::Base64Encode(blob);
}

base::Status NoteKey::Verify(const SignedNote& note, int64_t* time) const {
  for (const NoteSignature& s : note.signatures) {
    if (s.name != name_ || s.key_id != key_id_) continue;
    if (type_ == Type::kEd25519) {
      if (key_.Verify(base::AsBytes(note.text), s.signature).ok()) return base::Status::Ok();
      continue;
    }
    if (s.signature.size() != 8 + crypto::kEd25519SignatureSize) continue;
    uint64_t t = 0;
    for (int i = 0; i < 8; ++i) t = (t << 8) | s.signature[i];
    if (t > static_cast<uint64_t>(INT64_MAX)) continue;
    const std::string message = CosignedMessage(note.text, static_cast<int64_t>(t));
    if (key_.Verify(base::AsBytes(message), base::ByteView(s.signature).subspan(8)).ok()) {
      if (time != nullptr) *time = static_cast<int64_t>(t);
      return base::Status::Ok();
    }
  }
  return base::UnauthenticatedError("no valid signature by " + name_);
}

NoteSigner NoteSigner::Generate(std::string name, NoteKey::Type type) {
  crypto::Ed25519PrivateKey key = crypto::Ed25519PrivateKey::Generate();
  NoteKey pub(std::move(name), type, key.PublicKey());
  return NoteSigner(std::move(key), std::move(pub));
}

base::StatusOr<NoteSigner> NoteSigner::Parse(std::string_view skey) {
  std::vector<std::string_view> f = SplitFirst(skey, 4);
  if (f.size() != 5 || f[0] != "PRIVATE" || f[1] != "KEY" || !IsKeyName(f[2])) {
    return Bad("a signer key is 'PRIVATE+KEY+<name>+<hex key id>+<base64 key>'");
  }
  auto blob = base::Base64Decode(f[4]);
  if (!blob.ok() || blob->size() != 1 + crypto::kEd25519SeedSize ||
      ((*blob)[0] != static_cast<uint8_t>(NoteKey::Type::kEd25519) &&
       (*blob)[0] != static_cast<uint8_t>(NoteKey::Type::kCosignature))) {
    if (blob.ok()) crypto::Wipe(*blob);
    return Bad("a signer key must hold an Ed25519 (0x01) or cosignature/v1 (0x04) seed");
  }
  auto key = crypto::Ed25519PrivateKey::FromSeed(base::ByteView(*blob).subspan(1));
  const auto type = static_cast<NoteKey::Type>((*blob)[0]);
  crypto::Wipe(*blob);
  if (!key.ok()) return key.status();
  NoteKey pub(std::string(f[2]), type, key->PublicKey());
  if (Hex32(pub.key_id()) != f[3]) return Bad("the signer key's id does not match its key");
  return NoteSigner(std::move(*key), std::move(pub));
}

std::string NoteSigner::Encode() const {
  base::Bytes blob = {static_cast<uint8_t>(public_key_.type())};
  blob.insert(blob.end(), key_.seed().Reveal().begin(), key_.seed().Reveal().end());
  std::string encoded = base::Base64Encode(blob);
  crypto::Wipe(blob);
  std::string out = "PRIVATE+KEY+" + public_key_.name() + "+" + Hex32(public_key_.key_id()) + "+";
  out += encoded;
  crypto::Wipe(&encoded);
  return out;
}

NoteSignature NoteSigner::Sign(std::string_view text, int64_t time) const {
  NoteSignature s{public_key_.name(), public_key_.key_id(), {}};
  if (public_key_.type() == NoteKey::Type::kEd25519) {
    const crypto::Ed25519Signature sig = key_.Sign(base::AsBytes(text));
    s.signature.assign(sig.begin(), sig.end());
    return s;
  }
  for (int i = 7; i >= 0; --i)
    s.signature.push_back(static_cast<uint8_t>(static_cast<uint64_t>(time) >> (8 * i)));
  const std::string message = CosignedMessage(text, time);
  const crypto::Ed25519Signature sig = key_.Sign(base::AsBytes(message));
  s.signature.insert(s.signature.end(), sig.begin(), sig.end());
  return s;
}

// --- Log entries ---

std::string LogEntry::Encode() const {
  const std::string digest = base::HexEncode(sha256);
  switch (kind) {
    case Kind::kBatch:
      return "batch " + name + " " + std::to_string(start) + " " + std::to_string(end) + " " +
             std::to_string(keys) + " " + std::to_string(expires) + " " + digest;
    case Kind::kConfig:
      return "config " + digest;
    case Kind::kDecommission:
      return "decommission " + digest;
  }
  return {};
}

base::StatusOr<LogEntry> LogEntry::Parse(std::string_view text) {
  if (text.size() > kMaxLogEntryBytes) return Bad("the log entry is larger than 1 KiB");
  std::vector<std::string_view> f = Split(text, ' ');
  LogEntry e;
  std::optional<crypto::Sha256Digest> digest = ParseDigest(f.back());
  if (f[0] == "batch" && f.size() == 7) {
    auto start = ParseDecimal(f[2]), end = ParseDecimal(f[3]), keys = ParseDecimal(f[4]),
         expires = ParseDecimal(f[5]);
    if (!IsKeyName(f[1]) || f[1].find('/') != std::string_view::npos) {
      return Bad("the log entry's batch name is not a plain file name");
    }
    if (!start || !end || !keys || !expires || !digest) {
      return Bad(
          "the batch log entry is not 'batch <name> <start> <end> <keys> <expires> <sha256>'");
    }
    e.name = f[1];
    e.start = *start;
    e.end = *end;
    e.keys = *keys;
    e.expires = *expires;
  } else if ((f[0] == "config" || f[0] == "decommission") && f.size() == 2 && digest) {
    e.kind = f[0] == "config" ? Kind::kConfig : Kind::kDecommission;
  } else {
    return Bad("not an OpenEN log entry (batch, config or decommission)");
  }
  e.sha256 = *digest;
  return e;
}

// --- Tiles ---

std::string TilePath(int level, uint64_t index, uint64_t width) {
  return WithWidth("tile/" + std::to_string(level) + "/" + IndexPath(index), width);
}

std::string EntryBundlePath(uint64_t index, uint64_t width) {
  return WithWidth("tile/entries/" + IndexPath(index), width);
}

bool IsLogPath(std::string_view path) {
  if (path == "checkpoint") return true;
  if (path.substr(0, 5) != "tile/") return false;
  path.remove_prefix(5);
  const size_t slash = path.find('/');
  if (slash == std::string_view::npos) return false;
  const std::string_view level = path.substr(0, slash);
  if (level != "entries") {
    auto l = ParseDecimal(level);
    if (!l || *l >= 64) return false;
  }
  path.remove_prefix(slash + 1);
  // Index groups: "xNNN/" then "NNN", as IndexPath writes them.
  auto digits = [](std::string_view s) {
    return s.size() == 3 &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  for (size_t groups = 0;; ++groups) {
    if (groups > 6) return false;  // an index below 2^64 has at most 20 digits: 7 groups
    if (path.size() >= 5 && path[0] == 'x' && digits(path.substr(1, 3)) && path[4] == '/') {
      path.remove_prefix(5);
      continue;
    }
    if (!digits(path.substr(0, 3))) return false;
    path.remove_prefix(3);
    break;
  }
  if (path.empty()) return true;
  if (path.substr(0, 3) != ".p/") return false;
  auto width = ParseDecimal(path.substr(3));
  return width && *width >= 1 && *width < kTileWidth;
}

uint64_t TileWidth(int level, uint64_t index, uint64_t size) {
  const uint64_t count = kTileHeight * level >= 64 ? 0 : size >> (kTileHeight * level);
  if (index >= (count + kTileWidth - 1) / kTileWidth) return 0;
  return std::min(kTileWidth, count - index * kTileWidth);
}

base::Bytes EncodeEntryBundle(const std::vector<std::string>& entries) {
  base::Bytes out;
  for (const std::string& e : entries) {
    out.push_back(static_cast<uint8_t>(e.size() >> 8));
    out.push_back(static_cast<uint8_t>(e.size()));
    out.insert(out.end(), e.begin(), e.end());
  }
  return out;
}

base::StatusOr<std::vector<std::string>> ParseEntryBundle(base::ByteView bundle, uint64_t width) {
  std::vector<std::string> out;
  size_t at = 0;
  while (at < bundle.size()) {
    if (out.size() == width)
      return Bad("the entry bundle holds more than " + std::to_string(width) + " entries");
    if (bundle.size() - at < 2) return Bad("the entry bundle ends inside a length");
    const size_t n = (size_t{bundle[at]} << 8) | bundle[at + 1];
    at += 2;
    if (bundle.size() - at < n) return Bad("the entry bundle ends inside an entry");
    out.emplace_back(reinterpret_cast<const char*>(bundle.data() + at), n);
    at += n;
  }
  if (out.size() != width) {
    return Bad("the entry bundle holds " + std::to_string(out.size()) + " entries, not " +
               std::to_string(width));
  }
  return out;
}

base::StatusOr<std::vector<crypto::MerkleHash>> ParseTile(base::ByteView tile, uint64_t width) {
  if (tile.size() != width * crypto::kSha256Size) {
    return Bad("the tile is " + std::to_string(tile.size()) + " bytes, not " +
               std::to_string(width) + " hashes");
  }
  std::vector<crypto::MerkleHash> out(width);
  for (uint64_t i = 0; i < width; ++i) {
    std::copy_n(tile.begin() + static_cast<ptrdiff_t>(i * crypto::kSha256Size), crypto::kSha256Size,
                out[i].begin());
  }
  return out;
}

crypto::MerkleNodeSource TileNodes(uint64_t size, TileReader read) {
  return [size, read = std::move(read)](int level,
                                        uint64_t index) -> base::StatusOr<crypto::MerkleHash> {
    if (level < 0 || level >= 64 || index >= (size >> level)) {
      return base::Status(base::StatusCode::kOutOfRange,
                          "no complete subtree at level " + std::to_string(level) + " index " +
                              std::to_string(index) + " in a tree of " + std::to_string(size));
    }
    // The node is the root of 2^r consecutive hashes of tile level L.
    const int tile_level = level / kTileHeight, r = level % kTileHeight;
    const uint64_t first = index << r;
    const uint64_t tile = first / kTileWidth;
    OPENEN_ASSIGN_OR_RETURN(std::vector<crypto::MerkleHash> hashes,
                            read(tile_level, tile, TileWidth(tile_level, tile, size)));
    const uint64_t offset = first % kTileWidth;
    if (hashes.size() < offset + (uint64_t{1} << r)) {
      return base::InvalidArgumentError("a tile is shorter than its tree needs");
    }
    const std::vector<crypto::MerkleHash> row(
        hashes.begin() + static_cast<ptrdiff_t>(offset),
        hashes.begin() + static_cast<ptrdiff_t>(offset + (uint64_t{1} << r)));
    return crypto::MerkleRoot(row, row.size());
  };
}

}  // namespace openen::wire
