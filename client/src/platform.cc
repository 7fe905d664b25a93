// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/client/platform.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "openen/base/file.h"

namespace openen::client {
namespace {
constexpr std::string_view kWrapContext = "openen client data key v1";
}  // namespace

base::StatusOr<std::unique_ptr<FileKeyStore>> FileKeyStore::FromKey(
    const crypto::SecretBytes& key) {
  OPENEN_ASSIGN_OR_RETURN(crypto::Aead aead, crypto::Aead::Create(key));
  return std::unique_ptr<FileKeyStore>(new FileKeyStore("", std::move(aead)));
}

base::StatusOr<std::unique_ptr<FileKeyStore>> FileKeyStore::OpenOrCreate(const std::string& path) {
  crypto::SecretBytes key(crypto::kAeadKeySize);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    ssize_t n = ::read(fd, key.MutableReveal().data(), key.size());
    ::close(fd);
    if (n != static_cast<ssize_t>(key.size())) {
      return base::DataLossError("key file " + path + " is not a 32-byte key");
    }
    const base::ByteView k = key.Reveal();
    if (std::all_of(k.begin(), k.end(), [](uint8_t b) { return b == 0; })) {
      // What Destroy leaves when it overwrote the key but could not remove
      // the file: not a key, and data sealed under it would be readable.
      return base::DataLossError("key file " + path +
                                 " holds zeros, not a key (a destroyed key whose file remained); "
                                 "remove it to start afresh");
    }
  } else if (errno != ENOENT) {
    return base::UnavailableError("cannot read key file " + path + ": " + std::strerror(errno));
  } else {
    key = crypto::SecretBytes::Random(crypto::kAeadKeySize);
    OPENEN_RETURN_IF_ERROR(
        base::WriteFileAtomically(path, base::AsChars(key.Reveal()), /*secret=*/true));
  }
  OPENEN_ASSIGN_OR_RETURN(crypto::Aead aead, crypto::Aead::Create(key));
  return std::unique_ptr<FileKeyStore>(new FileKeyStore(path, std::move(aead)));
}

base::StatusOr<base::Bytes> FileKeyStore::Wrap(const crypto::SecretBytes& data_key) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!aead_) {
    crypto::SecretBytes key = crypto::SecretBytes::Random(crypto::kAeadKeySize);
    if (!path_.empty()) {
      OPENEN_RETURN_IF_ERROR(
          base::WriteFileAtomically(path_, base::AsChars(key.Reveal()), /*secret=*/true));
    }
    OPENEN_ASSIGN_OR_RETURN(aead_, crypto::Aead::Create(key));
  }
  return aead_->Seal(data_key.Reveal(), base::AsBytes(kWrapContext));
}

base::StatusOr<crypto::SecretBytes> FileKeyStore::Unwrap(base::ByteView wrapped) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!aead_) return base::PermissionDeniedError("the wrapping key was destroyed");
  auto plain = aead_->Open(wrapped, base::AsBytes(kWrapContext));
  if (!plain.ok())
    return base::PermissionDeniedError("the wrapping key cannot unwrap this data key");
  crypto::SecretBytes key(*plain);
  crypto::Wipe(*plain);
  return key;
}

base::Status FileKeyStore::Destroy() {
  std::lock_guard<std::mutex> lock(mu_);
  aead_.reset();  // the Aead's key wipes itself
  if (path_.empty()) return base::Status::Ok();
  const int fd = ::open(path_.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return base::Status::Ok();
    return base::UnavailableError("cannot open key file " + path_ +
                                  " to destroy it: " + std::strerror(errno));
  }
  const uint8_t zeros[crypto::kAeadKeySize] = {};
  const bool overwritten = ::pwrite(fd, zeros, sizeof(zeros), 0) == static_cast<ssize_t>(sizeof(zeros)) && ::fsync(fd) == 0;
  ::close(fd);
  if (!overwritten) return base::UnavailableError("cannot overwrite key file " + path_);
  if (::unlink(path_.c_str()) != 0) {
    return base::UnavailableError("cannot remove key file " + path_ + ": " + std::strerror(errno));
  }
  return base::Status::Ok();
}

}  // namespace openen::client
