// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Authority: the health authority of a simulation, an openen-verifier and an
// openen-relay in this process, each behind its own loopback gRPC server, on
// the simulation's clock. Private to openen::simulate (namespace internal).

#ifndef OPENEN_SIMULATE_SRC_AUTHORITY_H_
#define OPENEN_SIMULATE_SRC_AUTHORITY_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <optional>
#include <string>

#include "calendar.h"
#include "openen/base/bytes.h"
#include "openen/base/clock.h"
#include "openen/base/status.h"
#include "openen/client/client.h"
#include "openen/console/staff.h"
#include "openen/crypto/ecdsa.h"
#include "openen/crypto/ed25519.h"
#include "openen/crypto/secret.h"
#include "openen/relay/relay.h"
#include "openen/relay/service.h"
#include "openen/server/grpc_server.h"
#include "openen/server/worker_pool.h"
#include "openen/v1/verification.grpc.pb.h"
#include "openen/verifier/service.h"
#include "openen/verifier/verifier.h"

namespace openen::simulate::internal {

// Authority's three Ed25519 keys have three roles: the verifier's online
// certificate key, and the offline configuration and decommission keys that
// the phones pin (never the certificate key).
struct Authority {
  base::FakeClock clock{DayStart(0)};
  crypto::Ed25519PrivateKey certificate_key = crypto::Ed25519PrivateKey::Generate();
  crypto::Ed25519PrivateKey config_key = crypto::Ed25519PrivateKey::Generate();
  crypto::Ed25519PrivateKey decommission_key = crypto::Ed25519PrivateKey::Generate();
  std::optional<crypto::EcdsaP256PublicKey> export_key;
  // The authority's integrations (the contact tracers' system issues with an
  // API key of its own) and daily totals, as openen-verifier keeps them.
  std::unique_ptr<console::Staff> staff;
  std::string api_key;  // the contact tracers' case system calls IssueCode with it
  std::unique_ptr<verifier::Verifier> verifier;
  std::unique_ptr<relay::Relay> relay;
  std::unique_ptr<server::WorkerPool> pool;
  std::unique_ptr<verifier::VerificationService> verification_service;
  std::unique_ptr<relay::RelayService> relay_service;
  server::RunningServer verifier_server, relay_server;
  std::shared_ptr<grpc::Channel> verifier_channel, relay_channel;

  // Shuts both servers down, waiting up to 5 seconds for calls in flight.
  ~Authority();

  // Start opens the verifier and the relay under |dir| (which must exist)
  // and serves both on loopback. The
  // relay's signed configuration holds until 30 days after the simulation's
  // |days| days.
  base::Status Start(const std::string& dir, int days);

  // Maintain runs both servers' maintenance at the start of |day|: the relay
  // releases what is due, the verifier forgets what expired.
  base::Status Maintain(int day);

  // IssueCode is the contact tracer's call: a code pair for a positive test,
  // with the symptom onset at the start of |onset_day| when there is one.
  base::StatusOr<openen::v1::IssueCodeResponse> IssueCode(std::optional<int> onset_day);

  // AppOptions returns what every phone's app pins of this authority: its
  // export signing key, configuration keys and decommission keys. Only after
  // Start.
  client::ClientOptions AppOptions() const;
};

}  // namespace openen::simulate::internal

#endif  // OPENEN_SIMULATE_SRC_AUTHORITY_H_
