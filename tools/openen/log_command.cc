// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// `openen log`: watch a relay's transparency log (docs/transparency.md).
// keygen makes a log or witness key; verify checks one source's log from
// end to end; compare fetches checkpoints from several sources and reports
// any two that cannot both be true; witness checks consistency and
// cosigns. Sources are export directories (or mirrors of them), HTTP(S)
// URLs of such a directory, or gRPC relays (grpc://HOST:PORT).

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "commands.h"
#include "json.h"
#include "openen/base/file.h"
#include "openen/cli/args.h"
#include "openen/client/sync.h"
#include "openen/client/transparency.h"
#include "openen/client_curl/curl_fetcher.h"
#include "openen/client_grpc/relay_source.h"
#include "openen/crypto/hash.h"
#include "openen/wire/export.h"
#include "openen/wire/tlog.h"

namespace openen::tools {

using cli::Args;
using cli::Fail;
using cli::kExitFailure;
using cli::kExitOk;

namespace {

constexpr char kUsage[] =
    "usage:\n"
    "  openen log keygen --name NAME [--witness] --out FILE\n"
    "  openen log verify --log-key VKEY [--witness-keys KEYS --quorum K] [--state FILE]\n"
    "                    [--now SECONDS] [--json] SOURCE\n"
    "  openen log compare --log-key VKEY [--json] SOURCE SOURCE...\n"
    "  openen log witness --key FILE --log-key VKEY --state FILE [--out FILE] SOURCE\n"
    "\n"
    "A relay's transparency log lists every batch, configuration and decommission order it\n"
    "served (C2SP tlog-tiles under <export dir>/log/, a checkpoint signed by the log key).\n"
    "\n"
    "SOURCE: an export directory or a mirror of it, an http:// or https:// URL of one, or a\n"
    "relay's gRPC address as grpc://HOST:PORT (grpcs:// for TLS).\n"
    "\n"
    "keygen   writes a new note signing key (mode 0600) to FILE and prints its verifier\n"
    "         key (vkey) to give to relays, phones and monitors. --witness makes a\n"
    "         cosignature/v1 key for a witness; otherwise a log key for openen-relay\n"
    "         --log-key. NAME is the log's origin, e.g. example.org/openen-log.\n"
    "verify   checks the checkpoint (the log key; with --witness-keys, a file or a\n"
    "         comma-separated list of witness vkeys, at least K cosignatures), reads\n"
    "         every entry and checks it against the signed root, checks every hash\n"
    "         tile (each level, full and partial) against the entries, checks that\n"
    "         each logged batch is served with the logged SHA-256, window and key\n"
    "         count until the expiry its entry states (one missing before it is\n"
    "         withheld), and that every listed batch is logged. The time is now, or\n"
    "         --now (unix seconds). With --state, the checkpoint must extend the one\n"
    "         kept in FILE, which is then replaced: run it from cron as a monitor.\n"
    "compare  fetches the checkpoint of every SOURCE and reports each pair that cannot\n"
    "         both be true: equal sizes with different roots, or a larger log that does\n"
    "         not extend a smaller one (the proof read from the larger's source).\n"
    "witness  checks that SOURCE's checkpoint extends the one in --state (a new state\n"
    "         is created), cosigns it with the witness key in --key, keeps it as the\n"
    "         new state and writes the cosigned checkpoint to --out (or stdout). Put it\n"
    "         in the relay's <data-dir>/cosignatures/ to have it published.\n"
    "\n"
    "Exit status: 0 when everything checks; 1 with the reason on stderr (and in the\n"
    "JSON) when a check fails, a fork is found or a source cannot be read; 2 for bad\n"
    "arguments.\n";

// Source is one place a log is read from.
struct Source {
  std::string name;
  std::unique_ptr<client_curl::CurlFetcher> fetcher;  // for URLs
  std::unique_ptr<client::BatchSource> batches;
};

base::StatusOr<Source> OpenSource(const std::string& where) {
  Source s{where, nullptr, nullptr};
  if (where.starts_with("grpc://") || where.starts_with("grpcs://")) {
    const bool tls = where.starts_with("grpcs://");
    const std::string target = where.substr(tls ? 8 : 7);
    auto creds = tls ? grpc::SslCredentials({}) : grpc::InsecureChannelCredentials();
    s.batches = std::make_unique<client_grpc::RelaySource>(grpc::CreateChannel(target, creds), 60);
  } else if (where.starts_with("http://") || where.starts_with("https://")) {
    client_curl::CurlOptions options;
    options.base_url = where;
    options.allow_plain_http = where.starts_with("http://");
    OPENEN_ASSIGN_OR_RETURN(s.fetcher, client_curl::CurlFetcher::Create(options));
    s.batches = std::make_unique<client::StaticSource>(s.fetcher.get());
  } else {
    if (!base::FileExists(where)) return base::InvalidArgumentError(where + " does not exist");
    s.batches = std::make_unique<client::DirectorySource>(where);
  }
  return s;
}

// ReadKeys reads vkeys from a file (one per line) or a comma-separated list.
base::StatusOr<std::vector<wire::NoteKey>> ReadKeys(const std::string& value) {
  std::string text = value;
  char separator = ',';
  if (base::FileExists(value)) {
    OPENEN_ASSIGN_OR_RETURN(text, base::ReadFile(value, base::kMaxSmallFileBytes));
    separator = '\n';
  }
  std::vector<wire::NoteKey> keys;
  std::istringstream in(text);
  for (std::string item; std::getline(in, item, separator);) {
    item = base::Trim(item);
    if (item.empty()) continue;
    // Never echoed: a private key given by mistake must not reach the terminal or a log.
    if (item.starts_with("PRIVATE+KEY+")) {
      crypto::Wipe(&item);
      crypto::Wipe(&text);
      return base::InvalidArgumentError(
          "a private key was given where a verifier key (vkey) belongs");
    }
    auto key = wire::NoteKey::Parse(item);
    if (!key.ok()) return key.status().WithContext("a verifier key");
    keys.push_back(*key);
  }
  return keys;
}

base::StatusOr<client::LogPolicy> ReadPolicy(const Args& args) {
  auto log_key = args.Get("log-key");
  if (!log_key) return base::InvalidArgumentError("--log-key is required");
  OPENEN_ASSIGN_OR_RETURN(std::vector<wire::NoteKey> keys, ReadKeys(*log_key));
  if (keys.size() != 1) return base::InvalidArgumentError("--log-key names one key");
  client::LogPolicy policy{keys[0], {}, 0};
  if (auto w = args.Get("witness-keys")) {
    OPENEN_ASSIGN_OR_RETURN(policy.witness_keys, ReadKeys(*w));
  }
  OPENEN_ASSIGN_OR_RETURN(int64_t quorum, args.GetInt("quorum", 0, 0, 1000));
  policy.witness_quorum = static_cast<size_t>(quorum);
  OPENEN_RETURN_IF_ERROR(policy.Check());
  return policy;
}

// KeptHead reads a state file: the checkpoint kept last time, if any.
base::StatusOr<std::optional<client::SignedHead>> KeptHead(const std::optional<std::string>& path,
                                                           const client::LogPolicy& policy) {
  if (!path || !base::FileExists(*path)) return std::optional<client::SignedHead>();
  OPENEN_ASSIGN_OR_RETURN(std::string note, base::ReadFile(*path, wire::kMaxNoteBytes));
  auto head = client::VerifyHead(note, policy);
  if (!head.ok()) return head.status().WithContext(*path);
  return std::optional<client::SignedHead>(std::move(*head));
}

void WriteHead(const wire::Checkpoint& c, size_t cosignatures, JsonWriter* j) {
  j->Key("origin").String(c.origin);
  j->Key("size").Uint(c.size);
  j->Key("root").String(base::Base64Encode(c.root));
  j->Key("time").Optional(c.Time());
  j->Key("cosignatures").Uint(cosignatures);
}

// Report prints a command's outcome: JSON (with "ok" and "error") or text,
// and returns its exit code.
int Report(bool json, const base::Status& status, const std::function<void(JsonWriter*)>& fields,
           const std::string& text) {
  if (json) {
    JsonWriter j;
    j.BeginObject();
    j.Key("ok").Bool(status.ok());
    if (!status.ok()) j.Key("error").String(status.message());
    fields(&j);
    j.EndObject();
    std::printf("%s\n", j.str().c_str());
  } else {
    std::fputs(text.c_str(), stdout);
  }
  if (std::fflush(stdout) != 0) return Fail("cannot write the output", kExitFailure);
  if (!status.ok()) return Fail(status.message(), kExitFailure);
  return kExitOk;
}

int Keygen(const Args& args) {
  auto name = args.Get("name");
  auto out = args.Get("out");
  if (!name || !out) return Fail("keygen needs --name and --out");
  if (base::FileExists(*out)) return Fail(*out + " exists: a key is never overwritten");
  const auto type =
      args.Has("witness") ? wire::NoteKey::Type::kCosignature : wire::NoteKey::Type::kEd25519;
  auto checked =
      wire::NoteKey::Make(*name, type, crypto::Ed25519PrivateKey::Generate().PublicKey());
  if (!checked.ok()) return Fail(checked.status().message());
  const wire::NoteSigner signer = wire::NoteSigner::Generate(*name, type);
  std::string secret = signer.Encode();
  secret += "\n";
  base::Status written = base::WriteFileAtomically(*out, secret, /*secret=*/true);
  crypto::Wipe(&secret);
  if (!written.ok()) return Fail(written.message(), kExitFailure);
  std::printf("%s\n", signer.public_key().Encode().c_str());
  return kExitOk;
}

// VerifyLog is `verify`'s work; |fields| and |text| collect what it found.
base::Status VerifyLog(client::BatchSource& source, const client::LogPolicy& policy,
                       const std::optional<std::string>& state, int64_t now, std::string* text,
                       std::function<void(JsonWriter*)>* fields) {
  client::LogReader reader(&source, base::NeverCancelled());
  OPENEN_ASSIGN_OR_RETURN(std::optional<client::SignedHead> kept, KeptHead(state, policy));
  // The listing first, as phones read it: every name it gives is logged.
  OPENEN_ASSIGN_OR_RETURN(std::vector<client::ListedBatch> listed,
                          source.ListAfter("", base::NeverCancelled()));
  OPENEN_ASSIGN_OR_RETURN(client::SignedHead head, reader.Head(policy));
  const wire::Checkpoint& c = head.checkpoint;
  if (kept) OPENEN_RETURN_IF_ERROR(reader.CheckConsistent(kept->checkpoint, c));
  uint64_t batches = 0, configs = 0, orders = 0, served = 0, expired = 0;
  std::set<std::string> names;
  // Of every entry, for the tiles; not reserved: the size is the source's word.
  std::vector<crypto::MerkleHash> leaves;
  for (uint64_t begin = 0; begin < c.size; begin += client::kMaxLogEntriesRead) {
    const uint64_t end = std::min(c.size, begin + client::kMaxLogEntriesRead);
    OPENEN_ASSIGN_OR_RETURN(std::vector<std::string> texts, reader.Entries(c, begin, end));
    for (uint64_t i = begin; i < end; ++i) {
      leaves.push_back(crypto::MerkleLeafHash(base::AsBytes(texts[i - begin])));
      auto e = wire::LogEntry::Parse(texts[i - begin]);
      if (!e.ok()) return e.status().WithContext("log entry " + std::to_string(i));
      if (e->kind == wire::LogEntry::Kind::kConfig) ++configs;
      if (e->kind == wire::LogEntry::Kind::kDecommission) ++orders;
      if (e->kind != wire::LogEntry::Kind::kBatch) continue;
      ++batches;
      if (!names.insert(e->name).second) {
        return base::DataLossError("the log holds batch " + e->name + " twice");
      }
      auto bytes = source.Fetch(e->name, base::NeverCancelled());
      if (bytes.status().code() == base::StatusCode::kNotFound) {
        // Phones withhold (refuse) a logged batch the source does not serve
        // until the expiry its entry states, and skip it after.
        if (static_cast<int64_t>(e->expires) > now) {
          return base::DataLossError(e->name + " is in the log (entry " + std::to_string(i) +
                                     ") and kept until " + std::to_string(e->expires) +
                                     ", but the source withholds it (now " + std::to_string(now) +
                                     ")");
        }
        ++expired;
        continue;
      }
      if (!bytes.ok()) return bytes.status().WithContext(e->name);
      if (crypto::Sha256(*bytes) != e->sha256) {
        return base::DataLossError(e->name + ": its SHA-256 is " +
                                   base::HexEncode(crypto::Sha256(*bytes)) + ", log entry " +
                                   std::to_string(i) + " says " + base::HexEncode(e->sha256));
      }
      // The entry's window and key count are the file's: phones skip an
      // entry by its window without fetching the file.
      auto file = wire::ExportFile::Parse(std::move(*bytes));
      if (!file.ok()) return file.status().WithContext(e->name);
      if (file->header().start_timestamp != e->start || file->header().end_timestamp != e->end ||
          file->key_count() + file->revised_key_count() != e->keys) {
        return base::DataLossError(e->name + ": log entry " + std::to_string(i) +
                                   " does not state the file's signed window and key count");
      }
      ++served;
    }
  }
  // Every tile a phone may build a proof from must be the entries' tree:
  // Entries over the whole tree needed none of them.
  OPENEN_RETURN_IF_ERROR(reader.CheckTiles(c, leaves));
  for (const client::ListedBatch& b : listed) {
    if (!names.count(b.name)) {
      return base::DataLossError(b.name + " is listed but is not in the log (size " +
                                 std::to_string(c.size) + ")");
    }
  }
  if (state) OPENEN_RETURN_IF_ERROR(base::WriteFileAtomically(*state, head.note, false));
  *text = "log " + c.origin + ": " + std::to_string(c.size) + " entries, root " +
          base::Base64Encode(c.root) + ", " + std::to_string(head.cosignatures) +
          " witness cosignatures\n" + "entries: " + std::to_string(batches) + " batches (" +
          std::to_string(served) + " served with the logged SHA-256, " + std::to_string(expired) +
          " no longer served after their expiry), " + std::to_string(configs) +
          " configurations, " + std::to_string(orders) + " decommission orders\n" +
          "tiles: every hash tile is the entries' tree\n";
  if (kept) {
    *text += "extends the checkpoint of size " + std::to_string(kept->checkpoint.size) +
             " kept in " + *state + "\n";
  }
  const uint64_t kept_size = kept ? kept->checkpoint.size : 0;
  const bool had = kept.has_value();
  *fields = [=](JsonWriter* j) {
    WriteHead(c, head.cosignatures, j);
    j->Key("batches").Uint(batches);
    j->Key("batches_served").Uint(served);
    j->Key("batches_no_longer_served").Uint(expired);
    j->Key("configurations").Uint(configs);
    j->Key("decommission_orders").Uint(orders);
    j->Key("extends_size");
    if (had)
      j->Uint(kept_size);
    else
      j->Null();
  };
  return base::Status::Ok();
}

int Verify(const Args& args) {
  auto policy = ReadPolicy(args);
  if (!policy.ok()) return Fail(policy.status().message());
  if (args.positional().size() != 1) return Fail("log verify takes exactly one SOURCE");
  auto source = OpenSource(args.positional()[0]);
  if (!source.ok()) return Fail(source.status().message());
  const int64_t system_now = std::chrono::duration_cast<std::chrono::seconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count();
  auto now = args.GetInt("now", system_now, 0, INT64_MAX);
  if (!now.ok()) return Fail(now.status().message());
  std::string text;
  std::function<void(JsonWriter*)> fields = [](JsonWriter*) {};
  const base::Status s =
      VerifyLog(*source->batches, *policy, args.Get("state"), *now, &text, &fields);
  return Report(args.Has("json"), s.ok() ? s : s.WithContext(source->name), fields, text);
}

int Compare(const Args& args) {
  auto policy = ReadPolicy(args);
  if (!policy.ok()) return Fail(policy.status().message());
  if (args.positional().size() < 2) return Fail("log compare takes two or more SOURCEs");
  struct Seen {
    std::string name;
    Source source;
    std::optional<client::SignedHead> head;
    std::string error;
  };
  std::vector<Seen> seen;
  for (const std::string& where : args.positional()) {
    auto source = OpenSource(where);
    if (!source.ok()) return Fail(source.status().message());
    Seen s{where, std::move(*source), std::nullopt, ""};
    client::LogReader reader(s.source.batches.get(), base::NeverCancelled());
    auto head = reader.Head(*policy);
    if (head.ok()) {
      s.head = std::move(*head);
    } else {
      s.error = head.status().message();
    }
    seen.push_back(std::move(s));
  }
  std::vector<std::string> forks, errors;
  for (const Seen& s : seen) {
    if (!s.head) errors.push_back(s.name + ": " + s.error);
  }
  for (size_t i = 0; i < seen.size(); ++i) {
    for (size_t j = i + 1; j < seen.size(); ++j) {
      if (!seen[i].head || !seen[j].head) continue;
      const Seen& small =
          seen[i].head->checkpoint.size <= seen[j].head->checkpoint.size ? seen[i] : seen[j];
      const Seen& large = &small == &seen[i] ? seen[j] : seen[i];
      client::LogReader reader(large.source.batches.get(), base::NeverCancelled());
      base::Status s = reader.CheckConsistent(small.head->checkpoint, large.head->checkpoint);
      if (s.code() == base::StatusCode::kDataLoss) {
        forks.push_back(small.name + " (size " + std::to_string(small.head->checkpoint.size) +
                        ") and " + large.name + " (size " +
                        std::to_string(large.head->checkpoint.size) +
                        ") cannot both be true: " + s.message());
      } else if (!s.ok()) {
        errors.push_back(large.name + ": " + s.message());
      }
    }
  }
  std::string text;
  for (const Seen& s : seen) {
    if (s.head) {
      text += s.name + ": size " + std::to_string(s.head->checkpoint.size) + ", root " +
              base::Base64Encode(s.head->checkpoint.root) + "\n";
    }
  }
  for (const std::string& f : forks) text += "FORK: " + f + "\n";
  base::Status status = base::Status::Ok();
  if (!forks.empty()) {
    status = base::DataLossError(std::to_string(forks.size()) +
                                 " pair(s) of checkpoints cannot both be true");
  } else if (!errors.empty()) {
    status = base::UnavailableError(errors[0]);
  } else {
    text += "all " + std::to_string(seen.size()) + " checkpoints are consistent\n";
  }
  auto fields = [&](JsonWriter* j) {
    j->Key("sources").BeginArray();
    for (const Seen& s : seen) {
      j->BeginObject();
      j->Key("source").String(s.name);
      if (s.head) WriteHead(s.head->checkpoint, s.head->cosignatures, j);
      if (!s.head) j->Key("error").String(s.error);
      j->EndObject();
    }
    j->EndArray();
    j->Key("forks").BeginArray();
    for (const std::string& f : forks) j->String(f);
    j->EndArray();
  };
  return Report(args.Has("json"), status, fields, text);
}

int Witness(const Args& args) {
  auto key_file = args.Get("key");
  auto state = args.Get("state");
  if (!key_file || !state) return Fail("witness needs --key and --state");
  auto policy = ReadPolicy(args);
  if (!policy.ok()) return Fail(policy.status().message());
  if (args.positional().size() != 1) return Fail("log witness takes exactly one SOURCE");
  auto text = base::ReadFile(*key_file, base::kMaxSmallFileBytes);
  if (!text.ok()) return Fail(text.status().message());
  std::string trimmed = base::Trim(*text);
  auto signer = wire::NoteSigner::Parse(trimmed);
  crypto::Wipe(&*text);
  crypto::Wipe(&trimmed);
  if (!signer.ok()) return Fail(*key_file + ": " + signer.status().message());
  if (signer->public_key().type() != wire::NoteKey::Type::kCosignature) {
    return Fail(*key_file + ": not a witness key (make one with keygen --witness)");
  }
  auto source = OpenSource(args.positional()[0]);
  if (!source.ok()) return Fail(source.status().message());
  client::LogReader reader(source->batches.get(), base::NeverCancelled());
  auto cosigned = [&]() -> base::StatusOr<std::string> {
    OPENEN_ASSIGN_OR_RETURN(std::optional<client::SignedHead> kept, KeptHead(state, *policy));
    OPENEN_ASSIGN_OR_RETURN(client::SignedHead head, reader.Head(*policy));
    if (kept) {
      base::Status s = reader.CheckConsistent(kept->checkpoint, head.checkpoint);
      if (!s.ok()) return s.WithContext("will not cosign");
    }
    OPENEN_ASSIGN_OR_RETURN(wire::SignedNote note, wire::SignedNote::Parse(head.note));
    const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    note.signatures.push_back(signer->Sign(note.text, now));
    const std::string out = note.Format();
    OPENEN_RETURN_IF_ERROR(base::WriteFileAtomically(*state, out, false));
    return out;
  }();
  if (!cosigned.ok()) return Fail(source->name + ": " + cosigned.status().message(), kExitFailure);
  if (auto out = args.Get("out")) {
    if (base::Status s = base::WriteFileAtomically(*out, *cosigned, false); !s.ok()) {
      return Fail(s.message(), kExitFailure);
    }
    return kExitOk;
  }
  std::fputs(cosigned->c_str(), stdout);
  return std::fflush(stdout) == 0 ? kExitOk : Fail("cannot write the output", kExitFailure);
}

}  // namespace

int LogCommand(int argc, char** argv, int first) {
  if (first >= argc) return Fail(std::string("missing subcommand\n") + kUsage);
  const std::string sub = argv[first];
  if (sub == "--help" || sub == "help" || sub == "-h") {
    std::fputs(kUsage, stdout);
    return kExitOk;
  }
  auto args =
      Args::Parse(argc, argv, first + 1,
                  {"name", "out", "log-key", "witness-keys", "quorum", "state", "key", "now"},
                  {"witness", "json", "help"});
  if (!args.ok()) return Fail(args.status().message());
  if (args->Has("help")) {
    std::fputs(kUsage, stdout);
    return kExitOk;
  }
  if (sub == "keygen") return Keygen(*args);
  if (sub == "verify") return Verify(*args);
  if (sub == "compare") return Compare(*args);
  if (sub == "witness") return Witness(*args);
  return Fail("unknown subcommand 'log " + sub + "'\n" + kUsage);
}

}  // namespace openen::tools
