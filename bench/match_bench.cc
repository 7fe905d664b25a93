// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Matching on the phone: 1,000,000 diagnosis keys (as signed export files)
// against 14 days of a busy city, 50,000 distinct observed RPIs with 4
// sightings each, on one core. Prints JSON lines:
//   store_sightings  bytes on disk per sighting in the encrypted store
//   match_index      the day indexes and finder over parsed files: keys/s
//                    and the indexes' size
//   match_client     Client::Sync over a directory of signed zips (read,
//                    inflate, parse, verify, match, store windows): keys/s
//                    and peak memory, in a fresh process
//   sync_nothing_new a second sync that finds no new batch: its time and
//                    the sightings it decrypted
//   sync_small_batch then a sighting is recorded and one more batch of 100
//                    keys synced: its time and the sightings it decrypted
//
// Usage:
//   bench_match [--keys N] [--rpis N] [--files N] [--keep DIR]
//       makes the workload (in DIR, kept, with --keep) and measures it
//   bench_match --workload DIR
//       measures a kept workload again (each run syncs a copy of its phone)
// A kept workload holds exports/ (the zips and index.txt), later/ (the
// small batch), phone/ (the store), rpis.bin (the observed RPIs, 16 bytes
// each, in recording order), intervals.bin (their intervals, LE32 each) and
// params (the clock and keys the measurement needs): what another matcher
// needs to run the same workload (bench/vs-google.sh).

#include <sys/resource.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "bench_util.h"
#include "filter_passes.h"
#include "openen/base/coding.h"
#include "openen/client/client.h"
#include "openen/client/matcher.h"
#include "openen/crypto/interval.h"
#include "openen/crypto/random.h"

namespace {

using namespace openen;
using bench::JsonLine;
using bench::NowSeconds;
namespace fs = std::filesystem;

uint64_t DirBytes(const std::string& dir) {
  uint64_t n = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) n += e.file_size();
  }
  return n;
}

void WriteFile(const std::string& path, const void* data, size_t size) {
  std::ofstream(path, std::ios::binary)
      .write(static_cast<const char*>(data), static_cast<std::streamsize>(size));
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Params are what a measurement needs besides the files.
struct Params {
  int64_t now = 0;
  std::string keystore_hex;
  std::string spki;
};

void WriteParams(const std::string& dir, const Params& p) {
  std::ofstream(dir + "/params") << p.now << "\n" << p.keystore_hex << "\n" << p.spki << "\n";
}

bool ReadParams(const std::string& dir, Params* p) {
  std::ifstream in(dir + "/params");
  return static_cast<bool>(in >> p->now >> p->keystore_hex >> p->spki);
}

base::Bytes SignedZip(std::vector<wire::ExportKey> keys, uint64_t end_time,
                      const crypto::EcdsaP256PrivateKey& signer) {
  wire::ExportBatch batch;
  batch.header.region = "ZZ";
  batch.header.start_timestamp = end_time - 3600;
  batch.header.end_timestamp = end_time;
  batch.keys = std::move(keys);
  return *wire::WriteExportZip(std::move(batch), {{{"v1", "bench", ""}, &signer}});
}

std::string BatchName(uint64_t end_time) { return "batch-" + std::to_string(end_time) + ".zip"; }

// MakeWorkload records the city into a phone store in |dir| and writes the
// signed export files.
int MakeWorkload(const std::string& dir, size_t total_keys, size_t rpis, size_t files) {
  std::mt19937 rng(7);
  const int64_t now = 1795000000 / crypto::kDaySeconds * crypto::kDaySeconds + 12 * 3600;
  const uint32_t first_day =
      crypto::RollingStart(crypto::EnIntervalNumber(now)) / crypto::kTekRollingPeriod - 13;

  // The city: RPIs over 14 days, 4 sightings each; 100 of them belong to
  // diagnosis keys that will be published (true matches).
  auto signer = crypto::EcdsaP256PrivateKey::Generate();
  base::FakeClock clock(now);
  crypto::SecretBytes keystore_seed = crypto::SecretBytes::Random(32);
  auto keystore = client::FileKeyStore::FromKey(keystore_seed);
  client::ClientOptions options;
  options.store_dir = dir + "/phone";
  options.export_keys = {{"bench-v1", signer->PublicKey()}};
  auto phone = client::Client::Open(options, keystore->get(), &clock);
  if (!phone.ok()) return 1;

  auto random_key = [&](uint32_t day) {
    wire::ExportKey k;
    k.key_data.resize(16);
    crypto::RandomBytes(k.key_data);
    k.rolling_start_interval_number = static_cast<int32_t>(day * crypto::kTekRollingPeriod);
    k.rolling_period = crypto::kTekRollingPeriod;
    k.transmission_risk_level = 4;
    k.report_type = wire::ReportType::kConfirmedTest;
    return k;
  };
  std::vector<wire::ExportKey> diagnosis;
  diagnosis.reserve(total_keys);
  for (size_t i = 0; i < total_keys; ++i) diagnosis.push_back(random_key(first_day + rng() % 14));
  const double record_start = NowSeconds();
  size_t sightings = 0;
  std::string rpis_bin, intervals_bin;
  for (size_t r = 0; r < rpis; ++r) {
    base::Bytes rpi(16), aem(4);
    const uint32_t now_interval = crypto::EnIntervalNumber(now);
    uint32_t interval = first_day * crypto::kTekRollingPeriod +
                        rng() % (now_interval - first_day * crypto::kTekRollingPeriod);
    if (r < 100 && r < total_keys) {  // a true contact: an RPI of diagnosis key r
      crypto::RpiDeriver d;
      (void)d.SetTek(diagnosis[r].key_data);
      interval = diagnosis[r].rolling_start_interval_number + 60;  // 10:00, in the past
      auto x = d.Compute(interval);
      rpi.assign(x.begin(), x.end());
    } else {
      crypto::RandomBytes(rpi);
    }
    crypto::RandomBytes(aem);
    rpis_bin.append(rpi.begin(), rpi.end());
    base::PutFixedLE<4>(&intervals_bin, interval);
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
  WriteFile(dir + "/rpis.bin", rpis_bin.data(), rpis_bin.size());
  WriteFile(dir + "/intervals.bin", intervals_bin.data(), intervals_bin.size());

  // The export files, signed, in hourly batches named as openen-relay names them.
  fs::create_directories(dir + "/exports");
  fs::create_directories(dir + "/later");
  std::string index;
  const size_t per_file = (total_keys + files - 1) / files;
  for (size_t f = 0; f < files; ++f) {
    const uint64_t end_time = static_cast<uint64_t>(now) - 3600 * (files + 1 - f);
    const size_t begin = std::min(total_keys, f * per_file),
                 end = std::min(total_keys, begin + per_file);
    base::Bytes zip =
        SignedZip({diagnosis.begin() + begin, diagnosis.begin() + end}, end_time, *signer);
    WriteFile(dir + "/exports/" + BatchName(end_time), zip.data(), zip.size());
    index += BatchName(end_time) + "\n";
  }
  std::ofstream(dir + "/exports/index.txt") << index;
  // The next hour's batch: 100 keys.
  std::vector<wire::ExportKey> small;
  for (int i = 0; i < 100; ++i) small.push_back(random_key(first_day + rng() % 14));
  base::Bytes zip = SignedZip(std::move(small), static_cast<uint64_t>(now) - 3600, *signer);
  WriteFile(dir + "/later/" + BatchName(static_cast<uint64_t>(now) - 3600), zip.data(), zip.size());
  WriteParams(dir,
              {now, base::HexEncode(keystore_seed.Reveal()), signer->PublicKey().ToSpkiBase64()});
  return 0;
}

// MatchFilter measures the matcher's innermost loop, each kernel side by
// side: runs of 144 random RPIs (as derived RPIs are) tested against the
// filter of the index's first day.
void MatchFilter(const client::SightingIndex& idx) {
  if (idx.days().empty()) return;
  const client::DayIndex::Filter filter = idx.days().begin()->second->filter();
  std::vector<crypto::Rpi> runs(144 * 1024);
  crypto::RandomBytes(std::span<uint8_t>(runs.data()->data(), 16 * runs.size()));
  std::vector<uint32_t> out(144 + client::internal::kFilterPassesSlack);
  for (const auto& kernel : client::internal::FilterPassesKernels()) {
    size_t passed = 0;
    const int rounds = 20;
    const double t0 = NowSeconds();
    for (int r = 0; r < rounds; ++r) {
      for (size_t at = 0; at < runs.size(); at += 144)
        passed += kernel.fn(filter, runs.data() + at, 144, out.data());
    }
    const double t = NowSeconds() - t0;
    JsonLine("match_filter")
        .Add("kernel", std::string(kernel.name))
        .Add("ns_per_rpi", t * 1e9 / (static_cast<double>(rounds) * runs.size()))
        .Add("pass_rate", static_cast<double>(passed) / (static_cast<double>(rounds) * runs.size()))
        .Print();
  }
}

// MatchIndex measures the day indexes and finder alone over parsed files,
// with the workload's observed RPIs (4 scans each) in memory.
void MatchIndex(const std::string& dir) {
  const std::string rpis = ReadAll(dir + "/rpis.bin"), intervals = ReadAll(dir + "/intervals.bin");
  std::vector<client::Sighting> all(rpis.size() / 16);
  for (size_t i = 0; i < all.size(); ++i) {
    std::memcpy(all[i].rpi.data(), rpis.data() + 16 * i, 16);
    all[i].interval = static_cast<uint32_t>(base::GetFixedLE<4>(intervals.data() + 4 * i));
    all[i].scans.assign(4, client::Scan{0, -60});
  }
  client::DirectorySource src(dir + "/exports");
  auto names = src.ListAfter("", base::NeverCancelled());
  std::vector<wire::ExportFile> parsed;
  for (const auto& n : *names)
    parsed.push_back(
        std::move(*wire::ExportFile::Parse(*src.Fetch(n.name, base::NeverCancelled()))));
  client::SightingIndex idx(std::move(all));
  MatchFilter(idx);
  client::MatchStats stats;
  uint64_t matches = 0;
  const double t0 = NowSeconds();
  for (const auto& file : parsed) {
    (void)idx.MatchFile(
        file, [&](const client::Match&) { ++matches; }, &stats);
  }
  const double t = NowSeconds() - t0;
  JsonLine("match_index")
      .Add("kernel", std::string(crypto::DerivationKernel()))
      .Add("keys", static_cast<long long>(stats.keys))
      .Add("observed_rpis", static_cast<long long>(rpis.size() / 16))
      .Add("seconds", t)
      .Add("keys_per_second", static_cast<double>(stats.keys) / t)
      .Add("matches", static_cast<long long>(matches))
      .Add("rpis_derived_per_key",
           static_cast<double>(stats.rpis_derived) / static_cast<double>(stats.keys))
      .Add("filter_pass_rate",
           static_cast<double>(stats.filter_hits) / static_cast<double>(stats.rpis_derived))
      .Add("index_bytes", static_cast<long long>(idx.MemoryBytes()))
      .Print();
}

// SyncOnly syncs a copy of the workload's phone (a fresh process, so that
// its peak memory is the sync's alone), then syncs again with nothing new,
// then with the small batch added.
int SyncOnly(const std::string& dir) {
  Params p;
  if (!ReadParams(dir, &p)) return 1;
  const std::string work = dir + "/run-" + std::to_string(getpid());
  fs::create_directories(work);
  // The copy goes however the run ends.
  struct RemoveAll {
    std::string path;
    ~RemoveAll() {
      std::error_code ec;
      fs::remove_all(path, ec);
    }
  } remove_work{work};
  fs::copy(dir + "/phone", work + "/phone", fs::copy_options::recursive);
  base::FakeClock clock(p.now);
  auto keystore =
      client::FileKeyStore::FromKey(crypto::SecretBytes(*base::HexDecode(p.keystore_hex)));
  client::ClientOptions options;
  options.store_dir = work + "/phone";
  options.export_keys = {{"bench-v1", *crypto::EcdsaP256PublicKey::FromSpkiBase64(p.spki)}};
  auto phone = client::Client::Open(options, keystore->get(), &clock);
  if (!phone.ok()) return 1;
  const long long rss_before = bench::PeakRssBytes();
  const bench::RssParts open_parts = bench::CurrentRss();
  client::DirectorySource source(dir + "/exports");
  auto sampler = std::make_unique<bench::RssSampler>();
  double t0 = NowSeconds();
  auto report = (*phone)->Sync(source);
  const double t = NowSeconds() - t0;
  const bench::RssParts peak_parts = sampler->Peak();
  sampler.reset();
  if (!report.ok()) {
    std::fprintf(stderr, "%s\n", report.status().ToString().c_str());
    return 1;
  }
  const long long rss_after = bench::PeakRssBytes();
  auto days = (*phone)->DailySummaries();
  JsonLine("match_client")
      .Add("kernel", std::string(crypto::DerivationKernel()))
      .Add("keys", static_cast<long long>(report->keys))
      .Add("files", static_cast<long long>(report->batches))
      .Add("seconds", t)
      .Add("keys_per_second", static_cast<double>(report->keys) / t)
      .Add("matched_identifiers", static_cast<long long>(report->matched_identifiers))
      .Add("exposure_windows", static_cast<long long>(report->new_exposure_windows))
      .Add("sightings_read", static_cast<long long>(report->sightings_read))
      .Add("peak_rss_bytes", rss_after)
      .Add("peak_rss_at_open_bytes", rss_before)
      .Add("anon_rss_at_open_bytes", open_parts.anon)
      .Add("peak_anon_rss_bytes", peak_parts.anon)
      .Add("peak_file_rss_bytes", peak_parts.file)
      .Add("exposure_days", static_cast<long long>(days.ok() ? days->size() : 0))
      .Print();

  // Nothing new: the same listing again.
  t0 = NowSeconds();
  report = (*phone)->Sync(source);
  JsonLine("sync_nothing_new")
      .Add("ok", static_cast<long long>(report.ok()))
      .Add("milliseconds", (NowSeconds() - t0) * 1e3)
      .Add("sightings_read", static_cast<long long>(report.ok() ? report->sightings_read : 0))
      .Print();

  // One more small batch: a listing of the same files and the new one.
  fs::create_directories(work + "/exports");
  std::string index = ReadAll(dir + "/exports/index.txt");
  for (const auto& e : fs::directory_iterator(dir + "/exports")) {
    if (e.path().extension() == ".zip")
      fs::create_symlink(e.path(), work + "/exports/" + e.path().filename().string());
  }
  for (const auto& e : fs::directory_iterator(dir + "/later")) {
    fs::create_symlink(e.path(), work + "/exports/" + e.path().filename().string());
    index += e.path().filename().string() + "\n";
  }
  std::ofstream(work + "/exports/index.txt") << index;
  client::DirectorySource more(work + "/exports");
  // Meanwhile the phone heard someone: today's index is stale, the past
  // days' are not.
  base::Bytes rpi(16), aem(4);
  crypto::RandomBytes(rpi);
  crypto::RandomBytes(aem);
  if (!(*phone)->RecordSighting(rpi, aem, -70, p.now - 60).ok()) return 1;
  t0 = NowSeconds();
  report = (*phone)->Sync(more);
  JsonLine("sync_small_batch")
      .Add("ok", static_cast<long long>(report.ok()))
      .Add("keys", static_cast<long long>(report.ok() ? report->keys : 0))
      .Add("milliseconds", (NowSeconds() - t0) * 1e3)
      .Add("sightings_read", static_cast<long long>(report.ok() ? report->sightings_read : 0))
      .Print();
  (*phone).reset();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  size_t total_keys = 1'000'000, rpis = 50'000, files = 10;
  std::string keep, workload;
  bool sync_only = false;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--sync-only") {
      sync_only = true;
      continue;
    }
    if (i + 1 >= argc) {
      std::fprintf(stderr, "%s needs a value\n", flag.c_str());
      return 2;
    }
    const std::string v = argv[++i];
    if (flag == "--keys")
      total_keys = std::stoull(v);
    else if (flag == "--rpis")
      rpis = std::stoull(v);
    else if (flag == "--files")
      files = std::stoull(v);
    else if (flag == "--keep")
      keep = v;
    else if (flag == "--workload")
      workload = v;
    else {
      std::fprintf(stderr, "unknown flag %s\n", flag.c_str());
      return 2;
    }
  }
  if (sync_only) return SyncOnly(workload);
  std::string dir = workload;
  if (dir.empty() && !keep.empty()) {
    fs::create_directories(keep);
    dir = keep;
  } else if (dir.empty()) {
    dir = (fs::temp_directory_path() / ("openen-bench-match-" + std::string(6, 'X'))).string();
    if (mkdtemp(dir.data()) == nullptr) return 1;
  }
  if (workload.empty() && MakeWorkload(dir, total_keys, rpis, files) != 0) return 1;
  MatchIndex(dir);
  const std::string self = fs::canonical("/proc/self/exe").string();
  const int rc = std::system((self + " --sync-only --workload " + dir).c_str());
  if (workload.empty() && keep.empty()) fs::remove_all(dir);
  return rc == 0 ? 0 : 1;
}
