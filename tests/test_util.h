// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Helpers shared by the tests: vector files and hex.

#ifndef OPENEN_TESTS_TEST_UTIL_H_
#define OPENEN_TESTS_TEST_UTIL_H_

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include "openen/crypto/bytes.h"

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
inline Bytes Hex(const std::string& hex) {
  auto b = HexDecode(hex);
  if (!b.ok()) throw std::runtime_error("bad hex in test: " + hex);
  return *b;
}

template <size_t N>
std::array<uint8_t, N> HexArray(const std::string& hex) {
  Bytes b = Hex(hex);
  if (b.size() != N) throw std::runtime_error("hex literal has wrong size: " + hex);
  std::array<uint8_t, N> a;
  std::copy(b.begin(), b.end(), a.begin());
  return a;
}

}  // namespace openen::testing

#endif  // OPENEN_TESTS_TEST_UTIL_H_
