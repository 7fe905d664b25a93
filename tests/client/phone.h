// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Phone: one phone for client tests, with its own directory, a fake clock, a
// file keystore and an open Client, and the day the tests start on.

#ifndef OPENEN_TESTS_CLIENT_PHONE_H_
#define OPENEN_TESTS_CLIENT_PHONE_H_

#include <catch2/catch.hpp>

#include <memory>
#include <string>

#include "openen/base/clock.h"
#include "openen/client/client.h"
#include "openen/crypto/interval.h"
#include "test_util.h"

namespace openen::client::testing {

inline constexpr int64_t kDay = crypto::kDaySeconds;
inline constexpr int64_t kDay0 = 1795000000 / kDay * kDay;  // midnight UTC
inline constexpr uint32_t kDayNumber = static_cast<uint32_t>(kDay0 / kDay);

struct Phone {
  openen::testing::TempDir dir;
  base::FakeClock clock;
  std::unique_ptr<FileKeyStore> keystore;
  ClientOptions options;
  std::unique_ptr<Client> client;

  // The phone opens its client at |now| (10:00 UTC on kDay0 by default).
  explicit Phone(ClientOptions opts = {}, int64_t now = kDay0 + 10 * 3600)
      : clock(now), options(std::move(opts)) {
    keystore = std::move(*FileKeyStore::OpenOrCreate(dir.Sub("platform.key")));
    options.store_dir = dir.Sub("store");
    Reopen();
  }
  // Reopen closes the client and opens it again on the same store.
  void Reopen() {
    client.reset();
    auto c = Client::Open(options, keystore.get(), &clock);
    REQUIRE(c.ok());
    client = std::move(*c);
  }
  std::string store() const { return options.store_dir; }
};

}  // namespace openen::client::testing

#endif  // OPENEN_TESTS_CLIENT_PHONE_H_
