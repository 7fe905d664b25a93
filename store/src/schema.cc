// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/store/schema.h"

#include "openen/store/db.h"

namespace openen::store {

Schema ReservedSchema() {
  static constexpr RecordKind kKinds[] = {
      {"store.purge_marker", kPurgeMarkerKey.substr(0, 2)},
  };
  return kKinds;
}

std::vector<RecordKind> Join(std::initializer_list<Schema> schemas) {
  std::vector<RecordKind> out;
  for (Schema s : schemas) out.insert(out.end(), s.begin(), s.end());
  return out;
}

const RecordKind* KindOf(Schema schema, std::string_view key) {
  const RecordKind* best = nullptr;
  for (const RecordKind& kind : schema) {
    const bool match = kind.whole_key ? key == kind.prefix : key.starts_with(kind.prefix);
    if (match && (best == nullptr || kind.prefix.size() > best->prefix.size())) best = &kind;
  }
  return best;
}

}  // namespace openen::store
