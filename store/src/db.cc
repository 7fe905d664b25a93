// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/store/db.h"

#include <rocksdb/env.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <sys/stat.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "openen/base/fault.h"

namespace openen::store {
namespace {

// The info LOG is never needed to run the servers and may echo file names
// and key ranges; discard it.
class NullLogger final : public rocksdb::Logger {
 public:
  using rocksdb::Logger::Logv;
  void Logv(const char*, va_list) override {}
};

}  // namespace

base::Status FromRocksDb(const rocksdb::Status& s, const std::string& what) {
  if (s.ok()) return base::Status::Ok();
  base::StatusCode code = s.IsNotFound()     ? base::StatusCode::kNotFound
                          : s.IsCorruption() ? base::StatusCode::kDataLoss
                          : s.IsIOError()    ? base::StatusCode::kUnavailable
                                             : base::StatusCode::kInternal;
  return base::Status(code, what + ": " + s.ToString());
}

base::StatusOr<std::unique_ptr<rocksdb::DB>> OpenPrivateDb(const std::string& path,
                                                           size_t write_buffer_bytes) {
  rocksdb::Options options;
  if (write_buffer_bytes != 0) {
    options.write_buffer_size = write_buffer_bytes;
    options.max_write_buffer_number = 2;
    options.target_file_size_base = 4 * write_buffer_bytes;
    options.max_bytes_for_level_base = 16 * write_buffer_bytes;
    // A small store opened and closed often (a phone app's life) would
    // spend more allocating and truncating preallocated log space than writing.
    options.allow_fallocate = false;
    // Nor does it cache blocks: a phone reads each day's records about once
    // a sync (then keeps its own index of them), and a block cache would
    // hold a copy of everything read, up to 8 MiB, in the app's memory.
    rocksdb::BlockBasedTableOptions table;
    table.no_block_cache = true;
    options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  }
  options.create_if_missing = true;
  options.info_log = std::make_shared<NullLogger>();
  options.max_manifest_file_size = 1;  // roll (and delete the old one) on every edit
  // A manifest that rolls on every edit stays tiny: preallocating the
  // default 4 MiB each time only costs an allocation and a truncation.
  options.manifest_preallocation_size = 0;
  options.WAL_ttl_seconds = 0;
  options.WAL_size_limit_MB = 0;
  options.recycle_log_file_num = 0;
  options.paranoid_checks = true;
  options.keep_log_file_num = 1;
  // No block compression: the records are keys, digests and ciphertext,
  // which do not compress, and an auditor's scan of the files for a key's
  // bytes (the tests' too) must see every stored key as it is. Compressed
  // blocks would hide stored bytes behind back references.
  options.compression = rocksdb::kNoCompression;
  options.bottommost_compression = rocksdb::kNoCompression;
  // The directory is its owner's alone, whatever the umask or the
  // directory's mode when it was made (a service's state directory is often
  // 0755): no other local user reads a record.
  if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) {
    return base::UnavailableError("cannot make the database directory " + path + ": " +
                                  std::strerror(errno));
  }
  if (::chmod(path.c_str(), 0700) != 0) {
    return base::UnavailableError("cannot make the database directory " + path +
                                  " private (mode 0700): " + std::strerror(errno));
  }
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(options, path, &raw);
  if (!s.ok()) return FromRocksDb(s, "cannot open database " + path);
  std::unique_ptr<rocksdb::DB> db(raw);
  // RocksDB 7 keeps the write-ahead log of a session that wrote nothing:
  // empty, and never retired, since only a flush retires logs and there is
  // nothing to flush. A phone app opens its store at every start, so such
  // logs would pile up, one per start, and every open would read them all.
  // When an open finds more than kMaxLogs of them (counted as files: RocksDB's
  // own list leaves the empty ones out), a transient write and a flush retire
  // them. It is housekeeping: a failure leaves the logs for a later open and
  // never fails this one.
  constexpr size_t kMaxLogs = 4;
  size_t logs = 0;
  std::error_code error;
  for (std::filesystem::directory_iterator it(path, error), end; !error && it != end;
       it.increment(error)) {
    logs += it->path().extension() == ".log" ? 1 : 0;
  }
  if (!error && logs > kMaxLogs) {
    rocksdb::WriteBatch batch;
    PutTransient(&batch, std::string(kPurgeMarkerKey.substr(0, 2)) + "openen-retire-logs", "");
    if (WriteSynced(db.get(), &batch, "retire the write-ahead logs").ok()) {
      rocksdb::FlushOptions flush;
      flush.wait = true;
      db->Flush(flush).PermitUncheckedError();
    }
  }
  return db;
}

rocksdb::WriteOptions SyncedWrite() {
  rocksdb::WriteOptions w;
  w.sync = true;
  return w;
}

base::Status WriteSynced(rocksdb::DB* db, rocksdb::WriteBatch* batch, const std::string& what) {
  return FromRocksDb(db->Write(SyncedWrite(), batch), what);
}

base::Status ProbeWrite(rocksdb::DB* db) {
  rocksdb::WriteBatch batch;
  PutTransient(&batch, std::string(kPurgeMarkerKey.substr(0, 2)) + "openen-probe", "");
  base::Status s = base::FaultPoint("store.probe");
  if (s.ok()) s = WriteSynced(db, &batch, "probe");
  if (!s.ok()) return base::UnavailableError("the store cannot be written: " + s.message());
  return s;
}

void DeleteEverything(rocksdb::WriteBatch* batch) {
  batch->DeleteRange(std::string(1, '\0'), std::string(kPurgeMarkerKey.substr(0, 2)));
}

void PutTransient(rocksdb::WriteBatch* batch, const rocksdb::Slice& key,
                  const rocksdb::Slice& value) {
  batch->Put(key, value);
  batch->Delete(key);
}

base::Status PendingPurge::RunIfDue(rocksdb::DB* db) {
  if (!due_.exchange(false)) return base::Status::Ok();
  base::Status s = PurgeDeleted(db);
  if (!s.ok()) due_ = true;
  return s;
}

base::Status PurgeDeleted(rocksdb::DB* db) {
  rocksdb::FlushOptions flush;
  flush.wait = true;
  OPENEN_RETURN_IF_ERROR(FromRocksDb(db->Flush(flush), "flush"));
  rocksdb::CompactRangeOptions compact;
  compact.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  compact.change_level = false;
  OPENEN_RETURN_IF_ERROR(FromRocksDb(db->CompactRange(compact, nullptr, nullptr), "compaction"));
  static std::atomic<uint64_t> generation{0};
  const std::string marker = std::to_string(++generation);
  OPENEN_RETURN_IF_ERROR(
      FromRocksDb(db->Put(SyncedWrite(), rocksdb::Slice(kPurgeMarkerKey.data(), kPurgeMarkerKey.size()), marker),
                  "purge marker"));
  OPENEN_RETURN_IF_ERROR(FromRocksDb(db->Flush(flush), "flush"));
  return base::Status::Ok();
}

}  // namespace openen::store
