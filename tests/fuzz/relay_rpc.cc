// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Fuzz target relay_rpc: every request a caller can send the relay, as
// bytes, through the relay's real gRPC service (fuzz_server.h: gRPC, the
// request codec, the worker pool's lanes, decoys for chaff, the handlers),
// on one relay opened over a scratch directory with a fixed clock, holding
// one released batch.
//
// Input: a selector byte, then the request's bytes. Selector % 4 picks the
// method: 0 Publish, 1 ListBatches, 2 GetBatch, 3 GetConfig. Bit 0x80 makes
// the target help past what a mutation cannot forge: for a Publish whose
// bytes parse, it signs the certificate payload given (or an empty one)
// with the verifier's key, its key_hmac set to the keys' HMAC, so that the
// key rules are reached; for a GetBatch that parses, it asks for the
// released batch's name followed by the one given. Without the bit the bytes
// go as they are, undecodable ones included.
//
// Beyond "no crash": no status a bug would give (fuzz_server.h), every
// Publish answer of the padded size, and a batch streamed in order, never
// more bytes than its size.

#include <cstdlib>
#include <memory>

#include "fuzz_server.h"
#include "fuzz_util.h"
#include "openen/base/clock.h"
#include "openen/crypto/hash.h"
#include "openen/crypto/interval.h"
#include "openen/relay/relay.h"
#include "openen/relay/service.h"
#include "openen/server/worker_pool.h"
#include "openen/v1/relay.pb.h"
#include "openen/wire/signed.h"

namespace openen::fuzz {
namespace {

// The released batch closes an hour after kFuzzNow; requests arrive then.
constexpr int64_t kRequestTime = kFuzzNow + 3600;

struct RelayHarness {
  ScratchDir dir;
  base::FakeClock clock{kFuzzNow};
  crypto::Ed25519PrivateKey authority = FixedEd25519('A');
  std::unique_ptr<relay::Relay> relay;
  std::string batch_name;
  // Destroyed in the order the relay binary destroys them: the server
  // stops, the pool runs what is queued, then the service goes.
  std::unique_ptr<relay::RelayService> service;
  std::unique_ptr<server::WorkerPool> pool;
  std::unique_ptr<FuzzServer> server;

  RelayHarness() {
    relay::RelayOptions options;
    options.min_batch_keys = 10;
    options.batch_jitter_keys = 0;
    options.config_keys = {FixedEd25519('C').PublicKey()};
    options.decommission_keys = {FixedEd25519('D').PublicKey()};
    openen::v1::RelayConfig config;
    config.set_expires_at(kFuzzNow + 30 * 86400);
    config.set_serial(1);
    auto r = relay::Relay::Open(
        dir.Sub("data"), dir.Sub("export"), options, {authority.PublicKey()}, FixedExportKey(),
        wire::SignEnvelope(wire::kRelayConfigContext, config, FixedEd25519('C')), &clock);
    if (!r.ok()) Die(r.status());
    relay = std::move(*r);
    // One released batch, for ListBatches and GetBatch to find.
    openen::v1::PublishRequest publish;
    const uint32_t today = crypto::RollingStart(crypto::EnIntervalNumber(kFuzzNow));
    for (int i = 1; i <= 3; ++i) {
      auto* k = publish.add_keys();
      k->set_key_data(std::string(16, static_cast<char>('k' + i)));
      k->set_rolling_start_interval_number(today - 144u * i);
      k->set_rolling_period(144);
      k->set_transmission_risk(4);
    }
    publish.set_hmac_secret(std::string(32, 's'));
    Sign(&publish, openen::v1::Certificate());
    auto published = Publish(publish);
    if (!published.ok()) Die(published.status());
    clock.Set(kRequestTime);
    if (base::Status s = relay->Maintain(); !s.ok()) Die(s);
    auto batches = relay->ListBatches("", 10);
    if (batches.empty()) Die(base::InternalError("no batch was released"));
    batch_name = batches[0].name();
    pool = std::make_unique<server::WorkerPool>(2);
    service = std::make_unique<relay::RelayService>(relay.get(), pool.get());
    server = std::make_unique<FuzzServer>(std::vector<grpc::Service*>{service.get()});
  }
  ~RelayHarness() {
    server.reset();
    pool.reset();
    service.reset();
  }

  [[noreturn]] static void Die(const base::Status& s) {
    fprintf(stderr, "relay_rpc setup: %s\n", s.ToString().c_str());
    abort();
  }

  static std::vector<relay::SubmittedKey> Keys(const openen::v1::PublishRequest& request) {
    std::vector<relay::SubmittedKey> keys;
    for (const auto& k : request.keys()) {
      keys.push_back({base::ToBytes(k.key_data()), k.rolling_start_interval_number(),
                      k.rolling_period(), k.transmission_risk()});
    }
    return keys;
  }

  // Sign replaces the request's certificate with |cert| bound to the
  // request's keys and secret and signed by the verifier's key, its
  // audience and lifetime filled in when |cert| leaves them empty.
  void Sign(openen::v1::PublishRequest* request, openen::v1::Certificate cert) const {
    std::vector<crypto::TekHmacEntry> entries;
    for (const auto& k : Keys(*request)) {
      entries.push_back(
          {k.key_data, k.rolling_start_interval_number, k.rolling_period, k.transmission_risk});
    }
    const crypto::Sha256Digest mac = crypto::TekHmac(base::AsBytes(request->hmac_secret()), entries,
                                                     crypto::TekHmacForm::kWithTransmissionRisk);
    cert.set_key_hmac(std::string(base::AsChars(mac)));
    if (cert.audience().empty()) cert.set_audience("openen-relay");
    if (cert.expires_at() == 0) cert.set_expires_at(clock.NowSeconds() + 900);
    *request->mutable_certificate() =
        wire::SignEnvelope(wire::kCertificateContext, cert, authority);
  }

  // Publish stores |request| directly (for the setup's batch).
  base::StatusOr<relay::PublishResult> Publish(const openen::v1::PublishRequest& request) {
    return relay->Publish(Keys(request), request.certificate(),
                          base::AsBytes(request.hmac_secret()), request.chaff());
  }
};

template <typename Message>
bool Parse(std::string_view bytes, Message* message) {
  return message->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()));
}

}  // namespace
}  // namespace openen::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace openen;
  static fuzz::RelayHarness relay_harness;
  fuzz::RelayHarness* harness = &relay_harness;
  fuzz::FuzzInput in(data, size);
  const uint8_t selector = in.Byte();
  const bool help = selector & 0x80;
  std::string request(in.Rest());
  std::string response;
  switch ((selector & 0x7f) % 4) {
    case 0: {
      openen::v1::PublishRequest publish;
      if (help && fuzz::Parse(request, &publish)) {
        openen::v1::Certificate cert;
        // A payload that does not parse leaves an empty certificate.
        (void)cert.ParseFromString(publish.certificate().payload());
        harness->Sign(&publish, cert);
        request = publish.SerializeAsString();
      }
      const grpc::Status s = harness->server->Call("/openen.v1.Relay/Publish", request, &response);
      // Every answer, real or chaff, accepted or not, is of the one size.
      if (s.ok() && response.size() != relay::kPublishResponseSize) abort();
      break;
    }
    case 1:
      (void)harness->server->Call("/openen.v1.Relay/ListBatches", request, &response);
      break;
    case 2: {
      openen::v1::GetBatchRequest get;
      if (help && fuzz::Parse(request, &get)) {
        get.set_name(harness->batch_name + get.name());
        request = get.SerializeAsString();
      }
      std::vector<std::string> chunks;
      if (!harness->server->Stream("/openen.v1.Relay/GetBatch", request, &chunks).ok()) break;
      // The chunks follow each other and never pass the size they report.
      uint64_t offset = 0;
      for (const std::string& bytes : chunks) {
        openen::v1::BatchChunk chunk;
        if (!chunk.ParseFromString(bytes) || chunk.offset() != offset) abort();
        offset += chunk.data().size();
        if (offset > chunk.total_size()) abort();
      }
      break;
    }
    default:
      (void)harness->server->Call("/openen.v1.Relay/GetConfig", request, &response);
      break;
  }
  return 0;
}
