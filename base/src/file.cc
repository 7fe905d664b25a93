// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/base/file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace openen::base {

StatusOr<std::string> ReadFile(const std::string& path, size_t limit, std::string_view what) {
  const std::string name(what.empty() ? std::string_view(path) : what);
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    // A missing file is the common case and needs no reason; any other
    // (permissions, a file where a directory should be) says which.
    if (errno == ENOENT) return NotFoundError("cannot read " + name);
    return NotFoundError("cannot read " + name + ": " + std::strerror(errno));
  }
  struct stat st {};
  std::string s;
  Status status;
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && static_cast<uint64_t>(st.st_size) > limit) {
    // A regular file is refused by its size before a byte is read.
    status = ResourceExhaustedError(name + " is " + std::to_string(st.st_size) +
                                    " bytes, more than the limit of " + std::to_string(limit));
  } else {
    // A pipe (--key-file <(...), /dev/stdin) has no size: read at most
    // limit + 1 bytes, and refuse more.
    char buf[4096];
    while (status.ok()) {
      const ssize_t n = ::read(fd, buf, sizeof(buf));
      if (n == 0) break;
      if (n < 0) {
        if (errno == EINTR) continue;
        status = UnavailableError("cannot read " + name + ": " + std::strerror(errno));
        break;
      }
      s.append(buf, static_cast<size_t>(n));
      if (s.size() > limit) {
        status = ResourceExhaustedError(name + " is more than the limit of " +
                                        std::to_string(limit) + " bytes");
      }
    }
  }
  ::close(fd);
  if (!status.ok()) return status;
  return s;
}

Status WriteFileAtomically(const std::string& path, std::string_view contents, bool secret) {
  const std::string tmp = path + ".tmp";
  // A leftover of an earlier attempt goes first: reusing it would keep its
  // mode (O_CREAT sets a mode only on a new file), and a secret must not
  // inherit 0644.
  ::unlink(tmp.c_str());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, secret ? 0600 : 0644);
  if (fd < 0) return UnavailableError("cannot write " + tmp + ": " + std::strerror(errno));
  auto fail = [&](const std::string& what) {
    const Status error = UnavailableError(what + ": " + std::strerror(errno));
    ::unlink(tmp.c_str());
    return error;
  };
  size_t done = 0;
  while (done < contents.size()) {
    ssize_t n = ::write(fd, contents.data() + done, contents.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      ::close(fd);
      return fail("cannot write " + tmp);
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    ::close(fd);
    return fail("cannot sync " + tmp);
  }
  if (::close(fd) != 0) return fail("cannot sync " + tmp);
  if (::rename(tmp.c_str(), path.c_str()) != 0) return fail("cannot rename " + tmp + " to " + path);
  // The rename is durable once the directory is synced.
  const size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : path.substr(0, slash + 1);
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return Status::Ok();
}

bool FileExists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

std::string Trim(std::string_view s) {
  const char* ws = " \t\r\n";
  size_t b = s.find_first_not_of(ws);
  if (b == std::string_view::npos) return "";
  size_t e = s.find_last_not_of(ws);
  return std::string(s.substr(b, e - b + 1));
}

}  // namespace openen::base
