// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// libopenen_jni.so: the native methods of org.openen.Native, each over the C API (openen.h) and
// nothing else. The rules it keeps:
// - Every failure becomes an org.openen.OpenEnException thrown into Java (built by
//   OpenEnException.fromNative, which attaches what a callback threw); nothing native crosses
//   the boundary and nothing here aborts.
// - Callbacks into Java (the KeyStore, the TimeSource, a BatchSource, a Transport) go through
//   org.openen.Callbacks, which never throws. Each runs in its own local frame, so a sync that
//   fetches thousands of files does not grow the caller's local references. One that arrives on
//   a thread the JVM did not start attaches it (as a daemon, "openen-native") and detaches it
//   before returning.
// - Global references: the classes below (once, in JNI_OnLoad), a client's KeyStore and
//   TimeSource (released by close), and a call's source or transport and cancel flag (released
//   when the call returns). tests/java counts them around 10,000 clients.
// - Strings cross as real UTF-8 both ways (JNI's "modified UTF-8" differs for NUL and for
//   characters beyond U+FFFF).

#include <jni.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <new>
#include <string>
#include <vector>

#include "openen/openen.h"

namespace {

JavaVM* g_vm = nullptr;
jclass g_callbacks = nullptr;  // org.openen.Callbacks
jclass g_exception = nullptr;  // org.openen.OpenEnException
jmethodID g_wrap = nullptr;
jmethodID g_destroy = nullptr;
jmethodID g_now = nullptr;
jmethodID g_fetch = nullptr;
jmethodID g_call = nullptr;
jmethodID g_from_native = nullptr;

constexpr jint kJniVersion = JNI_VERSION_1_6;  // what Android's VM speaks too

static_assert(sizeof(jlong) >= sizeof(void*), "a handle must fit in a jlong");

template <typename T>
jlong ToHandle(T* p) {
  return static_cast<jlong>(reinterpret_cast<intptr_t>(p));
}
template <typename T>
T* FromHandle(jlong h) {
  return reinterpret_cast<T*>(static_cast<intptr_t>(h));
}

// ---- Strings ---------------------------------------------------------------------------------

std::string ToUtf8(JNIEnv* env, jstring s) {
  std::string out;
  if (s == nullptr) return out;
  const jsize n = env->GetStringLength(s);
  std::vector<jchar> u(static_cast<size_t>(n));
  env->GetStringRegion(s, 0, n, u.data());
  for (size_t i = 0; i < u.size(); ++i) {
    uint32_t c = u[i];
    if (c >= 0xD800 && c <= 0xDBFF && i + 1 < u.size() && u[i + 1] >= 0xDC00 && u[i + 1] <= 0xDFFF) {
      c = 0x10000 + ((c - 0xD800) << 10) + (u[++i] - 0xDC00);
    } else if (c >= 0xD800 && c <= 0xDFFF) {
      c = 0xFFFD;  // a lone surrogate
    }
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else if (c < 0x800) {
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
      out += static_cast<char>(0xE0 | (c >> 12));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (c >> 18));
      out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  return out;
}

// A Java string of UTF-8 |s|; a malformed sequence becomes U+FFFD.
jstring FromUtf8(JNIEnv* env, const char* s) {
  std::vector<jchar> u;
  const auto* p = reinterpret_cast<const unsigned char*>(s);
  const size_t n = std::strlen(s);
  for (size_t i = 0; i < n;) {
    uint32_t c = p[i];
    size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    bool ok = len != 0 && i + len <= n;
    for (size_t k = 1; ok && k < len; ++k) ok = (p[i + k] & 0xC0) == 0x80;
    if (!ok) {
      u.push_back(0xFFFD);
      ++i;
      continue;
    }
    if (len == 2) c = ((c & 0x1F) << 6) | (p[i + 1] & 0x3F);
    if (len == 3) c = ((c & 0x0F) << 12) | ((p[i + 1] & 0x3F) << 6) | (p[i + 2] & 0x3F);
    if (len == 4) {
      c = ((c & 0x07) << 18) | ((p[i + 1] & 0x3F) << 12) | ((p[i + 2] & 0x3F) << 6) | (p[i + 3] & 0x3F);
    }
    const uint32_t min = len == 2 ? 0x80 : len == 3 ? 0x800 : len == 4 ? 0x10000 : 0;
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) c = 0xFFFD;
    if (c >= 0x10000) {
      u.push_back(static_cast<jchar>(0xD800 + ((c - 0x10000) >> 10)));
      u.push_back(static_cast<jchar>(0xDC00 + ((c - 0x10000) & 0x3FF)));
    } else {
      u.push_back(static_cast<jchar>(c));
    }
    i += len;
  }
  return env->NewString(u.data(), static_cast<jsize>(u.size()));
}

// ---- Errors ----------------------------------------------------------------------------------

// Error holds a C call's message.
struct Error {
  char* message = nullptr;
  ~Error() { openen_free(message); }
  char** ptr() { return &message; }
};

void Throw(JNIEnv* env, openen_status status, const char* message) {
  if (env->ExceptionCheck()) return;  // one already on its way (out of memory, say)
  jstring text = FromUtf8(env, message != nullptr ? message : openen_status_name(status));
  if (text == nullptr) return;
  auto e = static_cast<jthrowable>(
      env->CallStaticObjectMethod(g_exception, g_from_native, static_cast<jint>(status), text));
  env->DeleteLocalRef(text);
  if (e != nullptr && !env->ExceptionCheck()) env->Throw(e);
}

// CString sets |out| to |s| in UTF-8 for a C function: false, with INVALID_ARGUMENT thrown, for
// null or a string holding U+0000 (C would read it cut there: "1234\0x" as the code "1234").
// It releases the local reference |s|.
bool CString(JNIEnv* env, jstring s, const char* what, std::string* out) {
  if (s == nullptr) {
    Throw(env, OPENEN_INVALID_ARGUMENT, (std::string(what) + " is null").c_str());
    return false;
  }
  *out = ToUtf8(env, s);
  env->DeleteLocalRef(s);
  if (out->find('\0') != std::string::npos) {
    Throw(env, OPENEN_INVALID_ARGUMENT,
          (std::string(what) + " holds the character U+0000").c_str());
    return false;
  }
  return true;
}

// Ok throws for a failed C call and says whether it succeeded.
bool Ok(JNIEnv* env, openen_status status, const Error& error) {
  if (status == OPENEN_OK) return true;
  Throw(env, status, error.message);
  return false;
}

bool Bytes(JNIEnv* env, jbyteArray a, std::vector<uint8_t>* out) {
  if (a == nullptr) {
    Throw(env, OPENEN_INVALID_ARGUMENT, "a byte array is null");
    return false;
  }
  try {
    out->resize(static_cast<size_t>(env->GetArrayLength(a)));
  } catch (const std::bad_alloc&) {
    Throw(env, OPENEN_RESOURCE_EXHAUSTED, "no memory for a copy of a byte array");
    return false;
  }
  env->GetByteArrayRegion(a, 0, static_cast<jsize>(out->size()), reinterpret_cast<jbyte*>(out->data()));
  return true;
}

jbyteArray NewBytes(JNIEnv* env, const uint8_t* p, size_t n) {
  jbyteArray a = env->NewByteArray(static_cast<jsize>(n));
  if (a != nullptr) env->SetByteArrayRegion(a, 0, static_cast<jsize>(n), reinterpret_cast<const jbyte*>(p));
  return a;
}

// ---- Callbacks into Java ---------------------------------------------------------------------

// CallbackEnv gives a callback its JNIEnv, attaching a thread the JVM did not start for the
// callback's length, and a local frame for its references.
class CallbackEnv {
 public:
  CallbackEnv() {
    if (g_vm->GetEnv(reinterpret_cast<void**>(&env_), kJniVersion) == JNI_EDETACHED) {
      JavaVMAttachArgs args{kJniVersion, const_cast<char*>("openen-native"), nullptr};
#if defined(__ANDROID__)
      const jint rc = g_vm->AttachCurrentThreadAsDaemon(&env_, &args);
#else
      const jint rc = g_vm->AttachCurrentThreadAsDaemon(reinterpret_cast<void**>(&env_), &args);
#endif
      if (rc != JNI_OK) {
        env_ = nullptr;
        return;
      }
      attached_ = true;
    }
    if (env_ != nullptr && env_->PushLocalFrame(16) != 0) {
      env_->ExceptionClear();
      framed_ = false;
      Release();
    }
  }
  ~CallbackEnv() { Release(); }
  CallbackEnv(const CallbackEnv&) = delete;
  CallbackEnv& operator=(const CallbackEnv&) = delete;

  JNIEnv* get() const { return env_; }
  // True (and the exception cleared) when Java left one pending; Callbacks catches everything,
  // so only an error thrown on the way in or out (out of memory) gets here.
  bool Failed() {
    if (!env_->ExceptionCheck()) return false;
    env_->ExceptionClear();
    return true;
  }

 private:
  void Release() {
    if (env_ != nullptr && framed_) env_->PopLocalFrame(nullptr);
    framed_ = false;
    if (attached_) g_vm->DetachCurrentThread();
    attached_ = false;
    env_ = nullptr;
  }

  JNIEnv* env_ = nullptr;
  bool attached_ = false;
  bool framed_ = true;
};

// A client's long-lived state: the C objects and the app's KeyStore and TimeSource.
struct JavaClient {
  openen_client* client = nullptr;
  openen_options* options = nullptr;
  openen_keystore* keystore = nullptr;
  jobject key_store = nullptr;    // global
  jobject time_source = nullptr;  // global, or null for the system clock
};

void Free(JNIEnv* env, JavaClient* jc) {
  openen_client_close(jc->client);
  openen_keystore_free(jc->keystore);
  openen_options_free(jc->options);
  if (jc->key_store != nullptr) env->DeleteGlobalRef(jc->key_store);
  if (jc->time_source != nullptr) env->DeleteGlobalRef(jc->time_source);
  delete jc;
}

int WrapOrUnwrap(void* ctx, const uint8_t* in, size_t in_len, uint8_t* out, size_t out_cap, size_t* out_len,
                 bool unwrap) {
  CallbackEnv scope;
  JNIEnv* env = scope.get();
  if (env == nullptr) return 1;
  auto* jc = static_cast<JavaClient*>(ctx);
  jbyteArray input = NewBytes(env, in, in_len);
  if (input == nullptr) {
    scope.Failed();
    return 1;
  }
  auto result = static_cast<jbyteArray>(
      env->CallStaticObjectMethod(g_callbacks, g_wrap, jc->key_store, input, unwrap ? JNI_TRUE : JNI_FALSE));
  const bool failed = scope.Failed() || result == nullptr;
  // The input may be a data key: it does not stay on the Java heap.
  std::vector<jbyte> zeros(in_len);
  env->SetByteArrayRegion(input, 0, static_cast<jsize>(in_len), zeros.data());
  if (failed) return 1;
  const auto n = static_cast<size_t>(env->GetArrayLength(result));
  const bool fits = n <= out_cap;
  if (fits) env->GetByteArrayRegion(result, 0, static_cast<jsize>(n), reinterpret_cast<jbyte*>(out));
  if (unwrap) {
    zeros.assign(n, 0);
    env->SetByteArrayRegion(result, 0, static_cast<jsize>(n), zeros.data());
  }
  if (!fits) return 1;
  *out_len = n;
  return 0;
}

int Wrap(void* ctx, const uint8_t* in, size_t in_len, uint8_t* out, size_t out_cap, size_t* out_len) {
  return WrapOrUnwrap(ctx, in, in_len, out, out_cap, out_len, false);
}
int Unwrap(void* ctx, const uint8_t* in, size_t in_len, uint8_t* out, size_t out_cap, size_t* out_len) {
  return WrapOrUnwrap(ctx, in, in_len, out, out_cap, out_len, true);
}
int Destroy(void* ctx) {
  CallbackEnv scope;
  JNIEnv* env = scope.get();
  if (env == nullptr) return 1;
  const jboolean ok =
      env->CallStaticBooleanMethod(g_callbacks, g_destroy, static_cast<JavaClient*>(ctx)->key_store);
  return scope.Failed() || !ok ? 1 : 0;
}

int64_t Now(void* ctx) {
  CallbackEnv scope;
  JNIEnv* env = scope.get();
  int64_t now = INT64_MIN;
  if (env != nullptr) {
    now = env->CallStaticLongMethod(g_callbacks, g_now, static_cast<JavaClient*>(ctx)->time_source);
    if (scope.Failed()) now = INT64_MIN;
  }
  return now == INT64_MIN ? static_cast<int64_t>(std::time(nullptr)) : now;
}

// A call's callback and cancel flag, as global references for the call's length (a callback may
// run on another thread, where the caller's local references mean nothing).
class CallObjects {
 public:
  CallObjects(JNIEnv* env, jobject callback, jobject cancel) : env_(env) {
    callback_ = callback != nullptr ? env->NewGlobalRef(callback) : nullptr;
    cancel_ = cancel != nullptr ? env->NewGlobalRef(cancel) : nullptr;
  }
  ~CallObjects() {
    if (callback_ != nullptr) env_->DeleteGlobalRef(callback_);
    if (cancel_ != nullptr) env_->DeleteGlobalRef(cancel_);
  }
  CallObjects(const CallObjects&) = delete;
  CallObjects& operator=(const CallObjects&) = delete;

  jobject callback() const { return callback_; }
  jobject cancel() const { return cancel_; }

 private:
  JNIEnv* env_;
  jobject callback_;
  jobject cancel_;
};

openen_status Fetch(void* ctx, const char* name, size_t max_bytes, openen_response* out, const openen_cancel*) {
  CallbackEnv scope;
  JNIEnv* env = scope.get();
  if (env == nullptr) return OPENEN_INTERNAL;
  auto* call = static_cast<CallObjects*>(ctx);
  jstring jname = FromUtf8(env, name);
  if (jname == nullptr) {
    scope.Failed();
    return OPENEN_RESOURCE_EXHAUSTED;
  }
  const jint status = env->CallStaticIntMethod(g_callbacks, g_fetch, call->callback(), jname, ToHandle(out),
                                               static_cast<jlong>(max_bytes), call->cancel());
  if (scope.Failed()) return OPENEN_INTERNAL;
  return static_cast<openen_status>(status);
}

openen_status Call(void* ctx, const char* method, const uint8_t* request, size_t request_len,
                   openen_response* response) {
  CallbackEnv scope;
  JNIEnv* env = scope.get();
  if (env == nullptr) return OPENEN_INTERNAL;
  auto* call = static_cast<CallObjects*>(ctx);
  jstring jmethod = FromUtf8(env, method);
  jbyteArray jrequest = jmethod != nullptr ? NewBytes(env, request, request_len) : nullptr;
  jintArray status = jrequest != nullptr ? env->NewIntArray(1) : nullptr;
  if (status == nullptr) {
    scope.Failed();
    return OPENEN_RESOURCE_EXHAUSTED;
  }
  auto result = static_cast<jbyteArray>(
      env->CallStaticObjectMethod(g_callbacks, g_call, call->callback(), jmethod, jrequest, status));
  if (scope.Failed()) return OPENEN_INTERNAL;
  if (result == nullptr) {
    jint code = OPENEN_INTERNAL;
    env->GetIntArrayRegion(status, 0, 1, &code);
    return code == OPENEN_OK ? OPENEN_INTERNAL : static_cast<openen_status>(code);
  }
  // Appended piece by piece: the library's limit applies before any copy of a large answer.
  jbyte piece[16 * 1024];
  const jsize length = env->GetArrayLength(result);
  for (jsize done = 0; done < length;) {
    const jsize n = length - done < static_cast<jsize>(sizeof(piece))
                        ? length - done
                        : static_cast<jsize>(sizeof(piece));
    env->GetByteArrayRegion(result, done, n, piece);
    const openen_status s =
        openen_response_append(response, reinterpret_cast<const uint8_t*>(piece), n);
    if (s != OPENEN_OK) return s;
    done += n;
  }
  return OPENEN_OK;
}

// ---- Reading ClientOptions -------------------------------------------------------------------

jobject Field(JNIEnv* env, jclass cls, jobject obj, const char* name, const char* sig) {
  jfieldID id = env->GetFieldID(cls, name, sig);
  return id != nullptr ? env->GetObjectField(obj, id) : nullptr;
}
jint IntField(JNIEnv* env, jclass cls, jobject obj, const char* name) {
  jfieldID id = env->GetFieldID(cls, name, "I");
  return id != nullptr ? env->GetIntField(obj, id) : 0;
}

constexpr jint kUnset = INT32_MIN;  // ClientOptions.UNSET

// Options fills |o| from the Java ClientOptions; false with an exception thrown when it fails.
bool Options(JNIEnv* env, jobject java, openen_options* o) {
  jclass cls = env->GetObjectClass(java);
  std::string dir;
  if (!CString(env, static_cast<jstring>(Field(env, cls, java, "storeDir", "Ljava/lang/String;")),
               "the store directory", &dir)) {
    return false;
  }
  openen_options_set_store_dir(o, dir.c_str());
  if (jint v = IntField(env, cls, java, "retentionDays"); v != kUnset) openen_options_set_retention_days(o, v);
  if (jint v = IntField(env, cls, java, "txPower"); v != kUnset) openen_options_set_tx_power(o, v);
  if (jint v = IntField(env, cls, java, "rssiOffset"); v != kUnset) openen_options_set_rssi_offset(o, v);
  if (jint v = IntField(env, cls, java, "witnessQuorum"); v != kUnset) {
    openen_options_set_witness_quorum(o, v < 0 ? 0 : static_cast<size_t>(v));
  }
  jfieldID serial = env->GetFieldID(cls, "minConfigSerial", "J");
  if (serial == nullptr) return false;
  openen_options_set_min_config_serial(o, static_cast<uint64_t>(env->GetLongField(java, serial)));

  Error error;
  auto names = static_cast<jobjectArray>(Field(env, cls, java, "exportKeyNames", "[Ljava/lang/String;"));
  auto spkis = static_cast<jobjectArray>(Field(env, cls, java, "exportKeySpkis", "[Ljava/lang/String;"));
  if (names == nullptr || spkis == nullptr) return false;
  for (jsize i = 0; i < env->GetArrayLength(names); ++i) {
    std::string name, spki;
    if (!CString(env, static_cast<jstring>(env->GetObjectArrayElement(names, i)),
                 "an export key's name", &name) ||
        !CString(env, static_cast<jstring>(env->GetObjectArrayElement(spkis, i)), "an export key",
                 &spki)) {
      return false;
    }
    if (!Ok(env, openen_options_add_export_key(o, name.c_str(), spki.c_str(), error.ptr()), error)) return false;
  }
  for (const char* role : {"configKeys", "decommissionKeys"}) {
    auto keys = static_cast<jobjectArray>(Field(env, cls, java, role, "[[B"));
    if (keys == nullptr) return false;
    for (jsize i = 0; i < env->GetArrayLength(keys); ++i) {
      std::vector<uint8_t> key;
      auto element = static_cast<jbyteArray>(env->GetObjectArrayElement(keys, i));
      if (!Bytes(env, element, &key)) return false;
      env->DeleteLocalRef(element);
      const openen_status s = std::strcmp(role, "configKeys") == 0
                                  ? openen_options_add_config_key(o, key.data(), key.size(), error.ptr())
                                  : openen_options_add_decommission_key(o, key.data(), key.size(), error.ptr());
      if (!Ok(env, s, error)) return false;
    }
  }
  if (auto log = static_cast<jstring>(Field(env, cls, java, "logKey", "Ljava/lang/String;")); log != nullptr) {
    std::string vkey;
    if (!CString(env, log, "the log key", &vkey) ||
        !Ok(env, openen_options_set_log_key(o, vkey.c_str(), error.ptr()), error)) {
      return false;
    }
  }
  auto witnesses = static_cast<jobjectArray>(Field(env, cls, java, "witnessKeys", "[Ljava/lang/String;"));
  if (witnesses == nullptr) return false;
  for (jsize i = 0; i < env->GetArrayLength(witnesses); ++i) {
    std::string vkey;
    if (!CString(env, static_cast<jstring>(env->GetObjectArrayElement(witnesses, i)),
                 "a witness key", &vkey)) {
      return false;
    }
    if (!Ok(env, openen_options_add_witness_key(o, vkey.c_str(), error.ptr()), error)) return false;
  }
  return !env->ExceptionCheck();
}

openen_client* Client(jlong handle) { return FromHandle<JavaClient>(handle)->client; }

// ReadDays fills |days| through |read| (openen_daily_summaries, openen_storage_summary: the
// capacity/count contract). The store may gain a day between asking and reading: it asks again
// until the days fit.
template <typename Day>
bool ReadDays(JNIEnv* env, openen_client* client,
              openen_status (*read)(openen_client*, Day*, size_t, size_t*, char**), std::vector<Day>* days) {
  days->resize(16);
  size_t count = 0;
  Error error;
  while (true) {
    if (!Ok(env, read(client, days->data(), days->size(), &count, error.ptr()), error)) return false;
    if (count <= days->size()) break;
    days->resize(count + 4);
  }
  days->resize(count);
  return true;
}

jintArray Ints(JNIEnv* env, std::initializer_list<jint> values) {
  jintArray a = env->NewIntArray(static_cast<jsize>(values.size()));
  if (a != nullptr) env->SetIntArrayRegion(a, 0, static_cast<jsize>(values.size()), values.begin());
  return a;
}

void FillSyncReport(JNIEnv* env, const openen_sync_report& r, jlongArray out) {
  const jlong values[4] = {r.batches, static_cast<jlong>(r.keys), static_cast<jlong>(r.matched_identifiers),
                           r.new_exposure_windows};
  env->SetLongArrayRegion(out, 0, 4, values);
}

}  // namespace

// ---- The native methods ----------------------------------------------------------------------

extern "C" {

JNIEXPORT jint JNI_OnLoad(JavaVM* vm, void*) {
  JNIEnv* env = nullptr;
  if (vm->GetEnv(reinterpret_cast<void**>(&env), kJniVersion) != JNI_OK) return JNI_ERR;
  g_vm = vm;
  jclass callbacks = env->FindClass("org/openen/Callbacks");
  if (callbacks == nullptr) return JNI_ERR;
  jclass exception = env->FindClass("org/openen/OpenEnException");
  if (exception == nullptr) return JNI_ERR;
  g_callbacks = static_cast<jclass>(env->NewGlobalRef(callbacks));
  g_exception = static_cast<jclass>(env->NewGlobalRef(exception));
  // Each lookup stops at the first that fails (a shrunk or renamed class: see the jar's keep
  // rules), which leaves its NoSuchMethodError pending for the loader.
  const struct {
    jmethodID* id;
    jclass cls;
    const char* name;
    const char* signature;
  } methods[] = {
      {&g_wrap, g_callbacks, "wrap", "(Lorg/openen/KeyStore;[BZ)[B"},
      {&g_destroy, g_callbacks, "destroy", "(Lorg/openen/KeyStore;)Z"},
      {&g_now, g_callbacks, "now", "(Lorg/openen/TimeSource;)J"},
      {&g_fetch, g_callbacks, "fetch",
       "(Lorg/openen/BatchSource;Ljava/lang/String;JJLorg/openen/Cancellation;)I"},
      {&g_call, g_callbacks, "call", "(Lorg/openen/Transport;Ljava/lang/String;[B[I)[B"},
      {&g_from_native, g_exception, "fromNative",
       "(ILjava/lang/String;)Lorg/openen/OpenEnException;"},
  };
  for (const auto& m : methods) {
    *m.id = env->GetStaticMethodID(m.cls, m.name, m.signature);
    if (*m.id == nullptr) return JNI_ERR;
  }
  return kJniVersion;
}

JNIEXPORT jintArray JNICALL Java_org_openen_Native_observationLayout(JNIEnv* env, jclass) {
  static_assert(offsetof(openen_observation, rpi) == 0 && offsetof(openen_observation, aem) == OPENEN_RPI_SIZE,
                "SightingBatch writes the RPI and AEM first");
  return Ints(env, {static_cast<jint>(sizeof(openen_observation)),
                    static_cast<jint>(offsetof(openen_observation, rssi)),
                    static_cast<jint>(offsetof(openen_observation, unix_time))});
}

JNIEXPORT jlong JNICALL Java_org_openen_Native_cancelCreate(JNIEnv*, jclass) {
  return ToHandle(openen_cancel_create());
}
JNIEXPORT void JNICALL Java_org_openen_Native_cancelFree(JNIEnv*, jclass, jlong h) {
  openen_cancel_free(FromHandle<openen_cancel>(h));
}
JNIEXPORT void JNICALL Java_org_openen_Native_cancelSet(JNIEnv*, jclass, jlong h) {
  openen_cancel_set(FromHandle<openen_cancel>(h));
}
JNIEXPORT void JNICALL Java_org_openen_Native_cancelReset(JNIEnv*, jclass, jlong h) {
  openen_cancel_reset(FromHandle<openen_cancel>(h));
}

JNIEXPORT jint JNICALL Java_org_openen_Native_responseAppend(JNIEnv* env, jclass, jlong h, jbyteArray data,
                                                             jint offset, jint length) {
  // Copied out piece by piece (the append may grow a large buffer: never with the GC held off).
  jbyte piece[16 * 1024];
  for (jint done = 0; done < length;) {
    const jint n = length - done < static_cast<jint>(sizeof(piece))
                       ? length - done
                       : static_cast<jint>(sizeof(piece));
    env->GetByteArrayRegion(data, offset + done, n, piece);
    if (env->ExceptionCheck()) return OPENEN_INVALID_ARGUMENT;
    const openen_status s = openen_response_append(FromHandle<openen_response>(h),
                                                   reinterpret_cast<const uint8_t*>(piece), n);
    if (s != OPENEN_OK) return s;
    done += n;
  }
  return OPENEN_OK;
}

JNIEXPORT jboolean JNICALL Java_org_openen_Native_isDecommissioned(JNIEnv* env, jclass, jstring dir) {
  std::string path;
  if (!CString(env, dir, "the store directory", &path)) return JNI_FALSE;
  return openen_is_decommissioned(path.c_str()) ? JNI_TRUE : JNI_FALSE;
}

JNIEXPORT jlong JNICALL Java_org_openen_Native_open(JNIEnv* env, jclass, jobject options, jobject key_store) {
  if (options == nullptr || key_store == nullptr) {
    Throw(env, OPENEN_INVALID_ARGUMENT, "options and key store are required");
    return 0;
  }
  auto* jc = new JavaClient;
  jc->key_store = env->NewGlobalRef(key_store);
  jc->options = openen_options_create();
  jc->keystore = openen_keystore_create(jc, Wrap, Unwrap, Destroy);
  if (jc->key_store == nullptr || jc->options == nullptr || jc->keystore == nullptr) {
    Free(env, jc);
    Throw(env, OPENEN_RESOURCE_EXHAUSTED, "no memory for a client");
    return 0;
  }
  if (!Options(env, options, jc->options)) {
    Free(env, jc);
    return 0;
  }
  jobject time = Field(env, env->GetObjectClass(options), options, "timeSource", "Lorg/openen/TimeSource;");
  if (time != nullptr) {
    jc->time_source = env->NewGlobalRef(time);
    openen_options_set_clock(jc->options, jc, Now);
  }
  Error error;
  if (!Ok(env, openen_client_open(jc->options, jc->keystore, &jc->client, error.ptr()), error)) {
    Free(env, jc);
    return 0;
  }
  return ToHandle(jc);
}

JNIEXPORT void JNICALL Java_org_openen_Native_close(JNIEnv* env, jclass, jlong h) {
  Free(env, FromHandle<JavaClient>(h));
}

JNIEXPORT jlong JNICALL Java_org_openen_Native_cClient(JNIEnv*, jclass, jlong h) {
  return ToHandle(Client(h));
}

JNIEXPORT jbyteArray JNICALL Java_org_openen_Native_broadcastPayload(JNIEnv* env, jclass, jlong h) {
  uint8_t payload[OPENEN_ADVERTISEMENT_SIZE];
  Error error;
  if (!Ok(env, openen_broadcast_payload(Client(h), payload, sizeof(payload), error.ptr()), error)) return nullptr;
  return NewBytes(env, payload, sizeof(payload));
}

JNIEXPORT void JNICALL Java_org_openen_Native_recordSighting(JNIEnv* env, jclass, jlong h, jbyteArray rpi,
                                                             jbyteArray aem, jint rssi, jlong unix_time) {
  if (rpi == nullptr || aem == nullptr) {
    Throw(env, OPENEN_INVALID_ARGUMENT, "rpi and aem are required");
    return;
  }
  // Only what fits is copied; the C function judges the lengths and names them.
  uint8_t r[OPENEN_RPI_SIZE] = {0}, a[OPENEN_AEM_SIZE] = {0};
  const jsize rpi_len = env->GetArrayLength(rpi), aem_len = env->GetArrayLength(aem);
  env->GetByteArrayRegion(rpi, 0, rpi_len < OPENEN_RPI_SIZE ? rpi_len : OPENEN_RPI_SIZE,
                          reinterpret_cast<jbyte*>(r));
  env->GetByteArrayRegion(aem, 0, aem_len < OPENEN_AEM_SIZE ? aem_len : OPENEN_AEM_SIZE,
                          reinterpret_cast<jbyte*>(a));
  Error error;
  Ok(env,
     openen_record_sighting(Client(h), r, static_cast<size_t>(rpi_len), a,
                            static_cast<size_t>(aem_len), rssi, unix_time, error.ptr()),
     error);
}

JNIEXPORT void JNICALL Java_org_openen_Native_recordSightings(JNIEnv* env, jclass, jlong h, jobject buffer,
                                                              jint count) {
  void* p = env->GetDirectBufferAddress(buffer);
  const jlong capacity = env->GetDirectBufferCapacity(buffer);
  if (p == nullptr || count < 0 ||
      static_cast<uint64_t>(count) * sizeof(openen_observation) > static_cast<uint64_t>(capacity)) {
    Throw(env, OPENEN_INVALID_ARGUMENT, "the sighting batch is not a direct buffer of its size");
    return;
  }
  Error error;
  Ok(env,
     openen_record_sightings(Client(h), static_cast<const openen_observation*>(p), static_cast<size_t>(count),
                             error.ptr()),
     error);
}

JNIEXPORT void JNICALL Java_org_openen_Native_sync(JNIEnv* env, jclass, jlong h, jobject source,
                                                   jobject cancel, jlong flag, jlongArray report) {
  CallObjects call(env, source, cancel);
  openen_fetcher fetcher{&call, Fetch};
  openen_sync_report r{};
  Error error;
  if (Ok(env, openen_sync(Client(h), &fetcher, FromHandle<openen_cancel>(flag), &r, error.ptr()),
         error)) {
    FillSyncReport(env, r, report);
  }
}

JNIEXPORT void JNICALL Java_org_openen_Native_syncDirectory(JNIEnv* env, jclass, jlong h, jstring dir,
                                                            jlongArray report) {
  openen_sync_report r{};
  Error error;
  std::string path;
  if (!CString(env, dir, "the directory", &path)) return;
  if (Ok(env, openen_sync_directory(Client(h), path.c_str(), &r, error.ptr()), error)) {
    FillSyncReport(env, r, report);
  }
}

JNIEXPORT void JNICALL Java_org_openen_Native_updateConfiguration(JNIEnv* env, jclass, jlong h,
                                                                  jbyteArray envelope) {
  std::vector<uint8_t> bytes;
  if (!Bytes(env, envelope, &bytes)) return;
  Error error;
  Ok(env, openen_update_configuration(Client(h), bytes.data(), bytes.size(), error.ptr()), error);
}

JNIEXPORT jdoubleArray JNICALL Java_org_openen_Native_dailySummaries(JNIEnv* env, jclass, jlong h) {
  std::vector<openen_daily_summary> days;
  if (!ReadDays(env, Client(h), openen_daily_summaries, &days)) return nullptr;
  std::vector<jdouble> flat;
  for (const openen_daily_summary& d : days) {
    flat.insert(flat.end(), {static_cast<jdouble>(d.day), d.score_sum, d.max_score, d.weighted_duration_seconds,
                             d.exposure ? 1.0 : 0.0});
  }
  jdoubleArray out = env->NewDoubleArray(static_cast<jsize>(flat.size()));
  if (out != nullptr) env->SetDoubleArrayRegion(out, 0, static_cast<jsize>(flat.size()), flat.data());
  return out;
}

JNIEXPORT jintArray JNICALL Java_org_openen_Native_storageSummary(JNIEnv* env, jclass, jlong h) {
  std::vector<openen_day_counts> days;
  if (!ReadDays(env, Client(h), openen_storage_summary, &days)) return nullptr;
  std::vector<jint> flat;
  for (const openen_day_counts& d : days) {
    flat.insert(flat.end(),
                {static_cast<jint>(d.day), d.own_keys, d.identifiers_seen, d.scans, d.exposure_windows});
  }
  jintArray out = env->NewIntArray(static_cast<jsize>(flat.size()));
  if (out != nullptr) env->SetIntArrayRegion(out, 0, static_cast<jsize>(flat.size()), flat.data());
  return out;
}

JNIEXPORT jintArray JNICALL Java_org_openen_Native_uploadDiagnosis(JNIEnv* env, jclass, jlong h,
                                                                   jobject transport, jstring code,
                                                                   jintArray excluded) {
  std::vector<uint32_t> days;
  if (excluded != nullptr) {
    std::vector<jint> values(static_cast<size_t>(env->GetArrayLength(excluded)));
    env->GetIntArrayRegion(excluded, 0, static_cast<jsize>(values.size()), values.data());
    days.assign(values.begin(), values.end());
  }
  std::string text;
  if (!CString(env, code, "the code", &text)) return nullptr;
  CallObjects call(env, transport, nullptr);
  openen_transport carrier{&call, Call};
  openen_upload_report r{};
  Error error;
  if (!Ok(env,
          openen_upload_diagnosis(Client(h), &carrier, text.c_str(), days.data(), days.size(), &r,
                                  error.ptr()),
          error)) {
    return nullptr;
  }
  return Ints(env, {static_cast<jint>(r.keys_sent), static_cast<jint>(r.keys_accepted)});
}

JNIEXPORT jintArray JNICALL Java_org_openen_Native_retryUpload(JNIEnv* env, jclass, jlong h,
                                                               jobject transport, jlong flag) {
  CallObjects call(env, transport, nullptr);
  openen_transport carrier{&call, Call};
  openen_upload_report r{};
  Error error;
  if (!Ok(env,
          openen_retry_upload(Client(h), &carrier, FromHandle<openen_cancel>(flag), &r,
                              error.ptr()),
          error)) {
    return nullptr;
  }
  return Ints(env, {static_cast<jint>(r.keys_sent), static_cast<jint>(r.keys_accepted)});
}

JNIEXPORT jboolean JNICALL Java_org_openen_Native_uploadPending(JNIEnv* env, jclass, jlong h) {
  int pending = 0;
  Error error;
  Ok(env, openen_upload_pending(Client(h), &pending, error.ptr()), error);
  return pending ? JNI_TRUE : JNI_FALSE;
}

JNIEXPORT void JNICALL Java_org_openen_Native_sendChaff(JNIEnv* env, jclass, jlong h, jobject transport) {
  CallObjects call(env, transport, nullptr);
  openen_transport carrier{&call, Call};
  Error error;
  Ok(env, openen_send_chaff(Client(h), &carrier, error.ptr()), error);
}

JNIEXPORT jboolean JNICALL Java_org_openen_Native_maybeSendChaff(JNIEnv* env, jclass, jlong h, jobject transport,
                                                                 jdouble mean_days) {
  CallObjects call(env, transport, nullptr);
  openen_transport carrier{&call, Call};
  int sent = 0;
  Error error;
  Ok(env, openen_maybe_send_chaff(Client(h), &carrier, mean_days, &sent, error.ptr()), error);
  return sent ? JNI_TRUE : JNI_FALSE;
}

JNIEXPORT void JNICALL Java_org_openen_Native_pause(JNIEnv* env, jclass, jlong h) {
  Error error;
  Ok(env, openen_pause(Client(h), error.ptr()), error);
}
JNIEXPORT void JNICALL Java_org_openen_Native_resume(JNIEnv* env, jclass, jlong h) {
  Error error;
  Ok(env, openen_resume(Client(h), error.ptr()), error);
}
JNIEXPORT jboolean JNICALL Java_org_openen_Native_isPaused(JNIEnv*, jclass, jlong h) {
  return openen_is_paused(Client(h)) ? JNI_TRUE : JNI_FALSE;
}
JNIEXPORT void JNICALL Java_org_openen_Native_eraseAll(JNIEnv* env, jclass, jlong h) {
  Error error;
  Ok(env, openen_erase_all(Client(h), error.ptr()), error);
}

JNIEXPORT jintArray JNICALL Java_org_openen_Native_maintain(JNIEnv* env, jclass, jlong h) {
  openen_maintenance_report r{};
  Error error;
  if (!Ok(env, openen_maintain(Client(h), &r, error.ptr()), error)) return nullptr;
  return Ints(env, {r.decommissioned, r.days_purged});
}

}  // extern "C"
