// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "phones.h"

#include <sys/resource.h>

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "calendar.h"
#include "openen/crypto/secret.h"

namespace openen::simulate::internal {
namespace {

// RaiseOpenFileLimit raises the soft limit on open files towards |wanted|
// (up to the hard limit) and reports whether it reached it.
bool RaiseOpenFileLimit(uint64_t wanted) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return false;
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < wanted) {
    limit.rlim_cur =
        limit.rlim_max == RLIM_INFINITY ? wanted : std::min<rlim_t>(wanted, limit.rlim_max);
    setrlimit(RLIMIT_NOFILE, &limit);
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return false;
  }
  return limit.rlim_cur == RLIM_INFINITY || limit.rlim_cur >= wanted;
}

}  // namespace

base::StatusOr<std::unique_ptr<Phones>> Phones::Create(const City& city,
                                                       const client::ClientOptions& app,
                                                       const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return base::InternalError("cannot create " + dir + ": " + ec.message());
  const int n = city.people();
  // Each open store keeps about seven files open; 256 for the rest of the process.
  const bool keep_open = RaiseOpenFileLimit(static_cast<uint64_t>(n) * 8 + 256);
  std::unique_ptr<Phones> phones(new Phones(city, app, dir, keep_open));
  for (int i = 0; i < n; ++i) {
    OPENEN_ASSIGN_OR_RETURN(phones->keystores_[i],
                            client::FileKeyStore::FromKey(crypto::SecretBytes::Random(32)));
    phones->clocks_[i] = std::make_unique<base::FakeClock>(DayStart(0));
  }
  return phones;
}

Phones::Phones(const City& city, const client::ClientOptions& app, const std::string& dir,
               bool keep_open)
    : city_(city),
      app_(app),
      dir_(dir),
      keep_open_(keep_open),
      keystores_(static_cast<size_t>(city.people())),
      clocks_(static_cast<size_t>(city.people())),
      apps_(static_cast<size_t>(city.people())) {}

base::StatusOr<client::Client*> Phones::StartSession(int phone) {
  if (!apps_[phone]) {
    client::ClientOptions o = app_;
    o.store_dir = dir_ + "/" + std::to_string(phone);
    o.tx_power_dbm = static_cast<int8_t>(city_.device(phone).tx_power_dbm);
    o.rssi_offset_db = city_.device(phone).rssi_offset_db;
    OPENEN_ASSIGN_OR_RETURN(apps_[phone],
                            client::Client::Open(o, keystores_[phone].get(), clocks_[phone].get()));
  }
  return apps_[phone].get();
}

void Phones::EndSession(int phone) {
  if (!keep_open_) apps_[phone].reset();
}

void Phones::CloseAll() {
  for (auto& app : apps_) app.reset();
}

}  // namespace openen::simulate::internal
