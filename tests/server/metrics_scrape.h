// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Reading a server's metrics as Prometheus does: over HTTP (libcurl) from
// its loopback metrics port.

#ifndef OPENEN_TESTS_SERVER_METRICS_SCRAPE_H_
#define OPENEN_TESTS_SERVER_METRICS_SCRAPE_H_

#include <catch2/catch.hpp>
#include <string>

#include "openen/base/cancellation.h"
#include "openen/client_curl/curl_fetcher.h"
#include "subprocess.h"

namespace openen::relay::testing {

// MetricsPort reads the port from "metrics on http://127.0.0.1:PORT/metrics".
inline int MetricsPort(openen::testing::Process& process) {
  return process.PortAfter("metrics on http://127.0.0.1:");
}

// Scrape returns the text a scrape of http://|host|:|port|/metrics reads.
inline std::string Scrape(int port, const std::string& host = "127.0.0.1") {
  client_curl::CurlOptions options;
  options.base_url = "http://" + host + ":" + std::to_string(port) + "/";
  options.allow_plain_http = true;  // loopback
  auto fetcher = client_curl::CurlFetcher::Create(options);
  REQUIRE(fetcher.ok());
  auto body = (*fetcher)->Get("metrics", 1 << 20, base::NeverCancelled());
  INFO(body.status().ToString());
  REQUIRE(body.ok());
  return std::string(base::AsChars(*body));
}

// Value returns the value of |series| (a name with its labels) in |text|,
// or -1 when it is not there.
inline double Value(const std::string& text, const std::string& series) {
  const size_t at = text.find("\n" + series + " ");
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + series.size() + 2));
}

}  // namespace openen::relay::testing

#endif  // OPENEN_TESTS_SERVER_METRICS_SCRAPE_H_
