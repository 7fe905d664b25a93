// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/client/platform.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace openen::client {
namespace {
constexpr std::string_view kWrapContext = "openen client data key v1";
}  // namespace

namespace {

// WriteNewKeyFile writes |key| to |path| durably, replacing whatever a
// failed Destroy left there: it writes a temporary file beside it and
// renames it over |path|, so |path| holds the old contents or the whole key.
base::Status WriteNewKeyFile(const std::string& path, const crypto::SecretBytes& key) {
  const std::string tmp = path + ".tmp";
  ::unlink(tmp.c_str());  // a leftover of an earlier attempt
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    return base::UnavailableError("cannot create key file " + tmp + ": " + std::strerror(errno));
  const bool ok = ::write(fd, key.Reveal().data(), key.size()) == static_cast<ssize_t>(key.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return base::UnavailableError("cannot write key file " + path + ": " + std::strerror(errno));
  }
  // The rename is durable once the directory is synced.
  const std::string dir = path.find('/') == std::string::npos ? "." : path.substr(0, path.rfind('/') + 1);
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return base::Status::Ok();
}

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
    OPENEN_RETURN_IF_ERROR(WriteNewKeyFile(path, key));
  }
  OPENEN_ASSIGN_OR_RETURN(crypto::Aead aead, crypto::Aead::Create(key));
  return std::unique_ptr<FileKeyStore>(new FileKeyStore(path, std::move(aead)));
}

base::StatusOr<base::Bytes> FileKeyStore::Wrap(const crypto::SecretBytes& data_key) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!aead_) {
    crypto::SecretBytes key = crypto::SecretBytes::Random(crypto::kAeadKeySize);
    if (!path_.empty()) OPENEN_RETURN_IF_ERROR(WriteNewKeyFile(path_, key));
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
