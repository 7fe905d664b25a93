// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/store/db.h"

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <string>

#include "test_util.h"

namespace openen::store {
namespace {

size_t CountRecords(rocksdb::DB* db) {
  size_t n = 0;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator({}));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (!it->key().starts_with(rocksdb::Slice(kPurgeMarkerKey.data(), 2))) ++n;
  }
  return n;
}

TEST_CASE("a database directory is its owner's alone - made 0700 whatever it was",
          "[store][privacy]") {
  openen::testing::TempDir dir;
  const std::string made = dir.Sub("made"), open = dir.Sub("open");
  REQUIRE(::mkdir(open.c_str(), 0755) == 0);
  for (const std::string& path : {made, open}) {
    REQUIRE(OpenPrivateDb(path).ok());
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    INFO(path);
    CHECK((st.st_mode & 07777) == 0700);
  }
}

TEST_CASE("table files hold records as they are - no compression hides bytes from a scan",
          "[store][privacy]") {
  openen::testing::TempDir dir;
  auto db = OpenPrivateDb(dir.Sub("db"));
  REQUIRE(db.ok());
  // A run that any block compressor would fold into back references.
  const std::string run(512, 'r');
  REQUIRE((*db)->Put(SyncedWrite(), "record", run + "|" + run).ok());
  REQUIRE((*db)->Flush({}).ok());
  REQUIRE((*db)->FlushWAL(true).ok());
  bool in_table = false;
  for (const std::string& file :
       openen::testing::FilesContaining(dir.Sub("db"), base::ToBytes(run))) {
    in_table = in_table || file.size() > 4 && file.compare(file.size() - 4, 4, ".sst") == 0;
  }
  CHECK(in_table);
}

TEST_CASE("a transient put costs a synced write and leaves no record", "[store]") {
  testing::TempDir dir;
  auto db = OpenPrivateDb(dir.Sub("db"));
  REQUIRE(db.ok());
  rocksdb::WriteBatch batch;
  batch.Put("kept", "1");
  PutTransient(&batch, "chaff", "value of a real record's size");
  CHECK(batch.Count() == 3);
  REQUIRE(WriteSynced(db->get(), &batch, "test").ok());
  std::string value;
  CHECK((*db)->Get({}, "chaff", &value).IsNotFound());
  CHECK(CountRecords(db->get()) == 1);
}

TEST_CASE("deleting everything empties a store and keeps it usable", "[store]") {
  testing::TempDir dir;
  auto db = OpenPrivateDb(dir.Sub("db"));
  REQUIRE(db.ok());
  for (std::string key : {std::string(1, '\0'), std::string("a"), std::string("\xff\xfe", 2)}) {
    REQUIRE((*db)->Put(SyncedWrite(), key, "v").ok());
  }
  REQUIRE(PurgeDeleted(db->get()).ok());  // writes the purge marker
  rocksdb::WriteBatch all;
  DeleteEverything(&all);
  REQUIRE(WriteSynced(db->get(), &all, "erase").ok());
  CHECK(CountRecords(db->get()) == 0);
  std::string marker;
  CHECK(
      (*db)->Get({}, rocksdb::Slice(kPurgeMarkerKey.data(), kPurgeMarkerKey.size()), &marker).ok());
  REQUIRE((*db)->Put(SyncedWrite(), "after", "v").ok());
  CHECK(CountRecords(db->get()) == 1);
}

TEST_CASE("a pending purge runs once when due and stays due after a failure", "[store]") {
  testing::TempDir dir;
  auto db = OpenPrivateDb(dir.Sub("db"));
  REQUIRE(db.ok());
  PendingPurge purge;
  CHECK(purge.RunIfDue(db->get()).ok());  // nothing due: nothing runs
  std::string marker;
  const rocksdb::Slice marker_key(kPurgeMarkerKey.data(), kPurgeMarkerKey.size());
  CHECK((*db)->Get({}, marker_key, &marker).IsNotFound());
  purge.Mark();
  CHECK(purge.RunIfDue(db->get()).ok());
  REQUIRE((*db)->Get({}, marker_key, &marker).ok());
  const std::string first = marker;
  CHECK(purge.RunIfDue(db->get()).ok());  // ran already: not due again
  REQUIRE((*db)->Get({}, marker_key, &marker).ok());
  CHECK(marker == first);

  // A purge that fails (here: on a read-only view, which cannot flush)
  // stays due, and the next pass runs it.
  purge.Mark();
  rocksdb::DB* read_only = nullptr;
  REQUIRE(rocksdb::DB::OpenForReadOnly(rocksdb::Options(), dir.Sub("db"), &read_only).ok());
  CHECK(!purge.RunIfDue(read_only).ok());
  delete read_only;
  CHECK(purge.RunIfDue(db->get()).ok());
  REQUIRE((*db)->Get({}, marker_key, &marker).ok());
  CHECK(marker != first);
}

}  // namespace
TEST_CASE("a store opened and closed many times keeps a bounded number of files",
          "[store][robustness]") {
  // A phone app's process is started and killed many times a day, and each start opens the
  // store. The directory must not gain a log file per start (RocksDB 7 keeps the empty
  // write-ahead log of a session that wrote nothing, and opens slow down as they pile up).
  // Some starts write (the probe), most only read.
  testing::TempDir dir;
  for (int i = 0; i < 300; ++i) {
    auto db = OpenPrivateDb(dir.Sub("db"), 1 << 20);
    REQUIRE(db.ok());
    if (i % 50 == 0) REQUIRE(ProbeWrite(db->get()).ok());
    std::string value;
    CHECK((*db)->Get({}, "absent", &value).IsNotFound());
  }
  size_t files = 0, logs = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.Sub("db"))) {
    ++files;
    logs += e.path().extension() == ".log" ? 1 : 0;
  }
  INFO(files << " files, " << logs << " write-ahead logs");
  CHECK(logs <= 5);  // retired once more than four pile up
  CHECK(files <= 16);
}

}  // namespace openen::store
