// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// The C API: a thin, exception-proof layer over openen::client::Client.

#include <algorithm>
#include <climits>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "openen/client/client.h"
#include "openen/openen.h"
#include "openen/v1/signed.pb.h"

using openen::base::Status;
using openen::base::StatusCode;
using openen::base::StatusOr;

struct openen_keystore {
  std::unique_ptr<openen::client::KeyStore> impl;
};

struct openen_options {
  openen::client::ClientOptions options;
  // The log policy's parts, in any order; assembled at open.
  std::optional<openen::wire::NoteKey> log_key;
  std::vector<openen::wire::NoteKey> witness_keys;
  size_t witness_quorum = 0;
  void* clock_ctx = nullptr;
  openen_clock_fn clock = nullptr;
};

struct openen_client {
  std::unique_ptr<openen::base::Clock> clock;
  std::unique_ptr<openen::client::Client> client;
};

struct openen_cancel {
  openen::base::Cancellation impl;
};

struct openen_response {
  openen::base::Bytes body;
  size_t limit = 0;
  // Set once an append was refused: the body is incomplete, whatever the
  // callback returns.
  bool overflowed = false;
  std::string error;
};

namespace {

// CallbackKeyStore adapts the platform's C callbacks.
class CallbackKeyStore final : public openen::client::KeyStore {
 public:
  CallbackKeyStore(void* ctx, openen_wrap_fn wrap, openen_wrap_fn unwrap, openen_destroy_fn destroy)
      : ctx_(ctx), wrap_(wrap), unwrap_(unwrap), destroy_(destroy) {}
  openen::base::StatusOr<openen::base::Bytes> Wrap(
      const openen::crypto::SecretBytes& key) override {
    openen::base::Bytes out(key.size() + 256);
    size_t len = 0;
    if (wrap_(ctx_, key.Reveal().data(), key.size(), out.data(), out.size(), &len) != 0 || len > out.size()) {
      return openen::base::UnavailableError("the platform keystore could not wrap a key");
    }
    out.resize(len);
    return out;
  }
  openen::base::StatusOr<openen::crypto::SecretBytes> Unwrap(
      openen::base::ByteView wrapped) override {
    openen::crypto::SecretBytes out(wrapped.size() + 256);
    size_t len = 0;
    if (unwrap_(ctx_, wrapped.data(), wrapped.size(), out.MutableReveal().data(), out.size(), &len) != 0 ||
        len > out.size()) {
      return openen::base::PermissionDeniedError("the platform keystore could not unwrap a key");
    }
    return openen::crypto::SecretBytes(out.Reveal().first(len));
  }
  openen::base::Status Destroy() override {
    if (destroy_(ctx_) != 0)
      return openen::base::UnavailableError("the platform keystore could not destroy its key");
    return openen::base::Status::Ok();
  }

 private:
  void* ctx_;
  openen_wrap_fn wrap_;
  openen_wrap_fn unwrap_;
  openen_destroy_fn destroy_;
};

class CallbackClock final : public openen::base::Clock {
 public:
  CallbackClock(void* ctx, openen_clock_fn fn) : ctx_(ctx), fn_(fn) {}
  int64_t NowSeconds() const override { return fn_(ctx_); }

 private:
  void* ctx_;
  openen_clock_fn fn_;
};

// openen_status takes base::StatusCode's values, so that the mapping is a cast.
static_assert(static_cast<int>(openen::base::StatusCode::kCancelled) == OPENEN_CANCELLED);
static_assert(static_cast<int>(openen::base::StatusCode::kUnknown) == OPENEN_OTHER);
static_assert(static_cast<int>(openen::base::StatusCode::kInvalidArgument) ==
              OPENEN_INVALID_ARGUMENT);
static_assert(static_cast<int>(openen::base::StatusCode::kDeadlineExceeded) ==
              OPENEN_DEADLINE_EXCEEDED);
static_assert(static_cast<int>(openen::base::StatusCode::kNotFound) == OPENEN_NOT_FOUND);
static_assert(static_cast<int>(openen::base::StatusCode::kAlreadyExists) == OPENEN_ALREADY_EXISTS);
static_assert(static_cast<int>(openen::base::StatusCode::kPermissionDenied) ==
              OPENEN_PERMISSION_DENIED);
static_assert(static_cast<int>(openen::base::StatusCode::kResourceExhausted) ==
              OPENEN_RESOURCE_EXHAUSTED);
static_assert(static_cast<int>(openen::base::StatusCode::kFailedPrecondition) ==
              OPENEN_FAILED_PRECONDITION);
static_assert(static_cast<int>(openen::base::StatusCode::kAborted) == OPENEN_ABORTED);
static_assert(static_cast<int>(openen::base::StatusCode::kOutOfRange) == OPENEN_OUT_OF_RANGE);
static_assert(static_cast<int>(openen::base::StatusCode::kInternal) == OPENEN_INTERNAL);
static_assert(static_cast<int>(openen::base::StatusCode::kUnavailable) == OPENEN_UNAVAILABLE);
static_assert(static_cast<int>(openen::base::StatusCode::kDataLoss) == OPENEN_DATA_LOSS);
static_assert(static_cast<int>(openen::base::StatusCode::kUnauthenticated) ==
              OPENEN_UNAUTHENTICATED);

openen_status ToC(const openen::base::Status& s) {
  if (s.code() == StatusCode::kFailedPrecondition) {
    if (s.reason() == openen::client::kPausedReason) return OPENEN_PAUSED;
    if (s.reason() == openen::client::kConfigurationExpiredReason)
      return OPENEN_CONFIGURATION_EXPIRED;
    if (s.reason() == openen::client::kDecommissionedReason) return OPENEN_DECOMMISSIONED;
  }
  if (s.code() == StatusCode::kDataLoss && s.reason() == openen::client::kMisbehavingSourceReason) {
    return OPENEN_MISBEHAVING_SOURCE;
  }
  return openen::base::StatusCodeFromInt(static_cast<int>(s.code()))
             ? static_cast<openen_status>(s.code())
             : OPENEN_OTHER;
}

// FromCallback turns what an app's callback returned into a Status:
// |what| names the call for the message, |response| may carry the app's.
Status FromCallback(openen_status returned, const std::string& what,
                    const openen_response& response) {
  if (response.overflowed) {
    return openen::base::ResourceExhaustedError(what + ": more than " +
                                                std::to_string(response.limit) + " bytes");
  }
  if (returned == OPENEN_OK) return Status::Ok();
  const auto code = openen::base::StatusCodeFromInt(static_cast<int>(returned));
  std::string message =
      what + ": the app's callback returned " + std::string(openen_status_name(returned));
  if (!response.error.empty()) message += " (" + response.error + ")";
  return Status(code && *code != StatusCode::kOk ? *code : StatusCode::kUnknown, message);
}

// CallbackFetcher adapts the app's fetch callback.
class CallbackFetcher final : public openen::client::Fetcher {
 public:
  CallbackFetcher(const openen_fetcher& fetcher, const openen_cancel* cancel)
      : fetcher_(fetcher), cancel_(cancel) {}
  StatusOr<openen::base::Bytes> Get(const std::string& name, size_t max_bytes,
                                    const openen::base::Cancellation&) override {
    // |cancel_| is the Cancellation the sync was given, in its C form.
    openen_response response;
    response.limit = max_bytes;
    // The caller (StaticSource, Sync) names the file in its context.
    OPENEN_RETURN_IF_ERROR(
        FromCallback(fetcher_.fetch(fetcher_.ctx, name.c_str(), max_bytes, &response, cancel_),
                     "fetch", response));
    return std::move(response.body);
  }

 private:
  openen_fetcher fetcher_;
  const openen_cancel* cancel_;
};

// CallbackTransport adapts the app's transport callback.
class CallbackTransport final : public openen::client::UploadTransport {
 public:
  explicit CallbackTransport(const openen_transport& transport) : transport_(transport) {}
  StatusOr<openen::base::Bytes> Call(std::string_view method,
                                     openen::base::ByteView request) override {
    const std::string name(method);
    openen_response response;
    response.limit = openen::client::kMaxUploadResponseSize;
    OPENEN_RETURN_IF_ERROR(FromCallback(
        transport_.call(transport_.ctx, name.c_str(), request.data(), request.size(), &response),
        name, response));
    return std::move(response.body);
  }

 private:
  openen_transport transport_;
};

void SetError(char** errptr, const std::string& message) {
  if (errptr == nullptr) return;
  char* copy = static_cast<char*>(std::malloc(message.size() + 1));
  if (copy == nullptr) return;
  std::memcpy(copy, message.c_str(), message.size() + 1);
  *errptr = copy;
}

// Guard runs |body| (returning a Status), turning errors and exceptions into
// a status code and a message.
template <typename Body>
openen_status Guard(char** errptr, Body body) {
  try {
    openen::base::Status s = body();
    if (s.ok()) return OPENEN_OK;
    SetError(errptr, s.message());
    return ToC(s);
  } catch (const std::bad_alloc&) {
    SetError(errptr, "out of memory");
    return OPENEN_RESOURCE_EXHAUSTED;
  } catch (const std::exception& e) {
    SetError(errptr, std::string("internal error: ") + e.what());
    return OPENEN_INTERNAL;
  } catch (...) {
    SetError(errptr, "internal error");
    return OPENEN_INTERNAL;
  }
}

openen::base::Status NeedClient(const openen_client* c) {
  if (c == nullptr || !c->client) return openen::base::InvalidArgumentError("client is NULL");
  return openen::base::Status::Ok();
}

// One role's trusted keys in ClientOptions.
using RoleKeys = std::vector<openen::crypto::Ed25519PublicKey> openen::client::ClientOptions::*;

// AddEd25519Key appends a 32-byte Ed25519 public key to the options' |list|.
openen_status AddEd25519Key(openen_options* o, RoleKeys list, const uint8_t* key, size_t key_len,
                            char** errptr) {
  return Guard(errptr, [&]() -> openen::base::Status {
    if (o == nullptr || key == nullptr)
      return openen::base::InvalidArgumentError("options and key must not be NULL");
    OPENEN_ASSIGN_OR_RETURN(
        openen::crypto::Ed25519PublicKey k,
        openen::crypto::Ed25519PublicKey::FromBytes(openen::base::ByteView(key, key_len)));
    (o->options.*list).push_back(k);
    return openen::base::Status::Ok();
  });
}

openen::base::Status NeedTransport(const openen_client* c, const openen_transport* transport) {
  OPENEN_RETURN_IF_ERROR(NeedClient(c));
  if (transport == nullptr || transport->call == nullptr)
    return openen::base::InvalidArgumentError("transport and its call callback must not be NULL");
  return openen::base::Status::Ok();
}

void FillReport(const openen::client::SyncReport& r, openen_sync_report* out) {
  if (out == nullptr) return;
  out->batches = r.batches;
  out->keys = r.keys;
  out->matched_identifiers = r.matched_identifiers;
  out->new_exposure_windows = r.new_exposure_windows;
}

}  // namespace

extern "C" {

const char* openen_status_name(openen_status status) {
  switch (status) {
    case OPENEN_PAUSED:
      return "PAUSED";
    case OPENEN_CONFIGURATION_EXPIRED:
      return "CONFIGURATION_EXPIRED";
    case OPENEN_DECOMMISSIONED:
      return "DECOMMISSIONED";
    case OPENEN_MISBEHAVING_SOURCE:
      return "MISBEHAVING_SOURCE";
    default:
      break;
  }
  const auto code = openen::base::StatusCodeFromInt(status);
  if (!code || *code == openen::base::StatusCode::kUnknown) return "OTHER";
  return openen::base::StatusCodeName(*code).data();  // names are literals
}

void openen_free(void* ptr) { std::free(ptr); }

size_t openen_rpi_size(void) { return OPENEN_RPI_SIZE; }
size_t openen_aem_size(void) { return OPENEN_AEM_SIZE; }
size_t openen_advertisement_size(void) { return OPENEN_ADVERTISEMENT_SIZE; }
size_t openen_tek_size(void) { return OPENEN_TEK_SIZE; }
int openen_max_retention_days(void) { return OPENEN_MAX_RETENTION_DAYS; }

static_assert(OPENEN_RPI_SIZE == openen::crypto::kRpiSize);
static_assert(OPENEN_AEM_SIZE == openen::crypto::kAemSize);
static_assert(OPENEN_ADVERTISEMENT_SIZE == openen::crypto::kAdvertisementSize);
static_assert(OPENEN_TEK_SIZE == openen::crypto::kTekSize);
static_assert(OPENEN_MAX_RETENTION_DAYS == openen::client::kMaxRetentionDays);

openen_keystore* openen_keystore_create(void* ctx, openen_wrap_fn wrap, openen_wrap_fn unwrap,
                                        openen_destroy_fn destroy) {
  if (wrap == nullptr || unwrap == nullptr || destroy == nullptr) return nullptr;
  try {
    return new openen_keystore{std::make_unique<CallbackKeyStore>(ctx, wrap, unwrap, destroy)};
  } catch (...) {
    return nullptr;
  }
}

openen_status openen_keystore_open_file(const char* path, openen_keystore** out, char** errptr) {
  return Guard(errptr, [&]() -> openen::base::Status {
    if (path == nullptr || out == nullptr)
      return openen::base::InvalidArgumentError("path and out must not be NULL");
    OPENEN_ASSIGN_OR_RETURN(std::unique_ptr<openen::client::FileKeyStore> ks,
                            openen::client::FileKeyStore::OpenOrCreate(path));
    *out = new openen_keystore{std::move(ks)};
    return openen::base::Status::Ok();
  });
}

void openen_keystore_free(openen_keystore* keystore) { delete keystore; }

openen_options* openen_options_create(void) {
  try {
    return new openen_options();
  } catch (...) {
    return nullptr;
  }
}
void openen_options_free(openen_options* options) { delete options; }
void openen_options_set_store_dir(openen_options* o, const char* dir) {
  if (o && dir) o->options.store_dir = dir;
}
void openen_options_set_retention_days(openen_options* o, int days) {
  if (o) o->options.retention_days = days;
}
void openen_options_set_tx_power(openen_options* o, int dbm) {
  if (o) o->options.tx_power_dbm = static_cast<int8_t>(dbm < -128 ? -128 : dbm > 127 ? 127 : dbm);
}
void openen_options_set_rssi_offset(openen_options* o, int db) {
  if (o) o->options.rssi_offset_db = db;
}
void openen_options_set_clock(openen_options* o, void* ctx, openen_clock_fn now) {
  if (o) {
    o->clock_ctx = ctx;
    o->clock = now;
  }
}

openen_status openen_options_add_export_key(openen_options* o, const char* name, const char* spki_base64,
                                            char** errptr) {
  return Guard(errptr, [&]() -> openen::base::Status {
    if (o == nullptr || name == nullptr || spki_base64 == nullptr) {
      return openen::base::InvalidArgumentError("options, name and key must not be NULL");
    }
    OPENEN_ASSIGN_OR_RETURN(openen::crypto::EcdsaP256PublicKey key,
                            openen::crypto::EcdsaP256PublicKey::FromSpkiBase64(spki_base64));
    o->options.export_keys.insert_or_assign(name, std::move(key));
    return openen::base::Status::Ok();
  });
}

openen_status openen_options_add_config_key(openen_options* o, const uint8_t* key, size_t key_len, char** errptr) {
  return AddEd25519Key(o, &openen::client::ClientOptions::config_keys, key, key_len, errptr);
}

openen_status openen_options_add_decommission_key(openen_options* o, const uint8_t* key, size_t key_len,
                                                  char** errptr) {
  return AddEd25519Key(o, &openen::client::ClientOptions::decommission_keys, key, key_len, errptr);
}

void openen_options_set_min_config_serial(openen_options* o, uint64_t serial) {
  if (o) o->options.min_config_serial = serial;
}

openen_status openen_options_set_log_key(openen_options* o, const char* vkey, char** errptr) {
  return Guard(errptr, [&]() -> openen::base::Status {
    if (o == nullptr || vkey == nullptr)
      return openen::base::InvalidArgumentError("options and vkey must not be NULL");
    OPENEN_ASSIGN_OR_RETURN(o->log_key, openen::wire::NoteKey::Parse(vkey));
    return openen::base::Status::Ok();
  });
}

openen_status openen_options_add_witness_key(openen_options* o, const char* vkey, char** errptr) {
  return Guard(errptr, [&]() -> openen::base::Status {
    if (o == nullptr || vkey == nullptr)
      return openen::base::InvalidArgumentError("options and vkey must not be NULL");
    OPENEN_ASSIGN_OR_RETURN(openen::wire::NoteKey key, openen::wire::NoteKey::Parse(vkey));
    o->witness_keys.push_back(std::move(key));
    return openen::base::Status::Ok();
  });
}

void openen_options_set_witness_quorum(openen_options* o, size_t quorum) {
  if (o) o->witness_quorum = quorum;
}

openen_status openen_client_open(const openen_options* o, openen_keystore* keystore, openen_client** out,
                                 char** errptr) {
  return Guard(errptr, [&]() -> openen::base::Status {
    if (o == nullptr || keystore == nullptr || out == nullptr) {
      return openen::base::InvalidArgumentError("options, keystore and out must not be NULL");
    }
    if (o->options.store_dir.empty())
      return openen::base::InvalidArgumentError("the store directory is not set");
    openen::client::ClientOptions options = o->options;
    if (o->log_key) {
      options.log = openen::client::LogPolicy{*o->log_key, o->witness_keys, o->witness_quorum};
    } else if (!o->witness_keys.empty() || o->witness_quorum > 0) {
      return openen::base::InvalidArgumentError(
          "witness keys need the log key (openen_options_set_log_key)");
    }
    auto c = std::make_unique<openen_client>();
    if (o->clock) {
      c->clock = std::make_unique<CallbackClock>(o->clock_ctx, o->clock);
    } else {
      c->clock = std::make_unique<openen::base::SystemClock>();
    }
    OPENEN_ASSIGN_OR_RETURN(
        c->client,
        openen::client::Client::Open(std::move(options), keystore->impl.get(), c->clock.get()));
    *out = c.release();
    return openen::base::Status::Ok();
  });
}

void openen_client_close(openen_client* client) { delete client; }

int openen_is_decommissioned(const char* store_dir) {
  try {
    return store_dir != nullptr && openen::client::Client::IsDecommissioned(store_dir) ? 1 : 0;
  } catch (...) {
    return 0;
  }
}

openen_status openen_broadcast_payload(openen_client* c, uint8_t* out, size_t out_len, char** errptr) {
  return Guard(errptr, [&]() -> openen::base::Status {
    OPENEN_RETURN_IF_ERROR(NeedClient(c));
    if (out == nullptr || out_len < OPENEN_ADVERTISEMENT_SIZE) {
      return openen::base::InvalidArgumentError("the output buffer holds " +
                                                std::to_string(out == nullptr ? 0 : out_len) +
                                                " bytes, want 20");
    }
    OPENEN_ASSIGN_OR_RETURN(openen::crypto::Advertisement ad, c->client->CurrentAdvertisement());
    std::memcpy(out, ad.data(), ad.size());
    return openen::base::Status::Ok();
  });
}

openen_status openen_record_sighting(openen_client* c, const uint8_t* rpi, size_t rpi_len, const uint8_t* aem,
                                     size_t aem_len, int rssi, int64_t unix_time, char** errptr) {
  return Guard(errptr, [&]() -> openen::base::Status {
    OPENEN_RETURN_IF_ERROR(NeedClient(c));
    if (rpi == nullptr || aem == nullptr)
      return openen::base::InvalidArgumentError("rpi and aem must not be NULL");
    return c->client->RecordSighting(openen::base::ByteView(rpi, rpi_len),
                                     openen::base::ByteView(aem, aem_len), rssi, unix_time);
  });
}

openen_status openen_record_sightings(openen_client* c, const openen_observation* observations,
                                      size_t count, char** errptr) {
  static_assert(sizeof(openen_observation::rpi) == openen::crypto::kRpiSize);
  static_assert(sizeof(openen_observation::aem) == openen::crypto::kAemSize);
  return Guard(errptr, [&]() -> openen::base::Status {
    OPENEN_RETURN_IF_ERROR(NeedClient(c));
    if (observations == nullptr && count > 0) {
      return openen::base::InvalidArgumentError("observations is NULL");
    }
    std::vector<openen::client::Observation> batch(count);
    for (size_t i = 0; i < count; ++i) {
      std::copy_n(observations[i].rpi, sizeof(observations[i].rpi), batch[i].rpi.begin());
      std::copy_n(observations[i].aem, sizeof(observations[i].aem), batch[i].aem.begin());
      batch[i].rssi = observations[i].rssi;
      batch[i].time = observations[i].unix_time;
    }
    return c->client->RecordSightings(batch);
  });
}

openen_status openen_sync_directory(openen_client* c, const char* dir, openen_sync_report* report, char** errptr) {
  return Guard(errptr, [&]() -> openen::base::Status {
    OPENEN_RETURN_IF_ERROR(NeedClient(c));
    if (dir == nullptr) return openen::base::InvalidArgumentError("dir must not be NULL");
    openen::client::DirectorySource source(dir);
    OPENEN_ASSIGN_OR_RETURN(openen::client::SyncReport r, c->client->Sync(source));
    FillReport(r, report);
    return openen::base::Status::Ok();
  });
}

openen_status openen_sync(openen_client* c, const openen_fetcher* fetcher,
                          const openen_cancel* cancel, openen_sync_report* report, char** errptr) {
  return Guard(errptr, [&]() -> openen::base::Status {
    OPENEN_RETURN_IF_ERROR(NeedClient(c));
    if (fetcher == nullptr || fetcher->fetch == nullptr)
      return openen::base::InvalidArgumentError("fetcher and its fetch callback must not be NULL");
    CallbackFetcher callback(*fetcher, cancel);
    openen::client::StaticSource source(&callback);
    OPENEN_ASSIGN_OR_RETURN(
        openen::client::SyncReport r,
        c->client->Sync(source, cancel ? cancel->impl : openen::base::NeverCancelled()));
    FillReport(r, report);
    return openen::base::Status::Ok();
  });
}

openen_status openen_update_configuration(openen_client* c, const uint8_t* envelope, size_t envelope_len,
                                          char** errptr) {
  return Guard(errptr, [&]() -> openen::base::Status {
    OPENEN_RETURN_IF_ERROR(NeedClient(c));
    openen::v1::SignedEnvelope env;
    if (envelope == nullptr || envelope_len > INT32_MAX || !env.ParseFromArray(envelope, static_cast<int>(envelope_len))) {
      return openen::base::InvalidArgumentError("not a signed configuration");
    }
    return c->client->UpdateConfiguration(env);
  });
}

openen_status openen_daily_summaries(openen_client* c, openen_daily_summary* out, size_t capacity, size_t* count,
                                     char** errptr) {
  return Guard(errptr, [&]() -> openen::base::Status {
    OPENEN_RETURN_IF_ERROR(NeedClient(c));
    if (count == nullptr || (out == nullptr && capacity > 0)) {
      return openen::base::InvalidArgumentError(
          "count must not be NULL, nor out when capacity > 0");
    }
    OPENEN_ASSIGN_OR_RETURN(std::vector<openen::client::DailySummary> days, c->client->DailySummaries());
    *count = days.size();
    for (size_t i = 0; i < days.size() && i < capacity; ++i) {
      out[i] = {days[i].day, days[i].score_sum, days[i].max_score, days[i].weighted_duration_sum_seconds,
                days[i].exposure ? 1 : 0};
    }
    return openen::base::Status::Ok();
  });
}

openen_status openen_storage_summary(openen_client* c, openen_day_counts* out, size_t capacity, size_t* count,
                                     char** errptr) {
  return Guard(errptr, [&]() -> openen::base::Status {
    OPENEN_RETURN_IF_ERROR(NeedClient(c));
    if (count == nullptr || (out == nullptr && capacity > 0)) {
      return openen::base::InvalidArgumentError(
          "count must not be NULL, nor out when capacity > 0");
    }
    OPENEN_ASSIGN_OR_RETURN(openen::client::StorageSummary s, c->client->Summary());
    *count = s.days.size();
    for (size_t i = 0; i < s.days.size() && i < capacity; ++i) {
      const auto& d = s.days[i];
      out[i] = {d.day, d.own_keys, d.identifiers_seen, d.scans, d.exposure_windows};
    }
    return openen::base::Status::Ok();
  });
}

openen_status openen_upload_diagnosis(openen_client* c, const openen_transport* transport,
                                      const char* code, const uint32_t* excluded_days,
                                      size_t excluded_count, openen_upload_report* report,
                                      char** errptr) {
  return Guard(errptr, [&]() -> openen::base::Status {
    OPENEN_RETURN_IF_ERROR(NeedTransport(c, transport));
    if (code == nullptr || (excluded_days == nullptr && excluded_count > 0)) {
      return openen::base::InvalidArgumentError(
          "code must not be NULL, nor excluded_days when counted");
    }
    CallbackTransport callback(*transport);
    std::vector<uint32_t> excluded(excluded_days, excluded_days + excluded_count);
    OPENEN_ASSIGN_OR_RETURN(openen::client::UploadReport r,
                            c->client->UploadDiagnosis(callback, code, excluded));
    if (report) *report = {r.keys_sent, r.keys_accepted};
    return openen::base::Status::Ok();
  });
}

openen_status openen_retry_upload(openen_client* c, const openen_transport* transport,
                                  const openen_cancel* cancel, openen_upload_report* report,
                                  char** errptr) {
  return Guard(errptr, [&]() -> openen::base::Status {
    OPENEN_RETURN_IF_ERROR(NeedTransport(c, transport));
    CallbackTransport callback(*transport);
    OPENEN_ASSIGN_OR_RETURN(
        openen::client::UploadReport r,
        c->client->RetryUpload(callback, cancel ? cancel->impl : openen::base::NeverCancelled()));
    if (report) *report = {r.keys_sent, r.keys_accepted};
    return openen::base::Status::Ok();
  });
}

openen_status openen_upload_pending(openen_client* c, int* pending, char** errptr) {
  return Guard(errptr, [&]() -> openen::base::Status {
    OPENEN_RETURN_IF_ERROR(NeedClient(c));
    OPENEN_ASSIGN_OR_RETURN(bool waiting, c->client->HasPendingUpload());
    if (pending) *pending = waiting ? 1 : 0;
    return openen::base::Status::Ok();
  });
}

openen_status openen_send_chaff(openen_client* c, const openen_transport* transport,
                                char** errptr) {
  return Guard(errptr, [&]() -> openen::base::Status {
    OPENEN_RETURN_IF_ERROR(NeedTransport(c, transport));
    CallbackTransport callback(*transport);
    return c->client->SendChaff(callback);
  });
}

openen_status openen_maybe_send_chaff(openen_client* c, const openen_transport* transport,
                                      double mean_days, int* sent, char** errptr) {
  return Guard(errptr, [&]() -> openen::base::Status {
    OPENEN_RETURN_IF_ERROR(NeedTransport(c, transport));
    if (!(mean_days > 0 && mean_days < 365))
      return openen::base::InvalidArgumentError("mean_days must be in (0, 365)");
    CallbackTransport callback(*transport);
    OPENEN_ASSIGN_OR_RETURN(bool did, c->client->MaybeSendChaff(callback, mean_days));
    if (sent) *sent = did ? 1 : 0;
    return openen::base::Status::Ok();
  });
}

openen_cancel* openen_cancel_create(void) {
  try {
    return new openen_cancel();
  } catch (...) {
    return nullptr;
  }
}
void openen_cancel_free(openen_cancel* cancel) { delete cancel; }
void openen_cancel_set(openen_cancel* cancel) {
  if (cancel) cancel->impl.Cancel();
}
void openen_cancel_reset(openen_cancel* cancel) {
  if (cancel) cancel->impl.Reset();
}
int openen_cancel_is_set(const openen_cancel* cancel) {
  return cancel != nullptr && cancel->impl.cancelled() ? 1 : 0;
}

openen_status openen_response_append(openen_response* response, const uint8_t* data, size_t len) {
  if (response == nullptr || (data == nullptr && len > 0)) return OPENEN_INVALID_ARGUMENT;
  if (len > response->limit - response->body.size()) {
    response->overflowed = true;
    return OPENEN_RESOURCE_EXHAUSTED;
  }
  try {
    response->body.insert(response->body.end(), data, data + len);
  } catch (...) {
    return OPENEN_RESOURCE_EXHAUSTED;
  }
  return OPENEN_OK;
}

void openen_response_set_error(openen_response* response, const char* message) {
  if (response == nullptr || message == nullptr) return;
  try {
    // A message, not a body: 256 bytes are plenty.
    response->error.assign(message, strnlen(message, 256));
  } catch (...) {
  }
}

openen_status openen_pause(openen_client* c, char** errptr) {
  return Guard(errptr, [&]() -> openen::base::Status {
    OPENEN_RETURN_IF_ERROR(NeedClient(c));
    return c->client->Pause();
  });
}

openen_status openen_resume(openen_client* c, char** errptr) {
  return Guard(errptr, [&]() -> openen::base::Status {
    OPENEN_RETURN_IF_ERROR(NeedClient(c));
    return c->client->Resume();
  });
}

int openen_is_paused(const openen_client* c) { return c != nullptr && c->client && c->client->paused() ? 1 : 0; }

openen_status openen_erase_all(openen_client* c, char** errptr) {
  return Guard(errptr, [&]() -> openen::base::Status {
    OPENEN_RETURN_IF_ERROR(NeedClient(c));
    return c->client->EraseAll();
  });
}

openen_status openen_maintain(openen_client* c, openen_maintenance_report* report, char** errptr) {
  return Guard(errptr, [&]() -> openen::base::Status {
    OPENEN_RETURN_IF_ERROR(NeedClient(c));
    OPENEN_ASSIGN_OR_RETURN(openen::client::MaintenanceReport r, c->client->Maintain());
    if (report) *report = {r.decommissioned ? 1 : 0, r.days_purged};
    return openen::base::Status::Ok();
  });
}

}  // extern "C"
