// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Timing, peak memory and JSON output for the benchmarks.

#ifndef OPENEN_BENCH_BENCH_UTIL_H_
#define OPENEN_BENCH_BENCH_UTIL_H_

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <string>
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
