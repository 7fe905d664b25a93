// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// The relay's transparency log: one entry per release, configuration and
// order, in the write that records them; published as C2SP tiles that give
// the signed root; the same files over gRPC; the same log after a restart.

#include "openen/relay/transparency_log.h"

#include <grpcpp/grpcpp.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <map>

#include "openen/base/fault.h"
#include "openen/base/file.h"
#include "openen/client/sync.h"
#include "openen/client/transparency.h"
#include "openen/client_grpc/relay_source.h"
#include "openen/relay/service.h"
#include "openen/rpc/call.h"
#include "openen/server/decommission.h"
#include "openen/server/grpc_server.h"
#include "openen/store/db.h"
#include "openen/v1/relay.pb.h"
#include "openen/wire/signed.h"
#include "relay_fixture.h"

namespace openen::relay {
namespace {

using testing::kNow;
using testing::RelayFixture;
namespace fs = std::filesystem;

client::LogPolicy Policy(const RelayFixture& f) { return {f.log_key->public_key(), {}, 0}; }

// Entries reads the whole published log from |dir| as a phone or monitor
// would, checking the tiles against the signed checkpoint.
std::vector<wire::LogEntry> ReadLog(const RelayFixture& f, wire::Checkpoint* head = nullptr) {
  client::DirectorySource source(f.dir.Sub("export"));
  client::LogReader reader(&source, base::NeverCancelled());
  auto signed_head = reader.Head(Policy(f));
  REQUIRE(signed_head.ok());
  auto texts = reader.Entries(signed_head->checkpoint, 0, signed_head->checkpoint.size);
  REQUIRE(texts.ok());
  std::vector<wire::LogEntry> entries;
  for (const auto& t : *texts) entries.push_back(*wire::LogEntry::Parse(t));
  if (head) *head = signed_head->checkpoint;
  return entries;
}

std::map<std::string, std::string> Files(const std::string& dir) {
  std::map<std::string, std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file())
      files[fs::relative(e.path(), dir).string()] = openen::testing::ReadFile(e.path());
  }
  return files;
}

TEST_CASE(
    "the relay logs every release, configuration and order, and the tiles give the signed root",
    "[relay][transparency]") {
  openen::v1::RelayConfig config;
  config.set_serial(3);
  config.set_expires_at(kNow + 30 * 86400);
  config.set_retention_days(14);
  RelayFixture f;
  const auto envelope = wire::SignEnvelope(wire::kRelayConfigContext, config, f.config_key);
  f.Reopen(envelope);
  for (int hour = 0; hour < 3; ++hour) {
    REQUIRE(f.Publish(RelayFixture::DailyKeys(3)).ok());
    f.clock.Set(kNow + 3600 * (hour + 1));
    REQUIRE(f.relay->Maintain().ok());
  }
  wire::Checkpoint head;
  std::vector<wire::LogEntry> entries = ReadLog(f, &head);
  REQUIRE(entries.size() == 4);
  CHECK(head.origin == "openen.example/relay-log");
  CHECK(head.Time() == kNow + 3 * 3600);
  CHECK(entries[0].kind == wire::LogEntry::Kind::kConfig);
  CHECK(entries[0].sha256 == crypto::Sha256(base::AsBytes(envelope.SerializeAsString())));
  const auto batches = f.relay->ListBatches("", 10);
  REQUIRE(batches.size() == 3);
  for (size_t i = 0; i < 3; ++i) {
    const wire::LogEntry& e = entries[i + 1];
    CHECK(e.kind == wire::LogEntry::Kind::kBatch);
    CHECK(e.name == batches[i].name());
    CHECK(e.start == batches[i].start_timestamp());
    CHECK(e.end == batches[i].end_timestamp());
    CHECK(e.keys == batches[i].key_count());
    CHECK(std::string(base::AsChars(e.sha256)) == batches[i].sha256());
  }

  // A restart with the same configuration logs nothing new; a new one is logged.
  f.Reopen(envelope);
  CHECK(ReadLog(f).size() == 4);
  config.set_serial(4);
  const auto newer = wire::SignEnvelope(wire::kRelayConfigContext, config, f.config_key);
  f.Reopen(newer);
  entries = ReadLog(f);
  REQUIRE(entries.size() == 5);
  CHECK(entries[4].sha256 == crypto::Sha256(base::AsBytes(newer.SerializeAsString())));

  // An order is logged when it is first served, before it takes effect.
  openen::v1::DecommissionOrder order;
  order.set_effective_at(kNow + 30 * 86400);
  order.set_sequence(1);
  const auto signed_order =
      wire::SignEnvelope(wire::kDecommissionOrderContext, order, f.decommission_key);
  const std::string file = f.dir.Sub("order.bin");
  REQUIRE(base::WriteFileAtomically(file, signed_order.SerializeAsString(), false).ok());
  REQUIRE(
      server::InstallDecommissionOrder(file, f.dir.Sub("data"), {f.decommission_key.PublicKey()})
          .ok());
  REQUIRE(f.relay->Maintain().ok());
  REQUIRE(f.relay->Maintain().ok());
  entries = ReadLog(f);
  REQUIRE(entries.size() == 6);
  CHECK(entries[5].kind == wire::LogEntry::Kind::kDecommission);
  CHECK(entries[5].sha256 == crypto::Sha256(base::AsBytes(signed_order.SerializeAsString())));
  // Once in effect, everything goes, the log with it.
  f.clock.Set(kNow + 31 * 86400);
  REQUIRE(f.relay->Maintain().ok());
  CHECK_FALSE(fs::exists(f.dir.Sub("export/log")));
  CHECK(f.relay->ReadLogFile("checkpoint").status().code() == base::StatusCode::kNotFound);
}

TEST_CASE(
    "the log published in steps is the log published at once - full tiles replace partial ones",
    "[relay][transparency]") {
  openen::testing::TempDir dir;
  auto signer = std::make_shared<const wire::NoteSigner>(
      wire::NoteSigner::Generate("example.org/log", wire::NoteKey::Type::kEd25519));
  auto entry = [](uint64_t i) {
    wire::LogEntry e;
    e.name = "batch-" + std::to_string(1000000000 + i) + ".zip";
    e.end = i;
    e.sha256 = crypto::Sha256(base::AsBytes(std::to_string(i)));
    return e;
  };
  // 70,000 entries: two tile levels, partial tiles at both.
  const uint64_t n = 70000;
  std::map<std::string, std::string> at_once, in_steps;
  crypto::MerkleHash root{};
  for (bool steps : {false, true}) {
    const std::string db_dir = dir.Sub(steps ? "db-steps" : "db-once");
    const std::string out = dir.Sub(steps ? "log-steps" : "log-once");
    auto db = store::OpenPrivateDb(db_dir);
    REQUIRE(db.ok());
    auto log = TransparencyLog::Load(db->get(), signer);
    REQUIRE(log.ok());
    uint64_t done = 0;
    for (uint64_t step :
         {uint64_t{1}, uint64_t{255}, uint64_t{1}, uint64_t{300}, uint64_t{65000}, n}) {
      const uint64_t upto = std::min(n, done + step);
      std::vector<wire::LogEntry> entries;
      for (uint64_t i = done; i < upto; ++i) entries.push_back(entry(i));
      rocksdb::WriteBatch wb;
      log->Append(entries, kNow, &wb);
      REQUIRE(store::WriteSynced(db->get(), &wb, "test").ok());
      log->Appended(entries, kNow);
      done = upto;
      if (steps || done == n) REQUIRE(log->Publish(out).ok());
    }
    REQUIRE(log->size() == n);
    (steps ? in_steps : at_once) = Files(out);
    // The same log after a restart.
    auto reloaded = TransparencyLog::Load(db->get(), signer);
    REQUIRE(reloaded.ok());
    CHECK(reloaded->Head().root == log->Head().root);
    root = log->Head().root;
  }
  CHECK(in_steps == at_once);
  CHECK(at_once.count("tile/0/000") == 1);
  CHECK(at_once.count("tile/0/273.p/112") == 1);  // 70000 = 273 * 256 + 112
  CHECK(at_once.count("tile/entries/273.p/112") == 1);
  CHECK(at_once.count("tile/1/000") == 1);
  CHECK(at_once.count("tile/1/001.p/17") == 1);  // 273 = 256 + 17
  CHECK(at_once.count("tile/2/000.p/1") == 1);
  // Partial tiles are left only where the tree ends.
  for (const auto& [path, bytes] : in_steps) {
    INFO(path);
    const bool partial_at_end =
        path.starts_with("tile/0/273.p/") || path.starts_with("tile/entries/273.p/") ||
        path.starts_with("tile/1/001.p/") || path.starts_with("tile/2/000.p/");
    CHECK((path.find(".p/") == path.npos || partial_at_end));
  }
  // Every entry reads back under the signed root.
  auto note = wire::SignedNote::Parse(at_once["checkpoint"]);
  REQUIRE(note.ok());
  REQUIRE(signer->public_key().Verify(*note).ok());
  CHECK(wire::Checkpoint::Parse(note->text)->root == root);
}

#ifdef OPENEN_FAULT_INJECTION
TEST_CASE("a batch is listed only once its log entry is published",
          "[relay][transparency][fault]") {
  RelayFixture f;
  REQUIRE(f.Publish(RelayFixture::DailyKeys(3)).ok());
  f.clock.Set(kNow + 3600);
  // The close stops after recording the batch, before publishing the log.
  base::ArmFault("relay.close.recorded", base::FaultAction::kError);
  CHECK_FALSE(f.relay->Maintain().ok());
  base::DisarmFaults();
  CHECK(f.relay->ListBatches("", 10).empty());
  REQUIRE(f.relay->Maintain().ok());
  const auto listed = f.relay->ListBatches("", 10);
  REQUIRE(listed.size() == 1);
  const std::vector<wire::LogEntry> entries = ReadLog(f);
  REQUIRE(entries.size() == 1);
  CHECK(entries[0].name == listed[0].name());
}
#endif  // OPENEN_FAULT_INJECTION

TEST_CASE("GetLogFile serves the published files and nothing else", "[relay][transparency][grpc]") {
  RelayFixture f;
  REQUIRE(f.Publish(RelayFixture::DailyKeys(3)).ok());
  f.clock.Set(kNow + 3600);
  REQUIRE(f.relay->Maintain().ok());
  server::WorkerPool pool(2);
  RelayService service(f.relay.get(), &pool);
  auto r = server::StartServer({}, {&service});
  REQUIRE(r.ok());
  auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(r->port),
                                     grpc::InsecureChannelCredentials());
  auto get = [&](const std::string& path, openen::v1::GetLogFileResponse* resp) {
    grpc::ClientContext ctx;
    openen::v1::GetLogFileRequest req;
    req.set_path(path);
    return rpc::UnaryCall(channel.get(), client_grpc::kGetLogFileMethod, &ctx, req, resp);
  };
  for (const std::string path : {"checkpoint", "tile/0/000.p/1", "tile/entries/000.p/1"}) {
    openen::v1::GetLogFileResponse resp;
    REQUIRE(get(path, &resp).ok());
    CHECK(resp.data() == openen::testing::ReadFile(f.dir.Sub("export/log/" + path)));
  }
  for (const std::string& path :
       std::vector<std::string>{"../index.txt", "tile/0/000", "tile/0/001.p/1", "/etc/passwd",
                                "log/checkpoint", std::string(5000, 'a')}) {
    openen::v1::GetLogFileResponse resp;
    const grpc::Status st = get(path, &resp);
    CHECK(st.error_code() == grpc::NOT_FOUND);
    CHECK(st.error_message().size() < 200);
  }
  server::ShutdownGracefully(r->server.get(), 1);
}

}  // namespace
}  // namespace openen::relay
