// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// openen-relay benchmarks, printed as JSON lines:
//   relay_publish_grpc  durable publishes (14 keys, a fresh certificate each)
//                       over loopback gRPC from concurrent clients: publishes/s
//                       and latency percentiles
//   relay_close_batch   closing one batch of N real keys (read from RocksDB,
//                       sorted, encoded, deflated, ECDSA-signed, written)
//   relay_import_day    federation: another authority's day of N keys (files of
//                       200,000, as its relay releases them) followed from its
//                       export directory: read, parsed, verified, checked,
//                       deduplicated and stored with the mark; then the close
//                       that releases them in this relay's batches
//   relay_country_day   a country's day (docs/operations.md, Scale): P phones,
//                       a share S of them uploading 14 keys, 80% of uploads in
//                       the 12 daytime hours; the relay with its default
//                       options (hourly batches, padding, the transparency
//                       log) closes the 24 batches; what each phone then
//                       downloads in a day, and what the CDN serves all of them
// Usage: bench_relay [--publishes N] [--threads T] [--close-keys N] [--import-keys N]
//                    [--phones P] [--upload-share S] [--chaff-mean-days D] [--days N]
// (--days: the figures are those of day N of the same load, once the relay
// holds what earlier days left, up to 14 days of batches)
// (0 for --publishes, --close-keys, --import-keys or --phones skips that part)

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "bench_util.h"
#include "openen/base/clock.h"
#include "openen/base/file.h"
#include "openen/crypto/hash.h"
#include "openen/crypto/interval.h"
#include "openen/crypto/random.h"
#include "openen/relay/importer.h"
#include "openen/relay/relay.h"
#include "openen/relay/service.h"
#include "openen/server/grpc_server.h"
#include "openen/server/worker_pool.h"
#include "openen/wire/export.h"
#include "openen/wire/signed.h"
#include "openen/wire/tlog.h"
#include "relay_publishes.h"

namespace {

using namespace openen;
using bench::JsonLine;
using bench::MakePublishes;
using bench::NowSeconds;
using bench::Percentile;

void BenchPublish(const std::string& dir, size_t n, int threads) {
  base::SystemClock clock;
  auto authority = crypto::Ed25519PrivateKey::Generate();
  auto r = relay::Relay::Open(dir + "/publish-data", dir + "/publish-export", {}, {authority.PublicKey()},
                              *crypto::EcdsaP256PrivateKey::Generate(), {}, &clock);
  if (!r.ok()) {
    std::fprintf(stderr, "%s\n", r.status().ToString().c_str());
    std::exit(1);
  }
  server::WorkerPool pool(4);
  relay::RelayService service(r->get(), &pool);
  auto running = server::StartServer({}, {&service});
  auto publishes = MakePublishes(n, clock.NowSeconds(), authority);
  std::vector<openen::v1::PublishRequest> requests(n);
  for (size_t i = 0; i < n; ++i) requests[i] = publishes[i].Request();
  auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(running->port), grpc::InsecureChannelCredentials());
  std::atomic<size_t> next{0}, failures{0};
  std::vector<std::vector<double>> latencies(threads);
  const double start = NowSeconds();
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      auto relay_api = openen::v1::Relay::NewStub(channel);
      for (size_t i; (i = next++) < n;) {
        grpc::ClientContext ctx;
        openen::v1::PublishResponse resp;
        const double t0 = NowSeconds();
        grpc::Status st = relay_api->Publish(&ctx, requests[i], &resp);
        latencies[t].push_back((NowSeconds() - t0) * 1000);
        if (!st.ok() || resp.accepted() != 14) ++failures;
      }
    });
  }
  for (auto& w : workers) w.join();
  const double elapsed = NowSeconds() - start;
  std::vector<double> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  JsonLine("relay_publish_grpc")
      .Add("publishes", static_cast<long long>(n))
      .Add("threads", static_cast<long long>(threads))
      .Add("publishes_per_second", static_cast<double>(n) / elapsed)
      .Add("keys_per_second", 14.0 * static_cast<double>(n) / elapsed)
      .Add("p50_ms", Percentile(all, 0.50))
      .Add("p90_ms", Percentile(all, 0.90))
      .Add("p99_ms", Percentile(all, 0.99))
      .Add("max_ms", Percentile(all, 1.0))
      .Add("failures", static_cast<long long>(failures.load()))
      .Add("durable", std::string("synced write per publish"))
      .Print();
  server::ShutdownGracefully(running->server.get(), 5);
}

// TimedClose sets |clock| to |at|, runs a maintenance pass (the close of
// what is due) and returns how long it took.
double TimedClose(relay::Relay& relay, base::FakeClock& clock, int64_t at) {
  clock.Set(at);
  const double start = NowSeconds();
  if (base::Status s = relay.Maintain(); !s.ok()) {
    std::fprintf(stderr, "%s\n", s.ToString().c_str());
    std::exit(1);
  }
  return NowSeconds() - start;
}

void BenchClose(const std::string& dir, size_t keys, int threads) {
  const int64_t now = 1795000000 / crypto::kDaySeconds * crypto::kDaySeconds + 10 * 3600;
  base::FakeClock clock(now);
  auto authority = crypto::Ed25519PrivateKey::Generate();
  relay::RelayOptions options;
  options.min_batch_keys = 0;
  options.batch_jitter_keys = 0;
  auto r = relay::Relay::Open(dir + "/close-data", dir + "/close-export", options, {authority.PublicKey()},
                              *crypto::EcdsaP256PrivateKey::Generate(), {}, &clock);
  auto& relay = *r;
  const size_t publishes = (keys + 13) / 14;
  auto prepared = MakePublishes(publishes, now, authority);
  const double load_start = NowSeconds();
  std::atomic<size_t> next{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      for (size_t i; (i = next++) < publishes;) {
        (void)relay->Publish(prepared[i].keys, prepared[i].cert, prepared[i].secret, false);
      }
    });
  }
  for (auto& w : workers) w.join();
  const double load_seconds = NowSeconds() - load_start;
  prepared.clear();
  const size_t pending = relay->PendingKeys();

  const double close_seconds = TimedClose(*relay, clock, now + 3600);
  // Above wire::kMaxExportKeys a close writes several batches.
  long long batch_keys = 0, zip_bytes = 0;
  const auto batches = relay->ListBatches("", SIZE_MAX);
  for (const auto& b : batches) {
    batch_keys += b.key_count();
    zip_bytes += static_cast<long long>(b.size());
  }
  JsonLine("relay_close_batch")
      .Add("keys", batch_keys)
      .Add("batches", static_cast<long long>(batches.size()))
      .Add("pending_before", static_cast<long long>(pending))
      .Add("close_seconds", close_seconds)
      .Add("keys_per_second", static_cast<double>(pending) / close_seconds)
      .Add("zip_bytes", zip_bytes)
      .Add("load_seconds_in_process_publish", load_seconds)
      .Add("includes", std::string("RocksDB scan, sort, encode, deflate, ECDSA sign, fsync, purge"))
      .Print();
}

// BenchImport follows a source whose export directory holds a day of |keys|
// keys of region IE, in files of wire::kMaxExportKeys, then releases them.
void BenchImport(const std::string& dir, size_t keys) {
  const int64_t now = 1795000000 / crypto::kDaySeconds * crypto::kDaySeconds + 10 * 3600;
  const uint32_t today = crypto::RollingStart(crypto::EnIntervalNumber(now));
  // The source: what another relay released yesterday, signed with its key.
  const std::string source_dir = dir + "/import-source";
  std::filesystem::create_directories(source_dir);
  auto source_key = crypto::EcdsaP256PrivateKey::Generate();
  std::string listing;
  size_t files = 0;
  for (size_t done = 0; done < keys; ++files) {
    wire::ExportBatch batch;
    batch.header.start_timestamp = static_cast<uint64_t>(now - crypto::kDaySeconds);
    batch.header.end_timestamp = static_cast<uint64_t>(now - 3600) + files;
    batch.header.region = "IE";
    const size_t n = std::min(wire::kMaxExportKeys, keys - done);
    batch.keys.resize(n);
    for (size_t i = 0; i < n; ++i, ++done) {
      wire::ExportKey& k = batch.keys[i];
      k.key_data.resize(16);
      crypto::RandomBytes(k.key_data);
      k.rolling_start_interval_number =
          static_cast<int32_t>(today - (1 + done % 13) * crypto::kTekRollingPeriod);
      k.rolling_period = crypto::kTekRollingPeriod;
      k.transmission_risk_level = 3;
      k.report_type = wire::ReportType::kConfirmedTest;
      k.days_since_onset_of_symptoms = static_cast<int32_t>(done % 13) - 3;
    }
    auto zip = wire::WriteExportZip(std::move(batch), {{{"v1", "ie", ""}, &*source_key}});
    const std::string name =
        "batch-" + std::to_string(now - 3600 + static_cast<int64_t>(files)) + ".zip";
    if (!zip.ok() ||
        !base::WriteFileAtomically(source_dir + "/" + name, base::AsChars(*zip), false).ok()) {
      std::fprintf(stderr, "cannot write the source's files\n");
      std::exit(1);
    }
    listing += name + "\n";
  }
  (void)base::WriteFileAtomically(source_dir + "/index.txt", listing, false);
  relay::ImportSource source;
  source.name = "ie";
  source.region = "IE";
  source.location = source_dir;
  source.keys = {{"ie-v1", source_key->PublicKey()}};

  base::FakeClock clock(now);
  auto r = relay::Relay::Open(dir + "/import-data", dir + "/import-export", {},
                              {crypto::Ed25519PrivateKey::Generate().PublicKey()},
                              *crypto::EcdsaP256PrivateKey::Generate(), {}, &clock);
  if (!r.ok()) {
    std::fprintf(stderr, "%s\n", r.status().ToString().c_str());
    std::exit(1);
  }
  auto& relay = *r;
  bench::RssSampler rss;
  const double start = NowSeconds();
  const relay::FollowReport report = relay::FollowSource(*relay, source, now);
  const double import_seconds = NowSeconds() - start;
  const long long import_peak_anon = rss.Peak().anon;
  if (!report.stopped.ok() || report.keys_imported != keys) {
    std::fprintf(stderr, "import: %s, %zu keys\n", report.stopped.ToString().c_str(),
                 report.keys_imported);
    std::exit(1);
  }
  const double close_seconds = TimedClose(*relay, clock, now + 3600);
  JsonLine("relay_import_day")
      .Add("keys", static_cast<long long>(report.keys_imported))
      .Add("files", static_cast<long long>(report.files_imported))
      .Add("import_seconds", import_seconds)
      .Add("keys_per_second", static_cast<double>(keys) / import_seconds)
      .Add("peak_anon_rss_mib", static_cast<double>(import_peak_anon) / (1 << 20))
      .Add("release_close_seconds", close_seconds)
      .Add("batches_released", static_cast<long long>(relay->ListBatches("", SIZE_MAX).size()))
      .Add("includes", std::string("read, unzip, parse, ECDSA verify, per-key rules, dedupe index, "
                                   "synced write with the mark (local directory: no network)"))
      .Print();
}

// DirectoryBytes is the size of every regular file under |dir|.
long long DirectoryBytes(const std::filesystem::path& dir) {
  long long total = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) total += static_cast<long long>(e.file_size());
  }
  return total;
}

// Files maps each regular file under |dir| to its size and modification time.
std::map<std::string, std::pair<uintmax_t, std::filesystem::file_time_type>> Files(
    const std::filesystem::path& dir) {
  std::map<std::string, std::pair<uintmax_t, std::filesystem::file_time_type>> files;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) files[e.path().string()] = {e.file_size(), e.last_write_time()};
  }
  return files;
}

void BenchCountryDay(const std::string& dir, long long phones, double upload_share,
                     double chaff_mean_days, int days, int threads) {
  const int64_t first_midnight = 1795000000 / crypto::kDaySeconds * crypto::kDaySeconds;
  base::FakeClock clock(first_midnight);
  auto authority = crypto::Ed25519PrivateKey::Generate();
  relay::RelayOptions options;  // hourly batches, padding and jitter as deployed
  options.log_key = std::make_shared<const wire::NoteSigner>(
      wire::NoteSigner::Generate("bench.example/log", wire::NoteKey::Type::kEd25519));
  const std::filesystem::path export_dir = dir + "/country-export";
  auto r = relay::Relay::Open(dir + "/country-data", export_dir.string(), options,
                              {authority.PublicKey()}, *crypto::EcdsaP256PrivateKey::Generate(), {},
                              &clock);
  if (!r.ok()) {
    std::fprintf(stderr, "%s\n", r.status().ToString().c_str());
    std::exit(1);
  }
  auto& relay = *r;
  const long long uploads = std::llround(static_cast<double>(phones) * upload_share);
  long long data_bytes_max = 0;
  for (int day = 0; day < days; ++day) {
    // The figures are the last day's, after |days| - 1 days of the same load.
    const int64_t midnight = first_midnight + day * crypto::kDaySeconds;
    const auto files_before = Files(export_dir);
    const long long export_before = DirectoryBytes(export_dir);
    std::set<std::string> batches_before;
    for (const auto& b : relay->ListBatches("", SIZE_MAX)) batches_before.insert(b.name());
    long long uploaded = 0, real_keys = 0, busiest_hour = 0;
    double close_total = 0, close_max = 0, load_seconds = 0;
    for (int hour = 0; hour < 24; ++hour) {
      // 80% of the day's uploads in the 12 hours from 08:00, 20% in the other 12.
      const double share = (hour >= 8 && hour < 20 ? 0.8 : 0.2) / 12;
      const long long due =
          hour == 23 ? uploads - uploaded : std::llround(static_cast<double>(uploads) * share);
      uploaded += due;
      busiest_hour = std::max(busiest_hour, due);
      clock.Set(midnight + hour * 3600 + 60);
      auto prepared = MakePublishes(static_cast<size_t>(due), clock.NowSeconds(), authority);
      const double load_start = NowSeconds();
      std::atomic<size_t> next{0};
      std::vector<std::thread> workers;
      for (int t = 0; t < threads; ++t) {
        workers.emplace_back([&] {
          for (size_t i; (i = next++) < prepared.size();) {
            (void)relay->Publish(prepared[i].keys, prepared[i].cert, prepared[i].secret, false);
          }
        });
      }
      for (auto& w : workers) w.join();
      load_seconds += NowSeconds() - load_start;
      real_keys += static_cast<long long>(relay->PendingKeys());
      data_bytes_max = std::max(data_bytes_max, DirectoryBytes(dir + "/country-data"));
      clock.Set(midnight + (hour + 1) * 3600);
      const double close_start = NowSeconds();
      if (base::Status s = relay->Maintain(); !s.ok()) {
        std::fprintf(stderr, "%s\n", s.ToString().c_str());
        std::exit(1);
      }
      const double close = NowSeconds() - close_start;
      close_total += close;
      close_max = std::max(close_max, close);
    }
    if (day + 1 < days) continue;
    long long published_keys = 0, batch_bytes = 0, largest_batch = 0, new_batches = 0;
    for (const auto& b : relay->ListBatches("", SIZE_MAX)) {
      if (batches_before.count(b.name())) continue;
      ++new_batches;
      published_keys += b.key_count();
      batch_bytes += static_cast<long long>(b.size());
      largest_batch = std::max(largest_batch, static_cast<long long>(b.key_count()));
    }
    // A phone syncing once a day fetches what the day added or changed in
    // the export directory: the day's batches, index.txt and index.sha256,
    // the log's checkpoint, tiles and entry bundles. Expired batches leave.
    long long phone_bytes = 0, phone_files = 0;
    for (const auto& [path, file] : Files(export_dir)) {
      auto before = files_before.find(path);
      if (before == files_before.end() || before->second != file) {
        phone_bytes += static_cast<long long>(file.first);
        ++phone_files;
      }
    }
    const double cdn_bytes = static_cast<double>(phones) * static_cast<double>(phone_bytes);
    const double chaff_per_second = static_cast<double>(phones) / chaff_mean_days / 86400.0;
    JsonLine("relay_country_day")
        .Add("phones", phones)
        .Add("day", static_cast<long long>(days))
        .Add("uploads", uploads)
        .Add("real_keys", real_keys)
        .Add("batches", new_batches)
        .Add("published_keys_with_padding", published_keys)
        .Add("largest_batch_keys", largest_batch)
        .Add("close_seconds_max", close_max)
        .Add("close_seconds_day", close_total)
        .Add("batch_bytes_day", batch_bytes)
        .Add("bytes_per_key",
             static_cast<double>(batch_bytes) / static_cast<double>(published_keys))
        .Add("phone_download_bytes_day", phone_bytes)
        .Add("phone_download_files_day", phone_files)
        .Add("export_dir_bytes", DirectoryBytes(export_dir))
        .Add("export_dir_growth_bytes_day", DirectoryBytes(export_dir) - export_before)
        .Add("data_dir_bytes_max", data_bytes_max)
        .Add("cdn_terabytes_day", cdn_bytes / 1e12)
        .Add("cdn_gbit_s_mean", cdn_bytes * 8 / 86400.0 / 1e9)
        .Add("cdn_requests_per_second_mean",
             static_cast<double>(phones) * static_cast<double>(phone_files) / 86400.0)
        .Add("real_publishes_per_second_busiest_hour", static_cast<double>(busiest_hour) / 3600.0)
        .Add("chaff_publishes_per_second_mean", chaff_per_second)
        .Add("load_seconds_in_process_publish", load_seconds)
        .Print();
  }
}

}  // namespace

int main(int argc, char** argv) {
  size_t publishes = 2000, close_keys = 1'400'000, import_keys = 1'400'000;
  long long phones = 5'000'000;
  double upload_share = 0.002, chaff_mean_days = 3;
  int threads = 8, days = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    long long v = std::atoll(argv[i + 1]);
    if (flag == "--publishes") publishes = static_cast<size_t>(v);
    if (flag == "--threads") threads = static_cast<int>(v);
    if (flag == "--close-keys") close_keys = static_cast<size_t>(v);
    if (flag == "--import-keys") import_keys = static_cast<size_t>(v);
    if (flag == "--phones") phones = v;
    if (flag == "--upload-share") upload_share = std::atof(argv[i + 1]);
    if (flag == "--chaff-mean-days") chaff_mean_days = std::atof(argv[i + 1]);
    if (flag == "--days") days = std::max(1, static_cast<int>(v));
  }
  std::string dir = (std::filesystem::temp_directory_path() / ("openen-bench-relay-" + std::string(6, 'X'))).string();
  if (mkdtemp(dir.data()) == nullptr) return 1;
  if (publishes > 0) BenchPublish(dir, publishes, threads);
  if (close_keys > 0) BenchClose(dir, close_keys, threads);
  if (import_keys > 0) BenchImport(dir, import_keys);
  if (phones > 0) BenchCountryDay(dir, phones, upload_share, chaff_mean_days, days, threads);
  std::filesystem::remove_all(dir);
  return 0;
}
