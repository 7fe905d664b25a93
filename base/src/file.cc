// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/base/file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

namespace openen::base {

StatusOr<std::string> ReadFile(const std::string& path, size_t limit, std::string_view what) {
  const std::string name(what.empty() ? std::string_view(path) : what);
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return NotFoundError("cannot read " + name);
  const std::streamoff size = in.tellg();
  if (size < 0) return NotFoundError("cannot read " + name + ": not a regular file");
  if (static_cast<uint64_t>(size) > limit) {
    return ResourceExhaustedError(name + " is " + std::to_string(size) + " bytes, more than the limit of " +
                                  std::to_string(limit));
  }
  in.seekg(0);
  std::string s(static_cast<size_t>(size), '\0');
  if (!in.read(s.data(), size)) return UnavailableError("cannot read " + name);
  return s;
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

}  // namespace openen::base

