// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// The transparency log's formats against published vectors: the signed
// note of golang.org/x/mod/sumdb/note (its package documentation, see
// tests/vectors/README.md) and the tile paths of c2sp.org/tlog-tiles; and
// what OpenEN adds (cosignature/v1 messages, log entries, tile node sources)
// against the definitions.

#include "openen/wire/tlog.h"

#include <catch2/catch.hpp>

#include "openen/crypto/random.h"

namespace openen::wire {
namespace {

// golang.org/x/mod/sumdb/note, note.go's package documentation.
constexpr char kPeterVkey[] = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
constexpr char kPeterSkey[] =
    "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
constexpr char kPeterText[] =
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n";
constexpr char kPeterNote[] =
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
    "\n"
    "\xe2\x80\x94 PeterNeumann "
    "x08go/ZJkuBS9UG/"
    "SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

TEST_CASE("signed notes match golang.org/x/mod/sumdb/note's published example", "[tlog]") {
  auto key = NoteKey::Parse(kPeterVkey);
  REQUIRE(key.ok());
  CHECK(key->name() == "PeterNeumann");
  CHECK(key->key_id() == 0xc74f20a3);
  CHECK(key->type() == NoteKey::Type::kEd25519);
  CHECK(key->Encode() == kPeterVkey);
  auto signer = NoteSigner::Parse(kPeterSkey);
  REQUIRE(signer.ok());
  CHECK(signer->public_key() == *key);
  CHECK(signer->Encode() == kPeterSkey);
  // Ed25519 is deterministic: the same signature as published.
  SignedNote made{kPeterText, {signer->Sign(kPeterText)}};
  CHECK(made.Format() == kPeterNote);
  auto note = SignedNote::Parse(kPeterNote);
  REQUIRE(note.ok());
  CHECK(note->text == kPeterText);
  CHECK(key->Verify(*note).ok());
  // Another text, another key id, another key: no.
  SignedNote changed = *note;
  changed.text[0] = 'i';
  CHECK(key->Verify(changed).code() == base::StatusCode::kUnauthenticated);
  SignedNote other_id = *note;
  other_id.signatures[0].key_id ^= 1;
  CHECK_FALSE(key->Verify(other_id).ok());
  auto enoch = NoteKey::Parse("EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop");
  REQUIRE(enoch.ok());
  CHECK_FALSE(enoch->Verify(*note).ok());
  // transparency-dev/formats' test key: its base64 holds a '+'.
  auto plus = NoteKey::Parse("TEST+7997405c+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6");
  REQUIRE(plus.ok());
  CHECK(plus->name() == "TEST");
  // A key whose id does not match it, or of an unknown type, is refused.
  CHECK_FALSE(
      NoteKey::Parse("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW").ok());
  CHECK_FALSE(
      NoteKey::Parse("PeterNeumann+c74f20a3+AhpC2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW").ok());
  CHECK_FALSE(
      NoteKey::Parse("Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW").ok());
}

TEST_CASE("a cosignature/v1 signs the checkpoint with its time, under its own key id", "[tlog]") {
  const NoteSigner witness =
      NoteSigner::Generate("witness.example/w1", NoteKey::Type::kCosignature);
  const std::string text = "example.com/log\n12\nf+7CoKgXKE/tNys9TTXcr/ad6U/K3xvznmzew9y6SP0=\n";
  const NoteSignature s = witness.Sign(text, 1795000123);
  // c2sp.org/tlog-cosignature: key id over name || 0x0A || 0x04 || key;
  // the signature is BE64(time) || Ed25519("cosignature/v1\ntime <t>\n" || text).
  base::Bytes id_input = base::ToBytes("witness.example/w1\n");
  id_input.push_back(0x04);
  const base::ByteView pub = witness.public_key().key().bytes();
  id_input.insert(id_input.end(), pub.begin(), pub.end());
  const crypto::Sha256Digest id = crypto::Sha256(id_input);
  CHECK(s.key_id == (uint32_t{id[0]} << 24 | uint32_t{id[1]} << 16 | uint32_t{id[2]} << 8 | id[3]));
  REQUIRE(s.signature.size() == 72);
  CHECK(base::HexEncode(base::ByteView(s.signature).first(8)) == "000000006afd873b");
  const std::string message = "cosignature/v1\ntime 1795000123\n" + text;
  CHECK(witness.public_key()
            .key()
            .Verify(base::AsBytes(message), base::ByteView(s.signature).subspan(8))
            .ok());
  int64_t time = 0;
  SignedNote note{text, {s}};
  REQUIRE(witness.public_key().Verify(note, &time).ok());
  CHECK(time == 1795000123);
  // Another time in the signature: no.
  note.signatures[0].signature[7] ^= 1;
  CHECK_FALSE(witness.public_key().Verify(note).ok());
  // The same key as an Ed25519 note key has another id: its signature does not count.
  auto as_log_key =
      NoteKey::Make("witness.example/w1", NoteKey::Type::kEd25519, witness.public_key().key());
  REQUIRE(as_log_key.ok());
  CHECK(as_log_key->key_id() != witness.public_key().key_id());
  CHECK_FALSE(as_log_key->Verify(SignedNote{text, {s}}).ok());
}

TEST_CASE("checkpoints and notes are parsed strictly", "[tlog]") {
  Checkpoint c{"openen.example/log", 1234, {}, {"time 1795000000"}};
  c.root[0] = 0xab;
  const std::string text = c.Format();
  auto parsed = Checkpoint::Parse(text);
  REQUIRE(parsed.ok());
  CHECK(*parsed == c);
  CHECK(parsed->Time() == 1795000000);
  const std::string root = "q" + std::string(42, 'A') + "=";
  for (const std::string& bad : std::vector<std::string>{
           "", "o\n1\n", "o\n01\n" + root + "\n", "o\n-1\n" + root + "\n", "\n1\n" + root + "\n",
           "o\n1\n" + root, "o\n1\nAAAA\n", "o\n1\n" + root + "\n\n",
           "o\n18446744073709551616\n" + root + "\n"}) {
    INFO(bad);
    CHECK(Checkpoint::Parse(bad).status().code() == base::StatusCode::kInvalidArgument);
  }
  for (const std::string& bad :
       {std::string("no signatures\n"), std::string("text\n\n"),
        std::string("text\n\n- name AAAAAAA=\n"), std::string("text\n\n\xe2\x80\x94 name AAAA\n"),
        std::string("text\n\n\xe2\x80\x94 name AAAAAAA="),
        std::string(kMaxNoteBytes, 'a') + "\n\n\xe2\x80\x94 n AAAAAAA=\n"}) {
    CHECK_FALSE(SignedNote::Parse(bad).ok());
  }
  std::string many = "text\n\n";
  for (size_t i = 0; i <= kMaxNoteSignatures; ++i) many += "\xe2\x80\x94 n AAAAAAA=\n";
  CHECK(SignedNote::Parse(many).status().message() == "the note has too many signatures");
}

TEST_CASE("log entries round-trip and nothing else parses", "[tlog]") {
  LogEntry batch{
      LogEntry::Kind::kBatch, "batch-1795003600.zip", 1795000000, 1795003600, 1100, 1796213200, {}};
  batch.sha256[31] = 7;
  CHECK(batch.Encode() == "batch batch-1795003600.zip 1795000000 1795003600 1100 1796213200 " +
                              std::string(62, '0') + "07");
  LogEntry config{LogEntry::Kind::kConfig, "", 0, 0, 0, 0, crypto::Sha256(base::ToBytes("c"))};
  LogEntry order{LogEntry::Kind::kDecommission, "", 0, 0, 0, 0, crypto::Sha256(base::ToBytes("o"))};
  for (const LogEntry& e : {batch, config, order}) CHECK(*LogEntry::Parse(e.Encode()) == e);
  const std::string h(64, 'a');
  for (const std::string& bad : std::vector<std::string>{
           "", "batch", "batch a 1 2 3 4", "batch a 1 2 3 " + h, "batch a 1 2 3 4 " + h + " x",
           "batch a/b 1 2 3 4 " + h, "batch a 01 2 3 4 " + h,
           "batch a 1 2 3 4 " + std::string(64, 'A'), "config " + h.substr(1), "config  " + h,
           "decommission " + h + " ", "keys " + h, "batch a 1 2 -3 4 " + h}) {
    INFO(bad);
    CHECK_FALSE(LogEntry::Parse(bad).ok());
  }
}

TEST_CASE("tile paths follow c2sp.org/tlog-tiles and only they are log paths", "[tlog]") {
  CHECK(TilePath(0, 1234067, 256) == "tile/0/x001/x234/067");
  CHECK(TilePath(0, 1234067, 89) == "tile/0/x001/x234/067.p/89");
  CHECK(TilePath(1, 0, 256) == "tile/1/000");
  CHECK(TilePath(2, 1000, 1) == "tile/2/x001/000.p/1");
  CHECK(EntryBundlePath(42, 256) == "tile/entries/042");
  CHECK(EntryBundlePath(0, 5) == "tile/entries/000.p/5");
  for (const char* good : {"checkpoint", "tile/0/x001/x234/067", "tile/0/x001/x234/067.p/89",
                           "tile/63/x999/x999/x999/x999/x999/999.p/255", "tile/entries/000.p/5"}) {
    CHECK(IsLogPath(good));
  }
  for (const char* bad :
       {"", "checkpoint/", "../checkpoint", "tile/0/../000", "tile/0/1234", "tile/64/000",
        "tile/0/000.p/256", "tile/0/000.p/0", "tile/0/000.p/05", "tile/0/000/", "tile/00/000",
        "tile/0/x001", "tile/data/000", "tile//000", "tile/0/000.p/"}) {
    INFO(bad);
    CHECK_FALSE(IsLogPath(bad));
  }
  CHECK(TileWidth(0, 0, 0) == 0);
  CHECK(TileWidth(0, 0, 255) == 255);
  CHECK(TileWidth(0, 1, 256) == 0);
  CHECK(TileWidth(0, 1, 300) == 44);
  CHECK(TileWidth(1, 0, 65536 + 3 * 256 + 5) == 256);
  CHECK(TileWidth(1, 1, 65536 + 3 * 256 + 5) == 3);
}

TEST_CASE("entry bundles hold exactly their width", "[tlog]") {
  const base::Bytes bundle = EncodeEntryBundle({"a", "", std::string(300, 'b')});
  CHECK(bundle.size() == 2 + 1 + 2 + 2 + 300);
  CHECK(*ParseEntryBundle(bundle, 3) == std::vector<std::string>{"a", "", std::string(300, 'b')});
  CHECK_FALSE(ParseEntryBundle(bundle, 2).ok());
  CHECK_FALSE(ParseEntryBundle(bundle, 4).ok());
  CHECK_FALSE(ParseEntryBundle(base::ByteView(bundle).first(bundle.size() - 1), 3).ok());
  CHECK_FALSE(ParseTile(base::Bytes(33), 1).ok());
}

TEST_CASE("the tree read from tiles gives the roots and proofs of the tree read from its leaves",
          "[tlog]") {
  // Two tile levels and partial tiles at both.
  const uint64_t n = 2 * 65536 + 300;
  std::vector<crypto::MerkleHash> leaves(n);
  for (auto& l : leaves) crypto::RandomBytes(l);
  std::vector<std::vector<crypto::MerkleHash>> levels{leaves};
  while (levels.back().size() >= kTileWidth) {
    std::vector<crypto::MerkleHash> up;
    for (size_t i = 0; i + kTileWidth <= levels.back().size(); i += kTileWidth) {
      std::vector<crypto::MerkleHash> tile(levels.back().begin() + i,
                                           levels.back().begin() + i + kTileWidth);
      up.push_back(*crypto::MerkleRoot(tile, tile.size()));
    }
    levels.push_back(up);
  }
  int reads = 0;
  for (uint64_t size : {uint64_t{1}, uint64_t{255}, uint64_t{256}, uint64_t{257}, uint64_t{65536},
                        uint64_t{65537}, uint64_t{70000}, n}) {
    INFO(size);
    auto nodes = TileNodes(size,
                           [&](int level, uint64_t index,
                               uint64_t width) -> base::StatusOr<std::vector<crypto::MerkleHash>> {
                             ++reads;
                             REQUIRE(width == TileWidth(level, index, size));
                             const auto& hashes = levels.at(level);
                             return std::vector<crypto::MerkleHash>(
                                 hashes.begin() + index * kTileWidth,
                                 hashes.begin() + index * kTileWidth + width);
                           });
    CHECK(*crypto::MerkleRoot(nodes, size) == *crypto::MerkleRoot(leaves, size));
    for (uint64_t i : {uint64_t{0}, size / 2, size - 1}) {
      CHECK(*crypto::InclusionProof(nodes, i, size) == *crypto::InclusionProof(leaves, i, size));
    }
    for (uint64_t old : {uint64_t{1}, size / 3, size - 1}) {
      CHECK(*crypto::ConsistencyProof(nodes, old, size) ==
            *crypto::ConsistencyProof(leaves, old, size));
    }
    CHECK(nodes(0, size).status().code() == base::StatusCode::kOutOfRange);
  }
  CHECK(reads > 0);
}

}  // namespace
}  // namespace openen::wire
