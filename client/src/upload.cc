// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <mutex>
#include <span>
#include <string>

#include "openen/crypto/hash.h"
#include "openen/crypto/interval.h"
#include "openen/crypto/random.h"
#include "openen/crypto/secret.h"
#include "openen/v1/relay.pb.h"
#include "openen/v1/verification.pb.h"
#include "openen/wire/padding.h"
#include "upload_flow.h"

namespace openen::client::internal {
namespace {

// CallBytes sends |request| as |method| and parses the response.
template <typename Response>
base::StatusOr<Response> CallBytes(UploadTransport& transport, std::string_view method,
                                   base::ByteView request) {
  auto response = transport.Call(method, request);
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

// Call sends |request| as |method| and parses the response. The serialized
// request (a Publish carries keys and the HMAC secret) is wiped after.
template <typename Response>
base::StatusOr<Response> Call(UploadTransport& transport, std::string_view method,
                              const google::protobuf::MessageLite& request) {
  std::string bytes = request.SerializeAsString();
  auto response = CallBytes<Response>(transport, method, base::AsBytes(bytes));
  crypto::Wipe(&bytes);
  return response;
}

// WaitUnlessCancelled waits |ms| milliseconds, or less if |cancel| is
// cancelled meanwhile; returns false when it was.
bool WaitUnlessCancelled(const base::Cancellation& cancel, int64_t ms) {
  std::mutex mu;
  std::condition_variable woken;
  bool cancelled = false;
  base::Cancellation::Callback on_cancel(cancel, [&] {
    std::lock_guard<std::mutex> lock(mu);
    cancelled = true;
    woken.notify_all();
  });
  std::unique_lock<std::mutex> lock(mu);
  woken.wait_for(lock, std::chrono::milliseconds(ms), [&] { return cancelled; });
  return !cancelled && !cancel.cancelled();
}

// PublishWithRetry sends the serialized Publish |request|, again after a
// backoff while it fails retryably, at most retry.attempts times in all.
base::StatusOr<openen::v1::PublishResponse> PublishWithRetry(UploadTransport& transport,
                                                             base::ByteView request,
                                                             const PublishRetry& retry,
                                                             const base::Cancellation& cancel) {
  const int attempts = std::max(1, retry.attempts);
  int64_t backoff = std::max<int64_t>(0, retry.first_backoff_ms);
  for (int attempt = 1;; ++attempt) {
    if (cancel.cancelled()) return base::Status(base::StatusCode::kCancelled, "Publish: cancelled");
    auto published = CallBytes<openen::v1::PublishResponse>(transport, kPublishMethod, request);
    if (published.ok() || !IsRetryablePublishError(published.status()) || attempt >= attempts) {
      return published;
    }
    // A wait drawn from [backoff / 2, backoff]: phones cut off together
    // do not all come back at the same moment.
    const int64_t half = std::min<int64_t>(backoff / 2, UINT32_MAX - 1);
    const int64_t wait = backoff - half + crypto::RandomUniform(static_cast<uint32_t>(half + 1));
    if (!WaitUnlessCancelled(cancel, wait)) {
      return base::Status(base::StatusCode::kCancelled,
                          "Publish: cancelled while waiting to retry");
    }
    backoff = std::min(backoff * 2, std::max(backoff, retry.max_backoff_ms));
  }
}

// ChaffPreamble sends a chaff ExchangeCode and a chaff Certify, of a real
// upload's sizes, ignoring their answers.
void ChaffPreamble(UploadTransport& transport) {
  base::Bytes random(32);
  crypto::RandomBytes(random);
  openen::v1::ExchangeCodeRequest exchange;
  std::string code;
  for (int i = 0; i < 16; ++i) code.push_back(static_cast<char>('0' + crypto::RandomUniform(10)));
  exchange.set_code(code);
  exchange.set_chaff(true);
  if (wire::PadToSize(&exchange, kExchangeCodeRequestSize).ok())
    (void)Call<openen::v1::ExchangeCodeResponse>(transport, kExchangeCodeMethod, exchange);
  openen::v1::CertifyRequest certify;
  certify.set_token(base::HexEncode(random));
  crypto::RandomBytes(random);
  certify.set_key_hmac(std::string(base::AsChars(random)));
  certify.set_chaff(true);
  if (wire::PadToSize(&certify, kCertifyRequestSize).ok())
    (void)Call<openen::v1::CertifyResponse>(transport, kCertifyMethod, certify);
}

}  // namespace

base::StatusOr<uint32_t> UploadFlow(UploadTransport& transport, const std::vector<OwnKey>& keys,
                                    const std::string& code, bool chaff, const PublishRetry& retry,
                                    const base::Cancellation& cancel, KeptPublish* kept) {
  std::vector<crypto::TekHmacEntry> entries;
  openen::v1::PublishRequest publish;
  crypto::SecretBytes secret = crypto::SecretBytes::Random(32);
  struct Wiper {
    std::vector<crypto::TekHmacEntry>* entries;
    openen::v1::PublishRequest* publish;
    ~Wiper() {
      for (auto& e : *entries) crypto::Wipe(e.key_data);
      for (auto& k : *publish->mutable_keys()) crypto::Wipe(k.mutable_key_data());
      crypto::Wipe(publish->mutable_hmac_secret());
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
  std::string bytes = publish.SerializeAsString();
  auto published = PublishWithRetry(transport, base::AsBytes(bytes), retry, cancel);
  // A real Publish that may not have arrived, or whose reply was lost, is
  // kept (with its certificate, keys and secret) for a later retry: the
  // relay answers the same request again with its first reply.
  const bool undecided =
      !published.ok() && (IsRetryablePublishError(published.status()) ||
                          published.status().code() == base::StatusCode::kCancelled);
  if (!chaff && undecided && kept != nullptr) {
    openen::v1::Certificate certificate;
    if (certificate.ParseFromString(publish.certificate().payload())) {
      crypto::Wipe(&kept->request);
      kept->request = std::move(bytes);
      kept->certificate_expires_at = certificate.expires_at();
      kept->keys = static_cast<uint32_t>(keys.size());
    }
  }
  crypto::Wipe(&bytes);
  if (!published.ok()) fail(published.status());
  if (!failed.ok()) return failed;
  return published->accepted();
}

base::StatusOr<uint32_t> RetryFlow(UploadTransport& transport, const std::string& request,
                                   const PublishRetry& retry, const base::Cancellation& cancel) {
  ChaffPreamble(transport);
  OPENEN_ASSIGN_OR_RETURN(openen::v1::PublishResponse published,
                          PublishWithRetry(transport, base::AsBytes(request), retry, cancel));
  return published.accepted();
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

namespace openen::client {

bool IsRetryablePublishError(const base::Status& s) {
  switch (s.code()) {
    case base::StatusCode::kUnavailable:
    case base::StatusCode::kDeadlineExceeded:
    case base::StatusCode::kResourceExhausted:
    case base::StatusCode::kAborted:
    case base::StatusCode::kUnknown:
    case base::StatusCode::kInternal:
    case base::StatusCode::kDataLoss:
      return true;
    default:
      return false;
  }
}

}  // namespace openen::client
