// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Phones: the population of a simulation, one real client library per
// person of a City. Private to openen::simulate (namespace internal).

#ifndef OPENEN_SIMULATE_SRC_PHONES_H_
#define OPENEN_SIMULATE_SRC_PHONES_H_

#include <memory>
#include <string>
#include <vector>

#include "openen/base/clock.h"
#include "openen/base/status.h"
#include "openen/client/client.h"
#include "openen/client/platform.h"
#include "openen/simulate/city.h"

namespace openen::simulate::internal {

// Phones holds each phone's platform key (an in-memory keystore), clock,
// store directory and app (client::Client). A phone's app runs for the
// whole simulation, as the system service does, when the process may open
// enough files (each store keeps about seven open); otherwise StartSession
// opens its store and EndSession closes it again, with the same results.
//
// Thread safety: calls for different phones may run at once; calls for the
// same phone, and CloseAll, may not.
class Phones {
 public:
  // Create makes |city|'s phones, with their stores in |dir|/<phone>. Every
  // app is configured with |app| (what it pins of the health authority) and
  // its own store directory and radio calibration. Raises the limit on open
  // files if it can. Fails when |dir| cannot be created. |city| must outlive
  // the phones.
  static base::StatusOr<std::unique_ptr<Phones>> Create(const City& city,
                                                        const client::ClientOptions& app,
                                                        const std::string& dir);

  int size() const { return static_cast<int>(clocks_.size()); }

  // clock is |phone|'s clock: its app reads the time from it, the session
  // sets it.
  base::FakeClock& clock(int phone) { return *clocks_[phone]; }

  // StartSession returns |phone|'s app, opening its store first when it is
  // closed; fails as client::Client::Open does. The app stays valid until
  // EndSession or CloseAll.
  base::StatusOr<client::Client*> StartSession(int phone);

  // EndSession closes |phone|'s store unless the apps run all along.
  void EndSession(int phone);

  // CloseAll closes every store, as when the phones are switched off.
  void CloseAll();

 private:
  Phones(const City& city, const client::ClientOptions& app, const std::string& dir,
         bool keep_open);

  const City& city_;
  const client::ClientOptions app_;
  const std::string dir_;
  const bool keep_open_;
  std::vector<std::unique_ptr<client::FileKeyStore>> keystores_;
  std::vector<std::unique_ptr<base::FakeClock>> clocks_;
  std::vector<std::unique_ptr<client::Client>> apps_;
};

}  // namespace openen::simulate::internal

#endif  // OPENEN_SIMULATE_SRC_PHONES_H_
