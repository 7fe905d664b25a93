// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// A server's view of the health authority's decommission order: a
// SignedEnvelope (context openen.v1.DecommissionOrder) verified under the
// authority's offline decommission keys (never a certificate or
// configuration key: DESIGN.md promise 7), kept in
// <data-dir>/decommission-order.bin so that the `decommission` command can
// hand it to a running server, which picks it up at its next maintenance
// pass. From the order's effective time the server refuses new work and
// deletes what it holds.

#ifndef OPENEN_SERVER_DECOMMISSION_H_
#define OPENEN_SERVER_DECOMMISSION_H_

#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "openen/base/status.h"
#include "openen/crypto/ed25519.h"
#include "openen/v1/relay.pb.h"
#include "openen/v1/signed.pb.h"

namespace openen::server {

// The file name of an installed order inside a data directory.
inline constexpr char kDecommissionOrderFile[] = "decommission-order.bin";

// ReadDecommissionOrder parses and verifies an order file. INVALID_ARGUMENT
// when it is not an envelope, UNAUTHENTICATED when no trusted key signed it,
// FAILED_PRECONDITION when |trusted| is empty (no order can count).
base::StatusOr<std::pair<openen::v1::SignedEnvelope, openen::v1::DecommissionOrder>>
ReadDecommissionOrder(const std::string& path,
                      const std::vector<crypto::Ed25519PublicKey>& trusted);

// InstallDecommissionOrder verifies |order_file| and copies it into
// |data_dir|, unless an installed order takes effect at the same time or
// earlier (an order can be brought forward, never postponed). Returns the
// effective time of the order now installed.
base::StatusOr<int64_t> InstallDecommissionOrder(
    const std::string& order_file, const std::string& data_dir,
    const std::vector<crypto::Ed25519PublicKey>& trusted);

class DecommissionState {
 public:
  DecommissionState(std::string data_dir, std::vector<crypto::Ed25519PublicKey> trusted)
      : path_(std::move(data_dir) + "/" + kDecommissionOrderFile), trusted_(std::move(trusted)) {}

  // Refresh loads the installed order if there is one. A file that does not
  // verify is an error and changes nothing; the earliest order seen stays in
  // force, so none is ever undone or postponed. Thread-safe.
  base::Status Refresh();
  // EffectiveAt reports whether an order is in force at |now|.
  bool EffectiveAt(int64_t now) const;
  // Order returns the installed order's envelope, if any.
  std::optional<openen::v1::SignedEnvelope> Order() const;

 private:
  const std::string path_;
  const std::vector<crypto::Ed25519PublicKey> trusted_;
  mutable std::mutex mu_;
  std::optional<openen::v1::SignedEnvelope> envelope_;
  int64_t effective_at_ = 0;
};

}  // namespace openen::server

#endif  // OPENEN_SERVER_DECOMMISSION_H_
