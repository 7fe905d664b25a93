// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Helpers shared by the tests: vector files and hex.

#ifndef OPENEN_TESTS_TEST_UTIL_H_
#define OPENEN_TESTS_TEST_UTIL_H_

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "openen/base/bytes.h"

namespace openen::testing {

// VectorPath returns the path of a file in tests/vectors/.
inline std::string VectorPath(const std::string& name) {
  return std::string(OPENEN_TEST_VECTORS_DIR) + "/" + name;
}

// ReadFile returns a whole file; throws (failing the test) if it is missing.
inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Hex decodes a hex literal; throws on malformed test data.
inline base::Bytes Hex(const std::string& hex) {
  auto b = base::HexDecode(hex);
  if (!b.ok()) throw std::runtime_error("bad hex in test: " + hex);
  return *b;
}

template <size_t N>
std::array<uint8_t, N> HexArray(const std::string& hex) {
  base::Bytes b = Hex(hex);
  if (b.size() != N) throw std::runtime_error("hex literal has wrong size: " + hex);
  std::array<uint8_t, N> a;
  std::copy(b.begin(), b.end(), a.begin());
  return a;
}

// TempDir is a fresh directory under /tmp, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / ("openen-test-" + std::string(6, 'X'))).string();
    if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// FilesContaining returns the files under |dir| (recursively) whose bytes
// contain |needle| anywhere: the byte scan behind every "nothing is left"
// claim.
inline std::vector<std::string> FilesContaining(const std::string& dir, base::ByteView needle) {
  std::vector<std::string> hits;
  if (needle.empty()) return hits;
  std::string n(base::AsChars(needle));
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::string contents = ReadFile(entry.path().string());
    if (contents.find(n) != std::string::npos) hits.push_back(entry.path().string());
  }
  return hits;
}

}  // namespace openen::testing

#endif  // OPENEN_TESTS_TEST_UTIL_H_
