// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Reading configuration and key files; writing secret files.

#ifndef OPENEN_SERVER_COMMON_FILES_H_
#define OPENEN_SERVER_COMMON_FILES_H_

#include <string>

#include "openen/crypto/bytes.h"
#include "openen/crypto/ed25519.h"
#include "openen/crypto/status.h"

namespace openen::server {

// ReadFile returns a whole file. NOT_FOUND "cannot read PATH: reason" if it cannot.
StatusOr<std::string> ReadFile(const std::string& path);

// WriteFileAtomically writes |contents| to a temporary file in the same
// directory, syncs it, and renames it over |path|; mode 0600 when |secret|.
Status WriteFileAtomically(const std::string& path, std::string_view contents, bool secret);

// Trim removes leading and trailing whitespace.
std::string Trim(std::string_view s);

// Ed25519 key files: one line of base64. A private key file holds the 32-byte
// seed; a public key file holds one or more 32-byte keys, one per line
// (blank lines and lines starting with '#' are ignored).
StatusOr<crypto::Ed25519PrivateKey> ReadEd25519PrivateKey(const std::string& path);
Status WriteEd25519PrivateKey(const std::string& path, const crypto::Ed25519PrivateKey& key);
StatusOr<std::vector<crypto::Ed25519PublicKey>> ReadEd25519PublicKeys(const std::string& path);

}  // namespace openen::server

#endif  // OPENEN_SERVER_COMMON_FILES_H_
