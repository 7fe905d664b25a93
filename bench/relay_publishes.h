// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Publishes as phones make them, for the relay benchmarks: 14 daily keys, a
// fresh certificate each, signed by the authority's certificate key.

#ifndef OPENEN_BENCH_RELAY_PUBLISHES_H_
#define OPENEN_BENCH_RELAY_PUBLISHES_H_

#include <algorithm>
#include <string>
#include <vector>

#include "openen/crypto/hash.h"
#include "openen/crypto/interval.h"
#include "openen/crypto/random.h"
#include "openen/relay/relay.h"
#include "openen/v1/relay.pb.h"
#include "openen/wire/signed.h"

namespace openen::bench {

struct Publish {
  std::vector<relay::SubmittedKey> keys;
  openen::v1::SignedEnvelope cert;
  base::Bytes secret;

  openen::v1::PublishRequest Request() const {
    openen::v1::PublishRequest req;
    for (const auto& k : keys) {
      auto* out = req.add_keys();
      out->set_key_data(std::string(base::AsChars(k.key_data)));
      out->set_rolling_start_interval_number(k.rolling_start_interval_number);
      out->set_rolling_period(k.rolling_period);
      out->set_transmission_risk(k.transmission_risk);
    }
    *req.mutable_certificate() = cert;
    req.set_hmac_secret(std::string(base::AsChars(secret)));
    return req;
  }
};

// MakePublishes prepares |n| publishes of 14 daily keys, certified by |authority|.
inline std::vector<Publish> MakePublishes(size_t n, int64_t now,
                                          const crypto::Ed25519PrivateKey& authority) {
  const uint32_t today = crypto::RollingStart(crypto::EnIntervalNumber(now));
  std::vector<Publish> out(n);
  for (Publish& p : out) {
    std::vector<crypto::TekHmacEntry> entries;
    for (uint32_t d = 1; d <= 14; ++d) {
      relay::SubmittedKey k{base::Bytes(16), today - crypto::kTekRollingPeriod * d,
                            crypto::kTekRollingPeriod, 4};
      crypto::RandomBytes(k.key_data);
      entries.push_back(
          {k.key_data, k.rolling_start_interval_number, crypto::kTekRollingPeriod, 4});
      p.keys.push_back(std::move(k));
    }
    p.secret = base::Bytes(32);
    crypto::RandomBytes(p.secret);
    auto mac = crypto::TekHmac(p.secret, entries, crypto::TekHmacForm::kWithTransmissionRisk);
    openen::v1::Certificate c;
    c.set_report_type(openen::v1::CONFIRMED_TEST);
    c.set_key_hmac(std::string(base::AsChars(mac)));
    c.set_audience("openen-relay");
    c.set_expires_at(now + 3600);
    base::Bytes nonce(16);
    crypto::RandomBytes(nonce);
    c.set_nonce(std::string(base::AsChars(nonce)));
    p.cert = wire::SignEnvelope(wire::kCertificateContext, c, authority);
  }
  return out;
}

// Percentile returns the |p| quantile of |v| (0 when empty).
inline double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

}  // namespace openen::bench

#endif  // OPENEN_BENCH_RELAY_PUBLISHES_H_
