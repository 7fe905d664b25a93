// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/server/memory.h"

#include <unistd.h>

#include <cstdio>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace openen::server {

size_t ResidentBytes() {
  FILE* f = std::fopen("/proc/self/statm", "re");
  if (f == nullptr) return 0;
  unsigned long size = 0, resident = 0;
  const int n = std::fscanf(f, "%lu %lu", &size, &resident);
  std::fclose(f);
  if (n != 2) return 0;
  return static_cast<size_t>(resident) * static_cast<size_t>(sysconf(_SC_PAGESIZE));
}

bool MemoryReturner::Check() {
#if defined(__GLIBC__)
  const size_t resident = ResidentBytes();
  if (resident < baseline_) baseline_ = resident;
  if (resident <= baseline_ + slack_bytes_) return false;
  // malloc_trim(0) releases every free page of every arena, not only the
  // top of the main heap.
  malloc_trim(0);
  baseline_ = ResidentBytes();
  return true;
#else
  return false;
#endif
}

}  // namespace openen::server
