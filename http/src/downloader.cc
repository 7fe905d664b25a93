// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/http/downloader.h"

#include <curl/curl.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>

namespace openen::http {
namespace {

// How long one wait for socket activity may last before cancellation is
// polled again (a base::Cancellation also wakes the wait at once).
constexpr int kPollMs = 100;

base::Status DeadlineExceeded(std::string m) {
  return base::Status(base::StatusCode::kDeadlineExceeded, std::move(m));
}
base::Status Cancelled(std::string m) {
  return base::Status(base::StatusCode::kCancelled, std::move(m));
}

base::Status GlobalInit() {
  static std::once_flag once;
  static CURLcode result = CURLE_OK;
  // curl_global_init is not thread-safe on its own and must run once.
  std::call_once(once, [] { result = curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (result != CURLE_OK) {
    return base::InternalError(std::string("libcurl cannot initialise: ") +
                               curl_easy_strerror(result));
  }
  return base::Status::Ok();
}

struct EasyDeleter {
  void operator()(CURL* h) const { curl_easy_cleanup(h); }
};
struct MultiDeleter {
  void operator()(CURLM* h) const { curl_multi_cleanup(h); }
};
using Easy = std::unique_ptr<CURL, EasyDeleter>;
using Multi = std::unique_ptr<CURLM, MultiDeleter>;

// State is what the callbacks of one transfer share with it.
struct State {
  CURL* easy = nullptr;
  size_t max_bytes = 0;
  base::Bytes body;
  bool too_large = false;
};

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* s = static_cast<State*>(user);
  const size_t len = size * count;
  long code = 0;
  curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &code);
  // An error page's body is not wanted: stop; the status code says what failed.
  if (code != 200) return 0;
  if (len > s->max_bytes - s->body.size()) {
    s->too_large = true;
    return 0;  // aborts the transfer (CURLE_WRITE_ERROR)
  }
  s->body.insert(s->body.end(), reinterpret_cast<const uint8_t*>(data),
                 reinterpret_cast<const uint8_t*>(data) + len);
  return len;
}

// FromHttp maps a final status code other than 200.
base::Status FromHttp(long code) {
  const std::string what = "HTTP " + std::to_string(code);
  if (code == 404 || code == 410) return base::NotFoundError(what);
  if (code == 408 || code == 425 || code == 429 || code >= 500) return base::UnavailableError(what);
  if (code >= 300 && code < 400)
    return base::FailedPreconditionError(what + " (redirects are not followed)");
  return base::FailedPreconditionError(what);
}

// FromCurl maps a transfer that failed before a status other than 200 came.
// Messages are curl's fixed ones: its error buffer would name the host.
base::Status FromCurl(CURLcode rc) {
  switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
      return DeadlineExceeded(std::string("timed out (") + curl_easy_strerror(rc) + ")");
    case CURLE_PARTIAL_FILE:
      return base::UnavailableError(
          "the server closed the connection before the whole body (truncated)");
    case CURLE_PEER_FAILED_VERIFICATION:
      return base::UnavailableError(std::string("the server's certificate does not verify (") +
                                    curl_easy_strerror(rc) + ")");
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
      return base::InvalidArgumentError(curl_easy_strerror(rc));
    case CURLE_OUT_OF_MEMORY:
      return base::ResourceExhaustedError(curl_easy_strerror(rc));
    default:
      // Connection refused or reset, DNS, TLS handshake and certificate
      // failures, HTTP/2 stream errors: may pass (or need a fixed server).
      return base::UnavailableError(curl_easy_strerror(rc));
  }
}

}  // namespace

base::StatusOr<std::unique_ptr<Downloader>> Downloader::Create(Options options) {
  OPENEN_RETURN_IF_ERROR(GlobalInit());
  const std::string& url = options.base_url;
  const bool https = url.rfind("https://", 0) == 0;
  const bool http = url.rfind("http://", 0) == 0;
  if (!https && !(http && options.allow_plain_http)) {
    return base::InvalidArgumentError(
        http ? "base URL is http://: only https:// unless allow_plain_http is set"
             : "base URL must start with https://");
  }
  const size_t host_start = url.find("//") + 2;
  if (url.size() == host_start || url[host_start] == '/')
    return base::InvalidArgumentError("base URL has no host");
  if (url.find_first_of("?#") != std::string::npos ||
      url.find('@', host_start) < url.find('/', host_start)) {
    return base::InvalidArgumentError("base URL must not carry credentials, a query or a fragment");
  }
  if (url.back() != '/') options.base_url += '/';
  if (!options.ca_file.empty() && !std::filesystem::is_regular_file(options.ca_file)) {
    return base::InvalidArgumentError("ca_file is not a readable file");
  }
  if (options.connect_timeout.count() <= 0 || options.transfer_timeout.count() <= 0 ||
      options.low_speed_bytes_per_second < 0 || options.low_speed_time.count() < 0) {
    return base::InvalidArgumentError("timeouts must be positive");
  }
  return std::unique_ptr<Downloader>(new Downloader(std::move(options)));
}

base::StatusOr<base::Bytes> Downloader::Get(const std::string& path, size_t max_bytes,
                                            const base::Cancellation& cancel) const {
  const std::function<bool()> cancelled = [&cancel] { return cancel.cancelled(); };
  return Transfer(path, max_bytes, cancelled, &cancel);
}

base::StatusOr<base::Bytes> Downloader::GetPolled(const std::string& path, size_t max_bytes,
                                                  const std::function<bool()>& cancelled) const {
  return Transfer(path, max_bytes, cancelled, nullptr);
}

base::StatusOr<base::Bytes> Downloader::Transfer(const std::string& path, size_t max_bytes,
                                                 const std::function<bool()>& cancelled,
                                                 const base::Cancellation* cancel) const {
  if (cancelled()) return Cancelled("cancelled");
  Easy easy(curl_easy_init());
  Multi multi(curl_multi_init());
  if (!easy || !multi) return base::ResourceExhaustedError("libcurl cannot allocate a transfer");
  CURL* h = easy.get();
  State state;
  state.easy = h;
  state.max_bytes = max_bytes;
  const std::string url = options_.base_url + path;
  const char* protocols = options_.allow_plain_http ? "http,https" : "https";
  const auto ms = [](auto d) { return static_cast<long>(d.count()); };
  CURLcode set = CURLE_OK;
  const auto opt = [&](CURLoption o, auto v) {
    if (set == CURLE_OK) set = curl_easy_setopt(h, o, v);
  };
  opt(CURLOPT_URL, url.c_str());
  opt(CURLOPT_PROTOCOLS_STR, protocols);
  opt(CURLOPT_REDIR_PROTOCOLS_STR, "https");
  opt(CURLOPT_FOLLOWLOCATION, 0L);
  opt(CURLOPT_SSL_VERIFYPEER, 1L);
  opt(CURLOPT_SSL_VERIFYHOST, 2L);
  if (!options_.ca_file.empty()) {
    // Instead of the system's CAs: Debian's libcurl also reads a CA
    // directory (/etc/ssl/certs) unless told not to.
    opt(CURLOPT_CAINFO, options_.ca_file.c_str());
    opt(CURLOPT_CAPATH, static_cast<const char*>(nullptr));
  }
  if (!options_.use_environment_proxy) opt(CURLOPT_PROXY, "");
  opt(CURLOPT_NETRC, static_cast<long>(CURL_NETRC_IGNORED));
  opt(CURLOPT_CONNECTTIMEOUT_MS, ms(options_.connect_timeout));
  opt(CURLOPT_TIMEOUT_MS, ms(options_.transfer_timeout));
  opt(CURLOPT_LOW_SPEED_LIMIT, options_.low_speed_bytes_per_second);
  opt(CURLOPT_LOW_SPEED_TIME, options_.low_speed_bytes_per_second > 0
                                  ? static_cast<long>(options_.low_speed_time.count())
                                  : 0L);
  // A Content-Length over the limit fails before the body is read.
  // (0 would mean no limit to libcurl: then the body callback refuses any byte.)
  if (max_bytes > 0 && max_bytes <= static_cast<uint64_t>(INT64_MAX))
    opt(CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(max_bytes));
  opt(CURLOPT_NOSIGNAL, 1L);
  opt(CURLOPT_WRITEFUNCTION, &OnBody);
  opt(CURLOPT_WRITEDATA, &state);
  if (!options_.user_agent.empty()) opt(CURLOPT_USERAGENT, options_.user_agent.c_str());
  if (set != CURLE_OK) {
    return base::InternalError(std::string("libcurl refuses an option: ") +
                               curl_easy_strerror(set));
  }
  if (curl_multi_add_handle(multi.get(), h) != CURLM_OK) {
    return base::InternalError("libcurl cannot start the transfer");
  }
  // A Cancellation wakes the wait below at once; the wait itself is short
  // enough for a polled one.
  std::optional<base::Cancellation::Callback> on_cancel;
  if (cancel != nullptr) on_cancel.emplace(*cancel, [&multi] { curl_multi_wakeup(multi.get()); });
  // curl_multi_perform never blocks: between its calls, cancellation is
  // checked, and the wait for the sockets lasts at most kPollMs.
  CURLcode rc = CURLE_OK;
  bool done = false;
  bool was_cancelled = false;
  while (!done) {
    int running = 0;
    if (curl_multi_perform(multi.get(), &running) != CURLM_OK) {
      rc = CURLE_FAILED_INIT;
      break;
    }
    int queued = 0;
    while (CURLMsg* m = curl_multi_info_read(multi.get(), &queued)) {
      if (m->msg == CURLMSG_DONE && m->easy_handle == h) {
        rc = m->data.result;
        done = true;
      }
    }
    if (done) break;
    if (cancelled()) {
      was_cancelled = true;
      break;
    }
    curl_multi_poll(multi.get(), nullptr, 0, kPollMs, nullptr);
  }
  on_cancel.reset();  // waits for a callback running on another thread
  curl_multi_remove_handle(multi.get(), h);
  if (was_cancelled || (rc != CURLE_OK && cancelled())) {
    return Cancelled("cancelled");
  }
  long code = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
  if (code != 0 && code != 200) return FromHttp(code);
  if (state.too_large || rc == CURLE_FILESIZE_EXCEEDED) {
    return base::ResourceExhaustedError("larger than " + std::to_string(max_bytes) + " bytes");
  }
  if (rc != CURLE_OK) return FromCurl(rc);
  if (code != 200) return base::UnavailableError("no HTTP status");
  return std::move(state.body);
}

}  // namespace openen::http
