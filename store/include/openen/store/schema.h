// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// What a store keeps, named. Each component that keeps a RocksDB store
// (the phone's client, the relay, the verifier, the console's staff store)
// lists the kinds of record it writes as a Schema built from the same key
// constants its code writes with. The data inventory
// (docs/data-inventory.json) describes every kind by its name; a test holds
// the two equal and checks that a real store, after use, holds no key
// outside its schema (tests/docs/inventory_test.cc).

#ifndef OPENEN_STORE_SCHEMA_H_
#define OPENEN_STORE_SCHEMA_H_

#include <initializer_list>
#include <span>
#include <string_view>
#include <vector>

namespace openen::store {

// RecordKind is one kind of record: every key of the kind starts with
// |prefix|, and |name| ("<store>.<record>") is its entry in the inventory.
// A kind whose |prefix| is the whole key has |whole_key| set.
struct RecordKind {
  std::string_view name;
  std::string_view prefix;
  bool whole_key = false;
};

using Schema = std::span<const RecordKind>;

// ReservedSchema lists the records this library keeps in every store
// (PurgeDeleted's marker; the transient probe and log-retiring writes
// share its reserved prefix and leave nothing).
Schema ReservedSchema();

// Join lists the kinds of |schemas| one after the other.
std::vector<RecordKind> Join(std::initializer_list<Schema> schemas);

// KindOf returns the kind of |schema| that |key| belongs to: the one with
// the longest prefix of |key| (a whole-key kind only when equal), or
// nullptr when none.
const RecordKind* KindOf(Schema schema, std::string_view key);

}  // namespace openen::store

#endif  // OPENEN_STORE_SCHEMA_H_
