// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Internal: the client's encrypted store. Everything personal is sealed with
// XChaCha20-Poly1305 under a data key of the UTC day it belongs to; each day
// key is wrapped by the platform KeyStore and stored beside the data.
// Deleting a day destroys its wrapped key first (so any remnant is
// unreadable), then deletes the day's records and compacts them away.
//
// Layout (day = days since the epoch; interval = EN interval number):
//   'D' BE32(day)                -> wrapped day key
//   'T' BE32(day)                -> sealed own TEK record
//   'S' BE32(interval)           -> sealed sightings of that interval
//   'W' BE32(day) BE32(sequence) -> sealed exposure window
//   'M' name                     -> metadata (sync progress, configuration,
//                                   pause flag, canary): nothing personal

#ifndef OPENEN_CLIENT_SRC_STORE_H_
#define OPENEN_CLIENT_SRC_STORE_H_

#include <rocksdb/db.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "openen/client/platform.h"
#include "openen/crypto/aead.h"

namespace openen::client::internal {

std::string DayKey(char prefix, uint32_t day);
std::string IntervalKey(uint32_t interval);  // 'S' BE32(interval)
std::string WindowKey(uint32_t day, uint32_t sequence);
uint32_t ReadBe32(const char* p);

class Store {
 public:
  // Open opens (creating) the store and checks that |keystore| is the one
  // that wrapped it: PERMISSION_DENIED if not, DATA_LOSS for a corrupt store.
  static StatusOr<std::unique_ptr<Store>> Open(const std::string& path, KeyStore* keystore);

  // Seal/Open records of |day| (AD = the record key, so records cannot be swapped).
  Status PutSealed(const std::string& key, uint32_t day, ByteView plaintext, bool sync = false);
  // GetSealed: nullopt when absent (or its day key is gone).
  StatusOr<std::optional<Bytes>> GetSealed(const std::string& key, uint32_t day);
  // ForEachSealed visits records with keys in [begin, end), decrypting each
  // with the day |day_of(key)| names.
  Status ForEachSealed(const std::string& begin, const std::string& end,
                       const std::function<uint32_t(const rocksdb::Slice&)>& day_of,
                       const std::function<Status(const rocksdb::Slice&, const Bytes&)>& fn);

  // SealedRecord is one record for Commit.
  struct SealedRecord {
    std::string key;
    uint32_t day;
    Bytes plaintext;
  };
  // Commit seals |records| and writes them, with one metadata entry unless
  // |meta_name| is empty, in one batch (synced unless |sync| is false): all
  // or nothing.
  Status Commit(const std::vector<SealedRecord>& records, const std::string& meta_name, std::string_view meta_value,
                bool sync = true);

  Status PutMeta(const std::string& name, std::string_view value, bool sync = true);
  std::optional<std::string> GetMeta(const std::string& name);
  Status DeleteMeta(const std::string& name);

  // DeleteDaysBefore destroys the keys and records of every day < |first_kept_day|.
  Status DeleteDaysBefore(uint32_t first_kept_day);
  // HasDaysBefore reports whether any key or record of a day < |first_kept_day| is stored.
  bool HasDaysBefore(uint32_t first_kept_day);
  // EraseAll deletes every record and key, keeping the store usable.
  Status EraseAll();
  // Compact makes past deletions physical (store::PurgeDeleted).
  Status Compact();

  // Count records with keys in [begin, end).
  size_t Count(const std::string& begin, const std::string& end);

 private:
  Store(std::unique_ptr<rocksdb::DB> db, KeyStore* keystore) : db_(std::move(db)), keystore_(keystore) {}
  StatusOr<const crypto::Aead*> DayCipher(uint32_t day, bool create);
  Status WriteCanary();

  std::unique_ptr<rocksdb::DB> db_;
  KeyStore* keystore_;
  std::map<uint32_t, crypto::Aead> day_ciphers_;  // unwrapped day keys, in memory only
};

}  // namespace openen::client::internal

#endif  // OPENEN_CLIENT_SRC_STORE_H_
