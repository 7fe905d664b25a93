// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Keys have roles (DESIGN.md promise 7): the certificate key (online, the
// verifier's), the configuration key and the decommission key (both offline).
// The whole matrix, signed object kind x signing key x component: each
// component accepts each kind it handles only under its role's key (the
// diagonal) and nothing else. The C API's column is in c_api_test.c.

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>

#include "openen/base/file.h"
#include "openen/client/client.h"
#include "openen/server/decommission.h"
#include "openen/server/key_files.h"
#include "openen/verifier/verifier.h"
#include "openen/wire/signed.h"
#include "server/relay_fixture.h"

namespace openen::client {
namespace {

using openen::testing::TempDir;
using relay::testing::kNow;
using relay::testing::RelayFixture;

enum Role { kCertificateRole, kConfigurationRole, kDecommissionRole, kUnknownRole };
constexpr Role kRoles[] = {kCertificateRole, kConfigurationRole, kDecommissionRole, kUnknownRole};
const char* RoleName(Role r) {
  static const char* const kNames[] = {"certificate", "configuration", "decommission", "unknown"};
  return kNames[r];
}

openen::v1::SignedEnvelope Configuration(const crypto::Ed25519PrivateKey& signer) {
  openen::v1::RelayConfig c;
  c.set_serial(1);
  c.set_expires_at(kNow + 30 * 86400);
  c.set_retention_days(7);
  return wire::SignEnvelope(wire::kRelayConfigContext, c, signer);
}

openen::v1::SignedEnvelope Order(const crypto::Ed25519PrivateKey& signer) {
  openen::v1::DecommissionOrder o;
  o.set_effective_at(kNow);
  o.set_sequence(1);
  return wire::SignEnvelope(wire::kDecommissionOrderContext, o, signer);
}

// The authority's keys, one per role, and a stranger's; the relay fixture's
// keys are the authority's.
struct Authority {
  RelayFixture f;
  crypto::Ed25519PrivateKey unknown = crypto::Ed25519PrivateKey::Generate();

  const crypto::Ed25519PrivateKey& Key(Role r) const {
    switch (r) {
      case kCertificateRole: return f.authority;
      case kConfigurationRole: return f.config_key;
      case kDecommissionRole: return f.decommission_key;
      case kUnknownRole: break;
    }
    return unknown;
  }

  // A relay on fresh directories trusting each role's key for its role.
  std::unique_ptr<relay::Relay> OpenRelay(const TempDir& dir,
                                          std::optional<openen::v1::SignedEnvelope> config,
                                          base::Status* status = nullptr) {
    auto r = relay::Relay::Open(dir.Sub("data"), dir.Sub("export"), f.options, {f.authority.PublicKey()},
                                *crypto::EcdsaP256PrivateKey::Generate(), std::move(config), &f.clock);
    if (status != nullptr) *status = r.status();
    return r.ok() ? std::move(*r) : nullptr;
  }

  ClientOptions PhoneOptions(const TempDir& dir) const {
    ClientOptions o;
    o.store_dir = dir.Sub("store");
    o.config_keys = {f.config_key.PublicKey()};
    o.decommission_keys = {f.decommission_key.PublicKey()};
    return o;
  }
};

// Each "Accepts" function answers whether a component took an object signed
// by |signer|'s key, and checks that a refusal says why.

bool RelayAcceptsCertificate(Authority& a, Role signer) {
  auto keys = RelayFixture::DailyKeys(2);
  base::Bytes secret(32, 0x3c);
  auto cert = a.f.Certificate(keys, secret, "openen-relay", 900, 0, &a.Key(signer));
  auto published = a.f.relay->Publish(keys, cert, secret, false);
  if (!published.ok()) {
    CHECK(published.status() == base::Status(base::StatusCode::kUnauthenticated,
                                             "certificate signature verification failed"));
  }
  return published.ok();
}

bool RelayAcceptsConfiguration(Authority& a, Role signer) {
  TempDir dir;
  base::Status status;
  auto relay = a.OpenRelay(dir, Configuration(a.Key(signer)), &status);
  if (!relay) CHECK(status.message() == "configuration: signature verification failed");
  return relay != nullptr;
}

bool RelayAcceptsOrder(Authority& a, Role signer) {
  TempDir dir;
  auto relay = a.OpenRelay(dir, std::nullopt);
  REQUIRE(relay);
  // Installed by hand, as a careless operator or an intruder on the relay
  // host could: the relay itself must still refuse it.
  REQUIRE(base::WriteFileAtomically(dir.Sub("data/") + server::kDecommissionOrderFile,
                                    Order(a.Key(signer)).SerializeAsString(), false)
              .ok());
  REQUIRE(relay->Maintain().ok());
  return relay->decommissioned();
}

bool RelayCommandInstallsOrder(Authority& a, Role signer) {
  TempDir dir;
  std::filesystem::create_directories(dir.Sub("data"));
  REQUIRE(base::WriteFileAtomically(dir.Sub("order.bin"), Order(a.Key(signer)).SerializeAsString(),
                                    false)
              .ok());
  // What `openen-relay decommission --decommission-key` and
  // `openen-verifier decommission --decommission-key` run.
  auto installed = server::InstallDecommissionOrder(dir.Sub("order.bin"), dir.Sub("data"), a.f.options.decommission_keys);
  if (!installed.ok()) CHECK(installed.status().code() == base::StatusCode::kUnauthenticated);
  return installed.ok();
}

bool VerifierAcceptsOrder(Authority& a, Role signer) {
  TempDir dir;
  verifier::VerifierOptions options;
  options.decommission_keys = {a.f.decommission_key.PublicKey()};
  // The verifier signs certificates with the certificate key.
  auto v = verifier::Verifier::Open(dir.Sub("db"), *crypto::Ed25519PrivateKey::FromSeed(a.f.authority.seed().Reveal()),
                                    options, &a.f.clock);
  REQUIRE(v.ok());
  REQUIRE(base::WriteFileAtomically(dir.Sub("db/") + server::kDecommissionOrderFile,
                                    Order(a.Key(signer)).SerializeAsString(), false)
              .ok());
  REQUIRE((*v)->Maintain().ok());
  return (*v)->decommissioned();
}

bool PhoneAcceptsConfiguration(Authority& a, Role signer) {
  TempDir dir;
  base::FakeClock clock(kNow);
  auto keystore = FileKeyStore::FromKey(crypto::SecretBytes::Random(32));
  auto phone = Client::Open(a.PhoneOptions(dir), keystore->get(), &clock);
  REQUIRE(phone.ok());
  base::Status s = (*phone)->UpdateConfiguration(Configuration(a.Key(signer)));
  if (!s.ok())
    CHECK(s == base::Status(base::StatusCode::kUnauthenticated,
                            "configuration: signature verification failed"));
  const bool adopted = (*phone)->retention_days() == 7;
  CHECK(adopted == s.ok());
  return adopted;
}

// A source that announces |config| or |order| (as config.bin and
// decommission.bin beside an empty index.txt).
std::string Announcing(const TempDir& dir, const char* file, const openen::v1::SignedEnvelope& env) {
  const std::string root = dir.Sub("announced");
  std::filesystem::create_directories(root);
  std::ofstream(root + "/index.txt") << "";
  std::ofstream(root + "/" + file, std::ios::binary) << env.SerializeAsString();
  return root;
}

bool PhoneSyncAcceptsConfiguration(Authority& a, Role signer) {
  TempDir dir;
  base::FakeClock clock(kNow);
  auto keystore = FileKeyStore::FromKey(crypto::SecretBytes::Random(32));
  auto phone = Client::Open(a.PhoneOptions(dir), keystore->get(), &clock);
  REQUIRE(phone.ok());
  DirectorySource source(Announcing(dir, "config.bin", Configuration(a.Key(signer))));
  auto synced = (*phone)->Sync(source);
  if (!synced.ok()) CHECK(synced.status().message() == "configuration: signature verification failed");
  const bool adopted = (*phone)->retention_days() == 7;
  CHECK(adopted == synced.ok());
  return adopted;
}

bool PhoneAcceptsOrder(Authority& a, Role signer) {
  TempDir dir;
  base::FakeClock clock(kNow);
  auto keystore = FileKeyStore::FromKey(crypto::SecretBytes::Random(32));
  auto phone = Client::Open(a.PhoneOptions(dir), keystore->get(), &clock);
  REQUIRE(phone.ok());
  REQUIRE((*phone)->CurrentAdvertisement().ok());
  DirectorySource source(Announcing(dir, "decommission.bin", Order(a.Key(signer))));
  auto synced = (*phone)->Sync(source);
  const bool erased = Client::IsDecommissioned(dir.Sub("store"));
  if (erased) {
    CHECK(synced.status() ==
          base::FailedPreconditionError("decommissioned").WithReason(kDecommissionedReason));
  } else {
    CHECK(synced.status() == base::Status(base::StatusCode::kUnauthenticated,
                                          "decommission order: signature verification failed"));
    CHECK((*phone)->CurrentAdvertisement().ok());
  }
  return erased;
}

TEST_CASE("keys have roles - each signed object is accepted only under its role's key, on the relay, the "
          "verifier and the phone",
          "[roles][decommission][config][privacy]") {
  Authority a;
  struct Column {
    const char* component;
    const char* object;
    Role role;  // the only key that may sign it
    bool (*accepts)(Authority&, Role);
  };
  const Column columns[] = {
      {"relay Publish", "certificate", kCertificateRole, RelayAcceptsCertificate},
      {"relay Open --config", "configuration", kConfigurationRole, RelayAcceptsConfiguration},
      {"relay Maintain", "decommission order", kDecommissionRole, RelayAcceptsOrder},
      {"servers' decommission command", "decommission order", kDecommissionRole, RelayCommandInstallsOrder},
      {"verifier Maintain", "decommission order", kDecommissionRole, VerifierAcceptsOrder},
      {"phone UpdateConfiguration", "configuration", kConfigurationRole, PhoneAcceptsConfiguration},
      {"phone Sync", "configuration", kConfigurationRole, PhoneSyncAcceptsConfiguration},
      {"phone Sync", "decommission order", kDecommissionRole, PhoneAcceptsOrder},
  };
  for (const Column& c : columns) {
    for (Role signer : kRoles) {
      INFO(c.component << ": " << c.object << " signed by the " << RoleName(signer) << " key");
      CHECK(c.accepts(a, signer) == (signer == c.role));
    }
  }
}

TEST_CASE("keys have roles - one key given for two roles is refused by the relay, the verifier and the phone",
          "[roles]") {
  Authority a;
  TempDir dir;
  base::Status status;
  auto shared = a.f.options;
  shared.decommission_keys.push_back(a.f.authority.PublicKey());
  CHECK(relay::Relay::Open(dir.Sub("r1"), dir.Sub("e1"), shared, {a.f.authority.PublicKey()},
                           *crypto::EcdsaP256PrivateKey::Generate(), std::nullopt, &a.f.clock)
            .status() ==
        base::Status(
            base::StatusCode::kInvalidArgument,
            "one key is given as both a certificate key and a decommission key; each role needs "
            "its own key"));
  shared = a.f.options;
  shared.decommission_keys = shared.config_keys;
  CHECK(relay::Relay::Open(dir.Sub("r2"), dir.Sub("e2"), shared, {a.f.authority.PublicKey()},
                           *crypto::EcdsaP256PrivateKey::Generate(), std::nullopt, &a.f.clock)
            .status()
            .code() == base::StatusCode::kInvalidArgument);

  verifier::VerifierOptions options;
  options.decommission_keys = {a.f.decommission_key.PublicKey(), a.f.authority.PublicKey()};
  CHECK(verifier::Verifier::Open(
            dir.Sub("v"), *crypto::Ed25519PrivateKey::FromSeed(a.f.authority.seed().Reveal()),
            options, &a.f.clock)
            .status() ==
        base::Status(
            base::StatusCode::kInvalidArgument,
            "the certificate signing key is also given as a decommission key; orders need the "
            "offline key"));

  base::FakeClock clock(kNow);
  auto keystore = FileKeyStore::FromKey(crypto::SecretBytes::Random(32));
  ClientOptions phone = a.PhoneOptions(dir);
  phone.decommission_keys.push_back(a.f.config_key.PublicKey());
  CHECK(Client::Open(phone, keystore->get(), &clock).status() ==
        base::Status(base::StatusCode::kInvalidArgument,
                     "one key is given as both a configuration key and a decommission key; each "
                     "role needs its own key"));
}

TEST_CASE("keys have roles - without decommission keys no order is ever accepted", "[roles][decommission]") {
  Authority a;
  TempDir dir;
  a.f.options.decommission_keys.clear();
  auto relay = a.OpenRelay(dir, std::nullopt);
  REQUIRE(relay);
  REQUIRE(base::WriteFileAtomically(dir.Sub("data/") + server::kDecommissionOrderFile,
                                    Order(a.f.decommission_key).SerializeAsString(), false)
              .ok());
  REQUIRE(relay->Maintain().ok());
  CHECK_FALSE(relay->decommissioned());
  CHECK(server::InstallDecommissionOrder(dir.Sub("data/") + server::kDecommissionOrderFile,
                                         dir.Sub("other"), {})
            .status()
            .code() == base::StatusCode::kFailedPrecondition);

  auto v = verifier::Verifier::Open(dir.Sub("db"), *crypto::Ed25519PrivateKey::FromSeed(a.f.authority.seed().Reveal()),
                                    {}, &a.f.clock);
  REQUIRE(v.ok());
  for (Role signer : kRoles) {
    REQUIRE(base::WriteFileAtomically(dir.Sub("db/") + server::kDecommissionOrderFile,
                                      Order(a.Key(signer)).SerializeAsString(), false)
                .ok());
    REQUIRE((*v)->Maintain().ok());
    CHECK_FALSE((*v)->decommissioned());
  }

  // A phone that pins no decommission key ignores announced orders.
  base::FakeClock clock(kNow);
  auto keystore = FileKeyStore::FromKey(crypto::SecretBytes::Random(32));
  ClientOptions options = a.PhoneOptions(dir);
  options.decommission_keys.clear();
  auto phone = Client::Open(options, keystore->get(), &clock);
  REQUIRE(phone.ok());
  DirectorySource source(Announcing(dir, "decommission.bin", Order(a.f.decommission_key)));
  CHECK((*phone)->Sync(source).ok());
  CHECK_FALSE(Client::IsDecommissioned(options.store_dir));
}

}  // namespace
}  // namespace openen::client
