// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// The data inventory (docs/data-inventory.json) held to the code: every
// field of every proto message (read through protobuf reflection), every
// kind of store record (the components' store::Schema, and what real stores
// hold after use), every log line format (read from the sources), the RPCs
// each server answers and the retention of each data item. The DPIA's table
// is generated from the inventory and carries a fingerprint of the data
// flows, so that a change of any of them fails here until the DPIA follows
// in the same commit. OPENEN_UPDATE_DPIA=1 rewrites docs/dpia.md's table.

#include <google/protobuf/descriptor.h>
#include <rocksdb/db.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "client/world.h"
#include "gaen/export.pb.h"
#include "openen/base/bytes.h"
#include "openen/client/client.h"
#include "openen/client_grpc/relay_source.h"
#include "openen/console/staff.h"
#include "openen/console/staff.pb.h"
#include "openen/crypto/hash.h"
#include "openen/relay/relay.h"
#include "openen/rpc/call.h"
#include "openen/store/schema.h"
#include "openen/v1/health.pb.h"
#include "openen/v1/relay.pb.h"
#include "openen/v1/signed.pb.h"
#include "openen/v1/verification.pb.h"
#include "openen/verifier/verifier.h"
#include "records.h"
#include "server/relay_process.h"
#include "test_util.h"

namespace openen {
namespace {

using json = nlohmann::ordered_json;  // the file's order: the DPIA's rows
using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::FileDescriptor;
namespace fs = std::filesystem;

const std::string kSource = OPENEN_SOURCE_DIR;

json Inventory() {
  std::ifstream in(kSource + "/docs/data-inventory.json");
  REQUIRE(in);
  return json::parse(in);
}

// SourceFiles lists the files under |roots| (relative to the source tree)
// whose names end in one of |extensions|, skipping build trees.
std::vector<fs::path> SourceFiles(const std::vector<std::string>& roots,
                                  const std::vector<std::string>& extensions) {
  std::vector<fs::path> out;
  for (const std::string& root : roots) {
    if (!fs::exists(kSource + "/" + root)) continue;
    for (auto it = fs::recursive_directory_iterator(kSource + "/" + root);
         it != fs::recursive_directory_iterator(); ++it) {
      // Not build trees (nor a cross build's sysroot), hidden directories or
      // other checkouts inside this one.
      const std::string dir_name = it->path().filename().string();
      if (it->is_directory() &&
          (dir_name.starts_with("build") || dir_name.starts_with(".") ||
           fs::exists(it->path() / "CMakeCache.txt") || fs::exists(it->path() / ".git"))) {
        it.disable_recursion_pending();
        continue;
      }
      const std::string name = it->path().filename().string();
      for (const std::string& e : extensions) {
        if (it->is_regular_file() && name.ends_with(e)) out.push_back(it->path());
      }
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string Relative(const fs::path& p) { return fs::relative(p, kSource).generic_string(); }

// --- Protos ---

// The messages of every .proto file of the source tree, through the
// generated descriptor pool. Each file's generated code is linked into this
// test by naming one of its messages here: a new .proto file fails until it
// is added.
const Descriptor* const kLinked[] = {
    openen::v1::PublishRequest::descriptor(),       openen::v1::Certificate::descriptor(),
    openen::v1::SignedEnvelope::descriptor(),       openen::v1::HealthCheckRequest::descriptor(),
    gaen::TemporaryExposureKeyExport::descriptor(), openen::console::StaffRecord::descriptor(),
};

std::vector<const FileDescriptor*> ProtoFiles() {
  std::vector<const FileDescriptor*> files;
  for (const fs::path& p : SourceFiles({"."}, {".proto"})) {
    const std::string rel = Relative(p);
    if (rel.starts_with("tests/")) continue;
    // The import path is a suffix of the file's path: "openen/v1/relay.proto".
    const FileDescriptor* found = nullptr;
    std::string suffix = rel;
    while (found == nullptr) {
      found = google::protobuf::DescriptorPool::generated_pool()->FindFileByName(suffix);
      const size_t slash = suffix.find('/');
      if (found != nullptr || slash == std::string::npos) break;
      suffix = suffix.substr(slash + 1);
    }
    INFO(rel << ": its generated code is not linked into this test (add one of its messages to "
                "kLinked)");
    REQUIRE(found != nullptr);
    files.push_back(found);
  }
  REQUIRE(files.size() >= std::size(kLinked));
  return files;
}

void CollectMessages(const Descriptor* d, std::map<std::string, const Descriptor*>* out) {
  (*out)[d->full_name()] = d;
  for (int i = 0; i < d->nested_type_count(); ++i) CollectMessages(d->nested_type(i), out);
}

std::map<std::string, const Descriptor*> Messages() {
  std::map<std::string, const Descriptor*> out;
  for (const FileDescriptor* f : ProtoFiles()) {
    for (int i = 0; i < f->message_type_count(); ++i) CollectMessages(f->message_type(i), &out);
  }
  return out;
}

std::set<std::string> FieldNames(const Descriptor* d) {
  std::set<std::string> out;
  for (int i = 0; i < d->field_count(); ++i) out.insert(d->field(i)->name());
  return out;
}

std::set<std::string> Keys(const json& object) {
  std::set<std::string> out;
  for (auto it = object.begin(); it != object.end(); ++it) out.insert(it.key());
  return out;
}

std::string Join(const std::set<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out.empty() ? "(none)" : out;
}

// --- Stores ---

std::vector<store::RecordKind> AllKinds() {
  std::vector<store::RecordKind> out;
  std::set<std::string> seen;
  for (store::Schema s : {client::internal::Records::Schema(), relay::Relay::Schema(),
                          verifier::Verifier::Schema(), console::Staff::Schema()}) {
    for (const store::RecordKind& k : s) {
      if (seen.insert(std::string(k.name)).second) out.push_back(k);
    }
  }
  return out;
}

// Census opens the closed store in |dir| read-only and returns the kinds of
// |schema| its keys belong to; a key that belongs to none fails the test.
std::set<std::string> Census(const std::string& dir, store::Schema schema) {
  rocksdb::DB* raw = nullptr;
  REQUIRE(rocksdb::DB::OpenForReadOnly({}, dir, &raw).ok());
  std::unique_ptr<rocksdb::DB> db(raw);
  std::set<std::string> kinds;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator({}));
  size_t keys = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next(), ++keys) {
    const std::string_view key(it->key().data(), it->key().size());
    const store::RecordKind* kind = store::KindOf(schema, key);
    INFO("a key of " << dir << " that no kind of its schema names, starting with byte 0x"
                     << base::HexEncode(base::AsBytes(key.substr(0, 1))));
    REQUIRE(kind != nullptr);
    kinds.insert(std::string(kind->name));
  }
  REQUIRE(it->status().ok());
  CHECK(keys > 0);
  return kinds;
}

// --- Log lines ---

struct LogLine {
  std::string file;
  std::string format;
  bool operator<(const LogLine& o) const {
    return std::tie(file, format) < std::tie(o.file, o.format);
  }
};

// ReadLiterals reads the adjacent string literals at |pos| of |text| (their
// concatenation, escapes decoded); false when |pos| holds none.
bool ReadLiterals(const std::string& text, size_t pos, std::string* out) {
  bool any = false;
  while (true) {
    while (pos < text.size() && std::isspace(static_cast<unsigned char>(text[pos]))) ++pos;
    if (pos >= text.size() || text[pos] != '"') return any;
    any = true;
    for (++pos; pos < text.size() && text[pos] != '"'; ++pos) {
      if (text[pos] != '\\') {
        out->push_back(text[pos]);
        continue;
      }
      const char c = text[++pos];
      out->push_back(c == 'n' ? '\n' : c == 'r' ? '\r' : c == 't' ? '\t' : c);
    }
    ++pos;
  }
}

// LogLines finds every line the libraries and servers write to their logs:
// server::Log's formats (the second argument) and direct writes to stderr
// (fprintf's format, fputs's string). A format that is not a literal fails:
// it could not be inventoried.
std::set<LogLine> LogLines() {
  std::set<LogLine> out;
  for (const fs::path& p :
       SourceFiles({"base", "crypto", "wire", "store", "rpc", "cli", "client", "server"},
                   {".cc", ".h", ".c"})) {
    std::ifstream in(p);
    std::stringstream buf;
    buf << in.rdbuf();
    const std::string text = buf.str();
    for (const std::string call : {"Log(", "fprintf(stderr,", "fputs("}) {
      for (size_t at = text.find(call); at != std::string::npos; at = text.find(call, at + 1)) {
        if (at > 0 &&
            (std::isalnum(static_cast<unsigned char>(text[at - 1])) || text[at - 1] == '_')) {
          continue;  // SetLog(..., another name
        }
        const size_t line_start = text.rfind('\n', at) + 1;
        const std::string before = text.substr(line_start, at - line_start);
        if (before.find("//") != std::string::npos || before.ends_with("void ")) continue;
        size_t pos = at + call.size();
        // The end of the first argument: the first top-level comma.
        size_t comma = pos;
        for (int depth = 0; comma < text.size() && !(depth == 0 && text[comma] == ','); ++comma) {
          depth += text[comma] == '(' ? 1 : text[comma] == ')' ? -1 : 0;
        }
        if (call == "fputs(") {  // fputs(string, stream): only the stream stderr
          const size_t close = text.find(')', comma);
          if (text.substr(comma + 1, close - comma - 1).find("stderr") == std::string::npos)
            continue;
        } else if (call == "Log(") {  // Log(component, format, ...)
          pos = comma + 1;
        }
        std::string format;
        INFO(Relative(p) << ": a log call at offset " << at << " whose format is not a literal");
        REQUIRE(ReadLiterals(text, pos, &format));
        out.insert({Relative(p), format});
      }
    }
  }
  return out;
}

// --- The fingerprint of the data flows ---

std::string TypeName(const FieldDescriptor* f) {
  if (f->message_type() != nullptr) return f->message_type()->full_name();
  if (f->enum_type() != nullptr) return f->enum_type()->full_name();
  return f->type_name();
}

// Fingerprint hashes what data flows where, not how it is written down: the
// messages and their fields (number, name, type, label), the RPCs, the
// store record kinds and the log formats. Comments do not change it.
std::string Fingerprint() {
  std::set<std::string> lines;
  for (const auto& [name, d] : Messages()) {
    for (int i = 0; i < d->field_count(); ++i) {
      const FieldDescriptor* f = d->field(i);
      lines.insert("field " + name + " " + std::to_string(f->number()) + " " + f->name() + " " +
                   TypeName(f) + (f->is_repeated() ? " repeated" : ""));
    }
    lines.insert("message " + name);
  }
  for (const FileDescriptor* file : ProtoFiles()) {
    for (int s = 0; s < file->service_count(); ++s) {
      for (int m = 0; m < file->service(s)->method_count(); ++m) {
        const auto* method = file->service(s)->method(m);
        lines.insert("rpc " + method->full_name() + " " + method->input_type()->full_name() + " " +
                     method->output_type()->full_name());
      }
    }
  }
  for (const store::RecordKind& k : AllKinds()) {
    lines.insert("record " + std::string(k.name) + " " +
                 base::HexEncode(base::AsBytes(std::string(k.prefix))) +
                 (k.whole_key ? " key" : ""));
  }
  for (const LogLine& l : LogLines()) lines.insert("log " + l.file + " " + json(l.format).dump());
  std::string all;
  for (const std::string& l : lines) all += l + "\n";
  return base::HexEncode(crypto::Sha256(base::AsBytes(all)));
}

// --- The DPIA's table ---

constexpr char kTableBegin[] =
    "<!-- data-inventory table: generated from docs/data-inventory.json -->";
constexpr char kTableEnd[] = "<!-- end of the data-inventory table -->";

std::string Table(const json& inventory, const std::string& fingerprint) {
  std::string t = std::string(kTableBegin) +
                  "\n| item | purpose | where | who can see it | kept | deleted how |\n"
                  "|---|---|---|---|---|---|\n";
  for (const auto& [id, item] : inventory.at("items").items()) {
    t += "| " + item.at("item").get<std::string>() + " | " + item.at("purpose").get<std::string>() +
         " | " + item.at("where").get<std::string>() + " | " + item.at("who").get<std::string>() +
         " | " + item.at("kept").get<std::string>() + " | " +
         item.at("deleted").get<std::string>() + " |\n";
  }
  t += "\nData-flow fingerprint (protos, store schemas, log formats; `inventory_tests`): `sha256:" +
       fingerprint + "`\n" + kTableEnd;
  return t;
}

TEST_CASE("every field of every proto message is in the data inventory, and nothing else",
          "[inventory]") {
  const json inventory = Inventory();
  const auto messages = Messages();
  std::set<std::string> in_code;
  for (const auto& [name, d] : messages) {
    in_code.insert(name);
    INFO("message " << name << " is missing from docs/data-inventory.json");
    REQUIRE(inventory.at("messages").contains(name));
    const json& entry = inventory.at("messages").at(name);
    CHECK_FALSE(entry.value("purpose", "").empty());
    const std::set<std::string> listed = Keys(entry.at("fields"));
    INFO("fields in the code: " << Join(FieldNames(d)) << "; in the inventory: " << Join(listed));
    CHECK(FieldNames(d) == listed);
  }
  std::set<std::string> gone;
  for (const std::string& name : Keys(inventory.at("messages"))) {
    if (!in_code.count(name)) gone.insert(name);
  }
  INFO("the inventory names messages that no longer exist: " << Join(gone));
  CHECK(gone.empty());
}

TEST_CASE("each server answers exactly its written RPC allowlist", "[inventory]") {
  const json inventory = Inventory();
  // The services of the protos are the inventory's, method for method.
  std::set<std::string> candidates;
  for (const FileDescriptor* file : ProtoFiles()) {
    for (int s = 0; s < file->service_count(); ++s) {
      const auto* service = file->service(s);
      INFO("service " << service->full_name() << " is missing from the inventory's services");
      REQUIRE(inventory.at("services").contains(service->full_name()));
      std::set<std::string> methods;
      for (int m = 0; m < service->method_count(); ++m) {
        methods.insert(service->method(m)->name());
        candidates.insert("/" + service->full_name() + "/" + service->method(m)->name());
      }
      const json& listed = inventory.at("services").at(service->full_name()).at("methods");
      CHECK(methods == std::set<std::string>(listed.begin(), listed.end()));
    }
  }
  std::map<std::string, std::set<std::string>> allowed;  // server -> "/service/method"
  for (const auto& [service, entry] : inventory.at("services").items()) {
    for (const std::string server : entry.at("servers")) {
      for (const std::string method : entry.at("methods")) {
        allowed[server].insert("/" + service + "/" + method);
        candidates.insert("/" + service + "/" + method);
      }
    }
  }
  // What else a gRPC server could carry: the standard services of gRPC.
  for (const char* extra :
       {"/grpc.health.v1.Health/Check", "/grpc.health.v1.Health/Watch",
        "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
        "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
        "/grpc.channelz.v1.Channelz/GetTopChannels", "/grpc.channelz.v1.Channelz/GetServers",
        "/envoy.service.status.v3.ClientStatusDiscoveryService/FetchClientStatus",
        "/grpc.testing.TestService/EmptyCall", "/grpc.testing.TestService/UnaryCall"}) {
    candidates.insert(extra);
  }

  // The real programs, on loopback: a method is served when its answer
  // differs from the one a method that exists nowhere gets.
  testing::TempDir dir;
  const std::string verifier_key = relay::testing::MakeVerifierKeys(dir);
  relay::testing::MakeRelayKeys(dir, {verifier_key});
  relay::testing::RelayProcess relay_process(dir, "relay");
  testing::Process verifier_process({OPENEN_VERIFIER, "--data-dir", dir.Sub("verifier-data"),
                                     "--signing-key", dir.Sub("certificate.key"), "--staff-dir",
                                     dir.Sub("staff"), "--listen", "127.0.0.1:0"});
  const std::map<std::string, int> ports = {{"openen-relay", relay_process.port},
                                            {"openen-verifier", verifier_process.ListeningPort()}};
  for (const auto& [server, port] : ports) {
    auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(port),
                                       grpc::InsecureChannelCredentials());
    auto call = [&](const std::string& method) {
      grpc::ClientContext ctx;
      ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
      openen::v1::HealthCheckRequest request;
      openen::v1::HealthCheckResponse response;
      return rpc::UnaryCall(channel.get(), method, &ctx, request, &response).error_code();
    };
    const grpc::StatusCode unknown = call("/openen.nowhere.None/None");
    REQUIRE(unknown != grpc::StatusCode::OK);
    REQUIRE(unknown != grpc::StatusCode::DEADLINE_EXCEEDED);
    std::set<std::string> served;
    for (const std::string& method : candidates) {
      if (call(method) != unknown) served.insert(method);
    }
    INFO(server << " serves " << Join(served) << "; the allowlist: " << Join(allowed[server]));
    CHECK(served == allowed[server]);
  }
}

TEST_CASE("the fields of every request message equal the written allowlist", "[inventory]") {
  const json inventory = Inventory();
  size_t requests = 0;
  for (const FileDescriptor* file : ProtoFiles()) {
    for (int s = 0; s < file->service_count(); ++s) {
      for (int m = 0; m < file->service(s)->method_count(); ++m) {
        const Descriptor* request = file->service(s)->method(m)->input_type();
        INFO("request " << request->full_name());
        REQUIRE(inventory.at("messages").contains(request->full_name()));
        CHECK(FieldNames(request) ==
              Keys(inventory.at("messages").at(request->full_name()).at("fields")));
        ++requests;
      }
    }
  }
  CHECK(requests >= 8);
}

TEST_CASE("every kind of store record is in the data inventory, and nothing else", "[inventory]") {
  const json inventory = Inventory();
  std::set<std::string> in_code;
  for (const store::RecordKind& k : AllKinds()) in_code.insert(std::string(k.name));
  const std::set<std::string> listed = Keys(inventory.at("stores"));
  INFO("in the code: " << Join(in_code) << "; in the inventory: " << Join(listed));
  CHECK(in_code == listed);
  // Each store's place is among its item's places.
  for (const auto& [name, entry] : inventory.at("stores").items()) {
    const std::string place = name.substr(0, name.find('.'));
    const json& places = inventory.at("items").at(entry.at("item").get<std::string>()).at("places");
    INFO(name << " lives in a " << place << " store, which its item does not name");
    CHECK((place == "store" || std::find(places.begin(), places.end(), place) != places.end()));
  }
}

TEST_CASE("real stores after use hold no record outside their schema", "[inventory]") {
  using client::testing::World;
  testing::TempDir dir;
  const int64_t day0 = relay::testing::kNow - 2 * 86400;
  std::string alice_dir, bob_dir, relay_dir;
  {
    World w;
    w.SetTime(day0);
    auto alice = w.NewPhone("alice", w.Log());
    auto bob = w.NewPhone("bob", w.Log());
    client::testing::MeetAndRelease(&w, alice.get(), bob.get(), day0);
    client_grpc::RelaySource source(w.Channel());
    REQUIRE(bob->Sync(source).ok());
    REQUIRE(bob->Maintain().ok());
    alice_dir = w.dir.Sub("alice");
    bob_dir = w.dir.Sub("bob");
    alice.reset();
    bob.reset();
    const auto phone = client::internal::Records::Schema();
    const std::set<std::string> bobs = Census(bob_dir, phone);
    for (const char* kind : {"phone.day_key", "phone.store_key", "phone.layout", "phone.own_key",
                             "phone.sightings", "phone.windows", "phone.paused", "phone.progress",
                             "phone.processed", "phone.log_head", "phone.publish"}) {
      INFO(kind);
      CHECK(bobs.count(kind) == 1);
    }
    Census(alice_dir, phone);
    relay_dir = w.relay.dir.Sub("data");
    w.relay.relay.reset();
    const std::set<std::string> relays = Census(relay_dir, relay::Relay::Schema());
    // (A certificate's used mark is gone by now: it expired with the certificate.)
    for (const char* kind :
         {"relay.batch", "relay.key_index", "relay.id", "relay.log_entry", "relay.log_time"}) {
      INFO(kind);
      CHECK(relays.count(kind) == 1);
    }
  }

  base::FakeClock clock(relay::testing::kNow);
  {
    auto verifier = verifier::Verifier::Open(dir.Sub("verifier"),
                                             crypto::Ed25519PrivateKey::Generate(), {}, &clock);
    REQUIRE(verifier.ok());
    auto codes = (*verifier)->IssueCode(openen::v1::CONFIRMED_TEST, 0);
    REQUIRE(codes.ok());
    REQUIRE((*verifier)->IssueCode(openen::v1::SELF_REPORT, 0).ok());
    auto token = (*verifier)->ExchangeCode(codes->short_code);
    REQUIRE(token.ok());
  }
  const std::set<std::string> verifiers = Census(dir.Sub("verifier"), verifier::Verifier::Schema());
  for (const char* kind : {"verifier.code", "verifier.token", "verifier.expiry_index"}) {
    INFO(kind);
    CHECK(verifiers.count(kind) == 1);
  }
  {
    auto staff = console::Staff::Open(dir.Sub("staff"), {}, &clock);
    REQUIRE(staff.ok());
    REQUIRE((*staff)
                ->Add("ann", console::Role::kCaseWorker,
                      crypto::SecretBytes(base::ToBytes("a long enough password")), 10)
                .ok());
    REQUIRE((*staff)->TakeIssue("ann").ok());
    REQUIRE((*staff)->AddIntegration("lab", 10).ok());
    (*staff)->AddCounts(relay::testing::kNow / 86400, {1, 1, 0});
  }
  const std::set<std::string> staff = Census(dir.Sub("staff"), console::Staff::Schema());
  for (const char* kind :
       {"staff.member", "staff.daily_count", "staff.integration", "staff.daily_totals"}) {
    INFO(kind);
    CHECK(staff.count(kind) == 1);
  }
}

TEST_CASE("every log line format is in the data inventory, and nothing else", "[inventory]") {
  const json inventory = Inventory();
  std::set<LogLine> listed;
  for (const json& l : inventory.at("logs")) {
    listed.insert({l.at("file"), l.at("format")});
    INFO(l.at("file").get<std::string>() << ": " << l.at("format").get<std::string>());
    CHECK_FALSE(l.value("purpose", "").empty());
    CHECK(inventory.at("items").contains(l.at("item").get<std::string>()));
  }
  const std::set<LogLine> in_code = LogLines();
  for (const LogLine& l : in_code) {
    INFO("a log line missing from the inventory: " << l.file << ": " << json(l.format).dump());
    CHECK(listed.count(l) == 1);
  }
  for (const LogLine& l : listed) {
    INFO("the inventory names a log line that no longer exists: " << l.file << ": "
                                                                  << json(l.format).dump());
    CHECK(in_code.count(l) == 1);
  }
}

TEST_CASE("no personal data item is kept past the 14-day promise", "[inventory]") {
  const json inventory = Inventory();
  const int promise = inventory.at("promise_days");
  CHECK(promise == 14);
  CHECK(client::kMaxRetentionDays == promise);
  CHECK(relay::kMaxRetentionDays == promise);
  const std::set<std::string> promised = inventory.at("promise_places");
  const std::set<std::string> vocabulary = {"phone", "relay", "export",  "verifier", "staff",
                                            "logs",  "air",   "transit", "memory",   "nowhere"};
  // Which items the messages, stores and logs use.
  std::set<std::string> used, stored;
  for (const auto& [name, m] : inventory.at("messages").items()) {
    used.insert(m.at("item"));
    for (const auto& [field, f] : m.at("fields").items()) {
      if (f.is_object()) used.insert(f.at("item"));
      INFO(name << "." << field);
      CHECK_FALSE(
          (f.is_object() ? f.at("purpose").get<std::string>() : f.get<std::string>()).empty());
    }
  }
  for (const auto& [name, s] : inventory.at("stores").items()) {
    used.insert(s.at("item"));
    stored.insert(s.at("item"));
  }
  for (const json& l : inventory.at("logs")) used.insert(l.at("item"));
  for (const std::string& id : used) {
    INFO("an item that the inventory uses and does not describe: " << id);
    CHECK(inventory.at("items").contains(id));
  }

  for (const auto& [id, item] : inventory.at("items").items()) {
    INFO("item " << id);
    for (const char* text : {"item", "purpose", "where", "who", "kept", "deleted"}) {
      CHECK_FALSE(item.value(text, "").empty());
    }
    const std::set<std::string> places = item.at("places");
    CHECK_FALSE(places.empty());
    for (const std::string& p : places) CHECK(vocabulary.count(p) == 1);
    const bool is_stored = item.value("stored", true);
    CHECK((used.count(id) == 1 || !is_stored));  // described, used, or said to be stored nowhere
    CHECK_FALSE((stored.count(id) == 1 && !is_stored));
    if (!item.at("personal").get<bool>()) {
      CHECK_FALSE(item.value("not_personal_because", "").empty());
      continue;
    }
    bool under_promise = false;
    for (const std::string& p : places) under_promise |= promised.count(p) == 1;
    if (under_promise) {
      INFO("personal data on " << Join(places) << " must be kept at most " << promise << " days");
      REQUIRE(item.at("retention_days").is_number_integer());
      CHECK(item.at("retention_days").get<int>() <= promise);
    }
  }
}

TEST_CASE("the DPIA's table is the inventory's and records the fingerprint of the data flows",
          "[inventory]") {
  const std::string expected = Table(Inventory(), Fingerprint());
  const std::string path = kSource + "/docs/dpia.md";
  std::stringstream buf;
  buf << std::ifstream(path).rdbuf();
  std::string dpia = buf.str();
  const size_t begin = dpia.find(kTableBegin);
  const size_t end = dpia.find(kTableEnd);
  REQUIRE(begin != std::string::npos);
  REQUIRE(end != std::string::npos);
  const std::string actual = dpia.substr(begin, end + std::strlen(kTableEnd) - begin);
  if (actual != expected && std::getenv("OPENEN_UPDATE_DPIA") != nullptr) {
    dpia.replace(begin, actual.size(), expected);
    std::ofstream(path, std::ios::trunc) << dpia;
    WARN("rewrote the table of " << path << ": review it and commit it with the change");
    return;
  }
  INFO(
      "docs/dpia.md's table differs from docs/data-inventory.json, or the data flows changed "
      "(protos, store schemas or log formats). Update the inventory, review the DPIA, then run "
      "OPENEN_UPDATE_DPIA=1 inventory_tests to rewrite the table.\nExpected:\n"
      << expected);
  CHECK(actual == expected);
}

}  // namespace
}  // namespace openen
