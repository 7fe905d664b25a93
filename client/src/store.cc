// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "store.h"

#include <rocksdb/write_batch.h>

#include "openen/store/db.h"

namespace openen::client::internal {
namespace {

constexpr char kCanary[] = "canary";

std::string Be32Key(char prefix, uint32_t v) {
  std::string k(1, prefix);
  for (int i = 3; i >= 0; --i) k.push_back(static_cast<char>(v >> (8 * i)));
  return k;
}

}  // namespace

std::string DayKey(char prefix, uint32_t day) { return Be32Key(prefix, day); }
std::string IntervalKey(uint32_t interval) { return Be32Key('S', interval); }
std::string WindowKey(uint32_t day, uint32_t sequence) {
  std::string k = Be32Key('W', day);
  for (int i = 3; i >= 0; --i) k.push_back(static_cast<char>(sequence >> (8 * i)));
  return k;
}
uint32_t ReadBe32(const char* p) {
  return static_cast<uint32_t>(static_cast<uint8_t>(p[0])) << 24 |
         static_cast<uint32_t>(static_cast<uint8_t>(p[1])) << 16 |
         static_cast<uint32_t>(static_cast<uint8_t>(p[2])) << 8 | static_cast<uint8_t>(p[3]);
}

StatusOr<std::unique_ptr<Store>> Store::Open(const std::string& path, KeyStore* keystore) {
  // A phone's store is small and rewrites sealed per-interval records: a
  // 1 MiB memtable keeps the log of superseded versions (and memory) short.
  auto db = store::OpenPrivateDb(path, 1 << 20);
  if (!db.ok()) return db.status();
  std::unique_ptr<Store> s(new Store(std::move(*db), keystore));
  auto canary = s->GetMeta(std::string("M") + kCanary);
  if (!canary) {
    OPENEN_RETURN_IF_ERROR(s->WriteCanary());
  } else if (!keystore->Unwrap(AsBytes(*canary)).ok()) {
    return PermissionDeniedError("the platform key does not open this store (was it reset?)");
  }
  return s;
}

Status Store::WriteCanary() {
  OPENEN_ASSIGN_OR_RETURN(Bytes wrapped, keystore_->Wrap(crypto::SecretBytes::Random(32)));
  return PutMeta(std::string("M") + kCanary, AsChars(wrapped));
}

StatusOr<const crypto::Aead*> Store::DayCipher(uint32_t day, bool create) {
  auto it = day_ciphers_.find(day);
  if (it != day_ciphers_.end()) return &it->second;
  std::string wrapped;
  rocksdb::Status got = db_->Get({}, DayKey('D', day), &wrapped);
  crypto::SecretBytes key;
  if (got.ok()) {
    OPENEN_ASSIGN_OR_RETURN(key, keystore_->Unwrap(AsBytes(wrapped)));
  } else if (got.IsNotFound()) {
    if (!create) return static_cast<const crypto::Aead*>(nullptr);
    key = crypto::SecretBytes::Random(crypto::kAeadKeySize);
    OPENEN_ASSIGN_OR_RETURN(Bytes w, keystore_->Wrap(key));
    OPENEN_RETURN_IF_ERROR(store::FromRocksDb(
        db_->Put(store::SyncedWrite(), DayKey('D', day), rocksdb::Slice(AsChars(w).data(), w.size())), "store day key"));
  } else {
    return store::FromRocksDb(got, "read day key");
  }
  OPENEN_ASSIGN_OR_RETURN(crypto::Aead aead, crypto::Aead::Create(key));
  return &day_ciphers_.emplace(day, std::move(aead)).first->second;
}

Status Store::PutSealed(const std::string& key, uint32_t day, ByteView plaintext, bool sync) {
  OPENEN_ASSIGN_OR_RETURN(const crypto::Aead* aead, DayCipher(day, /*create=*/true));
  Bytes box = aead->Seal(plaintext, AsBytes(key));
  rocksdb::WriteOptions w;
  w.sync = sync;
  return store::FromRocksDb(db_->Put(w, key, rocksdb::Slice(AsChars(box).data(), box.size())), "store record");
}

StatusOr<std::optional<Bytes>> Store::GetSealed(const std::string& key, uint32_t day) {
  std::string box;
  rocksdb::Status got = db_->Get({}, key, &box);
  if (got.IsNotFound()) return std::optional<Bytes>();
  OPENEN_RETURN_IF_ERROR(store::FromRocksDb(got, "read record"));
  OPENEN_ASSIGN_OR_RETURN(const crypto::Aead* aead, DayCipher(day, /*create=*/false));
  if (aead == nullptr) return std::optional<Bytes>();
  auto plain = aead->Open(AsBytes(box), AsBytes(key));
  if (!plain.ok()) return DataLossError("a stored record is corrupt (authentication failed)");
  return std::optional<Bytes>(std::move(*plain));
}

Status Store::ForEachSealed(const std::string& begin, const std::string& end,
                            const std::function<uint32_t(const rocksdb::Slice&)>& day_of,
                            const std::function<Status(const rocksdb::Slice&, const Bytes&)>& fn) {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator({}));
  for (it->Seek(begin); it->Valid() && it->key().compare(end) < 0; it->Next()) {
    OPENEN_ASSIGN_OR_RETURN(const crypto::Aead* aead, DayCipher(day_of(it->key()), /*create=*/false));
    if (aead == nullptr) continue;  // its day was deleted; the record is unreadable and going
    auto plain = aead->Open(AsBytes(std::string_view(it->value().data(), it->value().size())),
                            AsBytes(std::string_view(it->key().data(), it->key().size())));
    if (!plain.ok()) return DataLossError("a stored record is corrupt (authentication failed)");
    OPENEN_RETURN_IF_ERROR(fn(it->key(), *plain));
  }
  return store::FromRocksDb(it->status(), "scan records");
}

Status Store::Commit(const std::vector<SealedRecord>& records, const std::string& meta_name,
                     std::string_view meta_value, bool sync) {
  rocksdb::WriteBatch batch;
  for (const SealedRecord& r : records) {
    OPENEN_ASSIGN_OR_RETURN(const crypto::Aead* aead, DayCipher(r.day, /*create=*/true));
    Bytes box = aead->Seal(r.plaintext, AsBytes(r.key));
    batch.Put(r.key, rocksdb::Slice(AsChars(box).data(), box.size()));
  }
  if (!meta_name.empty()) batch.Put(meta_name, rocksdb::Slice(meta_value.data(), meta_value.size()));
  rocksdb::WriteOptions w;
  w.sync = sync;
  return store::FromRocksDb(db_->Write(w, &batch), "store results");
}

Status Store::PutMeta(const std::string& name, std::string_view value, bool sync) {
  rocksdb::WriteOptions w;
  w.sync = sync;
  return store::FromRocksDb(db_->Put(w, name, rocksdb::Slice(value.data(), value.size())), "store metadata");
}

std::optional<std::string> Store::GetMeta(const std::string& name) {
  std::string v;
  if (!db_->Get({}, name, &v).ok()) return std::nullopt;
  return v;
}

Status Store::DeleteMeta(const std::string& name) {
  return store::FromRocksDb(db_->Delete(store::SyncedWrite(), name), "delete metadata");
}

Status Store::DeleteDaysBefore(uint32_t first_kept_day) {
  // Keys first: once a day key is gone, nothing of that day can be read.
  rocksdb::WriteBatch keys;
  keys.DeleteRange(DayKey('D', 0), DayKey('D', first_kept_day));
  OPENEN_RETURN_IF_ERROR(store::FromRocksDb(db_->Write(store::SyncedWrite(), &keys), "destroy day keys"));
  for (auto it = day_ciphers_.begin(); it != day_ciphers_.end();) {
    it = it->first < first_kept_day ? day_ciphers_.erase(it) : std::next(it);
  }
  rocksdb::WriteBatch records;
  records.DeleteRange(DayKey('T', 0), DayKey('T', first_kept_day));
  records.DeleteRange(IntervalKey(0), IntervalKey(first_kept_day * 144));
  records.DeleteRange(DayKey('W', 0), DayKey('W', first_kept_day));
  return store::FromRocksDb(db_->Write(store::SyncedWrite(), &records), "delete old days");
}

bool Store::HasDaysBefore(uint32_t first_kept_day) {
  const std::pair<std::string, std::string> ranges[] = {
      {DayKey('D', 0), DayKey('D', first_kept_day)},
      {DayKey('T', 0), DayKey('T', first_kept_day)},
      {IntervalKey(0), IntervalKey(first_kept_day * 144)},
      {DayKey('W', 0), DayKey('W', first_kept_day)},
  };
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator({}));
  for (const auto& [begin, end] : ranges) {
    it->Seek(begin);
    if (it->Valid() && it->key().compare(end) < 0) return true;
  }
  return !it->status().ok();  // when unsure, purge (which reports the error)
}

Status Store::EraseAll() {
  day_ciphers_.clear();
  rocksdb::WriteBatch all;
  all.DeleteRange(std::string(1, '\0'), std::string(2, '\xff'));
  OPENEN_RETURN_IF_ERROR(store::FromRocksDb(db_->Write(store::SyncedWrite(), &all), "erase"));
  OPENEN_RETURN_IF_ERROR(Compact());
  return WriteCanary();
}

Status Store::Compact() { return store::PurgeDeleted(db_.get()); }

size_t Store::Count(const std::string& begin, const std::string& end) {
  size_t n = 0;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator({}));
  for (it->Seek(begin); it->Valid() && it->key().compare(end) < 0; it->Next()) ++n;
  return n;
}

}  // namespace openen::client::internal
