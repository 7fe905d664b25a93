// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// libopenen_curl through its C header only (openen_curl.h and openen.h, as
// an app on a Linux device links them): openen_sync over HTTPS from a real
// nginx serving the C API fixture's signed export (c_api_fixture).

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <thread>

#include "client/nginx.h"
#include "openen/openen_curl.h"

namespace {

// The day after the fixture's batch.
int64_t FixtureNow(void*) { return 1585872000 + 3600; }

struct Phone {
  openen::testing::TempDir dir;
  openen_keystore* keystore = nullptr;
  openen_client* client = nullptr;

  Phone() {
    std::string spki;
    std::ifstream(std::string(OPENEN_C_API_EXPORTS) + "/key.txt") >> spki;
    REQUIRE(openen_keystore_open_file(dir.Sub("platform.key").c_str(), &keystore, nullptr) ==
            OPENEN_OK);
    openen_options* o = openen_options_create();
    openen_options_set_store_dir(o, dir.Sub("store").c_str());
    openen_options_set_clock(o, nullptr, FixtureNow);
    REQUIRE(openen_options_add_export_key(o, "fixture-v1", spki.c_str(), nullptr) == OPENEN_OK);
    REQUIRE(openen_client_open(o, keystore, &client, nullptr) == OPENEN_OK);
    openen_options_free(o);
  }
  ~Phone() {
    openen_client_close(client);
    openen_keystore_free(keystore);
  }
};

// Message takes *err and releases it.
std::string Message(char** err) {
  std::string m = *err ? *err : "";
  openen_free(*err);
  *err = nullptr;
  return m;
}

TEST_CASE("openen_sync through openen_curl_fetcher_create over HTTPS", "[client][curl][c_api]") {
  openen::testing::Pki pki;
  openen::testing::Nginx nginx(OPENEN_C_API_EXPORTS, pki);
  openen_curl_options* o = openen_curl_options_create();
  REQUIRE(o != nullptr);
  openen_curl_options_set_ca_file(o, pki.ca.c_str());
  openen_curl_options_set_connect_timeout_ms(o, 5000);
  openen_curl_options_set_transfer_timeout_ms(o, 60000);
  openen_curl_options_set_low_speed(o, 100, 60);
  char* err = nullptr;

  // Refusals, with a message.
  openen_fetcher refused = {nullptr, nullptr};
  CHECK(openen_curl_fetcher_create(nginx.PlainUrl("/").c_str(), o, &refused, &err) ==
        OPENEN_INVALID_ARGUMENT);
  CHECK(Message(&err) == "base URL is http://: only https:// unless allow_plain_http is set");
  CHECK(refused.fetch == nullptr);
  CHECK(openen_curl_fetcher_create(nullptr, o, &refused, &err) == OPENEN_INVALID_ARGUMENT);
  Message(&err);

  Phone phone;
  openen_sync_report report = {};
  openen_fetcher fetcher = {nullptr, nullptr};
  REQUIRE(openen_curl_fetcher_create(nginx.Url("/").c_str(), o, &fetcher, &err) == OPENEN_OK);
  const openen_status synced = openen_sync(phone.client, &fetcher, nullptr, &report, &err);
  INFO(Message(&err));
  REQUIRE(synced == OPENEN_OK);
  CHECK(report.batches == 1);
  CHECK(report.keys == 201);
  CHECK(openen_sync(phone.client, &fetcher, nullptr, &report, &err) == OPENEN_OK);
  CHECK(report.batches == 0);

  // No index.txt on the server: UNAVAILABLE.
  Phone other;
  openen_fetcher empty = {nullptr, nullptr};
  REQUIRE(openen_curl_fetcher_create(nginx.Url("/empty/").c_str(), o, &empty, &err) == OPENEN_OK);
  CHECK(openen_sync(other.client, &empty, nullptr, &report, &err) == OPENEN_UNAVAILABLE);
  CHECK(Message(&err) == "there is no index.txt (yet)");
  openen_curl_fetcher_free(&empty);
  // A server error: the fetcher's message travels to *errptr.
  openen_fetcher broken = {nullptr, nullptr};
  REQUIRE(openen_curl_fetcher_create(nginx.Url("/broken/").c_str(), o, &broken, &err) == OPENEN_OK);
  CHECK(openen_sync(other.client, &broken, nullptr, &report, &err) == OPENEN_UNAVAILABLE);
  CHECK(Message(&err).find("HTTP 503") != std::string::npos);
  openen_curl_fetcher_free(&broken);

  // A cancel set from another thread while a stalled server trickles the batch.
  openen_fetcher slow = {nullptr, nullptr};
  REQUIRE(openen_curl_fetcher_create(nginx.Url("/slow/").c_str(), o, &slow, &err) == OPENEN_OK);
  openen_cancel* cancel = openen_cancel_create();
  std::chrono::steady_clock::time_point cancelled_at;
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    cancelled_at = std::chrono::steady_clock::now();
    openen_cancel_set(cancel);
  });
  const openen_status stalled = openen_sync(other.client, &slow, cancel, &report, &err);
  const auto returned_at = std::chrono::steady_clock::now();
  canceller.join();
  CHECK(stalled == OPENEN_CANCELLED);
  Message(&err);
  CHECK(returned_at - cancelled_at < std::chrono::seconds(5));  // the limits are 60 s
  openen_cancel_reset(cancel);
  CHECK(openen_sync(other.client, &fetcher, cancel, &report, &err) == OPENEN_OK);
  CHECK(report.batches == 1);

  // _free takes NULL, a cleared fetcher, and leaves a fetcher it did not make alone.
  openen_curl_fetcher_free(&slow);
  CHECK(slow.ctx == nullptr);
  openen_curl_fetcher_free(&slow);
  openen_curl_fetcher_free(nullptr);
  openen_fetcher foreign = {&report, [](void*, const char*, size_t, openen_response*,
                                        const openen_cancel*) { return OPENEN_OK; }};
  openen_curl_fetcher_free(&foreign);
  CHECK(foreign.ctx == &report);
  openen_cancel_free(cancel);
  openen_curl_fetcher_free(&fetcher);
  openen_curl_options_free(o);
  openen_curl_options_free(nullptr);
}

}  // namespace
