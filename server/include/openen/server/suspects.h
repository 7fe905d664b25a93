// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Suspects: the connections whose last real call failed through the caller's
// fault (a forged, expired or used certificate, a wrong code, a bad request).
// Their real calls wait in Lane::kSuspect, behind every other connection's
// real calls and reads, until kSuspectFor has passed or one of their calls
// succeeds. Forged uploads cost a worker an Ed25519 verification each; a flood
// of them from many connections would otherwise take most turns from phones.
//
// A connection is known by its key (server::ConnectionOf, the address of its
// gRPC security context). While it is suspect, Suspects holds a reference to
// that context, so that no later connection can get the same address and
// inherit the suspicion; the reference goes when the suspicion does.

#ifndef OPENEN_SERVER_SUSPECTS_H_
#define OPENEN_SERVER_SUSPECTS_H_

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "openen/base/status.h"
#include "openen/server/worker_pool.h"

namespace openen::server {

class Suspects {
 public:
  using Clock = std::chrono::steady_clock;
  // How long a failure makes a connection suspect.
  static constexpr std::chrono::seconds kSuspectFor{10};
  // Suspects remembered at most; beyond, a new one is not remembered.
  static constexpr size_t kMaxSuspects = 65536;

  // |now| is the clock (tests give their own).
  explicit Suspects(size_t max = kMaxSuspects, std::function<Clock::time_point()> now = Clock::now)
      : max_(max), now_(std::move(now)) {}

  // IsSuspect reports whether |flow| is suspect now. nullptr (an in-process
  // channel: no connection to tell apart) never is.
  bool IsSuspect(WorkerPool::Flow flow);

  // Judge makes |flow| suspect after one of its real calls failed with
  // |status| through the caller's fault (UNAUTHENTICATED, PERMISSION_DENIED,
  // INVALID_ARGUMENT, NOT_FOUND), and clears it after one succeeded; other
  // failures (the server's: busy, internal) change nothing. A new suspect's
  // |hold| is called for the reference kept while it is suspect.
  void Judge(WorkerPool::Flow flow, const base::Status& status,
             const std::function<std::shared_ptr<const void>()>& hold);

  // Count returns the suspects remembered (expired ones go within a second).
  size_t Count();

 private:
  struct Suspect {
    Clock::time_point until;
    std::shared_ptr<const void> held;
  };
  // SweepLocked drops expired suspects, at most once a second.
  void SweepLocked(Clock::time_point now);

  const size_t max_;
  const std::function<Clock::time_point()> now_;
  std::mutex mu_;
  std::unordered_map<WorkerPool::Flow, Suspect> suspects_;
  Clock::time_point swept_{};
};

}  // namespace openen::server

#endif  // OPENEN_SERVER_SUSPECTS_H_
