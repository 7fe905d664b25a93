// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// CurlFetcher: a client::Fetcher over HTTPS with libcurl, for syncing from
// any static web server or CDN that serves openen-relay's export directory
// (index.txt, index.sha256, the batches, config.bin, decommission.bin).
// For Linux devices, wearables and command-line tools; phone apps use their
// platform's own HTTPS stack (OkHttp, URLSession) through the same Fetcher
// contract instead. docs/client_curl.md describes the options and the error
// mapping.

#ifndef OPENEN_CLIENT_CURL_CURL_FETCHER_H_
#define OPENEN_CLIENT_CURL_CURL_FETCHER_H_

#include <functional>
#include <memory>
#include <string>

#include "openen/base/status.h"
#include "openen/client/sync.h"
#include "openen/http/downloader.h"

namespace openen::client_curl {

// CurlOptions chooses where and how a CurlFetcher downloads: the base URL of
// the export directory, the CAs, the timeouts (openen/http/downloader.h).
using CurlOptions = http::Options;

// CurlFetcher implements client::Fetcher's contract with an http::Downloader
// (HTTP GET; the status mapping is the Downloader's: 404 and 410 NOT_FOUND,
// an oversized body RESOURCE_EXHAUSTED, 5xx and lost connections UNAVAILABLE,
// timeouts DEADLINE_EXCEEDED, |cancel| CANCELLED within ~100 ms). A name that
// is not one a Fetcher is asked for (client::IsFetchName) is refused before
// any connection. Thread safety: Get may be called from several threads at
// once; each call uses its own connection.
class CurlFetcher final : public client::Fetcher {
 public:
  // Create checks |options| (INVALID_ARGUMENT: a base URL that is not
  // https:// and not allowed plain http://, or a missing ca_file) and
  // initialises libcurl once per process (INTERNAL if it cannot).
  static base::StatusOr<std::unique_ptr<CurlFetcher>> Create(CurlOptions options);

  base::StatusOr<base::Bytes> Get(const std::string& name, size_t max_bytes,
                                  const base::Cancellation& cancel) override;

  // GetPolled is Get for a caller whose cancellation can only be polled
  // (the C API's openen_cancel): |cancelled| is called on this thread at
  // least every 100 ms while the transfer runs.
  base::StatusOr<base::Bytes> GetPolled(const std::string& name, size_t max_bytes,
                                        const std::function<bool()>& cancelled);

  const CurlOptions& options() const { return downloader_->options(); }

 private:
  explicit CurlFetcher(std::unique_ptr<http::Downloader> downloader)
      : downloader_(std::move(downloader)) {}

  const std::unique_ptr<http::Downloader> downloader_;
};

}  // namespace openen::client_curl

#endif  // OPENEN_CLIENT_CURL_CURL_FETCHER_H_
