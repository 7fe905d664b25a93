// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Whole files in and out: read with a bound chosen by the caller (no input
// makes memory grow without one), write atomically and durably.
//
// Durability model. A change to a file survives a power cut only once it is
// synced: a file's data once the file is fsynced, a directory entry created,
// renamed or removed once its directory is fsynced. Until then a power cut
// may undo it (POSIX promises no more; ext4 and xfs do reorder such updates).
// WriteFileAtomically syncs both before it returns; RemoveFile does not,
// so that a caller removing many files syncs their directory once
// (SyncDirectory).
//
// In a build with OPENEN_FAULT_INJECTION, this file keeps a record of every
// change it made that is not durable yet under that model: the data of a
// file written and not yet fsynced, and each entry created, renamed over or
// removed in a directory not fsynced since (with what the entry held
// before). LoseUnsyncedChanges, the default power-loss hook of base/fault.h,
// undoes them: it truncates unsynced data to nothing and puts every
// unsynced entry back as it was (removes a new file, restores a replaced or
// removed one). That is the worst a power cut could leave, for files written
// through these functions; RocksDB syncs its own files and is not modelled.

#ifndef OPENEN_BASE_FILE_H_
#define OPENEN_BASE_FILE_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "openen/base/bytes.h"
#include "openen/base/status.h"

namespace openen::base {

// The bound for small files a person writes or keeps: keys, certificates,
// signed configuration and orders.
inline constexpr size_t kMaxSmallFileBytes = size_t{1} << 20;

// ReadFile returns the whole of |path|, refusing one larger than |limit|
// (RESOURCE_EXHAUSTED): a regular file by its size before reading ("<what> is
// N bytes, more than the limit of L"), a pipe once it has given limit + 1
// bytes ("<what> is more than the limit of L bytes"). NOT_FOUND
// "cannot read <what>" when it does not exist, with ": <reason>" when it
// cannot be opened for another reason. |what| names the file in errors;
// empty means |path|.
StatusOr<std::string> ReadFile(const std::string& path, size_t limit, std::string_view what = {});
// ReadFileBytes is ReadFile as bytes (an export file, read once).
StatusOr<Bytes> ReadFileBytes(const std::string& path, size_t limit, std::string_view what = {});

// WriteFileAtomically writes |contents| to a fresh "<path>.tmp" in the same
// directory (removing any leftover first, so the mode is always this call's),
// syncs it, renames it over |path| and syncs the directory: |path| holds the
// old contents or the new, never a part, and the new survives a crash once
// this returns OK. Mode 0600 when |secret|, else 0644. On an error the
// temporary file is removed; when only the directory sync failed, |path|
// may hold the new contents, not durably.
Status WriteFileAtomically(const std::string& path, std::string_view contents, bool secret);

// RemoveFile removes |path|; OK when it is already gone. UNAVAILABLE
// "cannot remove <path>: <reason>" otherwise. The removal is durable only
// once SyncDirectory of its directory returns OK.
Status RemoveFile(const std::string& path);

// RemoveTree removes |path| and, when it is a directory, everything under
// it (symbolic links are removed, not followed); OK when it is already gone.
// Durable once SyncDirectory of its parent returns OK.
Status RemoveTree(const std::string& path);

// SyncDirectory fsyncs the directory |dir|, making every entry created,
// renamed or removed in it durable. UNAVAILABLE "cannot sync directory
// <dir>: <reason>" when it cannot be opened or synced: a caller must not
// report such a change as durable then.
Status SyncDirectory(const std::string& dir);

#ifdef OPENEN_FAULT_INJECTION
// LoseUnsyncedChanges undoes every change that is not durable yet (see the
// durability model above) and forgets them: what a power cut now would
// leave. Installed as base/fault.h's power-loss hook; tests may call it.
void LoseUnsyncedChanges();
#endif

// FileLock is an exclusive advisory lock (flock) on a file, held until the
// object is destroyed or the process ends, however it ends: a process that
// dies releases it. The file is created (mode 0644) if missing; the lock
// file can also hold a few bytes of text (Read, Write). Move-only.
class FileLock {
 public:
  // TryLock locks |path|. FAILED_PRECONDITION "<path> is locked by another
  // process" when another open file holds the lock (another process, or
  // another FileLock in this one); UNAVAILABLE when it cannot be opened.
  static StatusOr<FileLock> TryLock(const std::string& path);

  FileLock(FileLock&& other) noexcept : fd_(other.fd_), path_(std::move(other.path_)) {
    other.fd_ = -1;
  }
  FileLock& operator=(FileLock&& other) noexcept;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock();

  // Read returns the file's contents, up to |limit| bytes.
  StatusOr<std::string> Read(size_t limit) const;
  // Write replaces the file's contents in place and syncs them (not atomic:
  // a power cut during the write can leave a part; keep them short).
  Status Write(std::string_view contents) const;

 private:
  FileLock(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  int fd_ = -1;
  std::string path_;
};

// FileExists reports whether |path| names anything.
bool FileExists(const std::string& path);

// Trim removes leading and trailing whitespace.
std::string Trim(std::string_view s);

}  // namespace openen::base

#endif  // OPENEN_BASE_FILE_H_
