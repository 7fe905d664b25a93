/* Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
 *
 * openen.h: the C API of the OpenEN client library, for Kotlin (JNI/JNA),
 * Swift and any other language with a C FFI.
 *
 * Conventions (after leveldb's c.h and libsodium):
 * - Objects are opaque handles made by a _create/_open function and released
 *   by the matching _free/_close function, which accepts NULL.
 * - Every function that can fail returns an openen_status. When it is not
 *   OPENEN_OK and |errptr| is not NULL, *errptr receives a message (UTF-8,
 *   NUL-terminated) that the caller releases with openen_free. On success
 *   *errptr is left untouched.
 * - Buffers are pointer + length. Every fixed size is both a macro and a
 *   function (for languages without the preprocessor).
 * - Nothing throws across this boundary; nothing aborts on bad input.
 * - A client handle may be used from several threads at once.
 * - Threads: every function that takes an openen_client or opens something
 *   (openen_keystore_open_file, openen_client_open) reads or writes storage,
 *   and the sync and upload functions call the app's network callbacks:
 *   call them from a background thread (Android: a worker or coroutine on
 *   Dispatchers.IO; iOS: a background queue), never from the UI thread. The
 *   others (openen_status_name, the size functions, openen_options_*,
 *   openen_cancel_*, openen_response_*, openen_is_paused, openen_free) do no
 *   I/O and may run anywhere; openen_cancel_set is meant for another thread.
 * - The library opens no connection. Downloads (openen_sync) and uploads
 *   (openen_upload_diagnosis, chaff) go through callbacks the app implements
 *   with its platform's HTTPS stack (OkHttp, URLSession): the library hands
 *   them request bytes and takes response bytes. Timeouts and TLS are the
 *   app's, set on that stack. libopenen-curl (openen_curl.h) implements the
 *   download callback with libcurl for Linux devices and tools.
 */
#ifndef OPENEN_OPENEN_H_
#define OPENEN_OPENEN_H_

#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__)
#define OPENEN_EXPORT __attribute__((visibility("default")))
#else
#define OPENEN_EXPORT
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Status codes: the canonical gRPC/abseil values, one for each code the C++
 * library returns (openen::base::StatusCode), e.g. OPENEN_ABORTED when an
 * erase or a decommission order overtook a running sync, OPENEN_CANCELLED
 * when openen_cancel_set stopped it. OPENEN_OTHER is gRPC's UNKNOWN, and
 * stands for any code not listed. Three codes of OpenEN's own say why the
 * client refuses to work now, where the C++ library returns
 * FAILED_PRECONDITION with a reason (openen::client::kPausedReason, ...):
 *   OPENEN_PAUSED: the person paused exposure notification (openen_pause);
 *   OPENEN_CONFIGURATION_EXPIRED: the health authority's configuration
 *     expired and no sync renewed it: broadcasting and matching stop;
 *   OPENEN_DECOMMISSIONED: the authority switched the system off for good
 *     and everything was erased (show that the service has ended).
 * And one where the C++ library returns DATA_LOSS with the reason
 * openen::client::kMisbehavingSourceReason:
 *   OPENEN_MISBEHAVING_SOURCE: the relay or mirror contradicts itself or
 *     what this phone saw before (a forked log, a batch withheld or not in
 *     the log, a name that contradicts its signed window); nothing moved,
 *     and the app should tell the health authority. */
typedef enum openen_status {
  OPENEN_OK = 0,
  OPENEN_CANCELLED = 1,
  OPENEN_OTHER = 2, /* any other failure */
  OPENEN_INVALID_ARGUMENT = 3,
  OPENEN_DEADLINE_EXCEEDED = 4,
  OPENEN_NOT_FOUND = 5,
  OPENEN_ALREADY_EXISTS = 6,
  OPENEN_PERMISSION_DENIED = 7,
  OPENEN_RESOURCE_EXHAUSTED = 8,
  OPENEN_FAILED_PRECONDITION = 9,
  OPENEN_ABORTED = 10,
  OPENEN_OUT_OF_RANGE = 11,
  OPENEN_INTERNAL = 13,
  OPENEN_UNAVAILABLE = 14,
  OPENEN_DATA_LOSS = 15,
  OPENEN_UNAUTHENTICATED = 16,
  OPENEN_PAUSED = 100,
  OPENEN_CONFIGURATION_EXPIRED = 101,
  OPENEN_DECOMMISSIONED = 102,
  OPENEN_MISBEHAVING_SOURCE = 103
} openen_status;

/* openen_status_name returns a static name such as "INVALID_ARGUMENT" or
 * "PAUSED" ("OTHER" for OPENEN_OTHER and any value not listed above). */
OPENEN_EXPORT const char* openen_status_name(openen_status status);

/* openen_free releases a message or buffer the library allocated. NULL is fine. */
OPENEN_EXPORT void openen_free(void* ptr);

/* Sizes. */
#define OPENEN_RPI_SIZE 16
#define OPENEN_AEM_SIZE 4
#define OPENEN_ADVERTISEMENT_SIZE 20
#define OPENEN_TEK_SIZE 16
#define OPENEN_MAX_RETENTION_DAYS 14
OPENEN_EXPORT size_t openen_rpi_size(void);
OPENEN_EXPORT size_t openen_aem_size(void);
OPENEN_EXPORT size_t openen_advertisement_size(void);
OPENEN_EXPORT size_t openen_tek_size(void);
OPENEN_EXPORT int openen_max_retention_days(void);

/* ---- The platform keystore ------------------------------------------------
 * The library wraps its per-day data keys with a key that stays inside the
 * platform (Android Keystore, iOS Keychain). Callbacks return 0 on success.
 * wrap: encrypt |in| (a 32-byte data key) into |out| (capacity |out_cap|,
 *       at least in_len + 64), setting *out_len; when the platform key was
 *       destroyed, make a fresh one first.
 * unwrap: the reverse; must fail (non-zero) when |in| was not wrapped by this
 *       platform key or was altered, or the key was destroyed.
 * destroy: delete the platform key irrecoverably (KeyStore.deleteEntry,
 *       SecItemDelete), so that nothing wrapped before can be unwrapped
 *       again; 0 also when there is no key. openen_erase_all and a
 *       decommission order call it. All three are required: NULL returns NULL. */
typedef int (*openen_wrap_fn)(void* ctx, const uint8_t* in, size_t in_len, uint8_t* out, size_t out_cap,
                              size_t* out_len);
typedef int (*openen_destroy_fn)(void* ctx);
typedef struct openen_keystore openen_keystore;
OPENEN_EXPORT openen_keystore* openen_keystore_create(void* ctx, openen_wrap_fn wrap, openen_wrap_fn unwrap,
                                                      openen_destroy_fn destroy);
/* openen_keystore_open_file keeps the wrapping key in a file (created with a
 * fresh key, mode 0600, if missing): for tests and command-line tools. */
OPENEN_EXPORT openen_status openen_keystore_open_file(const char* path, openen_keystore** out, char** errptr);
OPENEN_EXPORT void openen_keystore_free(openen_keystore* keystore);

/* ---- Options -------------------------------------------------------------- */
typedef struct openen_options openen_options;
OPENEN_EXPORT openen_options* openen_options_create(void);
OPENEN_EXPORT void openen_options_free(openen_options* options);
/* Required: the directory of the encrypted store (created if missing). */
OPENEN_EXPORT void openen_options_set_store_dir(openen_options* options, const char* dir);
/* 1..14 days (default 14); configuration may lower it further. */
OPENEN_EXPORT void openen_options_set_retention_days(openen_options* options, int days);
/* This phone's calibrated TX power in dBm (default -10) and RSSI correction (default 0). */
OPENEN_EXPORT void openen_options_set_tx_power(openen_options* options, int dbm);
OPENEN_EXPORT void openen_options_set_rssi_offset(openen_options* options, int db);
/* Pins an export signing key: |name| is "<verification_key_id>-<version>", |spki_base64|
 * the base64 SubjectPublicKeyInfo the health authority published. */
OPENEN_EXPORT openen_status openen_options_add_export_key(openen_options* options, const char* name,
                                                          const char* spki_base64, char** errptr);
/* Keys have roles: the health authority signs configuration and decommission
 * orders with two different offline Ed25519 keys, and the app pins each in
 * its own list (the verifier's online certificate key belongs in neither).
 * openen_options_add_config_key adds a 32-byte key whose signed configuration
 * counts; openen_options_add_decommission_key one whose decommission orders
 * count. A kind with no key is ignored when announced. openen_client_open
 * refuses a key given for both roles. (These replace the former
 * openen_options_add_authority_key, which trusted one key for both.) */
OPENEN_EXPORT openen_status openen_options_add_config_key(openen_options* options, const uint8_t* key,
                                                          size_t key_len, char** errptr);
OPENEN_EXPORT openen_status openen_options_add_decommission_key(openen_options* options, const uint8_t* key,
                                                                size_t key_len, char** errptr);
/* The lowest configuration serial the app accepts (default 0): ship the serial
 * current when the app was built, so that a fresh install refuses older
 * signed configurations. A phone also never adopts a configuration older
 * than one it adopted before, even after openen_erase_all. */
OPENEN_EXPORT void openen_options_set_min_config_serial(openen_options* options, uint64_t serial);
/* The relay's transparency log (docs/transparency.md), pinned in the app:
 * |vkey| is the log's verifier key as `openen log keygen` prints it
 * ("<name>+<key id>+<base64 key>"). With it, openen_sync processes exactly
 * the batches the log holds and refuses a relay that shows this phone a
 * different log (OPENEN_MISBEHAVING_SOURCE). A witness's vkey (a
 * cosignature/v1 key) is added with openen_options_add_witness_key; with a
 * quorum of k, a checkpoint counts only with k of their cosignatures. */
OPENEN_EXPORT openen_status openen_options_set_log_key(openen_options* options, const char* vkey,
                                                       char** errptr);
OPENEN_EXPORT openen_status openen_options_add_witness_key(openen_options* options,
                                                           const char* vkey, char** errptr);
OPENEN_EXPORT void openen_options_set_witness_quorum(openen_options* options, size_t quorum);
/* Replaces the system clock (unix seconds); for tests and simulations. */
typedef int64_t (*openen_clock_fn)(void* ctx);
OPENEN_EXPORT void openen_options_set_clock(openen_options* options, void* ctx, openen_clock_fn now);

/* ---- The client ------------------------------------------------------------ */
typedef struct openen_client openen_client;

/* openen_client_open opens (creating) the store and purges anything past
 * retention. PERMISSION_DENIED when |keystore| did not make this store,
 * DATA_LOSS when it is corrupt, OPENEN_DECOMMISSIONED once a decommission
 * order erased it. |options| and |keystore| must outlive the client. */
OPENEN_EXPORT openen_status openen_client_open(const openen_options* options, openen_keystore* keystore,
                                               openen_client** out, char** errptr);
OPENEN_EXPORT void openen_client_close(openen_client* client);

/* 1 when the store at |store_dir| was erased by the health authority's
 * decommission order (the app shows that the service has ended), else 0. */
OPENEN_EXPORT int openen_is_decommissioned(const char* store_dir);

/* The 20-byte service data (RPI || AEM) to broadcast now. |out_len| must be
 * at least OPENEN_ADVERTISEMENT_SIZE. OPENEN_PAUSED, OPENEN_DECOMMISSIONED,
 * or OPENEN_CONFIGURATION_EXPIRED while the authority's configuration has
 * expired: the app stops advertising. */
OPENEN_EXPORT openen_status openen_broadcast_payload(openen_client* client, uint8_t* out, size_t out_len,
                                                     char** errptr);

/* Records one scan of another phone's RPI (16 bytes) and AEM (4 bytes). */
OPENEN_EXPORT openen_status openen_record_sighting(openen_client* client, const uint8_t* rpi, size_t rpi_len,
                                                   const uint8_t* aem, size_t aem_len, int rssi,
                                                   int64_t unix_time, char** errptr);

/* One scan result, as platforms deliver them in batches (Android's
 * ScanCallback.onBatchScanResults). */
typedef struct openen_observation {
  uint8_t rpi[OPENEN_RPI_SIZE];
  uint8_t aem[OPENEN_AEM_SIZE];
  int32_t rssi;      /* dBm as the radio reported it */
  int64_t unix_time; /* when it was heard, in seconds */
} openen_observation;

/* Records |count| observations at once, rewriting each interval's record
 * once: all or nothing. Each is checked as openen_record_sighting checks it;
 * on the first bad one nothing is stored and the error names its index
 * ("observation 3: ..."). |observations| may be NULL when |count| is 0. */
OPENEN_EXPORT openen_status openen_record_sightings(openen_client* client,
                                                    const openen_observation* observations,
                                                    size_t count, char** errptr);

/* ---- Cancelling a sync ------------------------------------------------------
 * A cancel flag is set from any thread (e.g. when Android's WorkManager stops
 * the worker, or iOS expires the background task) and read by the sync and
 * by the app's fetch callback. Reset it before reusing it, and free it only
 * after every openen_sync given it has returned. */
typedef struct openen_cancel openen_cancel;
OPENEN_EXPORT openen_cancel* openen_cancel_create(void);
OPENEN_EXPORT void openen_cancel_free(openen_cancel* cancel);
OPENEN_EXPORT void openen_cancel_set(openen_cancel* cancel);
OPENEN_EXPORT void openen_cancel_reset(openen_cancel* cancel);
/* 1 once openen_cancel_set was called (and not reset), else 0; 0 for NULL. */
OPENEN_EXPORT int openen_cancel_is_set(const openen_cancel* cancel);

/* ---- Responses the app's callbacks fill -----------------------------------
 * The library gives each callback an openen_response to write the body
 * into, with a size limit; appending past it fails with
 * OPENEN_RESOURCE_EXHAUSTED, and the callback should then stop and return
 * that. openen_response_set_error attaches a message (e.g. "HTTP 503") to a
 * failure the callback returns; the library copies both. Once an append was
 * refused, the call fails with OPENEN_RESOURCE_EXHAUSTED whatever the
 * callback returns. The response, and the name, method, request and cancel
 * pointers a callback gets, are valid only until it returns: a platform
 * stack that answers asynchronously (OkHttp's enqueue, URLSession's
 * completion handler) must wait for its answer inside the callback. One
 * callback's response is for that callback's thread. */
typedef struct openen_response openen_response;
OPENEN_EXPORT openen_status openen_response_append(openen_response* response, const uint8_t* data,
                                                   size_t len);
OPENEN_EXPORT void openen_response_set_error(openen_response* response, const char* message);

/* ---- Downloading: the app's fetch callback ---------------------------------
 * openen-relay publishes static files for any web server or CDN: index.txt
 * (the batch names), index.sha256 (their digests), the batches, and the
 * signed config.bin and decommission.bin, and the transparency log under
 * log/. The app implements one callback: GET the file |name| (a plain file
 * name such as "index.txt" or "batch-1585872000.zip", or, with a log key
 * set, a relative path under log/ such as "log/checkpoint" or
 * "log/tile/0/x001/234.p/5", never with "..") from its base URL (e.g.
 * https://cdn.example.org/openen/ + name) and append the body to |out|,
 * which holds at most |max_bytes|. Return OPENEN_OK with the whole body;
 * OPENEN_NOT_FOUND for HTTP 404 or 410; OPENEN_UNAVAILABLE or
 * OPENEN_DEADLINE_EXCEEDED for a failure that may pass (no network, HTTP 5xx,
 * a timeout, a body shorter than its Content-Length); OPENEN_CANCELLED when
 * |cancel| is set (it may be NULL; poll openen_cancel_is_set, or cancel the
 * request from the thread that sets it). The library verifies every byte
 * (signatures, digests), so a CDN needs no trust beyond availability; the
 * app should still use HTTPS, which keeps what a phone downloads private
 * from the network. */
typedef openen_status (*openen_fetch_fn)(void* ctx, const char* name, size_t max_bytes,
                                         openen_response* out, const openen_cancel* cancel);
typedef struct openen_fetcher {
  void* ctx;
  openen_fetch_fn fetch;
} openen_fetcher;

typedef struct openen_sync_report {
  int batches;
  uint64_t keys;
  uint64_t matched_identifiers;
  int new_exposure_windows;
} openen_sync_report;

/* Syncs through |fetcher|: applies the authority's announcements, then
 * downloads every batch after the last one processed, verifies it with the
 * pinned export keys and matches it. |report| may be NULL. A valid
 * decommission order in force erases everything and returns
 * OPENEN_DECOMMISSIONED; a forged one returns UNAUTHENTICATED and changes
 * nothing; an expired configuration that the sync could not renew returns
 * OPENEN_CONFIGURATION_EXPIRED; a batch whose bytes differ from the digest
 * listed returns DATA_LOSS. With |cancel| (may be NULL) set from another
 * thread, it returns OPENEN_CANCELLED at its next step or when the callback
 * gives up, keeping the batches already processed. Two syncs of one client
 * do not run at once: the second waits. */
OPENEN_EXPORT openen_status openen_sync(openen_client* client, const openen_fetcher* fetcher,
                                        const openen_cancel* cancel, openen_sync_report* report,
                                        char** errptr);
/* The same from a local directory holding those files (a mirror, a test). */
OPENEN_EXPORT openen_status openen_sync_directory(openen_client* client, const char* dir,
                                                  openen_sync_report* report, char** errptr);

/* Adopts a configuration (a serialized SignedEnvelope) signed by a
 * configuration key. One not newer than the adopted one, or older than any
 * adopted before or than the app's minimum serial, is ignored (OPENEN_OK);
 * an expired one is refused with OPENEN_CONFIGURATION_EXPIRED. */
OPENEN_EXPORT openen_status openen_update_configuration(openen_client* client, const uint8_t* envelope,
                                                        size_t envelope_len, char** errptr);

typedef struct openen_daily_summary {
  uint32_t day; /* days since 1970-01-01 (UTC) */
  double score_sum;
  double max_score;
  double weighted_duration_seconds;
  int exposure; /* 1 when score_sum reached the configured minimum */
} openen_daily_summary;

/* Writes up to |capacity| summaries, oldest first, and sets *count to how
 * many there are (call with capacity 0 to ask). */
OPENEN_EXPORT openen_status openen_daily_summaries(openen_client* client, openen_daily_summary* out,
                                                   size_t capacity, size_t* count, char** errptr);

typedef struct openen_day_counts {
  uint32_t day;
  int own_keys;
  int identifiers_seen;
  int scans;
  int exposure_windows;
} openen_day_counts;

/* What is stored, per day, without identifiers. Same capacity/count contract. */
OPENEN_EXPORT openen_status openen_storage_summary(openen_client* client, openen_day_counts* out,
                                                   size_t capacity, size_t* count, char** errptr);

/* ---- Uploading: the app's transport callback -------------------------------
 * A diagnosis upload (and chaff) is three calls: OPENEN_EXCHANGE_CODE_METHOD
 * and OPENEN_CERTIFY_METHOD to the health authority's verifier, then
 * OPENEN_PUBLISH_METHOD to the relay. The library builds each request
 * (serialized protobuf, padded to a fixed size) and parses each response;
 * the app's callback carries the bytes: over gRPC (grpc-java, grpc-swift:
 * |method| is the full gRPC method name, the bytes are the message) or any
 * HTTPS endpoint the authority maps them to. Append the response to
 * |response| and return OPENEN_OK; for a refusal return the server's status
 * (gRPC's code: NOT_FOUND for an unknown or expired code, ...), for a network
 * failure OPENEN_UNAVAILABLE or OPENEN_DEADLINE_EXCEEDED. */
#define OPENEN_EXCHANGE_CODE_METHOD "/openen.v1.Verification/ExchangeCode"
#define OPENEN_CERTIFY_METHOD "/openen.v1.Verification/Certify"
#define OPENEN_PUBLISH_METHOD "/openen.v1.Relay/Publish"
typedef openen_status (*openen_call_fn)(void* ctx, const char* method, const uint8_t* request,
                                        size_t request_len, openen_response* response);
typedef struct openen_transport {
  void* ctx;
  openen_call_fn call;
} openen_transport;

typedef struct openen_upload_report {
  uint32_t keys_sent;
  uint32_t keys_accepted;
} openen_upload_report;

/* Reports a diagnosis, on the person's explicit action: exchanges |code| at
 * the verifier, certifies the HMAC of the keys (retained days except the
 * |excluded_count| days in |excluded_days|), publishes them to the relay.
 * When a step is refused the remaining calls still go out, as chaff, and
 * the first error is returned. */
OPENEN_EXPORT openen_status openen_upload_diagnosis(openen_client* client,
                                                    const openen_transport* transport,
                                                    const char* code, const uint32_t* excluded_days,
                                                    size_t excluded_count,
                                                    openen_upload_report* report, char** errptr);

/* A Publish that failed in the transport (OPENEN_UNAVAILABLE,
 * OPENEN_DEADLINE_EXCEEDED, OPENEN_RESOURCE_EXHAUSTED, OPENEN_ABORTED,
 * OPENEN_OTHER, OPENEN_INTERNAL, OPENEN_DATA_LOSS) is sent again with the
 * same certificate, up to 4 calls with waits of 0.5-1, 1-2 and 2-4 s (the relay answers the
 * identical request with its first reply and stores no key twice). If none
 * got an answer, openen_upload_diagnosis returns that error and the library
 * keeps the certified request, sealed in its store, until its certificate
 * expires (minutes; the verifier sets it): openen_upload_pending then sets
 * *pending to 1, and openen_retry_upload sends it again (a chaff exchange
 * and certify first, then the Publish), deleting it once the relay answers.
 * |cancel| (may be NULL) ends a wait between attempts with
 * OPENEN_CANCELLED, keeping the request. OPENEN_FAILED_PRECONDITION when no
 * request is kept: a new code is needed. */
OPENEN_EXPORT openen_status openen_retry_upload(openen_client* client,
                                                const openen_transport* transport,
                                                const openen_cancel* cancel,
                                                openen_upload_report* report, char** errptr);
OPENEN_EXPORT openen_status openen_upload_pending(openen_client* client, int* pending,
                                                  char** errptr);

/* Chaff: the same three calls as an upload, of the same sizes, marked as
 * chaff so that the servers store nothing. Call openen_maybe_send_chaff
 * whenever the app runs: it sends on a random schedule (on average every
 * |mean_days| days) and sets *sent to 1 when it did. Without chaff, every
 * upload the app makes is recognisable on the network. */
OPENEN_EXPORT openen_status openen_send_chaff(openen_client* client,
                                              const openen_transport* transport, char** errptr);
OPENEN_EXPORT openen_status openen_maybe_send_chaff(openen_client* client,
                                                    const openen_transport* transport,
                                                    double mean_days, int* sent, char** errptr);

OPENEN_EXPORT openen_status openen_pause(openen_client* client, char** errptr);
OPENEN_EXPORT openen_status openen_resume(openen_client* client, char** errptr);
OPENEN_EXPORT int openen_is_paused(const openen_client* client);

/* Deletes everything, immediately and physically, and destroys the platform
 * key (a copy of the store made before cannot be opened afterwards); the
 * client stays usable under a fresh platform key. */
OPENEN_EXPORT openen_status openen_erase_all(openen_client* client, char** errptr);

typedef struct openen_maintenance_report {
  int decommissioned; /* 1: a pending decommission order came into force; everything was erased */
  int days_purged;    /* days past retention whose data was deleted physically */
} openen_maintenance_report;

/* The app's daily background job: schedule it at least once a day (Android
 * WorkManager PeriodicWorkRequest, iOS BGTaskScheduler BGProcessingTask). It
 * applies a pending decommission order whose time has come and deletes
 * physically every day past retention, with no network, also while paused.
 * Purging otherwise runs only when the app calls the library: an app that
 * is not opened keeps expired data on the phone, and an order in force
 * unapplied, until it is. |report| may be NULL. OPENEN_DECOMMISSIONED when
 * the client was already switched off. */
OPENEN_EXPORT openen_status openen_maintain(openen_client* client, openen_maintenance_report* report,
                                            char** errptr);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* OPENEN_OPENEN_H_ */
