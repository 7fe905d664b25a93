// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/console/sessions.h"

#include <sodium.h>

#include <algorithm>

#include "openen/crypto/hash.h"
#include "openen/crypto/random.h"

namespace openen::console {

std::string RandomToken() {
  uint8_t raw[32];
  crypto::RandomBytes(raw);
  char out[sodium_base64_ENCODED_LEN(sizeof(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  sodium_bin2base64(out, sizeof(out), raw, sizeof(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  sodium_memzero(raw, sizeof(raw));
  return out;
}

bool SameToken(std::string_view a, std::string_view b) {
  return a.size() == b.size() && !a.empty() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string Sessions::Key(std::string_view token) {
  const crypto::Sha256Digest d =
      crypto::Sha256(base::ByteView(reinterpret_cast<const uint8_t*>(token.data()), token.size()));
  return std::string(reinterpret_cast<const char*>(d.data()), d.size());
}

bool Sessions::Live(const Session& s, int64_t now) const {
  return now - s.last_seen < limits_.idle_seconds && now - s.created_at < limits_.max_seconds;
}

std::string Sessions::Create(std::string_view name) {
  const int64_t now = clock_->NowSeconds();
  std::string token = RandomToken();
  Session s{std::string(name), RandomToken(), now, now};
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    it = Live(it->second, now) ? std::next(it) : sessions_.erase(it);
  }
  while (sessions_.size() >= limits_.max_sessions && !sessions_.empty()) {
    sessions_.erase(std::min_element(
        sessions_.begin(), sessions_.end(),
        [](const auto& a, const auto& b) { return a.second.last_seen < b.second.last_seen; }));
  }
  sessions_.emplace(Key(token), std::move(s));
  return token;
}

std::optional<Session> Sessions::Find(std::string_view token) {
  const int64_t now = clock_->NowSeconds();
  std::lock_guard<std::mutex> lock(mu_);
  auto it = sessions_.find(Key(token));
  if (it == sessions_.end()) return std::nullopt;
  if (!Live(it->second, now)) {
    sessions_.erase(it);
    return std::nullopt;
  }
  it->second.last_seen = now;
  return it->second;
}

void Sessions::End(std::string_view token) {
  std::lock_guard<std::mutex> lock(mu_);
  sessions_.erase(Key(token));
}

void Sessions::EndAllOf(std::string_view name) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    it = it->second.name == name ? sessions_.erase(it) : std::next(it);
  }
}

size_t Sessions::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return sessions_.size();
}

}  // namespace openen::console
