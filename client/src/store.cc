// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "store.h"

#include <rocksdb/write_batch.h>

#include <bit>

#include "openen/base/coding.h"
#include "openen/crypto/hash.h"
#include "openen/store/db.h"

namespace openen::client::internal {
namespace {

constexpr char kStoreKeyMeta[] = "Mkey";
constexpr char kPurgingMeta[] = "Mpurging";
constexpr char kErasingMeta[] = "Merasing";
// The layout this code writes; a store without it that holds anything was
// written by an earlier layout (see store.h).
constexpr char kLayoutMeta[] = "Mlayout";
constexpr char kLayout[] = "2";
constexpr std::string_view kShardKeyInfo = "openen client sightings shard key v1";

std::string Be32Key(char prefix, uint32_t v) {
  std::string k(1, prefix);
  base::PutFixedBE<4>(&k, v);
  return k;
}

// Floor returns the smallest padded size of a record kind: large enough that
// the usual contents of a day do not leave it.
size_t Floor(const rocksdb::Slice& key) {
  switch (key.empty() ? 0 : key[0]) {
    case kSightingsPrefix:
      return 256;  // about ten identifiers seen once
    case kWindowsPrefix:
      return 4096;          // about eighty windows of six scans, each with a key tag
    default: return 64;     // own key (21 bytes), metadata
  }
}

base::Bytes SealPadded(const crypto::Aead& aead, const rocksdb::Slice& key, base::ByteView plain) {
  base::Bytes padded = Pad(plain, Floor(key));
  base::Bytes box = aead.Seal(padded, base::AsBytes(std::string_view(key.data(), key.size())));
  crypto::Wipe(padded);
  return box;
}

base::StatusOr<base::Bytes> OpenPadded(const crypto::Aead& aead, const rocksdb::Slice& key,
                                       const rocksdb::Slice& box) {
  auto padded = aead.Open(base::AsBytes(std::string_view(box.data(), box.size())),
                          base::AsBytes(std::string_view(key.data(), key.size())));
  if (!padded.ok())
    return base::DataLossError("a stored record is corrupt (authentication failed)");
  return Unpad(std::move(*padded));
}

rocksdb::Slice ToSlice(const base::Bytes& b) {
  return rocksdb::Slice(base::AsChars(b).data(), b.size());
}

}  // namespace

base::Bytes Pad(base::ByteView plain, size_t floor) {
  const size_t size = std::max(floor, std::bit_ceil(plain.size() + 4));
  base::Bytes out;
  out.reserve(size);
  base::PutFixedLE<4>(&out, plain.size());
  out.insert(out.end(), plain.begin(), plain.end());
  out.resize(size, 0);
  return out;
}

base::StatusOr<base::Bytes> Unpad(base::Bytes padded) {
  if (padded.size() < 4) return base::DataLossError("a stored record is corrupt (no length)");
  const size_t n = static_cast<size_t>(base::GetFixedLE<4>(padded.data()));
  if (n > padded.size() - 4)
    return base::DataLossError("a stored record is corrupt (length past its end)");
  base::Bytes out(padded.begin() + 4, padded.begin() + 4 + static_cast<std::ptrdiff_t>(n));
  crypto::Wipe(padded);
  return out;
}

std::string DayKey(char prefix, uint32_t day) { return Be32Key(prefix, day); }
std::string ShardKey(uint32_t day, int shard) {
  std::string k = Be32Key(kSightingsPrefix, day);
  k.push_back(static_cast<char>(shard));
  return k;
}
uint32_t DayOfKey(const rocksdb::Slice& key) {
  return static_cast<uint32_t>(base::GetFixedBE<4>(key.data() + 1));
}

store::Schema Store::Schema() {
  static constexpr store::RecordKind kKinds[] = {
      {"phone.day_key", {&kDayKeyPrefix, 1}},     {"phone.store_key", kStoreKeyMeta, true},
      {"phone.purging_mark", kPurgingMeta, true}, {"phone.erasing_mark", kErasingMeta, true},
      {"phone.layout", kLayoutMeta, true},
  };
  return kKinds;
}

base::StatusOr<std::unique_ptr<Store>> Store::Open(const std::string& path, KeyStore* keystore) {
  // A phone's store is small and rewrites sealed records: a 1 MiB memtable
  // keeps the log of superseded versions (and memory) short.
  auto db = store::OpenPrivateDb(path, 1 << 20);
  if (!db.ok()) return db.status();
  std::string value;
  const bool erasing = (*db)->Get({}, kErasingMeta, &value).ok();
  const rocksdb::Status layout = (*db)->Get({}, kLayoutMeta, &value);
  if (!layout.ok() && !layout.IsNotFound()) return store::FromRocksDb(layout, "read the store layout");
  bool empty = true;
  if (layout.IsNotFound()) {
    std::unique_ptr<rocksdb::Iterator> it((*db)->NewIterator({}));
    it->SeekToFirst();
    empty = !it->Valid() || it->key().starts_with(rocksdb::Slice(store::kPurgeMarkerKey.data(), 2));
    OPENEN_RETURN_IF_ERROR(store::FromRocksDb(it->status(), "read the store layout"));
  }
  std::unique_ptr<Store> s(new Store(std::move(*db), keystore, std::nullopt));
  if (erasing || (layout.IsNotFound() && !empty)) {
    // An erase a crash interrupted, or a store of an earlier layout (which
    // named interval times in its keys): erased whole, and started afresh.
    base::Status destroyed;
    OPENEN_RETURN_IF_ERROR(s->EraseAll({}, &destroyed));
    // Until the platform key is destroyed the erase is unfinished: the mark
    // goes back, and the next open tries again (nothing was sealed meanwhile).
    if (!destroyed.ok()) {
      OPENEN_RETURN_IF_ERROR(store::FromRocksDb(s->db_->Put(store::SyncedWrite(), kErasingMeta, "1"), "erase mark"));
      return destroyed.WithContext("finish an interrupted erase: destroy the platform key");
    }
    return s;
  }
  if (layout.IsNotFound()) {
    OPENEN_RETURN_IF_ERROR(store::FromRocksDb(s->db_->Put(store::SyncedWrite(), kLayoutMeta, kLayout), "layout"));
  }
  OPENEN_ASSIGN_OR_RETURN(s->meta_, OpenStoreKey(s->db_.get(), keystore));
  return s;
}

base::StatusOr<crypto::Aead> Store::OpenStoreKey(rocksdb::DB* db, KeyStore* keystore) {
  std::string wrapped;
  rocksdb::Status got = db->Get({}, kStoreKeyMeta, &wrapped);
  if (got.ok()) {
    auto key = keystore->Unwrap(base::AsBytes(wrapped));
    if (!key.ok())
      return base::PermissionDeniedError(
          "the platform key does not open this store (was it reset?)");
    return crypto::Aead::Create(*key);
  }
  if (!got.IsNotFound()) return store::FromRocksDb(got, "read the store key");
  crypto::SecretBytes key = crypto::SecretBytes::Random(crypto::kAeadKeySize);
  OPENEN_ASSIGN_OR_RETURN(base::Bytes w, keystore->Wrap(key));
  OPENEN_RETURN_IF_ERROR(store::FromRocksDb(db->Put(store::SyncedWrite(), kStoreKeyMeta, ToSlice(w)), "store key"));
  return crypto::Aead::Create(key);
}

base::StatusOr<const Store::DayKeys*> Store::Day(uint32_t day, bool create) {
  auto it = days_.find(day);
  if (it != days_.end()) return &it->second;
  std::string wrapped;
  rocksdb::Status got = db_->Get({}, DayKey(kDayKeyPrefix, day), &wrapped);
  crypto::SecretBytes key;
  rocksdb::WriteBatch created;
  if (got.ok()) {
    OPENEN_ASSIGN_OR_RETURN(key, keystore_->Unwrap(base::AsBytes(wrapped)));
  } else if (got.IsNotFound()) {
    if (!create) return static_cast<const DayKeys*>(nullptr);
    key = crypto::SecretBytes::Random(crypto::kAeadKeySize);
    OPENEN_ASSIGN_OR_RETURN(base::Bytes w, keystore_->Wrap(key));
    created.Put(DayKey(kDayKeyPrefix, day), ToSlice(w));
  } else {
    return store::FromRocksDb(got, "read day key");
  }
  OPENEN_ASSIGN_OR_RETURN(crypto::Aead aead, crypto::Aead::Create(key));
  crypto::Sha256Digest shard_key = crypto::HmacSha256(key.Reveal(), base::AsBytes(kShardKeyInfo));
  DayKeys keys{std::move(aead), std::make_unique<crypto::HmacSha256Key>(shard_key)};
  crypto::Wipe(shard_key);
  if (created.Count() > 0) {
    // Every record of the day, empty, with its key: a day's key set says
    // nothing about what happened on it.
    std::vector<std::string> records = {DayKey(kOwnKeyPrefix, day), DayKey(kWindowsPrefix, day)};
    for (int s = 0; s < kShardsPerDay; ++s) records.push_back(ShardKey(day, s));
    for (const std::string& r : records) created.Put(r, ToSlice(SealPadded(keys.aead, r, {})));
    OPENEN_RETURN_IF_ERROR(store::WriteSynced(db_.get(), &created, "create a day"));
  }
  return &days_.emplace(day, std::move(keys)).first->second;
}

base::StatusOr<std::optional<int>> Store::ShardOf(uint32_t day, base::ByteView rpi, bool create) {
  OPENEN_ASSIGN_OR_RETURN(const DayKeys* keys, Day(day, create));
  if (keys == nullptr) return std::optional<int>();
  const crypto::Sha256Digest h = keys->shard_key->Mac(rpi);
  const uint32_t v = static_cast<uint32_t>(base::GetFixedLE<4>(h.data()));
  return std::optional<int>(static_cast<int>(v % kShardsPerDay));
}

base::StatusOr<std::vector<uint32_t>> Store::Days() {
  std::vector<uint32_t> days;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator({}));
  const std::string end = DayKey(kDayKeyPrefix + 1, 0);
  for (it->Seek(std::string(1, kDayKeyPrefix)); it->Valid() && it->key().compare(end) < 0;
       it->Next()) {
    if (it->key().size() == 5) days.push_back(DayOfKey(it->key()));
  }
  OPENEN_RETURN_IF_ERROR(store::FromRocksDb(it->status(), "list days"));
  return days;
}

base::Status Store::PutSealed(const std::string& key, uint32_t day, base::ByteView plaintext,
                              bool sync) {
  return Commit({{key, day, base::Bytes(plaintext.begin(), plaintext.end())}}, "", "", sync);
}

base::StatusOr<std::optional<base::Bytes>> Store::GetSealed(const std::string& key, uint32_t day) {
  std::string box;
  rocksdb::Status got = db_->Get({}, key, &box);
  if (got.IsNotFound()) return std::optional<base::Bytes>();
  OPENEN_RETURN_IF_ERROR(store::FromRocksDb(got, "read record"));
  OPENEN_ASSIGN_OR_RETURN(const DayKeys* keys, Day(day, /*create=*/false));
  if (keys == nullptr) return std::optional<base::Bytes>();
  OPENEN_ASSIGN_OR_RETURN(base::Bytes plain, OpenPadded(keys->aead, key, box));
  return std::optional<base::Bytes>(std::move(plain));
}

base::Status Store::ForEachSealed(
    const std::string& begin, const std::string& end,
    const std::function<base::Status(const rocksdb::Slice&, const base::Bytes&)>& fn) {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator({}));
  for (it->Seek(begin); it->Valid() && it->key().compare(end) < 0; it->Next()) {
    if (it->key().size() < 5) return base::DataLossError("a stored record key is corrupt");
    OPENEN_ASSIGN_OR_RETURN(const DayKeys* keys, Day(DayOfKey(it->key()), /*create=*/false));
    if (keys == nullptr) continue;  // its day was deleted; the record is unreadable and going
    OPENEN_ASSIGN_OR_RETURN(base::Bytes plain, OpenPadded(keys->aead, it->key(), it->value()));
    OPENEN_RETURN_IF_ERROR(fn(it->key(), plain));
  }
  return store::FromRocksDb(it->status(), "scan records");
}

base::Status Store::Commit(const std::vector<SealedRecord>& records, const std::string& meta_name,
                           std::string_view meta_value, bool sync) {
  if (!meta_)
    return base::FailedPreconditionError("an erase is unfinished: reopen the store to finish it");
  rocksdb::WriteBatch batch;
  for (const SealedRecord& r : records) {
    OPENEN_ASSIGN_OR_RETURN(const DayKeys* keys, Day(r.day, /*create=*/true));
    batch.Put(r.key, ToSlice(SealPadded(keys->aead, r.key, r.plaintext)));
  }
  if (!meta_name.empty())
    batch.Put(meta_name, ToSlice(SealPadded(*meta_, meta_name, base::AsBytes(meta_value))));
  rocksdb::WriteOptions w;
  w.sync = sync;
  return store::FromRocksDb(db_->Write(w, &batch), "store results");
}

base::Status Store::PutMeta(const std::string& name, std::string_view value, bool sync) {
  return Commit({}, name, value, sync);
}

base::StatusOr<std::optional<std::string>> Store::GetMeta(const std::string& name) {
  std::string box;
  rocksdb::Status got = db_->Get({}, name, &box);
  if (got.IsNotFound()) return std::optional<std::string>();
  OPENEN_RETURN_IF_ERROR(store::FromRocksDb(got, "read metadata"));
  if (!meta_)
    return base::FailedPreconditionError("an erase is unfinished: reopen the store to finish it");
  OPENEN_ASSIGN_OR_RETURN(base::Bytes plain, OpenPadded(*meta_, name, box));
  return std::optional<std::string>(std::string(base::AsChars(plain)));
}

base::Status Store::SetPurging(bool purging) {
  return store::FromRocksDb(purging ? db_->Put(store::SyncedWrite(), kPurgingMeta, "1")
                                    : db_->Delete(store::SyncedWrite(), kPurgingMeta),
                            "purge mark");
}

bool Store::Purging() {
  std::string v;
  return db_->Get({}, kPurgingMeta, &v).ok();
}

base::StatusOr<int> Store::DeleteDaysBefore(uint32_t first_kept_day) {
  OPENEN_ASSIGN_OR_RETURN(std::vector<uint32_t> days, Days());
  const int deleted = static_cast<int>(std::count_if(days.begin(), days.end(), [&](uint32_t d) {
    return d < first_kept_day;
  }));
  // Keys first: once a day key is gone, nothing of that day can be read.
  rocksdb::WriteBatch keys;
  keys.DeleteRange(DayKey(kDayKeyPrefix, 0), DayKey(kDayKeyPrefix, first_kept_day));
  OPENEN_RETURN_IF_ERROR(store::WriteSynced(db_.get(), &keys, "destroy day keys"));
  for (auto it = days_.begin(); it != days_.end();) {
    it = it->first < first_kept_day ? days_.erase(it) : std::next(it);
  }
  rocksdb::WriteBatch records;
  for (char prefix : {kSightingsPrefix, kOwnKeyPrefix, kWindowsPrefix})
    records.DeleteRange(DayKey(prefix, 0), DayKey(prefix, first_kept_day));
  OPENEN_RETURN_IF_ERROR(store::WriteSynced(db_.get(), &records, "delete old days"));
  return deleted;
}

bool Store::HasDaysBefore(uint32_t first_kept_day) {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator({}));
  for (char prefix : {kDayKeyPrefix, kSightingsPrefix, kOwnKeyPrefix, kWindowsPrefix}) {
    it->Seek(DayKey(prefix, 0));
    if (it->Valid() && it->key().compare(DayKey(prefix, first_kept_day)) < 0) return true;
  }
  return !it->status().ok();  // when unsure, purge (which reports the error)
}

base::Status Store::EraseAll(const std::map<std::string, std::string>& keep_meta,
                             base::Status* key_destroyed) {
  // The mark first: a crash from here until the fresh store key is made
  // leaves it, and the next Open finishes the erase.
  OPENEN_RETURN_IF_ERROR(store::FromRocksDb(db_->Put(store::SyncedWrite(), kErasingMeta, "1"), "erase mark"));
  days_.clear();
  meta_.reset();
  rocksdb::WriteBatch all;
  store::DeleteEverything(&all);
  all.Put(kErasingMeta, "1");
  all.Put(kLayoutMeta, kLayout);
  all.Put(kPurgingMeta, "1");  // until compacted: the next purge compacts if this one fails
  OPENEN_RETURN_IF_ERROR(store::WriteSynced(db_.get(), &all, "erase"));
  // The platform key goes too: a copy of the store taken before the erase
  // stays sealed under keys that no longer exist anywhere. A key that could
  // not be destroyed is reported apart, once the emptied store is usable.
  *key_destroyed = keystore_->Destroy();
  // The fresh store key at once (Mkey is gone): nothing may be sealed under
  // the old one after this point.
  OPENEN_ASSIGN_OR_RETURN(meta_, OpenStoreKey(db_.get(), keystore_));
  rocksdb::WriteBatch kept;
  for (const auto& [name, value] : keep_meta)
    kept.Put(name, ToSlice(SealPadded(*meta_, name, base::AsBytes(value))));
  kept.Delete(kErasingMeta);
  OPENEN_RETURN_IF_ERROR(store::WriteSynced(db_.get(), &kept, "finish the erase"));
  OPENEN_RETURN_IF_ERROR(Compact());
  return SetPurging(false);
}

base::Status Store::Compact() { return store::PurgeDeleted(db_.get()); }

}  // namespace openen::client::internal
