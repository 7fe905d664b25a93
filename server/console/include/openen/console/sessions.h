// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Sessions: who is logged in to the console, in memory only (a restart logs
// everyone out). A session is named by a random token, the value of an
// HttpOnly, SameSite=Strict cookie, and carries its own CSRF token, which
// every form posts back. Sessions end at logout, after idle_seconds without
// a request, after max_seconds in all, and, when max_sessions are open, the
// least recently used goes first: memory stays bounded whatever logs in.

#ifndef OPENEN_CONSOLE_SESSIONS_H_
#define OPENEN_CONSOLE_SESSIONS_H_

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "openen/base/clock.h"

namespace openen::console {

struct Session {
  std::string name;  // the staff member
  std::string csrf;  // what this session's forms must post back
  int64_t created_at = 0;
  int64_t last_seen = 0;
};

struct SessionLimits {
  int64_t idle_seconds = 30 * 60;
  int64_t max_seconds = 12 * 3600;
  size_t max_sessions = 1024;
};

class Sessions {
 public:
  Sessions(const base::Clock* clock, SessionLimits limits) : clock_(clock), limits_(limits) {}

  // Create opens a session for |name| and returns its token (32 random
  // bytes, URL-safe base64).
  std::string Create(std::string_view name);
  // Find returns the live session of |token| and marks it used now.
  std::optional<Session> Find(std::string_view token);
  // End ends the session of |token|; EndAllOf every session of |name|
  // (disabled, or a new password or second factor).
  void End(std::string_view token);
  void EndAllOf(std::string_view name);
  size_t size() const;

 private:
  // The sessions by a hash of their token (a memory dump gives no cookie).
  static std::string Key(std::string_view token);
  bool Live(const Session& s, int64_t now) const;

  const base::Clock* const clock_;
  const SessionLimits limits_;
  mutable std::mutex mu_;
  std::map<std::string, Session> sessions_;
};

// RandomToken is 32 random bytes in URL-safe base64 without padding.
std::string RandomToken();

// SameToken compares two tokens in constant time (for equal lengths).
bool SameToken(std::string_view a, std::string_view b);

}  // namespace openen::console

#endif  // OPENEN_CONSOLE_SESSIONS_H_
