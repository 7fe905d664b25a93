// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Downloader: whole files over HTTPS with libcurl, from one base URL, each
// within a size limit, timeouts and a cancellation. The client's CurlFetcher
// (a client::Fetcher for Linux devices and tools) and the relay's import from
// other authorities' export directories are built on it.
// docs/client_curl.md describes the options and the error mapping.

#ifndef OPENEN_HTTP_DOWNLOADER_H_
#define OPENEN_HTTP_DOWNLOADER_H_

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "openen/base/bytes.h"
#include "openen/base/cancellation.h"
#include "openen/base/status.h"

namespace openen::http {

// Options chooses where and how a Downloader downloads. The defaults suit a
// device on a slow mobile link: a 336-batch catch-up of ~1 MB files
// completes, and a server that stops sending is given up on in 30 s.
struct Options {
  // The directory URL, e.g. "https://cdn.example.org/openen/"; a file's URL
  // is this plus its path ('/' is added when missing). Must be https://,
  // unless |allow_plain_http| is set. It must not carry a user name,
  // password, query or fragment.
  std::string base_url;
  // A PEM file of CA certificates to trust instead of the system's roots
  // (empty: the system's). Peer and host name verification are always on.
  std::string ca_file;
  // Permits an http:// base URL, for loopback tests and local tools only:
  // the caller verifies every byte it downloads, but plain HTTP shows the
  // network what is downloaded and when.
  bool allow_plain_http = false;
  // Gives up on connecting (TCP and the TLS handshake) after this long:
  // DEADLINE_EXCEEDED.
  std::chrono::milliseconds connect_timeout{15'000};
  // Gives up on one file's whole transfer after this long:
  // DEADLINE_EXCEEDED. Large enough for a full export file (16 MiB) at
  // ~100 kB/s.
  std::chrono::milliseconds transfer_timeout{300'000};
  // A transfer slower than |low_speed_bytes_per_second| for
  // |low_speed_time| (a stalled server) is given up on: DEADLINE_EXCEEDED.
  // A low_speed_bytes_per_second of 0 turns this check off.
  long low_speed_bytes_per_second = 100;
  std::chrono::seconds low_speed_time{30};
  // Uses the proxy named by the environment (https_proxy, all_proxy,
  // no_proxy). Off by default: downloads go straight to the server they
  // were configured with.
  bool use_environment_proxy = false;
  // The User-Agent header; empty sends none.
  std::string user_agent = "openen-curl";
};

// Downloader GETs |base_url| + path:
//   200: the body (any other 2xx is FAILED_PRECONDITION);
//   404, 410: NOT_FOUND;
//   a Content-Length over max_bytes: RESOURCE_EXHAUSTED without reading the
//     body; a body that grows past it: RESOURCE_EXHAUSTED, reading stops;
//   408, 425, 429 and 5xx: UNAVAILABLE (may pass);
//   3xx: FAILED_PRECONDITION (redirects are not followed: a static export is
//     served at the URL it is configured with);
//   other 4xx: FAILED_PRECONDITION (the server refuses; retrying does not help);
//   no connection, a failed TLS handshake or certificate check, a body
//     shorter than its Content-Length: UNAVAILABLE;
//   the connect, transfer or low-speed limit: DEADLINE_EXCEEDED;
//   cancelled: CANCELLED, within ~100 ms, whatever the transfer is doing.
// Only https:// (and, when allowed, http://) is ever spoken; no cookies,
// no .netrc, no content decoding (max_bytes counts bytes on the wire).
// Messages say what failed (the caller adds the file's name), never the host.
// The caller checks that a path stays below the base URL (no "..", no '?').
// Thread safety: Get may be called from several threads at once; each call
// uses its own connection.
class Downloader {
 public:
  // Create checks |options| (INVALID_ARGUMENT: a base URL that is not
  // https:// and not allowed plain http://, or a missing ca_file) and
  // initialises libcurl once per process (INTERNAL if it cannot).
  static base::StatusOr<std::unique_ptr<Downloader>> Create(Options options);

  // Get downloads |path| while |cancel| is not set (setting it wakes the
  // transfer at once).
  base::StatusOr<base::Bytes> Get(const std::string& path, size_t max_bytes,
                                  const base::Cancellation& cancel) const;

  // GetPolled is Get for a caller whose cancellation can only be polled
  // (the C API's openen_cancel): |cancelled| is called on this thread at
  // least every 100 ms while the transfer runs.
  base::StatusOr<base::Bytes> GetPolled(const std::string& path, size_t max_bytes,
                                        const std::function<bool()>& cancelled) const;

  const Options& options() const { return options_; }

 private:
  explicit Downloader(Options options) : options_(std::move(options)) {}
  base::StatusOr<base::Bytes> Transfer(const std::string& path, size_t max_bytes,
                                       const std::function<bool()>& cancelled,
                                       const base::Cancellation* cancel) const;

  const Options options_;
};

}  // namespace openen::http

#endif  // OPENEN_HTTP_DOWNLOADER_H_
