// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include <cmath>
#include <span>
#include <string>

#include "openen/crypto/hash.h"
#include "openen/crypto/interval.h"
#include "openen/crypto/random.h"
#include "openen/v1/relay.pb.h"
#include "openen/v1/verification.pb.h"
#include "openen/wire/padding.h"
#include "upload_flow.h"

namespace openen::client::internal {
namespace {

void WipeString(std::string* s) {
  if (s != nullptr && !s->empty())
    crypto::Wipe(std::span<uint8_t>(reinterpret_cast<uint8_t*>(s->data()), s->size()));
}

// Call sends |request| as |method| and parses the response. The serialized
// request (a Publish carries keys and the HMAC secret) is wiped after.
template <typename Response>
base::StatusOr<Response> Call(UploadTransport& transport, std::string_view method,
                              const google::protobuf::MessageLite& request) {
  std::string bytes = request.SerializeAsString();
  auto response = transport.Call(method, base::AsBytes(bytes));
  WipeString(&bytes);
  const std::string_view name = method.substr(method.rfind('/') + 1);
  if (!response.ok()) return response.status().WithContext(name);
  if (response->size() > kMaxUploadResponseSize) {
    return base::ResourceExhaustedError(std::string(name) + ": a response of " +
                                        std::to_string(response->size()) + " bytes");
  }
  Response out;
  if (!out.ParseFromArray(response->data(), static_cast<int>(response->size()))) {
    return base::DataLossError(std::string(name) + ": the response does not parse");
  }
  return out;
}

}  // namespace

base::StatusOr<uint32_t> UploadFlow(UploadTransport& transport, const std::vector<OwnKey>& keys,
                                    const std::string& code, bool chaff) {
  std::vector<crypto::TekHmacEntry> entries;
  openen::v1::PublishRequest publish;
  crypto::SecretBytes secret = crypto::SecretBytes::Random(32);
  struct Wiper {
    std::vector<crypto::TekHmacEntry>* entries;
    openen::v1::PublishRequest* publish;
    ~Wiper() {
      for (auto& e : *entries) crypto::Wipe(e.key_data);
      for (auto& k : *publish->mutable_keys()) WipeString(k.mutable_key_data());
      WipeString(publish->mutable_hmac_secret());
    }
  } wiper{&entries, &publish};

  for (const OwnKey& k : keys) {
    // Transmission risk 0: report type and onset come from the certificate.
    entries.push_back({base::Bytes(k.key_data.Reveal().begin(), k.key_data.Reveal().end()),
                       k.rolling_start_interval_number, k.rolling_period, 0});
    auto* out = publish.add_keys();
    out->set_key_data(std::string(base::AsChars(k.key_data.Reveal())));
    out->set_rolling_start_interval_number(k.rolling_start_interval_number);
    out->set_rolling_period(k.rolling_period);
    out->set_transmission_risk(0);
  }

  // A refused step does not end the flow: the remaining requests go out as
  // chaff, so that an observer sees the same three requests of the same
  // sizes whatever happened, and the first error is returned at the end.
  // Chaff carries nothing derived from the real keys: the keys and the
  // secret are replaced by random ones of the same sizes, so the HMAC
  // computed from them (if not yet sent) is random too.
  base::Status failed;
  auto fail = [&](const base::Status& s) {
    if (failed.ok()) failed = s;
    if (!chaff) {
      chaff = true;
      for (auto& e : entries) crypto::RandomBytes(e.key_data);
      for (auto& k : *publish.mutable_keys()) {
        crypto::RandomBytes(std::span<uint8_t>(
            reinterpret_cast<uint8_t*>(k.mutable_key_data()->data()), k.key_data().size()));
      }
      secret = crypto::SecretBytes::Random(secret.size());
    }
  };

  openen::v1::ExchangeCodeRequest exchange;
  exchange.set_code(code);
  exchange.set_chaff(chaff);
  OPENEN_RETURN_IF_ERROR(wire::PadToSize(&exchange, kExchangeCodeRequestSize));
  openen::v1::ExchangeCodeResponse token;
  if (auto r = Call<openen::v1::ExchangeCodeResponse>(transport, kExchangeCodeMethod, exchange);
      r.ok()) {
    token = std::move(*r);
  } else {
    fail(r.status());
    base::Bytes random_token(32);
    crypto::RandomBytes(random_token);
    token.set_token(base::HexEncode(random_token));  // the size of a real one
  }

  const crypto::Sha256Digest mac =
      crypto::TekHmac(secret.Reveal(), entries, crypto::TekHmacForm::kWithTransmissionRisk);
  openen::v1::CertifyRequest certify;
  certify.set_token(token.token());
  certify.set_key_hmac(std::string(base::AsChars(mac)));
  certify.set_chaff(chaff);
  OPENEN_RETURN_IF_ERROR(wire::PadToSize(&certify, kCertifyRequestSize));
  openen::v1::CertifyResponse cert;
  if (auto r = Call<openen::v1::CertifyResponse>(transport, kCertifyMethod, certify); r.ok()) {
    cert = std::move(*r);
  } else {
    fail(r.status());
  }

  *publish.mutable_certificate() = cert.certificate();
  publish.set_hmac_secret(std::string(base::AsChars(secret.Reveal())));
  publish.set_chaff(chaff);
  OPENEN_RETURN_IF_ERROR(wire::PadToSize(&publish, kPublishRequestSize));
  auto published = Call<openen::v1::PublishResponse>(transport, kPublishMethod, publish);
  if (!published.ok()) fail(published.status());
  if (!failed.ok()) return failed;
  return published->accepted();
}

base::Status ChaffFlow(UploadTransport& transport, uint32_t today) {
  // Fourteen random keys shaped like a real upload's, and a random code.
  std::vector<OwnKey> keys;
  for (uint32_t d = 0; d < static_cast<uint32_t>(kMaxRetentionDays); ++d) {
    keys.push_back({crypto::GenerateTek(), (today - d) * crypto::kTekRollingPeriod,
                    crypto::kTekRollingPeriod});
  }
  // A random code of an issued format (docs/verifier.md): 16 digits as read
  // out, or 25 characters of [a-z0-9] from a link. The request is padded to
  // a fixed size either way; the verifier looks it up like a real one.
  static constexpr char kAlphabet[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  const bool short_form = crypto::RandomUniform(2) == 0;
  std::string code;
  for (int i = 0; i < (short_form ? 16 : 25); ++i) {
    code.push_back(kAlphabet[crypto::RandomUniform(short_form ? 10 : 36)]);
  }
  return UploadFlow(transport, keys, code, /*chaff=*/true).status();
}

int64_t NextChaffTime(int64_t now, double mean_days) {
  // Exponential waiting time: a memoryless schedule reveals nothing by its rhythm.
  const double u = (crypto::RandomUniform(1u << 30) + 1.0) / (1u << 30);
  return now + static_cast<int64_t>(-std::log(u) * mean_days * crypto::kDaySeconds);
}

}  // namespace openen::client::internal
