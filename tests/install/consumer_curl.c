/* Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
 *
 * The installed libcurl adapter (find_package(OpenEN COMPONENTS curl)) from an
 * app's build: a fetcher is made for an https:// base URL and refused for
 * another scheme. It connects nowhere (a fetcher GETs only when a sync asks).
 * Exit 0 when every check held. */

#include <openen/openen_curl.h>
#include <stdio.h>

int main(void) {
  int failures = 0;
  openen_fetcher fetcher;
  char* err = NULL;
  openen_status st = openen_curl_fetcher_create("https://127.0.0.1/exports", NULL, &fetcher, &err);
  if (st != OPENEN_OK) {
    fprintf(stderr, "https fetcher: %s: %s\n", openen_status_name(st), err ? err : "?");
    openen_free(err);
    ++failures;
  } else {
    openen_curl_fetcher_free(&fetcher);
  }
  err = NULL;
  openen_fetcher refused;
  st = openen_curl_fetcher_create("ftp://127.0.0.1/exports", NULL, &refused, &err);
  if (st != OPENEN_INVALID_ARGUMENT || err == NULL) {
    fprintf(stderr, "ftp:// was not refused: %s\n", openen_status_name(st));
    ++failures;
  }
  openen_free(err);
  printf("consumer_curl: %d failure(s)\n", failures);
  return failures == 0 ? 0 : 1;
}
