/* Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
 *
 * An app's smallest use of the installed library, built against an installed
 * prefix only (consumer-test.sh builds it with find_package and with
 * pkg-config, shared and static): the status names and sizes, a client opened
 * in WORK_DIR with a file keystore, one advertisement, the storage summary.
 * Usage: consumer WORK_DIR (an empty directory). Exit 0 when every check held. */

#include <openen/openen.h>
#include <stdio.h>
#include <string.h>

static int failures = 0;
#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      ++failures;                                                              \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
    }                                                                          \
  } while (0)

static int64_t fixed_now(void* ctx) {
  (void)ctx;
  return 1585785600; /* 2020-04-02 00:00 UTC */
}

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s WORK_DIR\n", argv[0]);
    return 2;
  }
  CHECK(strcmp(openen_status_name(OPENEN_OK), "OK") == 0);
  CHECK(strcmp(openen_status_name(OPENEN_FAILED_PRECONDITION), "FAILED_PRECONDITION") == 0);
  CHECK(openen_rpi_size() == OPENEN_RPI_SIZE && OPENEN_RPI_SIZE == 16);
  CHECK(openen_aem_size() == OPENEN_AEM_SIZE && OPENEN_AEM_SIZE == 4);
  CHECK(openen_advertisement_size() == OPENEN_ADVERTISEMENT_SIZE);
  CHECK(openen_tek_size() == OPENEN_TEK_SIZE);
  CHECK(openen_max_retention_days() == OPENEN_MAX_RETENTION_DAYS);

  char keystore_path[4096];
  char store_dir[4096];
  snprintf(keystore_path, sizeof keystore_path, "%s/wrapping.key", argv[1]);
  snprintf(store_dir, sizeof store_dir, "%s/store", argv[1]);

  char* err = NULL;
  openen_keystore* keystore = NULL;
  openen_status st = openen_keystore_open_file(keystore_path, &keystore, &err);
  CHECK(st == OPENEN_OK && keystore != NULL);
  if (st != OPENEN_OK) {
    fprintf(stderr, "keystore: %s\n", err ? err : "?");
    openen_free(err);
    return 1;
  }

  openen_options* options = openen_options_create();
  openen_options_set_store_dir(options, store_dir);
  openen_options_set_clock(options, NULL, fixed_now);
  openen_client* client = NULL;
  st = openen_client_open(options, keystore, &client, &err);
  CHECK(st == OPENEN_OK && client != NULL);
  if (st != OPENEN_OK) {
    fprintf(stderr, "open: %s: %s\n", openen_status_name(st), err ? err : "?");
    openen_free(err);
    openen_options_free(options);
    openen_keystore_free(keystore);
    return 1;
  }

  uint8_t payload[OPENEN_ADVERTISEMENT_SIZE];
  memset(payload, 0, sizeof payload);
  CHECK(openen_broadcast_payload(client, payload, sizeof payload, &err) == OPENEN_OK);
  uint8_t zeros[OPENEN_ADVERTISEMENT_SIZE] = {0};
  CHECK(memcmp(payload, zeros, sizeof payload) != 0);
  /* Too small a buffer is refused with a message, not written past. */
  uint8_t small[OPENEN_ADVERTISEMENT_SIZE - 1];
  err = NULL;
  CHECK(openen_broadcast_payload(client, small, sizeof small, &err) == OPENEN_INVALID_ARGUMENT);
  CHECK(err != NULL);
  openen_free(err);

  openen_day_counts days[OPENEN_MAX_RETENTION_DAYS + 1];
  size_t count = 0;
  CHECK(openen_storage_summary(client, days, OPENEN_MAX_RETENTION_DAYS + 1, &count, NULL) ==
        OPENEN_OK);
  CHECK(count == 1 && days[0].own_keys == 1 && days[0].day == 18354);

  openen_client_close(client);
  openen_options_free(options);
  openen_keystore_free(keystore);

  printf("consumer: %zu-byte advertisement, %zu day(s) stored, %d failure(s)\n", sizeof payload,
         count, failures);
  return failures == 0 ? 0 : 1;
}
