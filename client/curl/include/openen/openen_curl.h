/* Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
 *
 * openen_curl.h: the C API of libopenen_curl, an openen_fetcher (openen.h)
 * that downloads openen-relay's static export over HTTPS with libcurl, for
 * Linux devices, wearables and tools. Phone apps implement openen_fetcher
 * over their platform's HTTPS stack instead. It follows openen.h's
 * conventions (statuses, *errptr released with openen_free, _free accepts
 * NULL) and links against libopenen.
 *
 *   openen_curl_options* o = openen_curl_options_create();
 *   openen_fetcher f;
 *   if (openen_curl_fetcher_create("https://cdn.example.org/openen/", o, &f,
 *                                  &err) == OPENEN_OK) {
 *     openen_sync(client, &f, cancel, &report, &err);
 *     openen_curl_fetcher_free(&f);
 *   }
 *   openen_curl_options_free(o);
 *
 * The fetcher returns what openen.h asks of a fetch callback: the body;
 * OPENEN_NOT_FOUND for HTTP 404 and 410; OPENEN_RESOURCE_EXHAUSTED for a
 * file over the limit (refused on its Content-Length before its body is
 * read); OPENEN_UNAVAILABLE for no connection, a certificate that does not
 * verify, HTTP 5xx/408/429 or a truncated body; OPENEN_DEADLINE_EXCEEDED
 * for the connect, transfer or low-speed limit; OPENEN_FAILED_PRECONDITION
 * for a redirect (never followed) or another 4xx; OPENEN_CANCELLED within
 * ~100 ms of openen_cancel_set on the sync's cancel flag.
 * docs/client_curl.md has the whole contract.
 */
#ifndef OPENEN_OPENEN_CURL_H_
#define OPENEN_OPENEN_CURL_H_

#include <stddef.h>
#include <stdint.h>

#include "openen/openen.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Options; every setter has a sane default (in brackets). */
typedef struct openen_curl_options openen_curl_options;
OPENEN_EXPORT openen_curl_options* openen_curl_options_create(void);
OPENEN_EXPORT void openen_curl_options_free(openen_curl_options* options);
/* A PEM file of CA certificates to trust instead of the system's roots
 * [the system's]. Peer and host name verification are always on. */
OPENEN_EXPORT void openen_curl_options_set_ca_file(openen_curl_options* options, const char* path);
/* 1 permits an http:// base URL, for loopback tests and tools only [0]. */
OPENEN_EXPORT void openen_curl_options_set_allow_plain_http(openen_curl_options* options,
                                                            int allow);
/* Connecting, TCP and TLS [15000 ms]. */
OPENEN_EXPORT void openen_curl_options_set_connect_timeout_ms(openen_curl_options* options,
                                                              int64_t ms);
/* One file's whole transfer [300000 ms]. */
OPENEN_EXPORT void openen_curl_options_set_transfer_timeout_ms(openen_curl_options* options,
                                                               int64_t ms);
/* Slower than |bytes_per_second| for |seconds| is a stall [100 B/s, 30 s];
 * 0 bytes per second turns the check off. */
OPENEN_EXPORT void openen_curl_options_set_low_speed(openen_curl_options* options,
                                                     int64_t bytes_per_second, int64_t seconds);
/* 1 uses the proxy the environment names (https_proxy, ...) [0]. */
OPENEN_EXPORT void openen_curl_options_set_use_environment_proxy(openen_curl_options* options,
                                                                 int use);

/* Fills |out| with a fetcher that GETs |base_url| + name (|base_url| must be
 * https://, or http:// when allowed; '/' is added when missing). |options|
 * may be NULL for the defaults and may be freed afterwards. Fails with
 * OPENEN_INVALID_ARGUMENT for a base URL that is refused or a CA file that
 * does not exist. The fetcher may be used by several syncs at once; release
 * it with openen_curl_fetcher_free once no sync uses it. */
OPENEN_EXPORT openen_status openen_curl_fetcher_create(const char* base_url,
                                                       const openen_curl_options* options,
                                                       openen_fetcher* out, char** errptr);
/* Releases what openen_curl_fetcher_create put in |fetcher| and clears it;
 * NULL, or a cleared fetcher, is accepted. */
OPENEN_EXPORT void openen_curl_fetcher_free(openen_fetcher* fetcher);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* OPENEN_OPENEN_CURL_H_ */
