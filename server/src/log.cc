// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/server/log.h"

#include <atomic>
#include <cstdarg>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace openen::server {
namespace {
std::atomic<bool> logging{true};
}  // namespace

void SetLogging(bool on) { logging.store(on); }

void Log(const char* component, const char* format, ...) {
  if (!logging.load()) return;
  static std::mutex mu;
  char message[1024];
  va_list args;
  va_start(args, format);
  std::vsnprintf(message, sizeof(message), format, args);
  va_end(args);
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char when[32];
  std::strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
  std::lock_guard<std::mutex> lock(mu);
  std::fprintf(stderr, "%s %s: %s\n", when, component, message);
  std::fflush(stderr);
}

}  // namespace openen::server
