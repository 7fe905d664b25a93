// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Matching on the phone: 1,000,000 diagnosis keys (as signed export files)
// against 14 days of a busy city, 50,000 distinct observed RPIs with 4
// sightings each, on one core. Prints JSON lines:
//   match_index    the SightingIndex alone over parsed files: keys/s
//   match_client   Client::Sync over a directory of signed zips (read, parse,
//                  verify, match, store windows): keys/s and peak memory
//   store_sightings  bytes on disk per sighting in the encrypted store
// Usage: bench_match [--keys N] [--rpis N] [--files N]
// (It re-runs itself with --sync-only to measure the sync in a fresh process.)

#include <sys/resource.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "bench_util.h"
#include "openen/client/client.h"
#include "openen/client/matcher.h"
#include "openen/crypto/interval.h"
#include "openen/crypto/random.h"

namespace {

using namespace openen;
using bench::JsonLine;
using bench::NowSeconds;

uint64_t DirBytes(const std::string& dir) {
  uint64_t n = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) n += e.file_size();
  }
  return n;
}

}  // namespace

int SyncOnly(const std::string& dir, int64_t now, const std::string& key_hex, const std::string& spki);

int main(int argc, char** argv) {
  if (argc == 9 && std::string(argv[1]) == "--sync-only") {
    return SyncOnly(argv[2], std::atoll(argv[4]), argv[6], argv[8]);
  }
  size_t total_keys = 1'000'000, rpis = 50'000, files = 10;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    size_t v = static_cast<size_t>(std::atoll(argv[i + 1]));
    if (flag == "--keys") total_keys = v;
    if (flag == "--rpis") rpis = v;
    if (flag == "--files") files = v;
  }
  std::string dir = (std::filesystem::temp_directory_path() / ("openen-bench-match-" + std::string(6, 'X'))).string();
  if (mkdtemp(dir.data()) == nullptr) return 1;
  std::mt19937 rng(7);
  const int64_t now = 1795000000 / crypto::kDaySeconds * crypto::kDaySeconds + 12 * 3600;
  const uint32_t today = crypto::RollingStart(crypto::EnIntervalNumber(now));
  const uint32_t first_day = today / crypto::kTekRollingPeriod - 13;

  // The city: 50,000 RPIs over 14 days, 4 sightings each; 100 of them belong
  // to diagnosis keys that will be published (true matches).
  auto signer = crypto::EcdsaP256PrivateKey::Generate();
  base::FakeClock clock(now);
  crypto::SecretBytes keystore_seed = crypto::SecretBytes::Random(32);
  auto keystore = client::FileKeyStore::FromKey(keystore_seed);
  client::ClientOptions options;
  options.store_dir = dir + "/phone";
  options.export_keys = {{"bench-v1", signer->PublicKey()}};
  auto phone = client::Client::Open(options, keystore->get(), &clock);
  if (!phone.ok()) return 1;

  std::vector<wire::ExportKey> diagnosis;
  diagnosis.reserve(total_keys);
  for (size_t i = 0; i < total_keys; ++i) {
    wire::ExportKey k;
    k.key_data.resize(16);
    crypto::RandomBytes(k.key_data);
    k.rolling_start_interval_number =
        static_cast<int32_t>((first_day + rng() % 14) * crypto::kTekRollingPeriod);
    k.rolling_period = crypto::kTekRollingPeriod;
    k.transmission_risk_level = 4;
    k.report_type = wire::ReportType::kConfirmedTest;
    diagnosis.push_back(std::move(k));
  }
  const double record_start = NowSeconds();
  size_t sightings = 0;
  for (size_t r = 0; r < rpis; ++r) {
    base::Bytes rpi(16), aem(4);
    const uint32_t now_interval = crypto::EnIntervalNumber(now);
    uint32_t interval = first_day * crypto::kTekRollingPeriod +
                        rng() % (now_interval - first_day * crypto::kTekRollingPeriod);
    if (r < 100) {  // a true contact: an RPI of diagnosis key r
      crypto::RpiDeriver d;
      (void)d.SetTek(diagnosis[r].key_data);
      interval = diagnosis[r].rolling_start_interval_number + 60;  // 10:00, in the past
      auto x = d.Compute(interval);
      rpi.assign(x.begin(), x.end());
    } else {
      crypto::RandomBytes(rpi);
    }
    crypto::RandomBytes(aem);
    for (int s = 0; s < 4; ++s) {
      const int64_t t = crypto::IntervalStartSeconds(interval) + 60 * s + 10;
      if ((*phone)->RecordSighting(rpi, aem, -60 - static_cast<int>(rng() % 30), t).ok()) ++sightings;
    }
  }
  const double record_seconds = NowSeconds() - record_start;
  (*phone).reset();  // close: what a day of recording leaves before compaction
  const uint64_t uncompacted_bytes = DirBytes(options.store_dir);
  phone = client::Client::Open(options, keystore->get(), &clock);  // open compacts, as each day change does
  (*phone).reset();
  const uint64_t store_bytes = DirBytes(options.store_dir);
  JsonLine("store_sightings")
      .Add("sightings", static_cast<long long>(sightings))
      .Add("distinct_rpis", static_cast<long long>(rpis))
      .Add("store_bytes", static_cast<long long>(store_bytes))
      .Add("bytes_per_sighting", static_cast<double>(store_bytes) / static_cast<double>(sightings))
      .Add("uncompacted_bytes_per_sighting", static_cast<double>(uncompacted_bytes) / static_cast<double>(sightings))
      .Add("record_sightings_per_second", static_cast<double>(sightings) / record_seconds)
      .Print();

  // The export files, signed, in a directory the client syncs from.
  std::filesystem::create_directories(dir + "/exports");
  std::string index;
  const size_t per_file = (total_keys + files - 1) / files;
  std::vector<base::Bytes> bins;
  for (size_t f = 0; f < files; ++f) {
    wire::ExportBatch batch;
    batch.header.region = "ZZ";
    // Hourly batches ending before now, named by their end as openen-relay names them.
    const uint64_t end_time = static_cast<uint64_t>(now) - 3600 * (files - f);
    batch.header.start_timestamp = end_time - 3600;
    batch.header.end_timestamp = end_time;
    const size_t begin = f * per_file, end = std::min(total_keys, begin + per_file);
    batch.keys.assign(diagnosis.begin() + begin, diagnosis.begin() + end);
    auto zip = wire::WriteExportZip(std::move(batch), {{{"v1", "bench", ""}, &*signer}});
    char name[64];
    std::snprintf(name, sizeof(name), "batch-%010llu.zip",
                  static_cast<unsigned long long>(end_time));
    std::ofstream(dir + "/exports/" + name, std::ios::binary)
        .write(reinterpret_cast<const char*>(zip->data()), static_cast<std::streamsize>(zip->size()));
    index += std::string(name) + "\n";
  }
  std::ofstream(dir + "/exports/index.txt") << index;
  diagnosis.clear();
  diagnosis.shrink_to_fit();

  // The core: the index over parsed files (parse time excluded).
  {
    std::vector<client::Sighting> all;
    client::DirectorySource src(dir + "/exports");
    auto names = src.ListAfter("", base::NeverCancelled());
    std::vector<wire::ExportFile> parsed;
    for (const auto& n : *names)
      parsed.push_back(
          std::move(*wire::ExportFile::Parse(*src.Fetch(n.name, base::NeverCancelled()))));
    uint64_t matches = 0, keys = 0;
    client::MatchStats stats;
    // The index alone, over synthetic sightings of the same shape.
    std::mt19937 r2(7);
    for (size_t i = 0; i < rpis; ++i) {
      client::Sighting s;
      crypto::RandomBytes(s.rpi);
      s.interval = first_day * crypto::kTekRollingPeriod + r2() % (14 * crypto::kTekRollingPeriod);
      s.scans.assign(4, client::Scan{0, -60});
      all.push_back(std::move(s));
    }
    client::SightingIndex idx(std::move(all));
    const double t0 = NowSeconds();
    for (const auto& file : parsed) {
      (void)idx.MatchFile(file, [&](const client::Match&) { ++matches; }, &stats);
    }
    const double t = NowSeconds() - t0;
    keys = stats.keys;
    JsonLine("match_index")
        .Add("keys", static_cast<long long>(keys))
        .Add("observed_rpis", static_cast<long long>(rpis))
        .Add("seconds", t)
        .Add("keys_per_second", static_cast<double>(keys) / t)
        .Add("rpis_derived_per_key", static_cast<double>(stats.rpis_derived) / static_cast<double>(keys))
        .Add("filter_pass_rate", static_cast<double>(stats.filter_hits) / static_cast<double>(stats.rpis_derived))
        .Add("index_bytes", static_cast<long long>(idx.MemoryBytes()))
        .Print();
  }

  // The whole client path, in a fresh process so that its peak memory is the
  // sync's alone: read, parse, verify, match, store, one file at a time.
  std::string self = std::filesystem::canonical("/proc/self/exe").string();
  std::string cmd = self + " --sync-only " + dir + " --now " + std::to_string(now) + " --key " +
                    base::HexEncode(keystore_seed.Reveal()) + " --spki " +
                    signer->PublicKey().ToSpkiBase64();
  int rc = std::system(cmd.c_str());
  std::filesystem::remove_all(dir);
  return rc == 0 ? 0 : 1;
}

int SyncOnly(const std::string& dir, int64_t now, const std::string& key_hex, const std::string& spki) {
  base::FakeClock clock(now);
  auto keystore = client::FileKeyStore::FromKey(crypto::SecretBytes(*base::HexDecode(key_hex)));
  client::ClientOptions options;
  options.store_dir = dir + "/phone";
  options.export_keys = {{"bench-v1", *crypto::EcdsaP256PublicKey::FromSpkiBase64(spki)}};
  auto phone = client::Client::Open(options, keystore->get(), &clock);
  if (!phone.ok()) return 1;
  const long long rss_before = bench::PeakRssBytes();
  client::DirectorySource source(dir + "/exports");
  const double t0 = NowSeconds();
  auto report = (*phone)->Sync(source);
  const double t = NowSeconds() - t0;
  if (!report.ok()) {
    std::fprintf(stderr, "%s\n", report.status().ToString().c_str());
    return 1;
  }
  auto days = (*phone)->DailySummaries();
  JsonLine("match_client")
      .Add("keys", static_cast<long long>(report->keys))
      .Add("files", static_cast<long long>(report->batches))
      .Add("seconds", t)
      .Add("keys_per_second", static_cast<double>(report->keys) / t)
      .Add("matched_identifiers", static_cast<long long>(report->matched_identifiers))
      .Add("exposure_windows", static_cast<long long>(report->new_exposure_windows))
      .Add("peak_rss_bytes", bench::PeakRssBytes())
      .Add("peak_rss_at_open_bytes", rss_before)
      .Add("exposure_days", static_cast<long long>(days.ok() ? days->size() : 0))
      .Print();
  return 0;
}
