// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Reporting a diagnosis, and chaff, through a real verifier and relay on loopback.

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cmath>
#include <map>
#include <thread>

#include "openen/base/fault.h"
#include "openen/client/client.h"
#include "openen/client_grpc/upload_transport.h"
#include "openen/relay/service.h"
#include "openen/server/grpc_server.h"
#include "openen/server/worker_pool.h"
#include "openen/verifier/service.h"
#include "server/relay_fixture.h"

namespace openen::client {
namespace {

using relay::testing::RelayFixture;

// StepName names an upload call in the tests' logs.
std::string StepName(std::string_view method) {
  if (method == kExchangeCodeMethod) return "exchange";
  if (method == kCertifyMethod) return "certify";
  if (method == kPublishMethod) return "publish";
  return std::string(method);
}

// Recording wraps a transport and keeps the size of every message both ways.
class Recording final : public UploadTransport {
 public:
  explicit Recording(UploadTransport* inner) : inner_(inner) {}
  std::vector<std::pair<std::string, size_t>> log;
  std::vector<base::StatusCode> codes;  // each response's status

  base::StatusOr<base::Bytes> Call(std::string_view method, base::ByteView request) override {
    auto response = inner_->Call(method, request);
    log.push_back({StepName(method) + " request", request.size()});
    log.push_back({StepName(method) + " response", response.ok() ? response->size() : 0});
    codes.push_back(response.status().code());
    return response;
  }

 private:
  UploadTransport* inner_;
};

struct Authority {
  RelayFixture relay;
  std::unique_ptr<verifier::Verifier> verifier;
  server::WorkerPool pool{2};
  std::unique_ptr<verifier::VerificationService> verifier_service;
  std::unique_ptr<relay::RelayService> relay_service;
  server::RunningServer running;
  std::unique_ptr<client_grpc::GrpcUploadTransport> transport;
  base::FakeClock phone_clock{relay::testing::kNow};
  openen::testing::TempDir dir;
  std::unique_ptr<FileKeyStore> keystore = std::move(*FileKeyStore::FromKey(crypto::SecretBytes::Random(32)));

  Authority() {
    // The verifier signs with the key the relay trusts.
    auto v = verifier::Verifier::Open(relay.dir.Sub("verifier"),
                                      *crypto::Ed25519PrivateKey::FromSeed(relay.authority.seed().Reveal()), {},
                                      &relay.clock);
    REQUIRE(v.ok());
    verifier = std::move(*v);
    verifier_service = std::make_unique<verifier::VerificationService>(
        verifier.get(), [](std::string_view) { return std::string("test"); }, &pool);
    relay_service = std::make_unique<relay::RelayService>(relay.relay.get(), &pool);
    auto r = server::StartServer({}, {verifier_service.get(), relay_service.get()});
    REQUIRE(r.ok());
    running = std::move(*r);
    auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(running.port), grpc::InsecureChannelCredentials());
    transport = std::make_unique<client_grpc::GrpcUploadTransport>(channel, channel);
  }
  ~Authority() { server::ShutdownGracefully(running.server.get(), 5); }

  std::unique_ptr<Client> Phone(const std::string& name, PublishRetry retry = {4, 1, 4}) {
    ClientOptions o;
    o.store_dir = dir.Sub(name);
    o.publish_retry = retry;  // milliseconds between attempts, not seconds
    auto c = Client::Open(o, keystore.get(), &phone_clock);
    REQUIRE(c.ok());
    return std::move(*c);
  }
};

TEST_CASE("a diagnosed person uploads their keys with a one-time code", "[client][upload][e2e]") {
  Authority a;
  auto phone = a.Phone("alice");
  // Five days of keys.
  for (int d = 4; d >= 0; --d) {
    a.phone_clock.Set(relay::testing::kNow - d * 86400);
    REQUIRE(phone->CurrentAdvertisement().ok());
  }
  auto codes = a.verifier->IssueCode(openen::v1::CONFIRMED_TEST, 0);
  REQUIRE(codes.ok());
  Recording recording(a.transport.get());
  const uint32_t excluded = relay::testing::kToday / 144 - 2;  // the person leaves out one day
  auto report = phone->UploadDiagnosis(recording, codes->short_code, {excluded});
  REQUIRE(report.ok());
  CHECK(report->keys_sent == 4);
  CHECK(report->keys_accepted == 4);
  CHECK(a.relay.relay->PendingKeys() == 4);
  CHECK(a.verifier->LiveRecords() == 0);  // code and token burned

  // The same code does not work twice.
  auto again = phone->UploadDiagnosis(*a.transport, codes->short_code);
  CHECK(again.status() ==
        base::Status(base::StatusCode::kNotFound, "ExchangeCode: invalid or expired code"));

  // The keys released later are exactly the phone's, minus the excluded day.
  a.relay.clock.Set(relay::testing::kNow + 86400 + 3600);
  REQUIRE(a.relay.relay->Maintain().ok());
  auto released = a.relay.Batch(a.relay.relay->ListBatches("", 10)[0].name()).Keys();
  auto own = phone->KeysForUpload();
  for (const OwnKey& k : *own) {
    const bool out = std::any_of(released.begin(), released.end(), [&](const auto& e) {
      return crypto::ConstantTimeEqual(e.key_data, k.key_data.Reveal());
    });
    CHECK(out == (k.rolling_start_interval_number / 144 != excluded));
  }

  // Chaff: the same sequence of the same sizes, and nothing stored anywhere.
  Recording chaff(a.transport.get());
  REQUIRE(phone->SendChaff(chaff).ok());
  REQUIRE(chaff.log.size() == recording.log.size());
  for (size_t i = 0; i < chaff.log.size(); ++i) {
    INFO(chaff.log[i].first);
    CHECK(chaff.log[i].first == recording.log[i].first);
    CHECK(chaff.log[i].second == recording.log[i].second);
  }
  CHECK(a.verifier->LiveRecords() == 0);
  CHECK(a.relay.relay->PendingKeys() == 0);
}

// SameOnTheWire checks that two recorded flows sent the same requests in the
// same order, with the same request and response sizes: |entries| of them
// (by default the three requests and an answer to each).
void CheckSameOnTheWire(const Recording& a, const Recording& b, size_t entries = 6) {
  REQUIRE(a.log.size() == entries);
  REQUIRE(b.log.size() == a.log.size());
  for (size_t i = 0; i < a.log.size(); ++i) {
    INFO(a.log[i].first);
    CHECK(a.log[i].first == b.log[i].first);
    CHECK(a.log[i].second == b.log[i].second);
  }
  CHECK(a.codes == b.codes);
}

// Flood runs guessers that exchange random codes against |v| as fast as
// they can, until destroyed.
class Flood {
 public:
  explicit Flood(verifier::Verifier* v) {
    for (int i = 0; i < 2; ++i) {
      threads_.emplace_back([this, v] {
        while (!stop_) {
          if (v->ExchangeCode(verifier::RandomShortCode(16)).ok()) ++hits_;
          ++guesses_;
        }
      });
    }
    // Under way, and well past any per-minute budget, before we go on.
    while (guesses_ < 2000) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~Flood() {
    stop_ = true;
    for (auto& t : threads_) t.join();
  }
  std::atomic<uint64_t> guesses_{0}, hits_{0};

 private:
  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;
};

TEST_CASE("under a guessing flood, uploads and chaff take the same three requests, of the same sizes",
          "[client][upload][e2e][chaff]") {
  Authority a;
  auto phone = a.Phone("dana");
  for (int d = 4; d >= 0; --d) {
    a.phone_clock.Set(relay::testing::kNow - d * 86400);
    REQUIRE(phone->CurrentAdvertisement().ok());
  }
  Flood flood(a.verifier.get());

  // Success: a real upload and chaff both complete, alike.
  auto codes = a.verifier->IssueCode(openen::v1::CONFIRMED_TEST, 0);
  REQUIRE(codes.ok());
  Recording real(a.transport.get());
  auto report = phone->UploadDiagnosis(real, codes->short_code);
  REQUIRE(report.ok());
  CHECK(report->keys_accepted == 5);
  Recording chaff(a.transport.get());
  REQUIRE(phone->SendChaff(chaff).ok());
  CheckSameOnTheWire(real, chaff);
  for (base::StatusCode c : real.codes) CHECK(c == base::StatusCode::kOk);

  // The verifier unreachable: both fail at the same steps, alike.
  auto dead = grpc::CreateChannel("127.0.0.1:1", grpc::InsecureChannelCredentials());
  auto live = grpc::CreateChannel("127.0.0.1:" + std::to_string(a.running.port), grpc::InsecureChannelCredentials());
  for (bool verifier_down : {true, false}) {
    INFO((verifier_down ? "verifier" : "relay") << " unreachable");
    client_grpc::GrpcUploadTransport broken(verifier_down ? dead : live,
                                            verifier_down ? live : dead);
    auto more = a.verifier->IssueCode(openen::v1::CONFIRMED_TEST, 0);
    Recording real_down(&broken), chaff_down(&broken);
    CHECK(phone->UploadDiagnosis(real_down, more->short_code).status().code() ==
          base::StatusCode::kUnavailable);
    CHECK(phone->SendChaff(chaff_down).code() == base::StatusCode::kUnavailable);
    // An unreachable relay: Publish is tried 4 times, by real and chaff alike.
    CheckSameOnTheWire(real_down, chaff_down, verifier_down ? 6 : 12);
    CHECK(real_down.codes[0] ==
          (verifier_down ? base::StatusCode::kUnavailable : base::StatusCode::kOk));
    CHECK(real_down.codes[2] ==
          (verifier_down ? base::StatusCode::kOk : base::StatusCode::kUnavailable));
  }

  // A wrong code: the refused exchange is followed by chaff, so the requests
  // and the later answers are those of chaff; only the refusal differs.
  Recording wrong(a.transport.get());
  CHECK(phone->UploadDiagnosis(wrong, verifier::RandomShortCode(16)).status() ==
        base::Status(base::StatusCode::kNotFound, "ExchangeCode: invalid or expired code"));
  REQUIRE(wrong.log.size() == chaff.log.size());
  for (size_t i = 0; i < wrong.log.size(); ++i) {
    INFO(wrong.log[i].first);
    CHECK(wrong.log[i].first == chaff.log[i].first);
    if (i != 1) CHECK(wrong.log[i].second == chaff.log[i].second);
  }
  CHECK(wrong.codes == std::vector<base::StatusCode>{base::StatusCode::kNotFound,
                                                     base::StatusCode::kOk, base::StatusCode::kOk});
  CHECK(flood.hits_ == 0);
  // Only the one real upload's keys wait at the relay; the rest was chaff.
  CHECK(a.relay.relay->PendingKeys() == 5);
}

// Keeping wraps a transport, keeps a copy of every Certify and Publish
// request, and refuses the step named |refuse| (NOT_FOUND) without passing
// it on.
class Keeping final : public UploadTransport {
 public:
  Keeping(UploadTransport* inner, std::string refuse) : inner_(inner), refuse_(std::move(refuse)) {}
  std::vector<openen::v1::CertifyRequest> certify;
  std::vector<openen::v1::PublishRequest> publish;

  base::StatusOr<base::Bytes> Call(std::string_view method, base::ByteView request) override {
    const std::string step = StepName(method);
    if (step == "certify") {
      REQUIRE(
          certify.emplace_back().ParseFromArray(request.data(), static_cast<int>(request.size())));
    }
    if (step == "publish") {
      REQUIRE(
          publish.emplace_back().ParseFromArray(request.data(), static_cast<int>(request.size())));
    }
    if (step == refuse_) return base::NotFoundError("refused");
    return inner_->Call(method, request);
  }

 private:
  UploadTransport* inner_;
  std::string refuse_;
};

TEST_CASE("a refused upload sends nothing derived from the real keys", "[client][upload][e2e][chaff]") {
  Authority a;
  auto phone = a.Phone("erin");
  for (int d = 4; d >= 0; --d) {
    a.phone_clock.Set(relay::testing::kNow - d * 86400);
    REQUIRE(phone->CurrentAdvertisement().ok());
  }
  auto own = phone->KeysForUpload();
  REQUIRE(own.ok());
  std::vector<crypto::TekHmacEntry> real;
  for (const OwnKey& k : *own) {
    real.push_back({base::Bytes(k.key_data.Reveal().begin(), k.key_data.Reveal().end()),
                    k.rolling_start_interval_number, k.rolling_period, 0});
  }
  // Whether |secret| is the secret behind |hmac| over the real keys.
  auto real_pair = [&](const std::string& secret, const std::string& hmac) {
    bool match = false;
    for (auto form : {crypto::TekHmacForm::kWithTransmissionRisk, crypto::TekHmacForm::kWithoutTransmissionRisk}) {
      match |=
          std::string(base::AsChars(crypto::TekHmac(base::AsBytes(secret), real, form))) == hmac;
    }
    return match;
  };
  auto holds_real_key = [&](const std::string& message) {
    for (const auto& e : real) {
      if (message.find(std::string(base::AsChars(e.key_data))) != std::string::npos) return true;
    }
    return false;
  };

  // A wrong code (the real verifier refuses the exchange), then a valid code
  // whose certification is refused (after the real HMAC went to the verifier).
  for (const std::string refuse : {"wrong code", "certify"}) {
    INFO("refused: " << refuse);
    auto codes = a.verifier->IssueCode(openen::v1::CONFIRMED_TEST, 0);
    REQUIRE(codes.ok());
    Keeping kept(a.transport.get(), refuse == "certify" ? "certify" : "");
    CHECK(phone
              ->UploadDiagnosis(
                  kept, refuse == "certify" ? codes->short_code : verifier::RandomShortCode(16))
              .status()
              .code() == base::StatusCode::kNotFound);
    REQUIRE(kept.certify.size() == 1);
    REQUIRE(kept.publish.size() == 1);
    const auto& certify = kept.certify[0];
    const auto& publish = kept.publish[0];
    CHECK(publish.chaff());
    CHECK(publish.keys_size() == static_cast<int>(real.size()));  // the same sizes as a real upload
    CHECK(publish.hmac_secret().size() == 32);
    // No real key in either request.
    CHECK(certify.chaff() == (refuse != "certify"));
    CHECK(holds_real_key(certify.SerializeAsString()) == false);
    CHECK(holds_real_key(publish.SerializeAsString()) == false);
    // The secret published is not the one behind the HMAC the verifier saw,
    // nor behind the certificate's: the relay cannot tie either to the keys.
    CHECK_FALSE(real_pair(publish.hmac_secret(), certify.key_hmac()));
    openen::v1::Certificate cert;
    REQUIRE(cert.ParseFromString(publish.certificate().payload()));
    CHECK_FALSE(real_pair(publish.hmac_secret(), cert.key_hmac()));
    // Nor does the relay get the HMAC the verifier saw (a chaff certificate
    // does not repeat it).
    CHECK(publish.SerializeAsString().find(certify.key_hmac()) == std::string::npos);
  }
  CHECK(a.relay.relay->PendingKeys() == 0);
}

// NullTransport answers every request with an empty success.
class NullTransport final : public UploadTransport {
 public:
  base::StatusOr<base::Bytes> Call(std::string_view method, base::ByteView) override {
    if (method == kPublishMethod) ++sent;
    return base::Bytes();
  }
  int sent = 0;
};

TEST_CASE("chaff goes out on a random schedule", "[client][upload]") {
  // The gaps between sends are exponential (memoryless): their mean is the
  // configured one and their coefficient of variation (sd / mean) is 1. A
  // fixed timer has CV 0, a uniform draw over [0, 2 mean] 0.58.
  //
  // 1000 gaps of mean 1 hour, the clock stepped by 1 minute (which adds
  // half a minute to each gap). Simulated (2000 runs of exactly this loop):
  // sample mean 3629 s with sd 112 s, sample CV 0.992 with sd 0.031. The
  // bounds below are 4.5 sd or more away from both (mean: 3060..4140 s; CV:
  // 0.8..1.2, over 6 sd), so a correct schedule fails with probability below
  // 1e-5; a fixed timer (CV 0) or a uniform draw (CV 0.58) always fails.
  openen::testing::TempDir dir;
  base::FakeClock clock(relay::testing::kNow);
  auto keystore = std::move(*FileKeyStore::FromKey(crypto::SecretBytes::Random(32)));
  ClientOptions o;
  o.store_dir = dir.Sub("phone");
  auto phone = Client::Open(o, keystore.get(), &clock);
  REQUIRE(phone.ok());
  NullTransport transport;
  const double mean_days = 1.0 / 24;
  const int kGaps = 1000;
  CHECK_FALSE(*(*phone)->MaybeSendChaff(transport, mean_days));  // the first call only schedules
  std::vector<double> gaps;
  int64_t last = clock.NowSeconds();
  while (static_cast<int>(gaps.size()) < kGaps) {
    clock.Set(clock.NowSeconds() + 60);
    auto r = (*phone)->MaybeSendChaff(transport, mean_days);
    REQUIRE(r.ok());
    if (*r) {
      gaps.push_back(static_cast<double>(clock.NowSeconds() - last));
      last = clock.NowSeconds();
    }
  }
  CHECK(transport.sent == kGaps);
  double sum = 0, sum2 = 0;
  for (double g : gaps) sum += g;
  const double mean = sum / kGaps;
  for (double g : gaps) sum2 += (g - mean) * (g - mean);
  const double cv = std::sqrt(sum2 / (kGaps - 1)) / mean;
  INFO("mean gap " << mean << " s, coefficient of variation " << cv);
  CHECK(mean > 3600 * 0.85);
  CHECK(mean < 3600 * 1.15);
  CHECK(cv > 0.8);
  CHECK(cv < 1.2);
}

TEST_CASE("nothing to upload and bad codes are reported, nothing is stored at the relay", "[client][upload]") {
  Authority a;
  auto phone = a.Phone("carol");
  CHECK(phone->UploadDiagnosis(*a.transport, "12345678").status() ==
        base::Status(base::StatusCode::kFailedPrecondition, "there are no keys to upload"));
  REQUIRE(phone->CurrentAdvertisement().ok());
  auto r = phone->UploadDiagnosis(*a.transport, "12345678");
  CHECK(r.status().code() == base::StatusCode::kNotFound);
  CHECK(a.relay.relay->PendingKeys() == 0);
}

// Flaky fails some Publish calls: the first |fail_before| of them without
// passing them on (the request was lost), and the next |fail_after|
// after the relay answered (the reply was lost). Every Publish request's
// bytes are kept.
class Flaky final : public UploadTransport {
 public:
  Flaky(UploadTransport* inner, int fail_before, int fail_after = 0,
        base::Status failure = base::UnavailableError("connection reset"))
      : inner_(inner),
        fail_before_(fail_before),
        fail_after_(fail_after),
        failure_(std::move(failure)) {}
  std::vector<std::string> publishes;
  std::vector<std::string> steps;

  base::StatusOr<base::Bytes> Call(std::string_view method, base::ByteView request) override {
    steps.push_back(StepName(method));
    if (method != kPublishMethod) return inner_->Call(method, request);
    publishes.emplace_back(base::AsChars(request));
    if (fail_before_ > 0) {
      --fail_before_;
      return failure_;
    }
    auto response = inner_->Call(method, request);
    if (fail_after_ > 0) {
      --fail_after_;
      return failure_;
    }
    return response;
  }

 private:
  UploadTransport* inner_;
  int fail_before_, fail_after_;
  base::Status failure_;
};

std::unique_ptr<Client> PhoneWithKeys(Authority& a, const std::string& name,
                                      PublishRetry retry = {4, 1, 4}) {
  auto phone = a.Phone(name, retry);
  for (int d = 4; d >= 0; --d) {
    a.phone_clock.Set(relay::testing::kNow - d * 86400);
    REQUIRE(phone->CurrentAdvertisement().ok());
  }
  return phone;
}

// CheckPublishedOnce releases the relay's pending keys and checks that
// each of the phone's keys is in the batches exactly once.
void CheckPublishedOnce(Authority& a, Client& phone) {
  a.relay.clock.Set(relay::testing::kNow + 86400 + 3600);
  REQUIRE(a.relay.relay->Maintain().ok());
  std::map<base::Bytes, int> seen;
  for (const auto& info : a.relay.relay->ListBatches("", 100)) {
    for (const auto& k : a.relay.Batch(info.name()).Keys()) seen[k.key_data] += 1;
  }
  auto own = phone.KeysForUpload();
  REQUIRE(own.ok());
  REQUIRE(own->size() == 5);
  for (const OwnKey& k : *own) {
    CHECK(seen[base::Bytes(k.key_data.Reveal().begin(), k.key_data.Reveal().end())] == 1);
  }
  for (const auto& [key, n] : seen) CHECK(n == 1);
}

TEST_CASE("a Publish lost on the way is sent again with the same certificate",
          "[client][upload][retry]") {
  Authority a;
  auto phone = PhoneWithKeys(a, "fay");
  auto codes = a.verifier->IssueCode(openen::v1::CONFIRMED_TEST, 0);
  REQUIRE(codes.ok());
  Flaky flaky(a.transport.get(), /*fail_before=*/2);
  auto report = phone->UploadDiagnosis(flaky, codes->short_code);
  REQUIRE(report.ok());
  CHECK(report->keys_accepted == 5);
  REQUIRE(flaky.publishes.size() == 3);
  CHECK(flaky.publishes[1] == flaky.publishes[0]);  // the same request, certificate and secret
  CHECK(flaky.publishes[2] == flaky.publishes[0]);
  CHECK(a.relay.relay->PendingKeys() == 5);
  CHECK_FALSE(*phone->HasPendingUpload());
  CheckPublishedOnce(a, *phone);
}

TEST_CASE(
    "a Publish whose reply was lost after the relay stored it is answered on retry, stored once",
    "[client][upload][retry]") {
  Authority a;
  auto phone = PhoneWithKeys(a, "gus");
  auto codes = a.verifier->IssueCode(openen::v1::CONFIRMED_TEST, 0);
  Flaky flaky(a.transport.get(), 0, /*fail_after=*/1,
              base::Status(base::StatusCode::kDeadlineExceeded, "deadline"));
  auto report = phone->UploadDiagnosis(flaky, codes->short_code);
  REQUIRE(report.ok());
  CHECK(report->keys_accepted == 5);
  CHECK(flaky.publishes.size() == 2);
  CHECK(a.relay.relay->PendingKeys() == 5);
  CheckPublishedOnce(a, *phone);
}

#ifdef OPENEN_FAULT_INJECTION
TEST_CASE(
    "the relay commits and then fails to reply (fault point): the client's retry publishes once",
    "[client][upload][retry][fault]") {
  struct Disarm {
    ~Disarm() { base::DisarmFaults(); }
  } disarm;
  Authority a;
  auto phone = PhoneWithKeys(a, "hal");
  auto codes = a.verifier->IssueCode(openen::v1::CONFIRMED_TEST, 0);
  base::ArmFault("relay.publish.stored", base::FaultAction::kError);
  Recording recording(a.transport.get());
  auto report = phone->UploadDiagnosis(recording, codes->short_code);
  REQUIRE(report.ok());
  CHECK(report->keys_accepted == 5);
  CHECK(recording.codes ==
        std::vector<base::StatusCode>{base::StatusCode::kOk, base::StatusCode::kOk,
                                      base::StatusCode::kUnavailable, base::StatusCode::kOk});
  CHECK(a.relay.relay->PendingKeys() == 5);
  CheckPublishedOnce(a, *phone);
}
#endif  // OPENEN_FAULT_INJECTION

TEST_CASE("when every attempt fails the request is kept, and RetryUpload sends it later",
          "[client][upload][retry]") {
  Authority a;
  auto phone = PhoneWithKeys(a, "ida");
  auto codes = a.verifier->IssueCode(openen::v1::CONFIRMED_TEST, 0);
  // The relay stores the keys each time, and every reply is lost.
  Flaky down(a.transport.get(), 0, /*fail_after=*/100);
  auto failed = phone->UploadDiagnosis(down, codes->short_code);
  CHECK(failed.status().code() == base::StatusCode::kUnavailable);
  CHECK(failed.status().reason() == kUploadPendingReason);
  CHECK(down.publishes.size() == 4);  // PublishRetry::attempts
  CHECK(a.relay.relay->PendingKeys() == 5);
  CHECK(*phone->HasPendingUpload());

  // Later, and after a restart of the app: the same request, and the three
  // requests of any upload on the wire.
  phone.reset();
  phone = a.Phone("ida");
  a.phone_clock.Set(relay::testing::kNow + 600);
  a.relay.clock.Set(relay::testing::kNow + 600);
  Flaky up(a.transport.get(), 0);
  auto retried = phone->RetryUpload(up);
  REQUIRE(retried.ok());
  CHECK(retried->keys_sent == 5);
  CHECK(retried->keys_accepted == 5);
  CHECK(up.steps == std::vector<std::string>{"exchange", "certify", "publish"});
  REQUIRE(up.publishes.size() == 1);
  CHECK(up.publishes[0] == down.publishes[0]);
  CHECK_FALSE(*phone->HasPendingUpload());
  CHECK(phone->RetryUpload(up).status().code() == base::StatusCode::kFailedPrecondition);
  CheckPublishedOnce(a, *phone);
}

TEST_CASE("a kept request is deleted when its certificate expires", "[client][upload][retry]") {
  Authority a;
  auto phone = PhoneWithKeys(a, "jo");
  auto codes = a.verifier->IssueCode(openen::v1::CONFIRMED_TEST, 0);
  Flaky down(a.transport.get(), 100);
  CHECK(phone->UploadDiagnosis(down, codes->short_code).status().reason() == kUploadPendingReason);
  a.phone_clock.Set(relay::testing::kNow + 899);
  CHECK(*phone->HasPendingUpload());
  a.phone_clock.Set(relay::testing::kNow + 900);  // the certificate's expiry
  REQUIRE(phone->Maintain().ok());
  CHECK_FALSE(*phone->HasPendingUpload());
  CHECK(phone->RetryUpload(*a.transport).status().code() == base::StatusCode::kFailedPrecondition);
  CHECK(a.relay.relay->PendingKeys() == 0);
}

TEST_CASE("a definitive refusal of the Publish is not retried and nothing is kept",
          "[client][upload][retry]") {
  Authority a;
  auto phone = PhoneWithKeys(a, "kim");
  for (auto code : {base::StatusCode::kUnauthenticated, base::StatusCode::kInvalidArgument,
                    base::StatusCode::kFailedPrecondition}) {
    auto codes = a.verifier->IssueCode(openen::v1::CONFIRMED_TEST, 0);
    Flaky refusing(a.transport.get(), 100, 0, base::Status(code, "refused"));
    auto r = phone->UploadDiagnosis(refusing, codes->short_code);
    CHECK(r.status().code() == code);
    CHECK(r.status().reason().empty());
    CHECK(refusing.publishes.size() == 1);
    CHECK_FALSE(*phone->HasPendingUpload());
  }
}

TEST_CASE("a wait between attempts ends when the upload is cancelled - the request is kept",
          "[client][upload][retry][cancel]") {
  Authority a;
  auto phone = PhoneWithKeys(a, "lou", PublishRetry{4, 60'000, 60'000});
  auto codes = a.verifier->IssueCode(openen::v1::CONFIRMED_TEST, 0);
  Flaky down(a.transport.get(), 100);
  base::Cancellation cancel;
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    cancel.Cancel();
  });
  const auto start = std::chrono::steady_clock::now();
  auto r = phone->UploadDiagnosis(down, codes->short_code, {}, cancel);
  const auto took = std::chrono::steady_clock::now() - start;
  canceller.join();
  CHECK(r.status().code() == base::StatusCode::kCancelled);
  CHECK(r.status().reason() == kUploadPendingReason);
  CHECK(took < std::chrono::seconds(20));
  CHECK(down.publishes.size() == 1);
  CHECK(*phone->HasPendingUpload());
}

TEST_CASE("chaff's Publish is retried as an upload's is", "[client][upload][retry][chaff]") {
  Authority a;
  auto phone = PhoneWithKeys(a, "max");
  Flaky flaky(a.transport.get(), 2);
  REQUIRE(phone->SendChaff(flaky).ok());
  CHECK(flaky.publishes.size() == 3);
  CHECK(flaky.publishes[1] == flaky.publishes[0]);
  CHECK_FALSE(*phone->HasPendingUpload());
  CHECK(a.relay.relay->PendingKeys() == 0);
}

}  // namespace
}  // namespace openen::client
