// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Timing, peak memory and JSON output for the benchmarks.

#ifndef OPENEN_BENCH_BENCH_UTIL_H_
#define OPENEN_BENCH_BENCH_UTIL_H_

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace openen::bench {

inline double NowSeconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// PeakRssBytes returns the process's peak resident set size.
inline long long PeakRssBytes() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<long long>(u.ru_maxrss) * 1024;
}

// RssParts is the resident set by kind, from /proc/self/status: anonymous
// (the process's own heap and stacks) and file-backed (mapped code and data
// of the executable and its shared libraries, shared with other processes).
struct RssParts {
  long long anon = 0, file = 0;
};

inline RssParts CurrentRss() {
  RssParts r;
  if (std::FILE* f = std::fopen("/proc/self/status", "r")) {
    char line[256];
    long long kb = 0;
    while (std::fgets(line, sizeof(line), f)) {
      if (std::sscanf(line, "RssAnon: %lld kB", &kb) == 1) r.anon = kb * 1024;
      if (std::sscanf(line, "RssFile: %lld kB", &kb) == 1) r.file = kb * 1024;
    }
    std::fclose(f);
  }
  return r;
}

// RssSampler samples RssParts every 10 milliseconds on a thread of its own and
// keeps the peak of each, for a figure the kernel keeps no peak of.
class RssSampler {
 public:
  RssSampler()
      : thread_([this] {
          while (!stop_.load()) {
            const RssParts r = CurrentRss();
            {
              std::lock_guard<std::mutex> lock(mu_);
              peak_.anon = std::max(peak_.anon, r.anon);
              peak_.file = std::max(peak_.file, r.file);
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
          }
        }) {}
  ~RssSampler() {
    stop_ = true;
    thread_.join();
  }
  RssParts Peak() {
    std::lock_guard<std::mutex> lock(mu_);
    return peak_;
  }

 private:
  std::mutex mu_;
  RssParts peak_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// JsonLine prints one JSON object on stdout: {"name": ..., key: value, ...}.
class JsonLine {
 public:
  explicit JsonLine(std::string name) { fields_.emplace_back("name", Quote(name)); }
  JsonLine& Add(const std::string& key, double v) {
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%.6g", v);
    fields_.emplace_back(key, buf);
    return *this;
  }
  JsonLine& Add(const std::string& key, long long v) {
    fields_.emplace_back(key, std::to_string(v));
    return *this;
  }
  JsonLine& Add(const std::string& key, const std::string& v) {
    fields_.emplace_back(key, Quote(v));
    return *this;
  }
  void Print() const {
    std::string out = "{";
    for (size_t i = 0; i < fields_.size(); ++i) {
      if (i) out += ", ";
      out += Quote(fields_[i].first) + ": " + fields_[i].second;
    }
    std::printf("%s}\n", out.c_str());
    std::fflush(stdout);
  }

 private:
  static std::string Quote(const std::string& s) { return "\"" + s + "\""; }
  std::vector<std::pair<std::string, std::string>> fields_;
};

}  // namespace openen::bench

#endif  // OPENEN_BENCH_BENCH_UTIL_H_
