// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// `openen log verify` as a monitor, the real binary on what the relay
// published (docs/transparency.md, "What anyone can check"). It checks
// every hash tile, of every level, full and partial, against the entries:
// phones build their proofs from the tiles and refuse a log whose tiles are
// not its tree as a fork, so a monitor that computed the root from the
// entries alone passed a log that phones refuse. And it refuses a logged
// batch the source does not serve before the expiry its entry states, as
// phones withhold it; after that expiry, a batch that is gone is fine.

#include <catch2/catch.hpp>
#include <csignal>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "openen/base/file.h"
#include "openen/client/sync.h"
#include "openen/client/transparency.h"
#include "openen/relay/transparency_log.h"
#include "openen/store/db.h"
#include "openen/wire/tlog.h"
#include "relay_fixture.h"
#include "relay_process.h"
#include "subprocess.h"
#include "synthetic_log.h"

namespace openen::relay {
namespace {

using openen::testing::ReadFile;
using openen::testing::Run;
using openen::testing::RunResult;
using openen::testing::TempDir;
using testing::RelayProcess;
namespace fs = std::filesystem;

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Copy copies directory |from| to a fresh |to|.
std::string Copy(const std::string& from, const std::string& to) {
  fs::remove_all(to);
  fs::copy(from, to, fs::copy_options::recursive);
  return to;
}

// FlipByte changes byte |at| of file |path|.
void FlipByte(const std::string& path, size_t at) {
  std::string bytes = ReadFile(path);
  REQUIRE(at < bytes.size());
  bytes[at] = static_cast<char>(bytes[at] ^ 0x01);
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

RunResult LogVerify(const std::string& vkey, const std::string& source,
                    const std::vector<std::string>& extra = {}) {
  std::vector<std::string> argv = {OPENEN_CLI, "log", "verify", "--log-key", vkey};
  argv.insert(argv.end(), extra.begin(), extra.end());
  argv.push_back(source);
  return Run(argv);
}

// A real relay that released two batches, stopped: its export directory.
struct Released {
  testing::RelayFixture f;  // the verifier's certificate key, and certificates
  TempDir dir;
  testing::RelayKeys keys;
  std::string exports;

  Released() {
    f.clock.Set(std::time(nullptr));
    keys = testing::MakeRelayKeys(dir, {base::Base64Encode(f.authority.PublicKey().bytes())});
    RelayProcess relay(dir, "relay");
    relay.PublishAndRelease(f);
    relay.PublishAndRelease(f);
    REQUIRE(relay.process->Stop(SIGTERM) == 0);
    exports = relay.exports;
  }

  // Log reads the published log as a phone would.
  std::pair<wire::Checkpoint, std::vector<wire::LogEntry>> Log() const {
    client::DirectorySource source(exports);
    client::LogReader reader(&source, base::NeverCancelled());
    auto head = reader.Head({*wire::NoteKey::Parse(keys.log_vkey), {}, 0});
    REQUIRE(head.ok());
    auto texts = reader.Entries(head->checkpoint, 0, head->checkpoint.size);
    REQUIRE(texts.ok());
    std::vector<wire::LogEntry> entries;
    for (const std::string& t : *texts) entries.push_back(*wire::LogEntry::Parse(t));
    return {head->checkpoint, entries};
  }
};

TEST_CASE(
    "openen log verify checks every hash tile against the entries - a corrupted one is refused",
    "[relay][cli][transparency][e2e]") {
  SECTION("the tile a real relay published") {
    Released r;
    const wire::Checkpoint head = r.Log().first;
    REQUIRE(head.size >= 2);
    REQUIRE(head.size < wire::kTileWidth);
    RunResult honest = LogVerify(r.keys.log_vkey, r.exports);
    INFO(honest.err);
    REQUIRE(honest.exit_code == 0);
    CHECK(Has(honest.out, "tiles: every hash tile is the entries' tree"));
    // One bit of the last hash of its only tile, tile/0/000.p/<size>: the
    // entries still give the signed root, but a phone whose proof holds
    // that hash refuses the log.
    const std::string tile = wire::TilePath(0, 0, head.size);
    const std::string copy = Copy(r.exports, r.dir.Sub("corrupted"));
    FlipByte(copy + "/log/" + tile, 32 * (head.size - 1) + 5);
    RunResult refused = LogVerify(r.keys.log_vkey, copy, {"--json"});
    INFO(refused.err);
    CHECK(refused.exit_code == 1);
    CHECK(Has(refused.out, "\"ok\": false"));
    CHECK(Has(refused.err, "log/" + tile + ": hash " + std::to_string(head.size - 1) + " is "));
    CHECK(Has(refused.err, "a phone that builds a proof from this tile refuses the log as a fork"));
    // A tile that is not there is refused too.
    const std::string missing = Copy(r.exports, r.dir.Sub("missing"));
    fs::remove(missing + "/log/" + tile);
    RunResult gone = LogVerify(r.keys.log_vkey, missing);
    CHECK(gone.exit_code == 1);
    CHECK(Has(gone.err, "log/" + tile));
  }

  SECTION("full and partial tiles of two levels, written by the relay's log") {
    // The relay's own TransparencyLog, 700 entries: tiles 0/000 and 0/001
    // (full), 0/002.p/188 and 1/000.p/2 (partial). Its batches expired long
    // ago, so serving none of them is fine.
    TempDir dir;
    auto signer = std::make_shared<const wire::NoteSigner>(
        wire::NoteSigner::Generate("openen.example/log", wire::NoteKey::Type::kEd25519));
    const std::string vkey = signer->public_key().Encode();
    {
      auto db = store::OpenPrivateDb(dir.Sub("db"));
      REQUIRE(db.ok());
      auto log = TransparencyLog::Load(db->get(), signer);
      REQUIRE(log.ok());
      std::vector<wire::LogEntry> entries;
      for (uint64_t i = 0; i < 700; ++i) {
        entries.push_back(openen::testing::SyntheticLogEntry(i));
      }
      rocksdb::WriteBatch wb;
      log->Append(entries, 1700000000, &wb);
      REQUIRE(store::WriteSynced(db->get(), &wb, "log").ok());
      log->Appended(entries, 1700000000);
      fs::create_directories(dir.Sub("export"));
      REQUIRE(log->Publish(dir.Sub("export/log")).ok());
    }
    std::ofstream(dir.Sub("export/index.txt")).flush();
    RunResult honest = LogVerify(vkey, dir.Sub("export"));
    INFO(honest.err);
    REQUIRE(honest.exit_code == 0);
    CHECK(Has(honest.out, "700 entries"));
    CHECK(Has(honest.out, "693 batches (0 served with the logged SHA-256, 693 no longer served"));
    CHECK(Has(honest.out, "tiles: every hash tile is the entries' tree"));
    for (const auto& [tile, hash] :
         std::vector<std::pair<std::string, int>>{{"tile/0/000", 0},
                                                  {"tile/0/001", 17},
                                                  {"tile/0/002.p/188", 187},
                                                  {"tile/1/000.p/2", 1}}) {
      INFO(tile);
      const std::string copy = Copy(dir.Sub("export"), dir.Sub("corrupted"));
      FlipByte(copy + "/log/" + tile, 32 * hash + 31);
      RunResult refused = LogVerify(vkey, copy);
      CHECK(refused.exit_code == 1);
      CHECK(Has(refused.err, "log/" + tile + ": hash " + std::to_string(hash) + " is "));
      CHECK(Has(refused.err, "refuses the log as a fork"));
    }
  }
}

TEST_CASE(
    "openen log verify refuses a logged batch withheld before its expiry - after it, gone is fine",
    "[relay][cli][transparency][e2e]") {
  Released r;
  const std::vector<wire::LogEntry> entries = r.Log().second;
  const wire::LogEntry* first = nullptr;
  for (const wire::LogEntry& e : entries) {
    if (e.kind == wire::LogEntry::Kind::kBatch && !first) first = &e;
  }
  REQUIRE(first != nullptr);
  const int64_t now = std::time(nullptr);
  REQUIRE(static_cast<int64_t>(first->expires) > now + 86400);  // 14 days after its keys
  RunResult honest = LogVerify(r.keys.log_vkey, r.exports);
  INFO(honest.err);
  REQUIRE(honest.exit_code == 0);
  CHECK(Has(honest.out, "0 no longer served after their expiry"));

  // A mirror (or the relay) that dropped the batch from its listing and
  // deleted it, as the relay does when a batch expires: before that
  // expiry, it withholds a batch it logged.
  const std::string dropped = Copy(r.exports, r.dir.Sub("dropped"));
  fs::remove(dropped + "/" + first->name);
  const std::string index = ReadFile(dropped + "/index.txt");
  std::string relisted;
  for (size_t at = 0; at < index.size();) {
    const size_t end = index.find('\n', at);
    const std::string line = index.substr(at, end - at);
    if (line != first->name) relisted += line + "\n";
    at = end + 1;
  }
  REQUIRE(relisted.size() < index.size());
  std::ofstream(dropped + "/index.txt", std::ios::trunc) << relisted;
  const std::string withheld = first->name + " is in the log (entry " +
                               std::to_string(&*first - &entries[0]) + ") and kept until " +
                               std::to_string(first->expires) + ", but the source withholds it";
  RunResult refused = LogVerify(r.keys.log_vkey, dropped, {"--json"});
  INFO(refused.err);
  CHECK(refused.exit_code == 1);
  CHECK(Has(refused.out, "\"ok\": false"));
  CHECK(Has(refused.err, withheld));
  // Up to the last second before its expiry.
  const std::string last = std::to_string(first->expires - 1);
  RunResult late = LogVerify(r.keys.log_vkey, dropped, {"--now", last});
  CHECK(late.exit_code == 1);
  CHECK(Has(late.err, withheld + " (now " + last + ")"));
  // Still listed, but not served: withheld as well.
  const std::string unserved = Copy(r.exports, r.dir.Sub("unserved"));
  fs::remove(unserved + "/" + first->name);
  RunResult listed = LogVerify(r.keys.log_vkey, unserved);
  CHECK(listed.exit_code == 1);
  CHECK(Has(listed.err, withheld));

  // From its expiry on, the relay no longer serves it: that is fine.
  const std::string expired = std::to_string(first->expires);
  RunResult after = LogVerify(r.keys.log_vkey, dropped, {"--now", expired});
  INFO(after.err);
  CHECK(after.exit_code == 0);
  CHECK(Has(after.out, "1 no longer served after their expiry"));
  RunResult bad_now = LogVerify(r.keys.log_vkey, dropped, {"--now", "yesterday"});
  CHECK(bad_now.exit_code == 2);
}

}  // namespace
}  // namespace openen::relay
