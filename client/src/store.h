// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Internal: the client's encrypted store. Everything personal is sealed with
// XChaCha20-Poly1305 under a data key of the UTC day it belongs to; each day
// key is wrapped by the platform KeyStore and stored beside the data.
// Deleting a day destroys its wrapped key first (so any remnant is
// unreadable), then deletes the day's records and compacts them away.
//
// A stolen copy of the files, without the platform key, shows which days hold
// data and nothing finer. Layout (day = BE32 days since the epoch, the only
// thing a key names):
//   'D' day        -> day key, wrapped by the platform KeyStore
//   'T' day        -> sealed own-key record (empty until the day's TEK is made)
//   'W' day        -> sealed exposure windows of the day (empty when none)
//   'S' day shard  -> sealed sightings of the RPIs that a keyed hash of the
//                     RPI (under a key derived from the day key) puts in
//                     shard 0..kShardsPerDay-1
//   'M' name       -> metadata, sealed under the store key, except:
//   'Mkey'         -> the store key, wrapped by the platform KeyStore (it
//                     also proves, at open, that the keystore made the store)
//   'Mpurging'     -> "1" while a purge has deleted and not yet compacted
//   'Merasing'     -> "1" while an erase has not yet made its fresh store key
//   'Mlayout'      -> "2", this layout's version. A store without it that
//                     holds anything is of the earlier layout (clear pause
//                     flag, interval times in sightings keys): Open erases it
//                     whole (as EraseAll) and starts afresh.
// What each record and metadata entry holds is records.h's: Records is the
// one user of this class, and the one place that knows the client's formats.
// A day's records are all created with its key, in one write, whatever first
// touched the day: the key set of a day is fixed. Every sealed value is
// padded before sealing to a bucket: the next power of two of its length
// (+4), at least the record kind's floor (own key 64 B, shard 256 B,
// windows 4 KiB, metadata 64 B). Windows are rewritten for every day at each
// commit, exposed or not, so neither their size nor their rewrites set an
// exposed phone apart (up to about 80 windows a day fit the floor).

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
#include "openen/crypto/hash.h"
#include "openen/store/schema.h"

namespace openen::client::internal {

inline constexpr int kShardsPerDay = 32;

// The key prefixes of a day's records (the layout above).
inline constexpr char kDayKeyPrefix = 'D';
inline constexpr char kOwnKeyPrefix = 'T';
inline constexpr char kWindowsPrefix = 'W';
inline constexpr char kSightingsPrefix = 'S';

std::string DayKey(char prefix, uint32_t day);       // prefix BE32(day)
std::string ShardKey(uint32_t day, int shard);       // 'S' BE32(day) shard
// DayOfKey reads the day of a day-prefixed record key.
uint32_t DayOfKey(const rocksdb::Slice& key);

// Pad prefixes |plain| with its LE32 length and pads it with zeros to the
// next power of two, at least |floor|: the bucket is all a size tells.
base::Bytes Pad(base::ByteView plain, size_t floor);
// Unpad returns what Pad padded (wiping |padded|); DATA_LOSS when the length
// prefix is missing or runs past the end.
base::StatusOr<base::Bytes> Unpad(base::Bytes padded);

class Store {
 public:
  // Open opens (creating) the store and checks that |keystore| is the one
  // that wrapped it: PERMISSION_DENIED if not, DATA_LOSS for a corrupt store.
  // It first finishes an erase a crash interrupted, and erases a store of an
  // earlier layout; it fails, and tries again at the next Open, while the
  // platform key cannot be destroyed. |keystore| must outlive the store.
  static base::StatusOr<std::unique_ptr<Store>> Open(const std::string& path, KeyStore* keystore);

  // Schema lists the kinds of record this class keeps itself (day keys and
  // its metadata); Records::Schema adds the records it seals through it.
  static store::Schema Schema();

  // PutSealed pads and seals |plaintext| as record |key| of |day| (AD = the
  // key, so records cannot be swapped), creating the day if needed.
  base::Status PutSealed(const std::string& key, uint32_t day, base::ByteView plaintext,
                         bool sync = false);
  // GetSealed returns the plaintext; nullopt when absent (or its day key is gone).
  base::StatusOr<std::optional<base::Bytes>> GetSealed(const std::string& key, uint32_t day);
  // ForEachSealed visits the records with keys in [begin, end) (day-prefixed
  // keys), decrypted and unpadded.
  base::Status ForEachSealed(
      const std::string& begin, const std::string& end,
      const std::function<base::Status(const rocksdb::Slice&, const base::Bytes&)>& fn);

  // ShardOf returns the sightings shard of |rpi| on |day|: a keyed hash
  // under a key derived from the day key, so a shard says nothing about
  // when or whom. With |create| it creates the day; without, nullopt when
  // the day holds nothing.
  base::StatusOr<std::optional<int>> ShardOf(uint32_t day, base::ByteView rpi, bool create);
  // Days returns the days that hold data, oldest first.
  base::StatusOr<std::vector<uint32_t>> Days();

  // SealedRecord is one record for Commit.
  struct SealedRecord {
    std::string key;
    uint32_t day;
    base::Bytes plaintext;
  };
  // Commit seals |records| and writes them, with one sealed metadata entry
  // unless |meta_name| is empty, in one batch (synced unless |sync| is
  // false): all or nothing.
  base::Status Commit(const std::vector<SealedRecord>& records, const std::string& meta_name,
                      std::string_view meta_value, bool sync = true);

  // PutMeta/GetMeta store metadata sealed (and padded) under the store key.
  // GetMeta: nullopt when absent, DATA_LOSS when it does not open.
  base::Status PutMeta(const std::string& name, std::string_view value, bool sync = true);
  base::StatusOr<std::optional<std::string>> GetMeta(const std::string& name);

  // The purge mark, in the clear (it says only that a purge is unfinished).
  base::Status SetPurging(bool purging);
  bool Purging();

  // DeleteDaysBefore destroys the keys and records of every day <
  // |first_kept_day| and returns how many days held data.
  base::StatusOr<int> DeleteDaysBefore(uint32_t first_kept_day);
  // HasDaysBefore reports whether any key or record of a day < |first_kept_day| is stored.
  bool HasDaysBefore(uint32_t first_kept_day);
  // EraseAll deletes every record and key, destroys the platform key
  // (KeyStore::Destroy) and starts again under a fresh one: what was copied
  // before cannot be opened with anything that exists after. It then stores
  // |keep_meta| (name -> value) sealed under the fresh store key. The
  // keystore's Destroy result goes to |key_destroyed|: when only that
  // failed, the store is emptied and usable. Any other error is returned;
  // a crash or an error before the fresh store key is made leaves the erase
  // mark, and the next Open finishes the erase.
  base::Status EraseAll(const std::map<std::string, std::string>& keep_meta,
                        base::Status* key_destroyed);
  // Compact makes past deletions physical (store::PurgeDeleted).
  base::Status Compact();

 private:
  struct DayKeys {
    crypto::Aead aead;
    std::unique_ptr<crypto::HmacSha256Key>
        shard_key;  // pads hashed once: ShardOf runs per sighting
  };
  Store(std::unique_ptr<rocksdb::DB> db, KeyStore* keystore, std::optional<crypto::Aead> meta)
      : db_(std::move(db)), keystore_(keystore), meta_(std::move(meta)) {}
  static base::StatusOr<crypto::Aead> OpenStoreKey(rocksdb::DB* db, KeyStore* keystore);
  // Day returns the day's keys; creates the day with all its records when
  // |create|, else nullptr when the day holds nothing.
  base::StatusOr<const DayKeys*> Day(uint32_t day, bool create);

  std::unique_ptr<rocksdb::DB> db_;
  KeyStore* keystore_;
  std::optional<crypto::Aead> meta_;  // the store key: seals metadata (nullopt mid-erase)
  std::map<uint32_t, DayKeys> days_;  // unwrapped day keys, in memory only
};

}  // namespace openen::client::internal

#endif  // OPENEN_CLIENT_SRC_STORE_H_
