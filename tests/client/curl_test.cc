// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// CurlFetcher against a real nginx on loopback serving the export directory
// a real relay wrote, over TLS with a throwaway CA: a phone finds its
// exposure through it, and every way a server fails maps to the Fetcher
// contract's code, with nothing processed.

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <thread>

#include "client/nginx.h"
#include "openen/client/client.h"
#include "openen/client_curl/curl_fetcher.h"
#include "server/relay_fixture.h"

namespace openen::client_curl {
namespace {

using base::StatusCode;
using client::Client;
using relay::testing::RelayFixture;

struct Town {
  RelayFixture relay;
  base::FakeClock phone_clock{relay::testing::kNow};
  openen::testing::TempDir dir;
  std::unique_ptr<client::FileKeyStore> keystore =
      std::move(*client::FileKeyStore::FromKey(crypto::SecretBytes::Random(32)));
  openen::testing::Pki pki;
  std::string batch;  // the one released batch's name
  std::unique_ptr<Client> alice = NewPhone("alice");
  std::unique_ptr<Client> bob = NewPhone("bob");
  const int64_t day0 = relay::testing::kNow - 10 * 3600;

  // Alice meets Bob for 26 minutes on day0 (a score of 1800), is diagnosed
  // the next day, and the relay releases her keys in one batch.
  Town() {
    for (int m = 0; m <= 25; m += 5) {
      const int64_t t = day0 + 12 * 3600 + m * 60;
      SetTime(t);
      auto ad = alice->CurrentAdvertisement();
      REQUIRE(ad.ok());
      auto parsed = crypto::ParseAdvertisement(*ad);
      REQUIRE(bob->RecordSighting(parsed->rpi, parsed->aem, -50, t).ok());
    }
    SetTime(day0 + 86400 + 600);
    auto keys = alice->KeysForUpload();
    REQUIRE(keys.ok());
    std::vector<relay::SubmittedKey> submitted;
    for (const client::OwnKey& k : *keys) {
      submitted.push_back({base::Bytes(k.key_data.Reveal().begin(), k.key_data.Reveal().end()),
                           k.rolling_start_interval_number, k.rolling_period, 0});
    }
    base::Bytes secret(32, 0x77);
    REQUIRE(
        relay.relay->Publish(submitted, relay.Certificate(submitted, secret), secret, false).ok());
    SetTime(day0 + 86400 + 3600);
    REQUIRE(relay.relay->Maintain().ok());
    batch = relay.relay->ListBatches("", 1).at(0).name();
  }
  std::string export_dir() const { return relay.dir.Sub("export"); }
  size_t batch_size() const { return std::filesystem::file_size(export_dir() + "/" + batch); }

  std::unique_ptr<Client> NewPhone(const std::string& name) {
    client::ClientOptions o;
    o.store_dir = dir.Sub(name);
    o.export_keys = {{"openen-v1", relay.relay->export_public_key()}};
    o.config_keys = {relay.config_key.PublicKey()};
    o.decommission_keys = {relay.decommission_key.PublicKey()};
    auto c = Client::Open(o, keystore.get(), &phone_clock);
    REQUIRE(c.ok());
    return std::move(*c);
  }
  void SetTime(int64_t t) {
    relay.clock.Set(t);
    phone_clock.Set(t);
  }
  // Options trusting the test CA, with a stall limit of 100 B/s over 2 s.
  CurlOptions Options(const std::string& url) const {
    CurlOptions o;
    o.base_url = url;
    o.ca_file = pki.ca;
    o.connect_timeout = std::chrono::seconds(5);
    o.transfer_timeout = std::chrono::seconds(60);
    o.low_speed_bytes_per_second = 100;
    o.low_speed_time = std::chrono::seconds(2);
    return o;
  }
  std::unique_ptr<CurlFetcher> Fetcher(const CurlOptions& o) const {
    auto f = CurlFetcher::Create(o);
    REQUIRE(f.ok());
    return std::move(*f);
  }
};

double Score(Client* phone, int64_t day0) {
  auto days = phone->DailySummaries();
  REQUIRE(days.ok());
  for (const auto& d : *days) {
    if (d.day == static_cast<uint32_t>(day0 / 86400)) return d.score_sum;
  }
  return 0;
}

TEST_CASE("a phone syncs over HTTPS from nginx and finds its exposure", "[client][curl][e2e]") {
  Town town;
  openen::testing::Nginx nginx(town.export_dir(), town.pki);
  auto fetcher = town.Fetcher(town.Options(nginx.Url("/")));
  client::StaticSource source(fetcher.get());
  auto report = town.bob->Sync(source);
  INFO(nginx.ErrorLog());
  REQUIRE(report.ok());
  CHECK(report->batches == 1);
  CHECK(report->matched_identifiers == 3);
  CHECK(report->new_exposure_windows == 1);
  CHECK(Score(town.bob.get(), town.day0) == Approx(1800));
  auto again = town.bob->Sync(source);
  REQUIRE(again.ok());
  CHECK(again->batches == 0);

  // The same bytes as from the directory itself.
  auto bytes = fetcher->Get(town.batch, wire::kMaxExportFileSize, base::NeverCancelled());
  REQUIRE(bytes.ok());
  CHECK(*bytes == base::ToBytes(openen::testing::ReadFile(town.export_dir() + "/" + town.batch)));

  // A base URL without the trailing '/' is the same directory.
  auto no_slash = town.Fetcher(town.Options(nginx.Url("")));
  CHECK(no_slash->Get("index.txt", 1000, base::NeverCancelled()).ok());

  // Plain HTTP only when the caller allows it (here a loopback test).
  CurlOptions plain = town.Options(nginx.PlainUrl("/"));
  auto refused = CurlFetcher::Create(plain);
  CHECK(refused.status().code() == StatusCode::kInvalidArgument);
  plain.allow_plain_http = true;
  auto carol = town.NewPhone("carol");
  auto over_http = town.Fetcher(plain);
  client::StaticSource http_source(over_http.get());
  REQUIRE(carol->Sync(http_source).ok());
  CHECK(Score(carol.get(), town.day0) == 0);  // Carol met nobody; the batch was processed
  CHECK(carol->Sync(http_source)->batches == 0);
}

TEST_CASE("CurlFetcher refuses base URLs it must not use", "[client][curl]") {
  for (const char* url : {"ftp://127.0.0.1/", "file:///etc/", "127.0.0.1/export/", "https://",
                          "https://user:pw@127.0.0.1/", "https://127.0.0.1/x?a=b",
                          "https://127.0.0.1/#f", "http://127.0.0.1/"}) {
    CurlOptions o;
    o.base_url = url;
    INFO(url);
    CHECK(CurlFetcher::Create(o).status().code() == StatusCode::kInvalidArgument);
  }
  CurlOptions o;
  o.base_url = "https://127.0.0.1/";
  o.ca_file = "/nonexistent/ca.pem";
  CHECK(CurlFetcher::Create(o).status().code() == StatusCode::kInvalidArgument);
  o.ca_file = "";
  auto f = CurlFetcher::Create(o);
  REQUIRE(f.ok());
  CHECK((*f)->Get("../secret", 10, base::NeverCancelled()).status().code() ==
        StatusCode::kInvalidArgument);
}

TEST_CASE("a certificate that does not verify is refused - nothing processed",
          "[client][curl][tls]") {
  Town town;
  openen::testing::Nginx nginx(town.export_dir(), town.pki);
  // Signed by a CA the fetcher does not trust: another CA, or the system's roots.
  CurlOptions other = town.Options(nginx.Url("/"));
  other.ca_file = town.pki.other_ca;
  CurlOptions system = town.Options(nginx.Url("/"));
  system.ca_file = "";
  // The right CA, but a host name the certificate does not name.
  CurlOptions wrong_host = town.Options(nginx.UrlAt("127.0.0.2", "/"));
  for (const CurlOptions& o : {other, system, wrong_host}) {
    auto fetcher = town.Fetcher(o);
    auto got = fetcher->Get("index.txt", 1000, base::NeverCancelled());
    INFO(got.status().ToString());
    CHECK(got.status().code() == StatusCode::kUnavailable);
    client::StaticSource source(fetcher.get());
    auto report = town.bob->Sync(source);
    CHECK(report.status().code() == StatusCode::kUnavailable);
  }
  CHECK(town.bob->DailySummaries()->empty());
  auto fetcher = town.Fetcher(town.Options(nginx.Url("/")));
  client::StaticSource good(fetcher.get());
  auto report = town.bob->Sync(good);
  REQUIRE(report.ok());
  CHECK(report->batches == 1);
  CHECK(report->new_exposure_windows == 1);
}

TEST_CASE("HTTP errors map to the Fetcher contract", "[client][curl]") {
  Town town;
  openen::testing::Nginx nginx(town.export_dir(), town.pki);
  auto get = [&](const std::string& path, const std::string& name) {
    return town.Fetcher(town.Options(nginx.Url(path)))
        ->Get(name, wire::kMaxExportFileSize, base::NeverCancelled())
        .status();
  };
  CHECK(get("/", "no-such-batch.zip").code() == StatusCode::kNotFound);
  CHECK(get("/", "no-such-batch.zip").message() == "HTTP 404");
  CHECK(get("/forbidden/", "index.txt").code() == StatusCode::kFailedPrecondition);
  CHECK(get("/broken/", "index.txt").code() == StatusCode::kUnavailable);
  CHECK(get("/moved/", "index.txt").code() == StatusCode::kFailedPrecondition);
  CHECK(get("/moved/", "index.txt").message() == "HTTP 301 (redirects are not followed)");

  // A server with no index.txt (yet): the sync is UNAVAILABLE, and config.bin
  // and decommission.bin missing mean none is announced.
  auto empty = town.Fetcher(town.Options(nginx.Url("/empty/")));
  client::StaticSource source(empty.get());
  auto report = town.bob->Sync(source);
  CHECK(report.status().code() == StatusCode::kUnavailable);
  CHECK(report.status().message() == "there is no index.txt (yet)");

  // Nobody listening.
  const int port = openen::testing::FreePort();
  auto closed = town.Fetcher(town.Options("https://127.0.0.1:" + std::to_string(port) + "/"));
  CHECK(closed->Get("index.txt", 1000, base::NeverCancelled()).status().code() ==
        StatusCode::kUnavailable);
}

TEST_CASE("a truncated body is UNAVAILABLE - nothing processed - the next sync succeeds",
          "[client][curl]") {
  Town town;
  openen::testing::Nginx nginx(town.export_dir(), town.pki);
  REQUIRE(town.batch_size() > 400);  // longer than the backend sends at once
  auto fetcher = town.Fetcher(town.Options(nginx.Url("/truncated/")));
  auto got = fetcher->Get(town.batch, wire::kMaxExportFileSize, base::NeverCancelled());
  INFO(nginx.ErrorLog());
  CHECK(got.status().code() == StatusCode::kUnavailable);
  CHECK(got.status().message() ==
        "the server closed the connection before the whole body (truncated)");

  client::StaticSource source(fetcher.get());
  auto report = town.bob->Sync(source);
  CHECK(report.status().code() == StatusCode::kUnavailable);
  // The listing came through whole; the batch did not.
  CHECK(report.status().message() ==
        town.batch + ": the server closed the connection before the whole body (truncated)");
  CHECK(town.bob->DailySummaries()->empty());
  auto good_fetcher = town.Fetcher(town.Options(nginx.Url("/")));
  client::StaticSource good(good_fetcher.get());
  auto retry = town.bob->Sync(good);
  REQUIRE(retry.ok());
  CHECK(retry->batches == 1);
  CHECK(retry->new_exposure_windows == 1);
}

TEST_CASE("a stalled server is given up on at the low-speed or connect limit", "[client][curl]") {
  Town town;
  openen::testing::Nginx nginx(town.export_dir(), town.pki);
  // nginx sends the headers and 400 bytes, then 1 byte/s: under 100 B/s
  // for 2 s ends it, long before the 45 s transfer limit would.
  CurlOptions o = town.Options(nginx.Url("/slow/"));
  o.transfer_timeout = std::chrono::seconds(45);
  auto slow = town.Fetcher(o);
  const auto start = std::chrono::steady_clock::now();
  auto got = slow->Get(town.batch, wire::kMaxExportFileSize, base::NeverCancelled());
  CHECK(got.status().code() == StatusCode::kDeadlineExceeded);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(30));
  client::StaticSource source(slow.get());
  CHECK(town.bob->Sync(source).status().code() == StatusCode::kDeadlineExceeded);
  CHECK(town.bob->DailySummaries()->empty());

  // A server that accepts and never says a word: the TLS handshake stalls.
  openen::testing::Listener silent;
  o = town.Options("https://127.0.0.1:" + std::to_string(silent.port()) + "/");
  o.connect_timeout = std::chrono::seconds(1);
  CHECK(town.Fetcher(o)->Get("index.txt", 1000, base::NeverCancelled()).status().code() ==
        StatusCode::kDeadlineExceeded);
}

// CancelAfter runs |get| and cancels it from another thread after 300 ms;
// returns its status and how long after the cancel it returned.
std::pair<base::Status, std::chrono::milliseconds> CancelAfter(
    const std::function<base::Status(const base::Cancellation&)>& get) {
  base::Cancellation cancel;
  std::chrono::steady_clock::time_point cancelled_at;
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    cancelled_at = std::chrono::steady_clock::now();
    cancel.Cancel();
  });
  base::Status s = get(cancel);
  const auto returned_at = std::chrono::steady_clock::now();
  canceller.join();
  return {s, std::chrono::duration_cast<std::chrono::milliseconds>(returned_at - cancelled_at)};
}

TEST_CASE("a cancel from another thread stops a stalled transfer at once", "[client][curl]") {
  Town town;
  openen::testing::Nginx nginx(town.export_dir(), town.pki);
  // Limits far away: only the cancel can end these.
  CurlOptions o = town.Options(nginx.Url("/slow/"));
  o.low_speed_time = std::chrono::seconds(60);
  o.connect_timeout = std::chrono::seconds(60);
  auto slow = town.Fetcher(o);
  auto [status, after] = CancelAfter([&](const base::Cancellation& c) {
    return slow->Get(town.batch, wire::kMaxExportFileSize, c).status();
  });
  CHECK(status.code() == StatusCode::kCancelled);
  CHECK(after < std::chrono::seconds(5));  // the limits are 60 s

  // The same while the sync is fetching the batch.
  client::StaticSource source(slow.get());
  auto [synced, sync_after] =
      CancelAfter([&](const base::Cancellation& c) { return town.bob->Sync(source, c).status(); });
  CHECK(synced.code() == StatusCode::kCancelled);
  CHECK(sync_after < std::chrono::seconds(5));  // the limits are 60 s
  CHECK(town.bob->DailySummaries()->empty());

  // And in the middle of a TLS handshake that never completes.
  openen::testing::Listener silent;
  o.base_url = "https://127.0.0.1:" + std::to_string(silent.port()) + "/";
  auto stuck = town.Fetcher(o);
  auto [handshake, handshake_after] = CancelAfter(
      [&](const base::Cancellation& c) { return stuck->Get("index.txt", 1000, c).status(); });
  CHECK(handshake.code() == StatusCode::kCancelled);
  CHECK(handshake_after < std::chrono::seconds(5));  // the limits are 60 s

  // The polled form (the C API's) too.
  std::atomic<bool> flag{false};
  std::thread setter([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    flag = true;
  });
  auto polled = stuck->GetPolled("index.txt", 1000, [&] { return flag.load(); });
  setter.join();
  CHECK(polled.status().code() == StatusCode::kCancelled);
}

TEST_CASE("a file over max_bytes is RESOURCE_EXHAUSTED - refused on its Content-Length",
          "[client][curl]") {
  Town town;
  openen::testing::Nginx nginx(town.export_dir(), town.pki);
  const size_t size = town.batch_size();
  auto plain = town.Fetcher(town.Options(nginx.Url("/")));
  auto exact = plain->Get(town.batch, size, base::NeverCancelled());
  REQUIRE(exact.ok());
  CHECK(exact->size() == size);
  CHECK(plain->Get(town.batch, size - 1, base::NeverCancelled()).status().code() ==
        StatusCode::kResourceExhausted);

  // At 1 byte/s the body would stall (DEADLINE_EXCEEDED) if it were read:
  // the Content-Length alone refuses it.
  auto slow = town.Fetcher(town.Options(nginx.Url("/slow/")));
  auto refused = slow->Get(town.batch, size - 1, base::NeverCancelled());
  CHECK(refused.status().code() == StatusCode::kResourceExhausted);
  CHECK(refused.status().message() == "larger than " + std::to_string(size - 1) + " bytes");

  // Without a Content-Length (chunked), reading stops past the limit.
  auto chunked = town.Fetcher(town.Options(nginx.Url("/chunked/")));
  auto whole = chunked->Get(town.batch, size, base::NeverCancelled());
  REQUIRE(whole.ok());
  CHECK(*whole == *exact);
  CHECK(chunked->Get(town.batch, size - 1, base::NeverCancelled()).status().code() ==
        StatusCode::kResourceExhausted);
  CHECK(chunked->Get(town.batch, 0, base::NeverCancelled()).status().code() ==
        StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace openen::client_curl
