// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Recording sightings through the C API (openen.h), the baseline that
// bench/java/RecordSightingsBench.java measures again through the Java API:
// the difference is what JNI costs per openen_record_sightings batch. Both run
// the same workload (the same SplitMix64 stream, so the same bytes): for each
// batch size and each of --runs runs, a fresh store under a fixed clock, an
// unmeasured warm-up of --warmup sightings, then --sightings sightings timed
// (the batch filled from memory made beforehand, then recorded), each sighting
// a random 16-byte RPI and 4-byte AEM at RSSI -60, heard within the day before
// the clock's time. Batch 0 is the bare call: --calls empty batches, nothing
// stored. Prints one JSON line per batch size, the fastest of its runs:
//   {"name": "record_sightings_c", "batch": 16, "sightings": 20000, "batches": 1250,
//    "runs": 3, "seconds": ..., "sightings_per_second": ..., "ns_per_batch": ...}
// Usage: bench_jni_sightings --dir DIR [--sightings N] [--warmup N] [--calls N] [--runs N]
// (DIR: an empty directory for the stores; bench/jni_sightings.sh runs both.)

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "bench_util.h"
#include "openen/openen.h"

namespace {

using openen::bench::JsonLine;
using openen::bench::NowSeconds;

// The clock's fixed time: noon UTC, so the day before it spans two store days.
constexpr int64_t kNow = 1795000000 / 86400 * 86400 + 12 * 3600;
constexpr int kRssi = -60;
constexpr int kBatchSizes[] = {0, 1, 16, 256};

int64_t FixedClock(void*) { return kNow; }

// SplitMix64, as RecordSightingsBench.java has it.
struct SplitMix64 {
  uint64_t state;
  uint64_t Next() {
    uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
};

// The sightings, made before any timing: 20 bytes of service data (RPI then
// AEM) and a time each.
struct Workload {
  std::vector<uint8_t> service_data;
  std::vector<int64_t> times;
};

Workload MakeWorkload(size_t n) {
  Workload w;
  w.service_data.resize(n * 20);
  w.times.resize(n);
  SplitMix64 rng{1};
  for (size_t i = 0; i < n; ++i) {
    uint8_t bytes[24];
    for (int j = 0; j < 3; ++j) {
      const uint64_t v = rng.Next();
      for (int k = 0; k < 8; ++k) bytes[j * 8 + k] = static_cast<uint8_t>(v >> (8 * k));
    }
    std::memcpy(&w.service_data[i * 20], bytes, 20);
    w.times[i] = kNow - static_cast<int64_t>(rng.Next() % 86400);
  }
  return w;
}

void Fail(const char* what, openen_status s, char* err) {
  std::fprintf(stderr, "bench_jni_sightings: %s: %s: %s\n", what, openen_status_name(s),
               err != nullptr ? err : "");
  std::exit(1);
}

struct Client {
  openen_keystore* keystore = nullptr;
  openen_options* options = nullptr;
  openen_client* client = nullptr;

  explicit Client(const std::string& dir) {
    char* err = nullptr;
    openen_status s = openen_keystore_open_file((dir + ".key").c_str(), &keystore, &err);
    if (s != OPENEN_OK) Fail("open the key store", s, err);
    options = openen_options_create();
    openen_options_set_store_dir(options, dir.c_str());
    openen_options_set_clock(options, nullptr, FixedClock);
    s = openen_client_open(options, keystore, &client, &err);
    if (s != OPENEN_OK) Fail("open the client", s, err);
  }
  ~Client() {
    openen_client_close(client);
    openen_options_free(options);
    openen_keystore_free(keystore);
  }
};

// Records sightings [first, first + count) in batches of |batch| (|count|
// empty calls when |batch| is 0); returns the seconds it took.
double Record(openen_client* client, const Workload& w, size_t first, size_t count, size_t batch,
              std::vector<openen_observation>* buffer) {
  char* err = nullptr;
  const double start = NowSeconds();
  if (batch == 0) {
    for (size_t i = 0; i < count; ++i) {
      openen_status s = openen_record_sightings(client, buffer->data(), 0, &err);
      if (s != OPENEN_OK) Fail("record an empty batch", s, err);
    }
    return NowSeconds() - start;
  }
  for (size_t at = first; at < first + count; at += batch) {
    const size_t n = std::min(batch, first + count - at);
    for (size_t i = 0; i < n; ++i) {
      openen_observation& o = (*buffer)[i];
      std::memcpy(o.rpi, &w.service_data[(at + i) * 20], 16);
      std::memcpy(o.aem, &w.service_data[(at + i) * 20 + 16], 4);
      o.rssi = kRssi;
      o.unix_time = w.times[at + i];
    }
    openen_status s = openen_record_sightings(client, buffer->data(), n, &err);
    if (s != OPENEN_OK) Fail("record sightings", s, err);
  }
  return NowSeconds() - start;
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir;
  size_t sightings = 20000, warmup = 10000, calls = 200000, runs = 3;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--dir") {
      dir = argv[i + 1];
      continue;
    }
    const size_t v = static_cast<size_t>(std::atoll(argv[i + 1]));
    if (flag == "--sightings") sightings = v;
    if (flag == "--warmup") warmup = v;
    if (flag == "--calls") calls = v;
    if (flag == "--runs") runs = v;
  }
  if (dir.empty() || sightings == 0 || runs == 0) {
    std::fprintf(stderr,
                 "usage: bench_jni_sightings --dir DIR [--sightings N] [--warmup N] [--calls N] "
                 "[--runs N]\n");
    return 2;
  }
  const Workload w = MakeWorkload(warmup + sightings);
  std::vector<openen_observation> buffer(256);
  for (int batch : kBatchSizes) {
    const size_t b = static_cast<size_t>(batch);
    const size_t count = b == 0 ? calls : sightings;
    double seconds = 0;
    for (size_t run = 0; run < runs; ++run) {
      Client c(dir + "/batch-" + std::to_string(batch) + "-run-" + std::to_string(run));
      // Batch 0 warms up with a quarter of its calls.
      Record(c.client, w, 0, b == 0 ? calls / 4 : warmup, b, &buffer);
      const double s = Record(c.client, w, warmup, count, b, &buffer);
      if (run == 0 || s < seconds) seconds = s;
    }
    const long long batches = static_cast<long long>(b == 0 ? calls : (count + b - 1) / b);
    JsonLine line("record_sightings_c");
    line.Add("batch", static_cast<long long>(batch))
        .Add("sightings", static_cast<long long>(b == 0 ? 0 : count))
        .Add("batches", batches)
        .Add("runs", static_cast<long long>(runs))
        .Add("seconds", seconds);
    if (b != 0) line.Add("sightings_per_second", static_cast<double>(count) / seconds);
    line.Add("ns_per_batch", seconds * 1e9 / static_cast<double>(batches)).Print();
  }
  return 0;
}
