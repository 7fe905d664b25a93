// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// What the phone's platform provides to the library: the time, and a key that
// never leaves the platform's keystore (Android Keystore, iOS Keychain) with
// which the library wraps its per-day data keys. Bluetooth and networking stay
// with the app, which passes sightings in and batches through BatchSource.

#ifndef OPENEN_CLIENT_PLATFORM_H_
#define OPENEN_CLIENT_PLATFORM_H_

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "openen/base/bytes.h"
#include "openen/base/clock.h"
#include "openen/base/status.h"
#include "openen/crypto/aead.h"
#include "openen/crypto/secret.h"

namespace openen::client {

// KeyStore wraps and unwraps data keys under a key the platform holds.
// Implementations must be thread-safe.
class KeyStore {
 public:
  virtual ~KeyStore() = default;
  // Wrap encrypts |data_key| under the platform key, making (and keeping)
  // a fresh platform key first when there is none.
  virtual base::StatusOr<base::Bytes> Wrap(const crypto::SecretBytes& data_key) = 0;
  // Unwrap fails (PERMISSION_DENIED) when the platform key is not the one
  // that wrapped |wrapped|, or |wrapped| was altered, or was destroyed.
  virtual base::StatusOr<crypto::SecretBytes> Unwrap(base::ByteView wrapped) = 0;
  // Destroy destroys the platform key irrecoverably, wherever the platform
  // keeps it (Android Keystore deleteEntry, iOS SecItemDelete): nothing
  // wrapped before can be unwrapped again, by this object or any other. A
  // later Wrap makes a fresh key. Idempotent: OK when there is no key. An
  // error means the key may survive. EraseAll and a decommission order call it.
  virtual base::Status Destroy() = 0;
};

// FileKeyStore keeps a 32-byte wrapping key in a file (mode 0600): for tests,
// the command line and simulations. Phones use their platform keystore.
// Destroy overwrites the file with zeros, syncs, removes it and wipes the key
// in memory; on flash storage an overwrite may land in other cells, which is
// why phones keep the key in the platform's keystore instead.
class FileKeyStore final : public KeyStore {
 public:
  // OpenOrCreate reads the key file, or creates it with a fresh key. A file
  // of zeros (a Destroy that overwrote but could not remove it) is refused
  // with DATA_LOSS: it is no key. A key file is written to a temporary file
  // and renamed into place, so a later Wrap replaces any leftover.
  static base::StatusOr<std::unique_ptr<FileKeyStore>> OpenOrCreate(const std::string& path);
  // FromKey uses |key| (32 bytes) directly, in memory only.
  static base::StatusOr<std::unique_ptr<FileKeyStore>> FromKey(const crypto::SecretBytes& key);

  base::StatusOr<base::Bytes> Wrap(const crypto::SecretBytes& data_key) override;
  base::StatusOr<crypto::SecretBytes> Unwrap(base::ByteView wrapped) override;
  base::Status Destroy() override;

 private:
  FileKeyStore(std::string path, crypto::Aead aead) : path_(std::move(path)), aead_(std::move(aead)) {}
  const std::string path_;  // empty: in memory only
  std::mutex mu_;
  std::optional<crypto::Aead> aead_;  // nullopt once destroyed, until the next Wrap
};

}  // namespace openen::client

#endif  // OPENEN_CLIENT_PLATFORM_H_
