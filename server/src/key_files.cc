// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/server/key_files.h"

#include <sstream>

#include "openen/base/bytes.h"
#include "openen/base/file.h"
#include "openen/crypto/secret.h"

namespace openen::server {

base::StatusOr<crypto::Ed25519PrivateKey> ReadEd25519PrivateKey(const std::string& path) {
  OPENEN_ASSIGN_OR_RETURN(std::string text, base::ReadFile(path, base::kMaxSmallFileBytes));
  auto seed = base::Base64Decode(base::Trim(text));
  crypto::Wipe(std::span<uint8_t>(reinterpret_cast<uint8_t*>(text.data()), text.size()));
  if (!seed.ok()) return seed.status().WithContext(path);
  auto key = crypto::Ed25519PrivateKey::FromSeed(*seed);
  crypto::Wipe(*seed);
  if (!key.ok()) return key.status().WithContext(path);
  return key;
}

base::Status WriteEd25519PrivateKey(const std::string& path, const crypto::Ed25519PrivateKey& key) {
  std::string text = base::Base64Encode(key.seed().Reveal()) + "\n";
  base::Status s = base::WriteFileAtomically(path, text, /*secret=*/true);
  crypto::Wipe(std::span<uint8_t>(reinterpret_cast<uint8_t*>(text.data()), text.size()));
  return s;
}

base::StatusOr<std::vector<crypto::Ed25519PublicKey>> ReadEd25519PublicKeys(
    const std::string& path) {
  OPENEN_ASSIGN_OR_RETURN(std::string text, base::ReadFile(path, base::kMaxSmallFileBytes));
  std::vector<crypto::Ed25519PublicKey> keys;
  std::istringstream lines(text);
  int n = 0;
  for (std::string line; std::getline(lines, line);) {
    ++n;
    line = base::Trim(line);
    if (line.empty() || line[0] == '#') continue;
    auto bytes = base::Base64Decode(line);
    if (!bytes.ok()) return bytes.status().WithContext(path + ":" + std::to_string(n));
    auto key = crypto::Ed25519PublicKey::FromBytes(*bytes);
    if (!key.ok()) return key.status().WithContext(path + ":" + std::to_string(n));
    keys.push_back(*key);
  }
  if (keys.empty()) return base::InvalidArgumentError(path + " holds no public key");
  return keys;
}

}  // namespace openen::server
