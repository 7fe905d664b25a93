// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/crypto/secret.h"

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <catch2/catch.hpp>
#include <thread>

#include "openen/crypto/random.h"
#include "test_util.h"

namespace openen::crypto {
namespace {

TEST_CASE("SecretBytes compares by content in constant time", "[secret]") {
  SecretBytes a(testing::Hex("00112233"));
  SecretBytes b(testing::Hex("00112233"));
  SecretBytes c(testing::Hex("00112234"));
  SecretBytes shorter(testing::Hex("001122"));
  CHECK(a == b);
  CHECK_FALSE(a == c);
  CHECK_FALSE(a == shorter);
  CHECK(SecretBytes() == SecretBytes());
  CHECK(ConstantTimeEqual(a.Reveal(), b.Reveal()));
  CHECK_FALSE(ConstantTimeEqual(a.Reveal(), shorter.Reveal()));
}

TEST_CASE("SecretBytes moves leave the source empty, clones are deep", "[secret]") {
  SecretBytes a(testing::Hex("deadbeef"));
  SecretBytes clone = a.Clone();
  SecretBytes moved = std::move(a);
  CHECK(a.empty());  // NOLINT(bugprone-use-after-move): the moved-from state is specified
  CHECK(moved == clone);
  CHECK(moved.Reveal().data() != clone.Reveal().data());
}

TEST_CASE("Wipe zeroes a buffer", "[secret]") {
  base::Bytes buf = testing::Hex("ffffffff");
  Wipe(buf);
  CHECK(buf == base::Bytes(4, 0));
}

TEST_CASE("Random secrets and RandomUniform", "[secret][random]") {
  CHECK(Init().ok());
  SecretBytes r1 = SecretBytes::Random(32), r2 = SecretBytes::Random(32);
  CHECK(r1.size() == 32);
  CHECK_FALSE(r1 == r2);
  CHECK(RandomUniform(0) == 0);
  CHECK(RandomUniform(1) == 0);
  bool seen[3] = {};
  for (int i = 0; i < 200; ++i) {
    uint32_t v = RandomUniform(3);
    REQUIRE(v < 3);
    seen[v] = true;
  }
  CHECK((seen[0] && seen[1] && seen[2]));
}

TEST_CASE("PaddingBytes differ between calls - threads and a forked child", "[random]") {
  auto draw = [] {
    std::array<uint8_t, 64> out{};
    PaddingBytes(out);
    return out;
  };
  const auto first = draw(), second = draw();
  CHECK(first != second);
  CHECK(first != std::array<uint8_t, 64>{});
  std::array<uint8_t, 64> other{};
  std::thread([&] { other = draw(); }).join();
  CHECK(other != first);
  CHECK(other != second);
  // A forked child keys a stream of its own: it never repeats the parent's.
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    const auto mine = draw();
    _exit(write(fds[1], mine.data(), mine.size()) == static_cast<ssize_t>(mine.size()) ? 0 : 1);
  }
  close(fds[1]);
  std::array<uint8_t, 64> from_child{};
  REQUIRE(read(fds[0], from_child.data(), from_child.size()) == static_cast<ssize_t>(from_child.size()));
  close(fds[0]);
  int status = 0;
  waitpid(child, &status, 0);
  CHECK(from_child != draw());
}

}  // namespace
}  // namespace openen::crypto
