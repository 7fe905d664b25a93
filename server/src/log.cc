// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/server/log.h"

#include <atomic>
#include <cstdarg>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <string>

namespace openen::server {
namespace {
std::atomic<bool> logging{true};
std::atomic<bool> json{false};

// JsonString returns |s| as a JSON string literal.
std::string JsonString(const char* s) {
  std::string out = "\"";
  for (; *s; ++s) {
    const unsigned char c = static_cast<unsigned char>(*s);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof(escaped), "\\u%04x", c);
      out += escaped;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}
}  // namespace

void SetLogging(bool on) { logging.store(on); }
void SetLogJson(bool on) { json.store(on); }

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
  if (json.load()) {
    std::fprintf(stderr, "{\"time\": \"%s\", \"component\": %s, \"message\": %s}\n", when,
                 JsonString(component).c_str(), JsonString(message).c_str());
  } else {
    std::fprintf(stderr, "%s %s: %s\n", when, component, message);
  }
  std::fflush(stderr);
}

}  // namespace openen::server
