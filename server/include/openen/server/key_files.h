// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Ed25519 key files: one line of base64. A private key file holds the 32-byte
// seed (mode 0600); a public key file holds one or more 32-byte keys, one per
// line (blank lines and lines starting with '#' are ignored).

#ifndef OPENEN_SERVER_KEY_FILES_H_
#define OPENEN_SERVER_KEY_FILES_H_

#include <string>
#include <vector>

#include "openen/base/status.h"
#include "openen/crypto/ed25519.h"

namespace openen::server {

base::StatusOr<crypto::Ed25519PrivateKey> ReadEd25519PrivateKey(const std::string& path);
base::Status WriteEd25519PrivateKey(const std::string& path, const crypto::Ed25519PrivateKey& key);
base::StatusOr<std::vector<crypto::Ed25519PublicKey>> ReadEd25519PublicKeys(
    const std::string& path);

}  // namespace openen::server

#endif  // OPENEN_SERVER_KEY_FILES_H_
