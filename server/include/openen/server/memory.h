// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Giving freed memory back to the system. glibc's malloc keeps the pages of
// what a burst allocated and freed (a flood's requests, read by many threads
// into many arenas) and does not return them while anything above them in an
// arena is still in use, so without this a server would stay at its peak
// once idle. Elsewhere this does nothing; under sanitizers, which bring their
// own allocator, glibc's arenas hold nothing to give back.

#ifndef OPENEN_SERVER_MEMORY_H_
#define OPENEN_SERVER_MEMORY_H_

#include <cstddef>

namespace openen::server {

// ResidentBytes returns the process's resident set size (Linux: from
// /proc/self/statm); 0 where it cannot be read.
size_t ResidentBytes();

// How much a server may grow before its free pages go back: the servers'
// MemoryReturner checks every second (ServeUntilSignal).
inline constexpr size_t kMemorySlackBytes = size_t{16} << 20;

// MemoryReturner gives the allocator's free pages back to the system when the
// process has grown by more than |slack_bytes| since it last did: Check is
// cheap (one read of the resident size) and meant to be called every second.
// Not thread-safe; one thread calls Check.
class MemoryReturner {
 public:
  explicit MemoryReturner(size_t slack_bytes) : slack_bytes_(slack_bytes) {}

  // Check returns whether it gave pages back.
  bool Check();

 private:
  const size_t slack_bytes_;
  size_t baseline_ = 0;  // the resident size after the last return, or lower
};

}  // namespace openen::server

#endif  // OPENEN_SERVER_MEMORY_H_
