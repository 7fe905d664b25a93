// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/base/file.h"

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <string>

#include "openen/base/fault.h"
#include "test_util.h"

namespace openen::base {
namespace {

TEST_CASE("ReadFile returns a whole file and refuses one over its bound before reading", "[file]") {
  testing::TempDir dir;
  const std::string path = dir.Sub("f");
  REQUIRE(WriteFileAtomically(path, "0123456789", false).ok());
  CHECK(*ReadFile(path, 10) == "0123456789");
  auto over = ReadFile(path, 9, "the test file");
  CHECK(over.status().code() == StatusCode::kResourceExhausted);
  CHECK(over.status().message() == "the test file is 10 bytes, more than the limit of 9");
  auto missing = ReadFile(dir.Sub("none"), 10);
  CHECK(missing.status().code() == StatusCode::kNotFound);
  CHECK(missing.status().message() == "cannot read " + dir.Sub("none"));
  // A directory is no file.
  CHECK(!ReadFile(dir.path(), kMaxSmallFileBytes).ok());
}

TEST_CASE("ReadFileBytes reads what ReadFile reads, with the same bounds and errors", "[file]") {
  testing::TempDir dir;
  const std::string path = dir.Sub("f");
  std::string big(200000, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 7);
  REQUIRE(WriteFileAtomically(path, big, false).ok());
  auto bytes = ReadFileBytes(path, big.size());
  REQUIRE(bytes.ok());
  CHECK(std::string(AsChars(*bytes)) == big);
  CHECK(bytes->capacity() == big.size());  // sized once, not grown
  auto over = ReadFileBytes(path, big.size() - 1, "the test file");
  CHECK(over.status().message() == "the test file is 200000 bytes, more than the limit of 199999");
  CHECK(ReadFileBytes(dir.Sub("none"), 10).status().code() == StatusCode::kNotFound);
}

TEST_CASE("ReadFile reads a pipe, which has no size, up to its bound", "[file]") {
  for (size_t limit : {size_t{10}, size_t{9}}) {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    REQUIRE(::write(fds[1], "0123456789", 10) == 10);
    ::close(fds[1]);
    auto read = ReadFile("/proc/self/fd/" + std::to_string(fds[0]), limit, "the pipe");
    ::close(fds[0]);
    if (limit == 10) {
      CHECK(*read == "0123456789");
    } else {
      CHECK(read.status().message() == "the pipe is more than the limit of 9 bytes");
    }
  }
}

TEST_CASE("ReadFile says why a file that exists cannot be read", "[file]") {
  testing::TempDir dir;
  REQUIRE(WriteFileAtomically(dir.Sub("f"), "x", false).ok());
  // A path through a file (not a directory) fails with ENOTDIR, not ENOENT.
  auto through = ReadFile(dir.Sub("f/g"), 10);
  CHECK(through.status().code() == StatusCode::kNotFound);
  CHECK(through.status().message() == "cannot read " + dir.Sub("f/g") + ": Not a directory");
}

TEST_CASE("WriteFileAtomically replaces the file whole, with the mode its secrecy asks", "[file]") {
  testing::TempDir dir;
  const std::string path = dir.Sub("key");
  REQUIRE(WriteFileAtomically(path, "old", true).ok());
  REQUIRE(WriteFileAtomically(path, "new contents", true).ok());
  CHECK(*ReadFile(path, 100) == "new contents");
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(::stat((path + ".tmp").c_str(), &st) != 0);  // nothing left beside it
  REQUIRE(WriteFileAtomically(dir.Sub("public"), "x", false).ok());
  REQUIRE(::stat(dir.Sub("public").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0644);
  CHECK(!WriteFileAtomically(dir.Sub("no/such/dir/f"), "x", false).ok());
}

TEST_CASE("a secret written over a leftover temporary file gets the secret's mode", "[file]") {
  testing::TempDir dir;
  const std::string path = dir.Sub("key");
  // An earlier attempt's leftover, world-readable.
  REQUIRE(WriteFileAtomically(path + ".tmp", "old", false).ok());
  REQUIRE(WriteFileAtomically(path, "secret", true).ok());
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(*ReadFile(path, 100) == "secret");
  // A write that fails (its target is a directory) leaves no temporary file.
  REQUIRE(::mkdir(dir.Sub("d").c_str(), 0755) == 0);
  REQUIRE(::mkdir(dir.Sub("d/x").c_str(), 0755) == 0);
  REQUIRE(::mkdir(dir.Sub("d/x/y").c_str(), 0755) == 0);
  CHECK(!WriteFileAtomically(dir.Sub("d/x"), "z", false).ok());
  CHECK(!FileExists(dir.Sub("d/x.tmp")));
}

TEST_CASE("RemoveFile removes a file and accepts one already gone", "[file]") {
  testing::TempDir dir;
  REQUIRE(WriteFileAtomically(dir.Sub("f"), "x", false).ok());
  CHECK(RemoveFile(dir.Sub("f")).ok());
  CHECK(!FileExists(dir.Sub("f")));
  CHECK(RemoveFile(dir.Sub("f")).ok());
  CHECK(SyncDirectory(dir.path()).ok());
  const Status missing = SyncDirectory(dir.Sub("none"));
  CHECK(missing.code() == StatusCode::kUnavailable);
  CHECK(missing.message() ==
        "cannot sync directory " + dir.Sub("none") + ": No such file or directory");
}

#ifdef OPENEN_FAULT_INJECTION

TEST_CASE("WriteFileAtomically fails when the directory sync fails", "[file][fault]") {
  testing::TempDir dir;
  ArmFault("file.sync_directory", FaultAction::kError);
  const Status s = WriteFileAtomically(dir.Sub("f"), "x", false);
  DisarmFaults();
  CHECK(s.code() == StatusCode::kUnavailable);
  CHECK(s.message() ==
        "cannot sync directory " + dir.path() + ": injected fault at file.sync_directory");
  LoseUnsyncedChanges();
  // Not durable, so a power cut takes it.
  CHECK(!FileExists(dir.Sub("f")));
}

TEST_CASE("LoseUnsyncedChanges undoes what is not synced and nothing that is", "[file][fault]") {
  testing::TempDir dir;
  LoseUnsyncedChanges();  // forget earlier tests' records
  REQUIRE(WriteFileAtomically(dir.Sub("replaced"), "old", true).ok());
  REQUIRE(WriteFileAtomically(dir.Sub("removed"), "kept", false).ok());
  REQUIRE(WriteFileAtomically(dir.Sub("durable"), "d", false).ok());

  // Renamed over, directory not synced: the old contents and mode come back.
  ArmFault("file.write.renamed", FaultAction::kError);
  CHECK(!WriteFileAtomically(dir.Sub("replaced"), "new", false).ok());
  CHECK(*ReadFile(dir.Sub("replaced"), 100) == "new");
  // Synced data in a .tmp not yet renamed: the entry is not durable.
  ArmFault("file.write.synced", FaultAction::kError);
  CHECK(!WriteFileAtomically(dir.Sub("created"), "c", false).ok());
  CHECK(FileExists(dir.Sub("created.tmp")));
  // Removed, directory not synced: it comes back.
  REQUIRE(RemoveFile(dir.Sub("removed")).ok());
  CHECK(!FileExists(dir.Sub("removed")));

  LoseUnsyncedChanges();
  CHECK(*ReadFile(dir.Sub("replaced"), 100) == "old");
  struct stat st {};
  REQUIRE(::stat(dir.Sub("replaced").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(!FileExists(dir.Sub("created.tmp")));
  CHECK(!FileExists(dir.Sub("created")));
  CHECK(*ReadFile(dir.Sub("removed"), 100) == "kept");
  CHECK(*ReadFile(dir.Sub("durable"), 100) == "d");

  // Once the directory is synced, a power cut changes nothing.
  REQUIRE(RemoveFile(dir.Sub("removed")).ok());
  REQUIRE(SyncDirectory(dir.path()).ok());
  LoseUnsyncedChanges();
  CHECK(!FileExists(dir.Sub("removed")));
  DisarmFaults();
}

#endif  // OPENEN_FAULT_INJECTION

TEST_CASE("Trim removes surrounding whitespace only", "[file]") {
  CHECK(Trim("  a b \r\n") == "a b");
  CHECK(Trim("\t\n").empty());
  CHECK(Trim("x") == "x");
}

}  // namespace
}  // namespace openen::base
