// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Internal: decommissioning, the authority's order that switches the system
// off for good. An order counts only under the decommission keys of the
// options. One in force erases everything, destroys the platform key and
// leaves a marker file in the emptied store directory; a future one is kept
// (in Records) and takes effect at its time. Not thread-safe: the client's
// lock guards it.

#ifndef OPENEN_CLIENT_SRC_DECOMMISSION_H_
#define OPENEN_CLIENT_SRC_DECOMMISSION_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "openen/client/client.h"
#include "openen/v1/signed.pb.h"
#include "records.h"

namespace openen::client::internal {

// DecommissionedError is the error of every call once the client is off.
base::Status DecommissionedError();

class Decommission {
 public:
  // |options| must outlive it.
  explicit Decommission(const ClientOptions& options) : options_(options) {}

  // Marked reports whether the store at |store_dir| was erased by an order.
  static bool Marked(const std::string& store_dir);
  // FinishErase finishes, in a marked |store_dir|, a deletion a crash may
  // have interrupted: everything but the marker goes, and the platform key.
  static void FinishErase(const std::string& store_dir, KeyStore* keystore);

  // Load reloads a pending order from |records|. It was verified when it
  // arrived; its time is trusted even if the keys have changed since.
  base::Status Load(Records& records);
  // Accept verifies the order |envelope_bytes|: one in force at |now| is
  // returned, for SwitchOff; a future one is kept pending in |records|
  // (the earliest of those known). Errors for a malformed or forged order.
  base::StatusOr<std::optional<openen::v1::SignedEnvelope>> Accept(
      const base::Bytes& envelope_bytes, int64_t now, Records& records);
  // SwitchOff executes |order|: the marker first, durably; then the
  // platform key and the records (|*records| is reset); then every file.
  void SwitchOff(const openen::v1::SignedEnvelope& order, std::unique_ptr<Records>* records,
                 KeyStore* keystore);

  // off reports whether the client was switched off.
  bool off() const { return off_; }
  // Due returns the pending order once its time has come at |now|.
  const openen::v1::SignedEnvelope* Due(int64_t now) const;
  // Pending returns the pending order, to keep through an erase.
  std::optional<Records::PendingOrder> Pending() const;

 private:
  const ClientOptions& options_;
  // A decommission order that is not yet in force, and its time.
  std::optional<openen::v1::SignedEnvelope> pending_;
  int64_t pending_at_ = 0;
  bool off_ = false;
};

}  // namespace openen::client::internal

#endif  // OPENEN_CLIENT_SRC_DECOMMISSION_H_
