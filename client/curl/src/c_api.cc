// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// openen_curl.h over CurlFetcher. The fetch callback reads the sync's
// openen_cancel through libopenen's public openen_cancel_is_set: the two
// libraries share no C++ object.

#include <cstdlib>
#include <cstring>
#include <new>
#include <string>

#include "openen/client_curl/curl_fetcher.h"
#include "openen/openen_curl.h"

struct openen_curl_options {
  openen::client_curl::CurlOptions impl;
};

namespace {

using openen::client_curl::CurlFetcher;

void SetError(char** errptr, const std::string& message) {
  if (errptr == nullptr) return;
  char* copy = static_cast<char*>(std::malloc(message.size() + 1));
  if (copy == nullptr) return;
  std::memcpy(copy, message.c_str(), message.size() + 1);
  *errptr = copy;
}

openen_status ToC(const openen::base::Status& s) {
  return openen::base::StatusCodeFromInt(static_cast<int>(s.code()))
             ? static_cast<openen_status>(s.code())
             : OPENEN_OTHER;
}

openen_status Fetch(void* ctx, const char* name, size_t max_bytes, openen_response* out,
                    const openen_cancel* cancel) {
  try {
    auto* fetcher = static_cast<CurlFetcher*>(ctx);
    if (fetcher == nullptr || name == nullptr) return OPENEN_INVALID_ARGUMENT;
    auto body =
        fetcher->GetPolled(name, max_bytes, [cancel] { return openen_cancel_is_set(cancel) != 0; });
    if (!body.ok()) {
      openen_response_set_error(out, body.status().message().c_str());
      return ToC(body.status());
    }
    return openen_response_append(out, body->data(), body->size());
  } catch (const std::bad_alloc&) {
    return OPENEN_RESOURCE_EXHAUSTED;
  } catch (...) {
    return OPENEN_INTERNAL;
  }
}

}  // namespace

openen_curl_options* openen_curl_options_create(void) {
  return new (std::nothrow) openen_curl_options();
}
void openen_curl_options_free(openen_curl_options* options) { delete options; }

void openen_curl_options_set_ca_file(openen_curl_options* options, const char* path) {
  if (options == nullptr) return;
  try {
    options->impl.ca_file = path == nullptr ? "" : path;
  } catch (...) {
  }
}
void openen_curl_options_set_allow_plain_http(openen_curl_options* options, int allow) {
  if (options != nullptr) options->impl.allow_plain_http = allow != 0;
}
void openen_curl_options_set_connect_timeout_ms(openen_curl_options* options, int64_t ms) {
  if (options != nullptr) options->impl.connect_timeout = std::chrono::milliseconds(ms);
}
void openen_curl_options_set_transfer_timeout_ms(openen_curl_options* options, int64_t ms) {
  if (options != nullptr) options->impl.transfer_timeout = std::chrono::milliseconds(ms);
}
void openen_curl_options_set_low_speed(openen_curl_options* options, int64_t bytes_per_second,
                                       int64_t seconds) {
  if (options == nullptr) return;
  options->impl.low_speed_bytes_per_second = static_cast<long>(bytes_per_second);
  options->impl.low_speed_time = std::chrono::seconds(seconds);
}
void openen_curl_options_set_use_environment_proxy(openen_curl_options* options, int use) {
  if (options != nullptr) options->impl.use_environment_proxy = use != 0;
}

openen_status openen_curl_fetcher_create(const char* base_url, const openen_curl_options* options,
                                         openen_fetcher* out, char** errptr) {
  if (base_url == nullptr || out == nullptr) {
    SetError(errptr, "base_url and out must not be NULL");
    return OPENEN_INVALID_ARGUMENT;
  }
  try {
    openen::client_curl::CurlOptions o =
        options ? options->impl : openen::client_curl::CurlOptions();
    o.base_url = base_url;
    auto fetcher = CurlFetcher::Create(std::move(o));
    if (!fetcher.ok()) {
      SetError(errptr, fetcher.status().message());
      return ToC(fetcher.status());
    }
    out->ctx = fetcher->release();
    out->fetch = &Fetch;
    return OPENEN_OK;
  } catch (const std::bad_alloc&) {
    SetError(errptr, "out of memory");
    return OPENEN_RESOURCE_EXHAUSTED;
  } catch (...) {
    SetError(errptr, "internal error");
    return OPENEN_INTERNAL;
  }
}

void openen_curl_fetcher_free(openen_fetcher* fetcher) {
  // Only what openen_curl_fetcher_create made: another fetcher's ctx is not ours.
  if (fetcher == nullptr || fetcher->fetch != &Fetch) return;
  delete static_cast<CurlFetcher*>(fetcher->ctx);
  fetcher->ctx = nullptr;
  fetcher->fetch = nullptr;
}
