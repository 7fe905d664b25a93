// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Fuzz target c_api: every byte input of the C API (openen.h) that comes
// from outside the app: a configuration handed to
// openen_update_configuration, the files a sync fetches (index.txt,
// index.sha256, config.bin, decommission.bin, a batch), the verifier's and
// relay's responses to an upload, a sighting's RPI and AEM, and the keys an
// app pins in its options. One client, opened once over a scratch directory
// with a fixed clock and the keys of fuzz_util.h, takes them all; a
// decommission order that erases it is followed by a fresh client.
//
// Input: a selector byte, then parts (FuzzInput::Part) in this order:
// configuration envelope, index.txt, index.sha256, config.bin,
// decommission.bin, the batch (served for any other name), ExchangeCode,
// Certify and Publish responses, RPI, AEM, a pinned key, an export key
// name and its SPKI text. Selector bits pick what runs: 1 update the
// configuration, 2 sync, 4 upload, 8 record the sighting, 16 pin the keys.
//
// Beyond "no crash": every failure comes with a message that is UTF-8 (the
// contract of openen.h) and at most 1 KiB (errors never echo unbounded input).

#include <cstdlib>
#include <cstring>
#include <string>

#include "fuzz_util.h"
#include "openen/openen.h"

namespace openen::fuzz {
namespace {

struct Parts {
  std::string_view configuration, index, sums, config_bin, decommission_bin, batch;
  std::string_view exchange, certify, publish, rpi, aem, key, name, spki;
};

int64_t FixedNow(void*) { return kFuzzNow; }

openen_status Serve(std::string_view body, size_t max_bytes, openen_response* out) {
  if (body.empty()) return OPENEN_NOT_FOUND;
  (void)max_bytes;  // openen_response_append enforces it
  return openen_response_append(out, reinterpret_cast<const uint8_t*>(body.data()), body.size());
}

openen_status Fetch(void* ctx, const char* name, size_t max_bytes, openen_response* out,
                    const openen_cancel*) {
  const Parts& p = *static_cast<const Parts*>(ctx);
  const std::string_view n(name);
  if (n == "index.txt") return Serve(p.index, max_bytes, out);
  if (n == "index.sha256") return Serve(p.sums, max_bytes, out);
  if (n == "config.bin") return Serve(p.config_bin, max_bytes, out);
  if (n == "decommission.bin") return Serve(p.decommission_bin, max_bytes, out);
  return Serve(p.batch, max_bytes, out);
}

openen_status Call(void* ctx, const char* method, const uint8_t*, size_t,
                   openen_response* response) {
  const Parts& p = *static_cast<const Parts*>(ctx);
  const std::string_view m(method);
  std::string_view body = m == OPENEN_EXCHANGE_CODE_METHOD ? p.exchange
                          : m == OPENEN_CERTIFY_METHOD     ? p.certify
                                                           : p.publish;
  return openen_response_append(response, reinterpret_cast<const uint8_t*>(body.data()),
                                body.size());
}

// ValidUtf8 reports whether |s| is well-formed UTF-8 (no overlong forms,
// surrogates or code points past U+10FFFF).
bool ValidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<uint8_t>(s[i]);
    size_t n;
    uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xe0) == 0xc0) {
      n = 1, cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      n = 2, cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      n = 3, cp = c & 0x07;
    } else {
      return false;
    }
    if (s.size() - i <= n) return false;
    for (size_t j = 1; j <= n; ++j) {
      const auto d = static_cast<uint8_t>(s[i + j]);
      if ((d & 0xc0) != 0x80) return false;
      cp = cp << 6 | (d & 0x3f);
    }
    static constexpr uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += n + 1;
  }
  return true;
}

// The longest error message: errors never echo unbounded input.
constexpr size_t kMaxErrorSize = 1024;

// Check frees an error message. The contract (openen.h): a failure comes
// with a message, UTF-8, and (ours) of bounded size.
void Check(openen_status status, char* error) {
  if (status != OPENEN_OK) {
    if (error == nullptr) abort();
    const std::string_view message(error);
    if (!ValidUtf8(message) || message.size() > kMaxErrorSize) {
      fprintf(stderr, "c_api: bad error message (%zu bytes): ", message.size());
      for (char c : message.substr(0, 200)) {
        const auto b = static_cast<uint8_t>(c);
        fprintf(stderr, b >= 0x20 && b < 0x7f ? "%c" : "\\x%02x", b);
      }
      fprintf(stderr, "\n");
      abort();
    }
  }
  openen_free(error);
}

class ClientHarness {
 public:
  ClientHarness() {
    char* error = nullptr;
    if (openen_keystore_open_file(dir_.Sub("keystore").c_str(), &keystore_, &error) != OPENEN_OK)
      Die("keystore", error);
    Open();
  }
  ~ClientHarness() {
    openen_client_close(client_);
    openen_options_free(options_);
    openen_keystore_free(keystore_);
  }

  openen_client* client() { return client_; }

  // Open opens a client on a fresh store directory (a decommission order
  // erases a store for good).
  void Open() {
    openen_client_close(client_);
    client_ = nullptr;
    openen_options_free(options_);
    options_ = openen_options_create();
    openen_options_set_store_dir(options_, dir_.Sub("store" + std::to_string(stores_++)).c_str());
    openen_options_set_clock(options_, nullptr, FixedNow);
    char* error = nullptr;
    const std::string spki = FixedExportKey().PublicKey().ToSpkiBase64();
    if (openen_options_add_export_key(options_, kExportKeyName, spki.c_str(), &error) != OPENEN_OK)
      Die("export key", error);
    const crypto::Ed25519PrivateKey config_key = FixedEd25519('C');
    const base::ByteView config_public = config_key.PublicKey().bytes();
    if (openen_options_add_config_key(options_, config_public.data(), config_public.size(),
                                      &error) != OPENEN_OK)
      Die("config key", error);
    const crypto::Ed25519PrivateKey order_key = FixedEd25519('D');
    const base::ByteView order_public = order_key.PublicKey().bytes();
    if (openen_options_add_decommission_key(options_, order_public.data(), order_public.size(),
                                            &error) != OPENEN_OK)
      Die("decommission key", error);
    if (openen_client_open(options_, keystore_, &client_, &error) != OPENEN_OK) Die("open", error);
    // Today's own key, for an upload to send.
    uint8_t payload[20];
    if (openen_broadcast_payload(client_, payload, sizeof payload, &error) != OPENEN_OK)
      Die("broadcast", error);
  }

 private:
  [[noreturn]] static void Die(const char* what, char* error) {
    fprintf(stderr, "c_api setup: %s: %s\n", what, error ? error : "(no message)");
    abort();
  }

  ScratchDir dir_;
  openen_keystore* keystore_ = nullptr;
  openen_options* options_ = nullptr;
  openen_client* client_ = nullptr;
  int stores_ = 0;
};

}  // namespace
}  // namespace openen::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace openen::fuzz;
  static ClientHarness harness;
  FuzzInput in(data, size);
  const uint8_t selector = in.Byte();
  Parts p;
  for (std::string_view* part :
       {&p.configuration, &p.index, &p.sums, &p.config_bin, &p.decommission_bin, &p.batch,
        &p.exchange, &p.certify, &p.publish, &p.rpi, &p.aem, &p.key, &p.name, &p.spki}) {
    *part = in.Part();
  }
  auto bytes = [](std::string_view s) { return reinterpret_cast<const uint8_t*>(s.data()); };
  char* error = nullptr;
  openen_status status = OPENEN_OK;
  if (selector & 1) {
    status = openen_update_configuration(harness.client(), bytes(p.configuration),
                                         p.configuration.size(), &error);
    Check(status, error);
  }
  if ((selector & 2) && status != OPENEN_DECOMMISSIONED) {
    openen_fetcher fetcher = {&p, Fetch};
    openen_sync_report report;
    error = nullptr;
    status = openen_sync(harness.client(), &fetcher, nullptr, &report, &error);
    Check(status, error);
  }
  if ((selector & 4) && status != OPENEN_DECOMMISSIONED) {
    openen_transport transport = {&p, Call};
    openen_upload_report report;
    error = nullptr;
    status = openen_upload_diagnosis(harness.client(), &transport, "1234567812345678", nullptr, 0,
                                     &report, &error);
    Check(status, error);
  }
  if ((selector & 8) && status != OPENEN_DECOMMISSIONED) {
    error = nullptr;
    status = openen_record_sighting(harness.client(), bytes(p.rpi), p.rpi.size(), bytes(p.aem),
                                    p.aem.size(), -60, kFuzzNow - 600, &error);
    Check(status, error);
  }
  if (selector & 16) {
    openen_options* options = openen_options_create();
    error = nullptr;
    Check(openen_options_add_config_key(options, bytes(p.key), p.key.size(), &error), error);
    error = nullptr;
    Check(openen_options_add_decommission_key(options, bytes(p.key), p.key.size(), &error), error);
    const std::string name(p.name), spki(p.spki);  // C strings: cut at the first NUL
    error = nullptr;
    Check(openen_options_add_export_key(options, name.c_str(), spki.c_str(), &error), error);
    openen_options_free(options);
  }
  if (status == OPENEN_DECOMMISSIONED) harness.Open();
  return 0;
}
