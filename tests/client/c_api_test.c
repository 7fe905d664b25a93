/* Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
 *
 * The C API's whole life cycle, in C: open, broadcast, record, sync from a
 * directory, match, summaries, pause, erase, close, and the error contract;
 * the C API's column of the key-roles matrix; the app's fetch and transport
 * callbacks, cancellation, and the status codes an app switches on.
 * The phone met the owner of the official GAEN v1.2 test key on 2020-04-02
 * from 00:00 to 00:25 UTC; c_api_fixture published that key.
 * Usage: c_api_test FIXTURE_DIR WORK_DIR (FIXTURE_DIR from c_api_fixture) */

#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "openen/openen.h"

static int failures = 0;
static int checks = 0;
#define CHECK(cond)                                                  \
  do {                                                               \
    ++checks;                                                        \
    if (!(cond)) {                                                   \
      ++failures;                                                    \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
    }                                                                \
  } while (0)

static int64_t now_seconds = 1585785600 + 1800; /* 2020-04-02 00:30 UTC */
static int64_t fake_now(void* ctx) {
  (void)ctx;
  return now_seconds;
}

static int unhex(const char* hex, uint8_t* out, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    unsigned v;
    if (sscanf(hex + 2 * i, "%2x", &v) != 1) return 0;
    out[i] = (uint8_t)v;
  }
  return 1;
}

/* A platform keystore of callbacks (a stand-in for Android Keystore): the
 * "wrapped" form is the key's generation and the data key; destroying the
 * key makes every earlier generation unreadable. */
typedef struct toy_keystore {
  uint8_t generation;
  int has_key;
  int destroyed;
  int fail_destroy;
} toy_keystore;
static int toy_wrap(void* ctx, const uint8_t* in, size_t in_len, uint8_t* out, size_t out_cap, size_t* out_len) {
  toy_keystore* k = (toy_keystore*)ctx;
  if (out_cap < in_len + 1) return 1;
  if (!k->has_key) {
    k->generation++;
    k->has_key = 1;
  }
  out[0] = k->generation;
  memcpy(out + 1, in, in_len);
  *out_len = in_len + 1;
  return 0;
}
static int toy_unwrap(void* ctx, const uint8_t* in, size_t in_len, uint8_t* out, size_t out_cap, size_t* out_len) {
  toy_keystore* k = (toy_keystore*)ctx;
  if (!k->has_key || in_len < 1 || in[0] != k->generation || out_cap < in_len - 1) return 1;
  memcpy(out, in + 1, in_len - 1);
  *out_len = in_len - 1;
  return 0;
}
static int toy_destroy(void* ctx) {
  toy_keystore* k = (toy_keystore*)ctx;
  if (k->fail_destroy) return 1;
  k->has_key = 0;
  k->destroyed++;
  return 0;
}

static int read_key_file(const char* path, uint8_t key[32]) {
  FILE* f = fopen(path, "rb");
  if (f == NULL) return 0;
  const size_t n = fread(key, 1, 32, f);
  fclose(f);
  return n == 32;
}

/* Official rows: interval, RPI, AEM (tests/vectors/gaen-v1.2-rpi-aem.tsv). */
static const char* kRows[3][2] = {
    {"8be6cd371c5c891604bfbe49df845096", "72033874"},
    {"3c9a1de5dd6b02afa7fded7b570b3e56", "c29211b1"},
    {"243ffe9a3b08bded3094bac8630bb8ad", "6adfad03"},
};

static int read_file(const char* path, uint8_t* buf, size_t cap, size_t* len) {
  FILE* f = fopen(path, "rb");
  if (f == NULL) return 0;
  *len = fread(buf, 1, cap, f);
  const int complete = feof(f) != 0;
  fclose(f);
  return complete;
}

static int read_hex_key(const char* path, uint8_t out[32]) {
  uint8_t hex[65] = {0};
  size_t len = 0;
  (void)read_file(path, hex, 64, &len); /* a 64-character file: not at its end yet */
  return len == 64 && unhex((const char*)hex, out, 32);
}

/* Keys have roles: the C API's column of the matrix in roles_test.cc. A
 * configuration counts only under the configuration key, an order only under
 * the decommission key; the certificate key and a stranger's count for
 * neither. */
static void check_roles(const char* roles, const char* work, openen_keystore* keystore) {
  static const char* kRoleNames[4] = {"certificate", "configuration", "decommission", "unknown"};
  char path[4096];
  uint8_t config_key[32], decommission_key[32];
  snprintf(path, sizeof(path), "%s/config.hex", roles);
  CHECK(read_hex_key(path, config_key));
  snprintf(path, sizeof(path), "%s/decommission.hex", roles);
  CHECK(read_hex_key(path, decommission_key));
  for (int r = 0; r < 4; ++r) {
    openen_options* o = openen_options_create();
    snprintf(path, sizeof(path), "%s/roles-%s", work, kRoleNames[r]);
    openen_options_set_store_dir(o, path);
    openen_options_set_clock(o, NULL, fake_now);
    CHECK(openen_options_add_config_key(o, config_key, 32, NULL) == OPENEN_OK);
    CHECK(openen_options_add_decommission_key(o, decommission_key, 32, NULL) == OPENEN_OK);
    openen_client* c = NULL;
    CHECK(openen_client_open(o, keystore, &c, NULL) == OPENEN_OK);
    if (c == NULL) {
      openen_options_free(o);
      continue;
    }
    uint8_t envelope[4096];
    size_t len = 0;
    snprintf(path, sizeof(path), "%s/config-%s.bin", roles, kRoleNames[r]);
    CHECK(read_file(path, envelope, sizeof(envelope), &len));
    const openen_status config = openen_update_configuration(c, envelope, len, NULL);
    snprintf(path, sizeof(path), "%s/order-%s", roles, kRoleNames[r]);
    const openen_status order = openen_sync_directory(c, path, NULL, NULL);
    snprintf(path, sizeof(path), "%s/roles-%s", work, kRoleNames[r]);
    const int erased = openen_is_decommissioned(path);
    CHECK(config == (r == 1 ? OPENEN_OK : OPENEN_UNAUTHENTICATED));
    CHECK(order == (r == 2 ? OPENEN_DECOMMISSIONED : OPENEN_UNAUTHENTICATED));
    CHECK(erased == (r == 2));
    if (config != (r == 1 ? OPENEN_OK : OPENEN_UNAUTHENTICATED) || erased != (r == 2)) {
      fprintf(stderr, "  (signed by the %s key)\n", kRoleNames[r]);
    }
    openen_client_close(c);
    openen_options_free(o);
  }
  /* One key for both roles is refused. */
  openen_options* both = openen_options_create();
  snprintf(path, sizeof(path), "%s/roles-both", work);
  openen_options_set_store_dir(both, path);
  CHECK(openen_options_add_config_key(both, config_key, 32, NULL) == OPENEN_OK);
  CHECK(openen_options_add_decommission_key(both, config_key, 32, NULL) == OPENEN_OK);
  CHECK(openen_options_add_decommission_key(both, config_key, 31, NULL) == OPENEN_INVALID_ARGUMENT);
  openen_client* refused = NULL;
  CHECK(openen_client_open(both, keystore, &refused, NULL) == OPENEN_INVALID_ARGUMENT);
  CHECK(refused == NULL);
  openen_options_free(both);
}

/* A fetch callback over a local directory, as an app's would be over HTTPS:
 * NOT_FOUND for a missing file, the body through openen_response_append.
 * It can also cancel the sync while the n-th file is being fetched, and
 * fail with a message. */
struct dir_fetcher {
  const char* dir;
  int calls;
  int cancel_at_call; /* 0: never */
  openen_cancel* cancel;
  int fail_with_503;
  int oversize; /* append more than max_bytes; 2: and then claim success */
  int block;    /* wait until cancelled, as a stalled download would */
};

static openen_status fetch_from_dir(void* ctx, const char* name, size_t max_bytes,
                                    openen_response* out, const openen_cancel* cancel) {
  struct dir_fetcher* d = (struct dir_fetcher*)ctx;
  ++d->calls;
  if (d->cancel_at_call == d->calls) openen_cancel_set(d->cancel); /* as if from another thread */
  while (d->block && !openen_cancel_is_set(cancel)) {
    const struct timespec ms = {0, 1000000};
    nanosleep(&ms, NULL);
  }
  if (openen_cancel_is_set(cancel)) return OPENEN_CANCELLED;
  if (d->fail_with_503) {
    openen_response_set_error(out, "HTTP 503");
    return OPENEN_UNAVAILABLE;
  }
  /* Only log paths have a '/'; none has "..". */
  if ((strchr(name, '/') != NULL && strncmp(name, "log/", 4) != 0) || strstr(name, "..") != NULL) {
    return OPENEN_INVALID_ARGUMENT;
  }
  char path[4096];
  snprintf(path, sizeof(path), "%s/%s", d->dir, name);
  FILE* f = fopen(path, "rb");
  if (f == NULL) return OPENEN_NOT_FOUND;
  uint8_t buf[4096];
  size_t n;
  openen_status s = OPENEN_OK;
  while (s == OPENEN_OK && (n = fread(buf, 1, sizeof(buf), f)) > 0) {
    s = openen_response_append(out, buf, n);
  }
  fclose(f);
  if (s == OPENEN_OK && d->oversize) {
    uint8_t zero[1] = {0};
    for (size_t i = 0; i <= max_bytes && s == OPENEN_OK; ++i)
      s = openen_response_append(out, zero, 1);
  }
  return s;
}

static void* cancel_later(void* arg) {
  const struct timespec wait = {0, 50000000}; /* 50 ms */
  nanosleep(&wait, NULL);
  openen_cancel_set((openen_cancel*)arg);
  return NULL;
}

/* A transport callback that answers every call with an empty success, or
 * refuses the first with NOT_FOUND, and records the methods and the request
 * sizes it carried. */
struct recording_transport {
  int calls;
  char methods[3][64];
  size_t sizes[3];
  int refuse_first;
};

static openen_status record_call(void* ctx, const char* method, const uint8_t* request,
                                 size_t request_len, openen_response* response) {
  struct recording_transport* t = (struct recording_transport*)ctx;
  (void)request;
  (void)response;
  if (t->calls < 3) {
    snprintf(t->methods[t->calls], sizeof(t->methods[0]), "%s", method);
    t->sizes[t->calls] = request_len;
  }
  ++t->calls;
  if (t->refuse_first && t->calls == 1) {
    openen_response_set_error(response, "invalid or expired code");
    return OPENEN_NOT_FOUND;
  }
  return OPENEN_OK;
}

/* check_transport: chaff and a refused upload make the same three calls,
 * in order, of the padded sizes; the refusal comes back as its code. */
static void check_transport(openen_client* c) {
  struct recording_transport t;
  memset(&t, 0, sizeof(t));
  openen_transport transport = {&t, record_call};
  char* err = NULL;
  uint8_t payload[OPENEN_ADVERTISEMENT_SIZE]; /* makes today's key, to upload */
  CHECK(openen_broadcast_payload(c, payload, sizeof(payload), &err) == OPENEN_OK);
  CHECK(openen_send_chaff(c, &transport, &err) == OPENEN_OK);
  CHECK(t.calls == 3);
  CHECK(strcmp(t.methods[0], OPENEN_EXCHANGE_CODE_METHOD) == 0 && t.sizes[0] == 256);
  CHECK(strcmp(t.methods[1], OPENEN_CERTIFY_METHOD) == 0 && t.sizes[1] == 256);
  CHECK(strcmp(t.methods[2], OPENEN_PUBLISH_METHOD) == 0 && t.sizes[2] == 4096);
  memset(&t, 0, sizeof(t));
  t.refuse_first = 1;
  openen_upload_report report = {99, 99};
  CHECK(openen_upload_diagnosis(c, &transport, "1234567890123456", NULL, 0, &report, &err) ==
        OPENEN_NOT_FOUND);
  CHECK(err != NULL && strstr(err, "invalid or expired code") != NULL);
  openen_free(err);
  err = NULL;
  CHECK(t.calls == 3 && t.sizes[0] == 256 && t.sizes[1] == 256 && t.sizes[2] == 4096);
  CHECK(openen_send_chaff(c, NULL, &err) == OPENEN_INVALID_ARGUMENT);
  openen_free(err);
  err = NULL;
  /* A refused exchange keeps nothing to retry: there is no upload pending,
   * and a retry says so without a call. */
  int pending = -1;
  CHECK(openen_upload_pending(c, &pending, &err) == OPENEN_OK && pending == 0);
  memset(&t, 0, sizeof(t));
  CHECK(openen_retry_upload(c, &transport, NULL, &report, &err) == OPENEN_FAILED_PRECONDITION);
  CHECK(err != NULL && strstr(err, "no upload is waiting") != NULL);
  openen_free(err);
  err = NULL;
  CHECK(t.calls == 0);
  CHECK(openen_retry_upload(c, NULL, NULL, &report, &err) == OPENEN_INVALID_ARGUMENT);
  openen_free(err);
}

/* A phone that follows the transparency log (log.vkey beside the exports):
 * it syncs the genuine log, and refuses the same key's other log. */
static void check_log(const char* exports, const char* work, const char* spki, openen_keystore* keystore) {
  char path[4096], vkey[512] = {0};
  snprintf(path, sizeof(path), "%s/log.vkey", exports);
  FILE* f = fopen(path, "r");
  CHECK(f != NULL);
  if (f == NULL) return;
  CHECK(fgets(vkey, sizeof(vkey), f) != NULL);
  fclose(f);
  char* err = NULL;
  openen_options* o = openen_options_create();
  snprintf(path, sizeof(path), "%s/logged", work);
  openen_options_set_store_dir(o, path);
  openen_options_set_clock(o, NULL, fake_now);
  CHECK(openen_options_add_export_key(o, "fixture-v1", spki, &err) == OPENEN_OK);
  CHECK(openen_options_set_log_key(o, "not a key", &err) == OPENEN_INVALID_ARGUMENT);
  openen_free(err);
  err = NULL;
  CHECK(openen_options_set_log_key(o, vkey, &err) == OPENEN_OK);
  /* A quorum of one with no witness cannot be met: refused at open. */
  openen_options_set_witness_quorum(o, 1);
  openen_client* c = NULL;
  CHECK(openen_client_open(o, keystore, &c, &err) == OPENEN_INVALID_ARGUMENT);
  openen_free(err);
  err = NULL;
  openen_options_set_witness_quorum(o, 0);
  CHECK(openen_client_open(o, keystore, &c, &err) == OPENEN_OK);
  struct dir_fetcher genuine = {exports, 0, 0, NULL, 0, 0, 0};
  openen_fetcher fetcher = {&genuine, fetch_from_dir};
  openen_sync_report report;
  memset(&report, 0, sizeof(report));
  CHECK(openen_sync(c, &fetcher, NULL, &report, &err) == OPENEN_OK);
  CHECK(report.batches == 1);
  snprintf(path, sizeof(path), "%s-forked", exports);
  struct dir_fetcher forked = {path, 0, 0, NULL, 0, 0, 0};
  openen_fetcher other = {&forked, fetch_from_dir};
  CHECK(openen_sync(c, &other, NULL, &report, &err) == OPENEN_MISBEHAVING_SOURCE);
  CHECK(err != NULL && strstr(err, "the log forked") != NULL);
  openen_free(err);
  openen_client_close(c);
  openen_options_free(o);
}

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: c_api_test FIXTURE_DIR WORK_DIR\n");
    return 2;
  }
  char path[4096], spki[512] = {0};
  snprintf(path, sizeof(path), "%s/key.txt", argv[1]);
  FILE* f = fopen(path, "r");
  CHECK(f != NULL);
  if (f == NULL) return 1;
  CHECK(fgets(spki, sizeof(spki), f) != NULL);
  fclose(f);

  CHECK(openen_advertisement_size() == OPENEN_ADVERTISEMENT_SIZE);
  CHECK(openen_rpi_size() == 16 && openen_aem_size() == 4 && openen_tek_size() == 16);
  CHECK(openen_max_retention_days() == 14);
  CHECK(strcmp(openen_status_name(OPENEN_DATA_LOSS), "DATA_LOSS") == 0);
  CHECK(strcmp(openen_status_name(OPENEN_ABORTED), "ABORTED") == 0);
  CHECK(strcmp(openen_status_name(OPENEN_OTHER), "OTHER") == 0);
  CHECK(strcmp(openen_status_name((openen_status)99), "OTHER") == 0);
  CHECK(strcmp(openen_status_name((openen_status)12), "OTHER") == 0); /* a gap in the list */
  CHECK(strcmp(openen_status_name(OPENEN_PAUSED), "PAUSED") == 0);
  CHECK(strcmp(openen_status_name(OPENEN_CONFIGURATION_EXPIRED), "CONFIGURATION_EXPIRED") == 0);
  CHECK(strcmp(openen_status_name(OPENEN_DECOMMISSIONED), "DECOMMISSIONED") == 0);
  CHECK(strcmp(openen_status_name(OPENEN_MISBEHAVING_SOURCE), "MISBEHAVING_SOURCE") == 0);

  char* err = NULL;
  openen_keystore* keystore = NULL;
  snprintf(path, sizeof(path), "%s/platform.key", argv[2]);
  CHECK(openen_keystore_open_file(path, &keystore, &err) == OPENEN_OK);

  openen_options* options = openen_options_create();
  snprintf(path, sizeof(path), "%s/store", argv[2]);
  openen_options_set_store_dir(options, path);
  openen_options_set_clock(options, NULL, fake_now);
  CHECK(openen_options_add_export_key(options, "fixture-v1", spki, &err) == OPENEN_OK);
  CHECK(openen_options_add_export_key(options, "bad-v1", "not base64!", &err) == OPENEN_INVALID_ARGUMENT);
  CHECK(err != NULL);
  openen_free(err);
  err = NULL;

  /* Opening without a store directory is refused with a message. */
  openen_options* empty = openen_options_create();
  openen_client* none = NULL;
  CHECK(openen_client_open(empty, keystore, &none, &err) == OPENEN_INVALID_ARGUMENT);
  CHECK(err != NULL && strcmp(err, "the store directory is not set") == 0);
  openen_free(err);
  err = NULL;
  openen_options_free(empty);

  openen_client* client = NULL;
  CHECK(openen_client_open(options, keystore, &client, &err) == OPENEN_OK);
  if (client == NULL) {
    fprintf(stderr, "open failed: %s\n", err ? err : "?");
    return 1;
  }

  /* Broadcast. */
  uint8_t payload[OPENEN_ADVERTISEMENT_SIZE], again[OPENEN_ADVERTISEMENT_SIZE];
  CHECK(openen_broadcast_payload(client, payload, sizeof(payload), &err) == OPENEN_OK);
  CHECK(openen_broadcast_payload(client, again, sizeof(again), &err) == OPENEN_OK);
  CHECK(memcmp(payload, again, sizeof(payload)) == 0);
  CHECK(openen_broadcast_payload(client, payload, 19, &err) == OPENEN_INVALID_ARGUMENT);
  openen_free(err);
  err = NULL;

  /* Record: the test key's phone, every 5 minutes for 25 minutes, RSSI -40
   * (its TX power is +8 dBm: attenuation 48 dB, the "near" bucket). */
  for (int m = 0; m <= 10; m += 5) { /* one at a time */
    uint8_t rpi[16], aem[4];
    const int row = m / 10;
    CHECK(unhex(kRows[row][0], rpi, 16) && unhex(kRows[row][1], aem, 4));
    CHECK(openen_record_sighting(client, rpi, 16, aem, 4, -40, 1585785600 + m * 60, &err) == OPENEN_OK);
  }
  openen_observation batch[3]; /* and minutes 15, 20, 25 as one batch */
  for (int i = 0; i < 3; ++i) {
    const int m = 15 + 5 * i;
    CHECK(unhex(kRows[m / 10][0], batch[i].rpi, 16) && unhex(kRows[m / 10][1], batch[i].aem, 4));
    batch[i].rssi = -40;
    batch[i].unix_time = 1585785600 + m * 60;
  }
  /* All or nothing: a bad RSSI at index 1 stores nothing, not even index 0
   * (the storage summary below counts exactly 6 scans). */
  openen_observation bad[2] = {batch[0], batch[1]};
  bad[1].rssi = 200;
  CHECK(openen_record_sightings(client, bad, 2, &err) == OPENEN_INVALID_ARGUMENT);
  CHECK(err != NULL && strncmp(err, "observation 1: ", 15) == 0);
  openen_free(err);
  err = NULL;
  CHECK(openen_record_sightings(client, NULL, 1, &err) == OPENEN_INVALID_ARGUMENT);
  openen_free(err);
  err = NULL;
  CHECK(openen_record_sightings(client, NULL, 0, &err) == OPENEN_OK);
  CHECK(openen_record_sightings(client, batch, 3, &err) == OPENEN_OK);
  uint8_t rpi[16] = {0}, aem[4] = {0};
  CHECK(openen_record_sighting(client, rpi, 15, aem, 4, -40, now_seconds, &err) == OPENEN_INVALID_ARGUMENT);
  CHECK(err != NULL && strcmp(err, "rpi is 15 bytes, want 16") == 0);
  openen_free(err);
  err = NULL;
  CHECK(openen_record_sighting(NULL, rpi, 16, aem, 4, -40, now_seconds, &err) == OPENEN_INVALID_ARGUMENT);
  openen_free(err);
  err = NULL;

  /* Sync from the directory and match. */
  now_seconds = 1585872000 + 3600; /* the next day, after the batch */
  openen_sync_report report;
  memset(&report, 0, sizeof(report));
  CHECK(openen_sync_directory(client, argv[1], &report, &err) == OPENEN_OK);
  if (err) fprintf(stderr, "sync: %s\n", err);
  CHECK(report.batches == 1);
  CHECK(report.keys == 201);
  CHECK(report.matched_identifiers == 3);
  CHECK(report.new_exposure_windows == 1);

  size_t count = 0;
  CHECK(openen_daily_summaries(client, NULL, 0, &count, &err) == OPENEN_OK);
  CHECK(count == 1);
  openen_daily_summary days[4];
  CHECK(openen_daily_summaries(client, days, 4, &count, &err) == OPENEN_OK);
  CHECK(days[0].day == 18354);
  CHECK(days[0].weighted_duration_seconds == 1800.0);
  CHECK(days[0].score_sum == 1800.0);
  CHECK(days[0].exposure == 1);

  openen_day_counts counts[4];
  CHECK(openen_storage_summary(client, counts, 4, &count, &err) == OPENEN_OK);
  CHECK(count == 1); /* day 18354: the own key broadcast at 00:30, sightings, the window */
  CHECK(counts[0].day == 18354 && counts[0].identifiers_seen == 3 && counts[0].scans == 6);
  CHECK(counts[0].exposure_windows == 1);
  CHECK(counts[0].own_keys == 1);

  /* The daily background job: nothing to do today; 14 days after the
   * contact, with no other call, it deletes that day. */
  openen_maintenance_report maintained = {-1, -1};
  CHECK(openen_maintain(client, &maintained, &err) == OPENEN_OK);
  CHECK(maintained.decommissioned == 0 && maintained.days_purged == 0);
  now_seconds = 1585785600 + 14 * 86400;
  CHECK(openen_maintain(client, &maintained, &err) == OPENEN_OK);
  CHECK(maintained.decommissioned == 0 && maintained.days_purged == 1);
  CHECK(openen_storage_summary(client, NULL, 0, &count, &err) == OPENEN_OK);
  CHECK(count == 0);
  CHECK(openen_maintain(NULL, &maintained, &err) == OPENEN_INVALID_ARGUMENT);
  openen_free(err);
  err = NULL;

  /* Pause. */
  CHECK(openen_pause(client, &err) == OPENEN_OK);
  CHECK(openen_is_paused(client) == 1);
  CHECK(openen_broadcast_payload(client, payload, sizeof(payload), &err) == OPENEN_PAUSED);
  openen_free(err);
  err = NULL;
  CHECK(openen_record_sightings(client, batch, 1, &err) == OPENEN_PAUSED);
  openen_free(err);
  err = NULL;
  CHECK(openen_resume(client, &err) == OPENEN_OK);
  CHECK(openen_is_paused(client) == 0);

  /* Erase: the data and the platform key (the key file now holds a new one). */
  uint8_t key_before[32], key_after[32];
  snprintf(path, sizeof(path), "%s/platform.key", argv[2]);
  CHECK(read_key_file(path, key_before));
  CHECK(openen_erase_all(client, &err) == OPENEN_OK);
  CHECK(read_key_file(path, key_after));
  CHECK(memcmp(key_before, key_after, 32) != 0);
  CHECK(openen_storage_summary(client, NULL, 0, &count, &err) == OPENEN_OK);
  CHECK(count == 0);
  CHECK(openen_daily_summaries(client, NULL, 0, &count, &err) == OPENEN_OK);
  CHECK(count == 0);

  /* The app's fetch callback: the same batch through openen_sync, on a
   * fresh store. Cancelled while index.txt is fetched, nothing is processed;
   * a server error keeps the app's message; a body past the limit is
   * refused; then the sync runs to the end. */
  openen_options* fetched = openen_options_create();
  snprintf(path, sizeof(path), "%s/fetched", argv[2]);
  openen_options_set_store_dir(fetched, path);
  openen_options_set_clock(fetched, NULL, fake_now);
  CHECK(openen_options_add_export_key(fetched, "fixture-v1", spki, &err) == OPENEN_OK);
  openen_client* via_app = NULL;
  CHECK(openen_client_open(fetched, keystore, &via_app, &err) == OPENEN_OK);
  struct dir_fetcher dir = {argv[1], 0, 1, openen_cancel_create(), 0, 0, 0};
  openen_fetcher fetcher = {&dir, fetch_from_dir};
  memset(&report, 0, sizeof(report));
  CHECK(openen_sync(via_app, &fetcher, dir.cancel, &report, &err) == OPENEN_CANCELLED);
  CHECK(report.batches == 0 && dir.calls == 1);
  openen_free(err);
  err = NULL;
  CHECK(openen_cancel_is_set(dir.cancel) == 1);
  openen_cancel_reset(dir.cancel);
  CHECK(openen_cancel_is_set(dir.cancel) == 0);
  CHECK(openen_cancel_is_set(NULL) == 0);
  /* Cancelled from another thread while the download stalls. */
  dir.cancel_at_call = 0;
  dir.block = 1;
  pthread_t canceller;
  CHECK(pthread_create(&canceller, NULL, cancel_later, dir.cancel) == 0);
  CHECK(openen_sync(via_app, &fetcher, dir.cancel, &report, &err) == OPENEN_CANCELLED);
  pthread_join(canceller, NULL);
  openen_free(err);
  err = NULL;
  dir.block = 0;
  openen_cancel_reset(dir.cancel);
  dir.fail_with_503 = 1;
  CHECK(openen_sync(via_app, &fetcher, dir.cancel, &report, &err) == OPENEN_UNAVAILABLE);
  CHECK(err != NULL && strstr(err, "HTTP 503") != NULL);
  openen_free(err);
  err = NULL;
  dir.fail_with_503 = 0;
  dir.oversize = 1;
  CHECK(openen_sync(via_app, &fetcher, NULL, &report, &err) == OPENEN_RESOURCE_EXHAUSTED);
  openen_free(err);
  err = NULL;
  /* A callback that ignores the refusal still does not pass a cut body. */
  dir.oversize = 2;
  CHECK(openen_sync(via_app, &fetcher, NULL, &report, &err) == OPENEN_RESOURCE_EXHAUSTED);
  openen_free(err);
  err = NULL;
  dir.oversize = 0;
  struct dir_fetcher nowhere = {"/nonexistent", 0, 0, NULL, 0, 0, 0};
  openen_fetcher missing = {&nowhere, fetch_from_dir};
  CHECK(openen_sync(via_app, &missing, NULL, &report, &err) == OPENEN_UNAVAILABLE);
  openen_free(err);
  err = NULL;
  CHECK(openen_sync(via_app, NULL, NULL, &report, &err) == OPENEN_INVALID_ARGUMENT);
  openen_free(err);
  err = NULL;
  CHECK(openen_sync(via_app, &fetcher, dir.cancel, &report, &err) == OPENEN_OK);
  CHECK(report.batches == 1 && report.keys == 201);
  check_transport(via_app);
  check_log(argv[1], argv[2], spki, keystore);
  openen_client_close(via_app);
  openen_options_free(fetched);
  openen_cancel_free(dir.cancel);

  snprintf(path, sizeof(path), "%s/../roles", argv[1]);
  check_roles(path, argv[2], keystore);

  /* A second client on the same store with another platform key is refused. */
  openen_client_close(client);
  openen_keystore* other = NULL;
  snprintf(path, sizeof(path), "%s/other.key", argv[2]);
  CHECK(openen_keystore_open_file(path, &other, &err) == OPENEN_OK);
  openen_client* refused = NULL;
  CHECK(openen_client_open(options, other, &refused, &err) == OPENEN_PERMISSION_DENIED);
  CHECK(refused == NULL);
  openen_free(err);

  openen_keystore_free(other);

  /* A callback keystore: erasing destroys its key through the callback, and
   * the store carries on under the next one. All three callbacks are required. */
  CHECK(openen_keystore_create(NULL, toy_wrap, toy_unwrap, NULL) == NULL);
  toy_keystore toy = {0, 0, 0, 0};
  openen_keystore* platform = openen_keystore_create(&toy, toy_wrap, toy_unwrap, toy_destroy);
  CHECK(platform != NULL);
  openen_options* toy_options = openen_options_create();
  snprintf(path, sizeof(path), "%s/toy-store", argv[2]);
  openen_options_set_store_dir(toy_options, path);
  openen_options_set_clock(toy_options, NULL, fake_now);
  openen_client* toy_client = NULL;
  CHECK(openen_client_open(toy_options, platform, &toy_client, &err) == OPENEN_OK);
  CHECK(openen_broadcast_payload(toy_client, payload, sizeof(payload), &err) == OPENEN_OK);
  CHECK(toy.generation == 1 && toy.destroyed == 0);
  CHECK(openen_erase_all(toy_client, &err) == OPENEN_OK);
  CHECK(toy.destroyed == 1 && toy.generation == 2 && toy.has_key == 1);
  /* A keystore that cannot destroy its key: the data goes all the same, the
   * error says why, and the client carries on. */
  CHECK(openen_broadcast_payload(toy_client, payload, sizeof(payload), &err) == OPENEN_OK);
  toy.fail_destroy = 1;
  CHECK(openen_erase_all(toy_client, &err) == OPENEN_UNAVAILABLE);
  CHECK(err != NULL && strstr(err, "could not destroy") != NULL);
  openen_free(err);
  err = NULL;
  CHECK(openen_storage_summary(toy_client, NULL, 0, &count, &err) == OPENEN_OK);
  CHECK(count == 0);
  CHECK(openen_broadcast_payload(toy_client, payload, sizeof(payload), &err) == OPENEN_OK);
  toy.fail_destroy = 0;
  openen_client_close(toy_client);
  toy_client = NULL;
  CHECK(openen_client_open(toy_options, platform, &toy_client, &err) == OPENEN_OK);
  openen_client_close(toy_client);
  openen_options_free(toy_options);
  openen_keystore_free(platform);

  /* A store erased by a decommission order reports it, and does not open. */
  char decommissioned[4096];
  snprintf(decommissioned, sizeof(decommissioned), "%s/../decommissioned", argv[1]);
  CHECK(openen_is_decommissioned(decommissioned) == 1);
  CHECK(openen_is_decommissioned(path) == 0);
  CHECK(openen_is_decommissioned(NULL) == 0);
  openen_keystore* ended_key = NULL;
  snprintf(path, sizeof(path), "%s/../decommissioned.key", argv[1]);
  CHECK(openen_keystore_open_file(path, &ended_key, &err) == OPENEN_OK);
  openen_options* ended = openen_options_create();
  openen_options_set_store_dir(ended, decommissioned);
  openen_client* gone = NULL;
  err = NULL;
  CHECK(openen_client_open(ended, ended_key, &gone, &err) == OPENEN_DECOMMISSIONED);
  openen_free(err);
  openen_options_free(ended);
  openen_keystore_free(ended_key);
  openen_client_close(NULL);
  openen_options_free(options);
  openen_keystore_free(keystore);
  openen_free(NULL);
  printf("c_api: %d passed, %d failed\n", checks - failures, failures);
  return failures == 0 ? 0 : 1;
}
