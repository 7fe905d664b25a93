// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// MemoryReturner: what a burst freed goes back to the system, though the
// allocator would keep it (built without sanitizers; see tests/CMakeLists.txt).

#include "openen/server/memory.h"

#include <catch2/catch.hpp>
#include <cstring>
#include <memory>
#include <vector>

namespace openen::server {
namespace {

constexpr size_t kMiB = size_t{1} << 20;

// Fragmented allocates |bytes| in 4,000-byte blocks, touches them, and frees
// all but one block in 64, the last one included: the freed memory lies
// between blocks still in use, where free() leaves it resident.
std::vector<std::unique_ptr<char[]>> Fragmented(size_t bytes) {
  std::vector<std::unique_ptr<char[]>> blocks(bytes / 4000);
  for (auto& b : blocks) {
    b.reset(new char[4000]);
    std::memset(b.get(), 1, 4000);
  }
  std::vector<std::unique_ptr<char[]>> kept;
  for (size_t i = 0; i < blocks.size(); ++i) {
    if (i % 64 == 63 || i + 1 == blocks.size()) kept.push_back(std::move(blocks[i]));
  }
  return kept;
}

TEST_CASE("MemoryReturner gives freed pages back once the process grew past its slack",
          "[server][memory]") {
#if !defined(__GLIBC__)
  WARN("MemoryReturner gives memory back with glibc's allocator only");
  return;
#endif
  REQUIRE(ResidentBytes() > 0);
  MemoryReturner returner(16 * kMiB);
  returner.Check();  // the starting point

  const size_t before = ResidentBytes();
  auto kept = Fragmented(256 * kMiB);
  const size_t grown = ResidentBytes();
  // free() kept the pages: the process is still about 256 MiB larger.
  REQUIRE(grown > before + 200 * kMiB);

  CHECK(returner.Check());
  const size_t after = ResidentBytes();
  CAPTURE(before / kMiB, grown / kMiB, after / kMiB);
  CHECK(after < before + 32 * kMiB);

  // Nothing more to give back: no second return until it grows again.
  CHECK_FALSE(returner.Check());
  auto more = Fragmented(64 * kMiB);
  CHECK(returner.Check());
  CHECK(ResidentBytes() < before + 32 * kMiB);
}

}  // namespace
}  // namespace openen::server
