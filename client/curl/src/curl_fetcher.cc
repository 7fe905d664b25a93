// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/client_curl/curl_fetcher.h"

namespace openen::client_curl {
namespace {

base::Status CheckName(const std::string& name) {
  if (client::IsFetchName(name)) return base::Status::Ok();
  return base::InvalidArgumentError("'" + name + "' is not a file this fetches");
}

}  // namespace

base::StatusOr<std::unique_ptr<CurlFetcher>> CurlFetcher::Create(CurlOptions options) {
  OPENEN_ASSIGN_OR_RETURN(std::unique_ptr<http::Downloader> downloader,
                          http::Downloader::Create(std::move(options)));
  return std::unique_ptr<CurlFetcher>(new CurlFetcher(std::move(downloader)));
}

base::StatusOr<base::Bytes> CurlFetcher::Get(const std::string& name, size_t max_bytes,
                                             const base::Cancellation& cancel) {
  OPENEN_RETURN_IF_ERROR(CheckName(name));
  return downloader_->Get(name, max_bytes, cancel);
}

base::StatusOr<base::Bytes> CurlFetcher::GetPolled(const std::string& name, size_t max_bytes,
                                                   const std::function<bool()>& cancelled) {
  OPENEN_RETURN_IF_ERROR(CheckName(name));
  return downloader_->GetPolled(name, max_bytes, cancelled);
}

}  // namespace openen::client_curl
