// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// RocksDB opened for data that must be deletable for real, on the phone and on
// the servers alike. A deleted record
// can survive in the write-ahead log, in an SST file until compaction, in the
// MANIFEST (which records each file's first and last key) and in the info
// LOG. OpenPrivateDb configures RocksDB so that PurgeDeleted removes all four.

#ifndef OPENEN_STORE_DB_H_
#define OPENEN_STORE_DB_H_

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <atomic>
#include <memory>
#include <string>
#include <string_view>

#include "openen/base/status.h"

namespace openen::store {

// OpenPrivateDb opens (creating if missing) a RocksDB at |path|, a directory
// it makes its owner's alone (mode 0700, whatever it was): no info log,
// write-ahead log files deleted as soon as flushed, and a MANIFEST rolled over
// (and the old one deleted) on every change. |write_buffer_bytes| (0: RocksDB's
// 64 MiB default) bounds the memtable and so the write-ahead log: a phone,
// which rewrites small sealed records, wants it small; such a small store
// also does not preallocate its log files, nor keep a block cache.
base::StatusOr<std::unique_ptr<rocksdb::DB>> OpenPrivateDb(const std::string& path,
                                                           size_t write_buffer_bytes = 0);

// Keys starting with 0xff 0xff are reserved for PurgeDeleted's marker.
inline constexpr std::string_view kPurgeMarkerKey = "\xff\xffopenen-purge-marker";

// SyncedWrite returns write options for writes acknowledged to a client.
rocksdb::WriteOptions SyncedWrite();

// WriteSynced applies |batch| durably (synced) before returning; errors are
// prefixed by |what|.
base::Status WriteSynced(rocksdb::DB* db, rocksdb::WriteBatch* batch, const std::string& what);

// ProbeWrite checks that |db| can be written: one synced write of a record
// and its deletion (PutTransient), which leaves nothing. UNAVAILABLE "the
// store cannot be written: ..." otherwise. For health checks.
base::Status ProbeWrite(rocksdb::DB* db);

// DeleteEverything adds to |batch| the deletion of every record (every key
// below kPurgeMarkerKey's reserved prefix): how a store is erased in place.
void DeleteEverything(rocksdb::WriteBatch* batch);

// PutTransient adds |key| -> |value| to |batch| and its deletion after it:
// chaff that costs, syncs and fills the write-ahead log as a real write of
// that record does, and leaves nothing once applied.
void PutTransient(rocksdb::WriteBatch* batch, const rocksdb::Slice& key,
                  const rocksdb::Slice& value);

// PurgeDeleted makes past deletions physical: flushes the memtable (so the
// write-ahead log that held deleted values is released), compacts every level
// down to the bottom (dropping deleted records and their tombstones), then
// rewrites kPurgeMarkerKey and flushes once more. That last edit rolls the
// MANIFEST over to a snapshot of the compacted files only: the snapshot taken
// during compaction still names the deleted input files and their first and
// last keys. Blocks; call off the request path.
base::Status PurgeDeleted(rocksdb::DB* db);

// PendingPurge remembers that a store holds deletions (or writes whose
// write-ahead log should go) that PurgeDeleted has not made physical yet, so
// that a periodic maintenance pass purges only when there is something to
// purge, and tries again after a purge that failed. Thread-safe.
class PendingPurge {
 public:
  // Mark records that a purge is due.
  void Mark() { due_ = true; }
  // RunIfDue runs PurgeDeleted(db) when a purge is due; after an error it
  // stays due.
  base::Status RunIfDue(rocksdb::DB* db);

 private:
  std::atomic<bool> due_{false};
};

// FromRocksDb maps a RocksDB status to an OpenEN one, prefixed by |what|.
base::Status FromRocksDb(const rocksdb::Status& s, const std::string& what);

}  // namespace openen::store

#endif  // OPENEN_STORE_DB_H_
