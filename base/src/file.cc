// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/base/file.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "openen/base/fault.h"

#ifdef OPENEN_FAULT_INJECTION
#include <map>
#include <mutex>
#include <optional>
#include <set>
#endif

namespace openen::base {
namespace {

// WithoutTrailingSlash returns |dir| without trailing '/'s ("/" stays).
std::string WithoutTrailingSlash(std::string dir) {
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  return dir;
}

// DirectoryOf returns the directory holding |path|, without a trailing '/'.
std::string DirectoryOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return WithoutTrailingSlash(path.substr(0, slash));
}

#ifdef OPENEN_FAULT_INJECTION

// The record behind LoseUnsyncedChanges (the model is in file.h).
struct Entry {
  bool exists = false;
  std::string contents;
  mode_t mode = 0;
};

struct Unsynced {
  std::mutex mu;
  // Each entry changed since its directory was last synced, and what the
  // durable entry holds: the state before the first unsynced change.
  std::map<std::string, Entry> entries;
  // Files whose data was written and not fsynced since.
  std::set<std::string> data;
};

Unsynced& Tracker() {
  static auto* unsynced = new Unsynced;
  return *unsynced;
}

// Current reads what |path| holds now, as a durable entry would give it back.
Entry Current(const Unsynced& u, const std::string& path) {
  Entry e;
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return e;
  e.exists = true;
  e.mode = st.st_mode & 07777;
  if (u.data.count(path)) return e;  // its data is not durable: nothing of it is
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return e;
  char buf[65536];
  for (ssize_t n; (n = ::read(fd, buf, sizeof(buf))) > 0;) e.contents.append(buf, n);
  ::close(fd);
  return e;
}

// BeforeEntryChange records the durable state of |path| before base creates,
// renames over or removes it, unless an unsynced change already did.
void BeforeEntryChange(const std::string& path) {
  Unsynced& u = Tracker();
  std::lock_guard<std::mutex> lock(u.mu);
  if (!u.entries.count(path)) u.entries.emplace(path, Current(u, path));
}

void DataWritten(const std::string& path, bool written) {
  Unsynced& u = Tracker();
  std::lock_guard<std::mutex> lock(u.mu);
  if (written) {
    u.data.insert(path);
  } else {
    u.data.erase(path);
  }
}

void Renamed(const std::string& from, const std::string& to) {
  Unsynced& u = Tracker();
  std::lock_guard<std::mutex> lock(u.mu);
  // Unsynced data goes with the inode; the target's own is gone.
  const bool moved = u.data.erase(from) > 0;
  u.data.erase(to);
  if (moved) u.data.insert(to);
}

void Removed(const std::string& path) {
  Unsynced& u = Tracker();
  std::lock_guard<std::mutex> lock(u.mu);
  u.data.erase(path);
}

void DirectorySynced(const std::string& dir) {
  Unsynced& u = Tracker();
  std::lock_guard<std::mutex> lock(u.mu);
  for (auto it = u.entries.begin(); it != u.entries.end();) {
    it = DirectoryOf(it->first) == dir ? u.entries.erase(it) : std::next(it);
  }
}

#else

void BeforeEntryChange(const std::string&) {}
void DataWritten(const std::string&, bool) {}
void Renamed(const std::string&, const std::string&) {}
void Removed(const std::string&) {}
void DirectorySynced(const std::string&) {}

#endif  // OPENEN_FAULT_INJECTION

}  // namespace

namespace {

// ReadInto is ReadFile into any contiguous buffer of bytes. A regular file's
// buffer is sized once, so the file is held once, not grown into.
template <typename Buffer>
StatusOr<Buffer> ReadInto(const std::string& path, size_t limit, std::string_view what) {
  const std::string name(what.empty() ? std::string_view(path) : what);
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    // A missing file is the common case and needs no reason; any other
    // (permissions, a file where a directory should be) says which.
    if (errno == ENOENT) return NotFoundError("cannot read " + name);
    return NotFoundError("cannot read " + name + ": " + std::strerror(errno));
  }
  struct stat st {};
  Buffer s;
  Status status;
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && static_cast<uint64_t>(st.st_size) > limit) {
    // A regular file is refused by its size before a byte is read.
    status = ResourceExhaustedError(name + " is " + std::to_string(st.st_size) +
                                    " bytes, more than the limit of " + std::to_string(limit));
  } else {
    // A pipe (--key-file <(...), /dev/stdin) has no size: read at most
    // limit + 1 bytes, and refuse more.
    if (S_ISREG(st.st_mode)) s.reserve(static_cast<size_t>(st.st_size));
    char buf[16 << 10];
    while (status.ok()) {
      const ssize_t n = ::read(fd, buf, sizeof(buf));
      if (n == 0) break;
      if (n < 0) {
        if (errno == EINTR) continue;
        status = UnavailableError("cannot read " + name + ": " + std::strerror(errno));
        break;
      }
      s.insert(s.end(), buf, buf + n);
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

}  // namespace

StatusOr<std::string> ReadFile(const std::string& path, size_t limit, std::string_view what) {
  return ReadInto<std::string>(path, limit, what);
}

StatusOr<Bytes> ReadFileBytes(const std::string& path, size_t limit, std::string_view what) {
  return ReadInto<Bytes>(path, limit, what);
}

Status WriteFileAtomically(const std::string& path, std::string_view contents, bool secret) {
  const std::string tmp = path + ".tmp";
  // A leftover of an earlier attempt goes first: reusing it would keep its
  // mode (O_CREAT sets a mode only on a new file), and a secret must not
  // inherit 0644.
  BeforeEntryChange(tmp);
  ::unlink(tmp.c_str());
  Removed(tmp);
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, secret ? 0600 : 0644);
  if (fd < 0) return UnavailableError("cannot write " + tmp + ": " + std::strerror(errno));
  auto fail = [&](const std::string& what) {
    const Status error = UnavailableError(what + ": " + std::strerror(errno));
    ::unlink(tmp.c_str());
    Removed(tmp);
    return error;
  };
  DataWritten(tmp, true);
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
  DataWritten(tmp, false);
  if (::close(fd) != 0) return fail("cannot sync " + tmp);
  OPENEN_RETURN_IF_ERROR(FaultPoint("file.write.synced"));
  BeforeEntryChange(path);
  if (::rename(tmp.c_str(), path.c_str()) != 0) return fail("cannot rename " + tmp + " to " + path);
  Renamed(tmp, path);
  OPENEN_RETURN_IF_ERROR(FaultPoint("file.write.renamed"));
  // The rename is durable once the directory is synced; until then a power
  // cut can bring the old contents back, so a failed sync is a failed write.
  return SyncDirectory(DirectoryOf(path));
}

Status RemoveFile(const std::string& path) {
  BeforeEntryChange(path);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return UnavailableError("cannot remove " + path + ": " + std::strerror(errno));
  }
  Removed(path);
  return Status::Ok();
}

Status RemoveTree(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return Status::Ok();
    return UnavailableError("cannot remove " + path + ": " + std::strerror(errno));
  }
  if (!S_ISDIR(st.st_mode)) return RemoveFile(path);
  DIR* dir = ::opendir(path.c_str());
  if (dir == nullptr) return UnavailableError("cannot list " + path + ": " + std::strerror(errno));
  std::vector<std::string> names;
  while (dirent* e = ::readdir(dir)) {
    const std::string name = e->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  ::closedir(dir);
  for (const std::string& name : names) OPENEN_RETURN_IF_ERROR(RemoveTree(path + "/" + name));
  if (::rmdir(path.c_str()) != 0 && errno != ENOENT) {
    return UnavailableError("cannot remove " + path + ": " + std::strerror(errno));
  }
  return Status::Ok();
}

Status SyncDirectory(const std::string& dir) {
  auto fail = [&](const std::string& reason) {
    return UnavailableError("cannot sync directory " + dir + ": " + reason);
  };
  if (Status fault = FaultPoint("file.sync_directory"); !fault.ok()) {
    return fail(std::string(fault.message()));
  }
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return fail(std::strerror(errno));
  if (::fsync(dfd) != 0) {
    const Status error = fail(std::strerror(errno));
    ::close(dfd);
    return error;
  }
  ::close(dfd);
  DirectorySynced(WithoutTrailingSlash(dir));
  return Status::Ok();
}

#ifdef OPENEN_FAULT_INJECTION
void LoseUnsyncedChanges() {
  Unsynced& u = Tracker();
  std::lock_guard<std::mutex> lock(u.mu);
  for (const std::string& path : u.data) (void)!::truncate(path.c_str(), 0);
  for (const auto& [path, entry] : u.entries) {
    ::unlink(path.c_str());
    if (!entry.exists) continue;
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, entry.mode);
    if (fd < 0) continue;
    (void)!::write(fd, entry.contents.data(), entry.contents.size());
    (void)!::fchmod(fd, entry.mode);
    ::close(fd);
  }
  u.data.clear();
  u.entries.clear();
}
#endif

StatusOr<FileLock> FileLock::TryLock(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return UnavailableError("cannot open " + path + ": " + std::strerror(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK) return FailedPreconditionError(path + " is locked by another process");
    return UnavailableError("cannot lock " + path + ": " + std::strerror(err));
  }
  // The lock is on the file, not the name: one replaced or removed since it
  // was opened would let another process lock the new one too.
  struct stat held {
  }, named{};
  if (::fstat(fd, &held) != 0 || ::stat(path.c_str(), &named) != 0 || held.st_ino != named.st_ino ||
      held.st_dev != named.st_dev) {
    ::close(fd);
    return FailedPreconditionError(path + " was replaced while it was locked");
  }
  return FileLock(fd, path);
}

FileLock& FileLock::operator=(FileLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    path_ = std::move(other.path_);
    other.fd_ = -1;
  }
  return *this;
}

FileLock::~FileLock() {
  if (fd_ >= 0) ::close(fd_);
}

StatusOr<std::string> FileLock::Read(size_t limit) const {
  std::string out(limit, '\0');
  ssize_t n = ::pread(fd_, out.data(), out.size(), 0);
  if (n < 0) return UnavailableError("cannot read " + path_ + ": " + std::strerror(errno));
  out.resize(static_cast<size_t>(n));
  return out;
}

Status FileLock::Write(std::string_view contents) const {
  errno = EIO;  // a short write sets none
  if (::ftruncate(fd_, 0) != 0 ||
      ::pwrite(fd_, contents.data(), contents.size(), 0) != static_cast<ssize_t>(contents.size()) ||
      ::fsync(fd_) != 0) {
    return UnavailableError("cannot write " + path_ + ": " + std::strerror(errno));
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
