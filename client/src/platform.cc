// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/client/platform.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

namespace openen::client {
namespace {
constexpr std::string_view kWrapContext = "openen client data key v1";
}  // namespace

int64_t SystemClock::NowSeconds() const {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

StatusOr<std::unique_ptr<FileKeyStore>> FileKeyStore::FromKey(const crypto::SecretBytes& key) {
  OPENEN_ASSIGN_OR_RETURN(crypto::Aead aead, crypto::Aead::Create(key));
  return std::unique_ptr<FileKeyStore>(new FileKeyStore(std::move(aead)));
}

StatusOr<std::unique_ptr<FileKeyStore>> FileKeyStore::OpenOrCreate(const std::string& path) {
  crypto::SecretBytes key(crypto::kAeadKeySize);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    ssize_t n = ::read(fd, key.MutableReveal().data(), key.size());
    ::close(fd);
    if (n != static_cast<ssize_t>(key.size())) {
      return DataLossError("key file " + path + " is not a 32-byte key");
    }
    return FromKey(key);
  }
  if (errno != ENOENT) return UnavailableError("cannot read key file " + path + ": " + std::strerror(errno));
  key = crypto::SecretBytes::Random(crypto::kAeadKeySize);
  fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return UnavailableError("cannot create key file " + path + ": " + std::strerror(errno));
  bool ok = ::write(fd, key.Reveal().data(), key.size()) == static_cast<ssize_t>(key.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) return UnavailableError("cannot write key file " + path);
  return FromKey(key);
}

StatusOr<Bytes> FileKeyStore::Wrap(const crypto::SecretBytes& data_key) {
  return aead_.Seal(data_key.Reveal(), AsBytes(kWrapContext));
}

StatusOr<crypto::SecretBytes> FileKeyStore::Unwrap(ByteView wrapped) {
  auto plain = aead_.Open(wrapped, AsBytes(kWrapContext));
  if (!plain.ok()) return PermissionDeniedError("the wrapping key cannot unwrap this data key");
  crypto::SecretBytes key(*plain);
  crypto::Wipe(*plain);
  return key;
}

}  // namespace openen::client
