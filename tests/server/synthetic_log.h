// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Entries of a made-up transparency log, for tests that need a log larger than
// a relay writes in test time (tests/server/log_monitor_test.cc and the
// auditor's helper, tests/auditor/auditor_helper.cc).

#ifndef OPENEN_TESTS_SERVER_SYNTHETIC_LOG_H_
#define OPENEN_TESTS_SERVER_SYNTHETIC_LOG_H_

#include <cstdint>
#include <string>

#include "openen/base/bytes.h"
#include "openen/crypto/hash.h"
#include "openen/wire/tlog.h"

namespace openen::testing {

// SyntheticLogEntry is entry |i|: a batch an hour from 2023-11-14 (entry 7 and
// every hundredth after it a configuration), whose file's digest is the
// SHA-256 of |salt| and i in decimal (another salt, another log: a fork).
inline wire::LogEntry SyntheticLogEntry(uint64_t i, const std::string& salt = "") {
  constexpr uint64_t kStart = 1700000000;
  wire::LogEntry e;
  if (i % 100 == 7) {
    e.kind = wire::LogEntry::Kind::kConfig;
  } else {
    e.name = "batch-" + std::to_string(kStart + 3600 * i) + ".zip";
    e.start = kStart + 3600 * (i - 1);
    e.end = kStart + 3600 * i;
    e.keys = 1000 + i;
    e.expires = e.end + 14 * 86400;
  }
  e.sha256 = crypto::Sha256(base::AsBytes(salt + std::to_string(i)));
  return e;
}

}  // namespace openen::testing

#endif  // OPENEN_TESTS_SERVER_SYNTHETIC_LOG_H_
