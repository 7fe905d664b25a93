// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "common/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "openen/crypto/secret.h"

namespace openen::server {

StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFoundError("cannot read " + path + ": " + std::strerror(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return UnavailableError("cannot read " + path);
  return ss.str();
}

Status WriteFileAtomically(const std::string& path, std::string_view contents, bool secret) {
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, secret ? 0600 : 0644);
  if (fd < 0) return UnavailableError("cannot write " + tmp + ": " + std::strerror(errno));
  size_t done = 0;
  while (done < contents.size()) {
    ssize_t n = ::write(fd, contents.data() + done, contents.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      ::close(fd);
      return UnavailableError("cannot write " + tmp + ": " + std::strerror(errno));
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    return UnavailableError("cannot sync " + tmp + ": " + std::strerror(errno));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    return UnavailableError("cannot rename " + tmp + " to " + path + ": " + std::strerror(errno));
  }
  return Status::Ok();
}

std::string Trim(std::string_view s) {
  const char* ws = " \t\r\n";
  size_t b = s.find_first_not_of(ws);
  if (b == std::string_view::npos) return "";
  size_t e = s.find_last_not_of(ws);
  return std::string(s.substr(b, e - b + 1));
}

StatusOr<crypto::Ed25519PrivateKey> ReadEd25519PrivateKey(const std::string& path) {
  OPENEN_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  auto seed = Base64Decode(Trim(text));
  crypto::Wipe(std::span<uint8_t>(reinterpret_cast<uint8_t*>(text.data()), text.size()));
  if (!seed.ok()) return seed.status().WithContext(path);
  auto key = crypto::Ed25519PrivateKey::FromSeed(*seed);
  crypto::Wipe(*seed);
  if (!key.ok()) return key.status().WithContext(path);
  return key;
}

Status WriteEd25519PrivateKey(const std::string& path, const crypto::Ed25519PrivateKey& key) {
  std::string text = Base64Encode(key.seed().Reveal()) + "\n";
  Status s = WriteFileAtomically(path, text, /*secret=*/true);
  crypto::Wipe(std::span<uint8_t>(reinterpret_cast<uint8_t*>(text.data()), text.size()));
  return s;
}

StatusOr<std::vector<crypto::Ed25519PublicKey>> ReadEd25519PublicKeys(const std::string& path) {
  OPENEN_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  std::vector<crypto::Ed25519PublicKey> keys;
  std::istringstream lines(text);
  int n = 0;
  for (std::string line; std::getline(lines, line);) {
    ++n;
    line = Trim(line);
    if (line.empty() || line[0] == '#') continue;
    auto bytes = Base64Decode(line);
    if (!bytes.ok()) return bytes.status().WithContext(path + ":" + std::to_string(n));
    auto key = crypto::Ed25519PublicKey::FromBytes(*bytes);
    if (!key.ok()) return key.status().WithContext(path + ":" + std::to_string(n));
    keys.push_back(*key);
  }
  if (keys.empty()) return InvalidArgumentError(path + " holds no public key");
  return keys;
}

}  // namespace openen::server
