// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// A driver for Google's production Exposure Notification matcher
// (google/exposure-notifications-internals, exposurenotification/src/main/cpp),
// linked from its sources compiled unchanged by bench/vs-google.sh. None of
// Google's code is part of this repository.
//
// Google's matcher is called through its own JNI entry points (matchingjni.cc)
// with a JNIEnv whose function table implements only the functions its code
// calls, over plain C++ stand-ins for Java arrays and strings: there is no JVM,
// so the process's memory is the matcher's own (plus the stand-in input
// arrays, which are freed once the index is built, as Java's GC would).
//
// Usage:
//   google_match_harness memory RPIS_BIN EXPORT_BIN...
//     Keys held in memory: loads every key of the export.bin files (with
//     Google's KeyFileIterator, untimed) into a byte[][] and an int[], then
//     times matchingLegacyNative (MatchingHelper::MatchingLegacy).
//   google_match_harness files RPIS_BIN EXPORT_BIN...
//     Keys from files: times matchingNative (MatchingHelper::Matching) over the
//     export.bin files (already unzipped; no signature check).
//   google_match_harness generate DIR [--keys N] [--rpis N] [--files N]
//     Writes a workload of bench_match's shape (DIR/bins/export-NN.bin and
//     DIR/rpis.bin, 100 true matches) for when bench_match cannot keep its own.
// RPIS_BIN holds the observed RPIs, 16 raw bytes each.
// Prints JSON lines: google_index, google_match_memory, google_match_files.

#include <jni.h>
#include <malloc.h>
#include <openssl/aead.h>
#include <openssl/aes.h>
#include <openssl/digest.h>
#include <openssl/hkdf.h>
#include <openssl/rand.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

#include "bench_util.h"
#include "key_file_parser.h"  // Google's

extern "C" {
// Google's JNI entry points (matchingjni.cc).
jlong Java_com_google_samples_exposurenotification_matching_MatchingJni_initNative(
    JNIEnv* env, jclass clazz, jobjectArray scan_id_records);
jobjectArray Java_com_google_samples_exposurenotification_matching_MatchingJni_matchingNative(
    JNIEnv* env, jclass clazz, jlong native_ptr, jobjectArray key_files);
jintArray Java_com_google_samples_exposurenotification_matching_MatchingJni_matchingLegacyNative(
    JNIEnv* env, jclass clazz, jlong native_ptr, jobjectArray diagnosis_keys,
    jintArray interval_numbers, jint key_count);
jint Java_com_google_samples_exposurenotification_matching_MatchingJni_lastProcessedKeyCountNative(
    JNIEnv* env, jclass clazz, jlong native_ptr);
void Java_com_google_samples_exposurenotification_matching_MatchingJni_releaseNative(
    JNIEnv* env, jclass clazz, jlong native_ptr);
}

namespace {

using openen::bench::JsonLine;
using openen::bench::NowSeconds;
using openen::bench::PeakRssBytes;

// ---- Stand-ins for Java objects ----

enum class Kind { kByteArray, kIntArray, kObjectArray, kString, kClass };

struct Obj {
  explicit Obj(Kind k) : kind(k) {}
  virtual ~Obj() = default;
  Kind kind;
};
struct ByteArray : Obj {
  // `data` points into `owned` or into a buffer the harness keeps alive.
  ByteArray(jbyte* d, jsize n) : Obj(Kind::kByteArray), data(d), len(n) {}
  explicit ByteArray(jsize n)
      : Obj(Kind::kByteArray), owned(new jbyte[static_cast<size_t>(n)]()), data(owned.get()), len(n) {}
  std::unique_ptr<jbyte[]> owned;
  jbyte* data;
  jsize len;
};
struct IntArray : Obj {
  explicit IntArray(jsize n) : Obj(Kind::kIntArray), v(static_cast<size_t>(n)) {}
  std::vector<jint> v;
};
struct ObjectArray : Obj {
  explicit ObjectArray(jsize n) : Obj(Kind::kObjectArray), v(static_cast<size_t>(n), nullptr) {}
  std::vector<Obj*> v;
};
struct String : Obj {
  explicit String(std::string s) : Obj(Kind::kString), utf(std::move(s)) {}
  std::string utf;
};
struct Class : Obj {
  Class() : Obj(Kind::kClass) {}
};

// Objects the native code creates (its results): freed by FreeNativeLocals.
std::vector<std::unique_ptr<Obj>> g_native_objects;
Class g_byte_array_class;

[[noreturn]] void Die(const char* what) {
  std::fprintf(stderr, "google_match_harness: %s\n", what);
  std::abort();
}

template <typename T>
T* As(void* o, Kind k) {
  auto* obj = static_cast<Obj*>(o);
  if (obj == nullptr || obj->kind != k) Die("JNI call on an object of the wrong kind");
  return static_cast<T*>(obj);
}
template <typename T>
jobject Ref(T* o) {
  return reinterpret_cast<jobject>(static_cast<Obj*>(o));
}
template <typename T>
T* Own(std::unique_ptr<T> o) {
  T* p = o.get();
  g_native_objects.push_back(std::move(o));
  return p;
}
void FreeNativeLocals() { g_native_objects.clear(); }

// ---- The JNI functions Google's matcher calls ----

void NotProvided() { Die("Google's code called a JNI function this harness does not implement"); }

jsize GetArrayLength(JNIEnv*, jarray a) {
  auto* o = static_cast<Obj*>(static_cast<void*>(a));
  if (o == nullptr) Die("GetArrayLength(null)");
  switch (o->kind) {
    case Kind::kByteArray: return static_cast<ByteArray*>(o)->len;
    case Kind::kIntArray: return static_cast<jsize>(static_cast<IntArray*>(o)->v.size());
    case Kind::kObjectArray: return static_cast<jsize>(static_cast<ObjectArray*>(o)->v.size());
    default: Die("GetArrayLength on a non-array");
  }
}
jobject GetObjectArrayElement(JNIEnv*, jobjectArray a, jsize i) {
  auto* arr = As<ObjectArray>(a, Kind::kObjectArray);
  if (i < 0 || static_cast<size_t>(i) >= arr->v.size()) Die("GetObjectArrayElement out of bounds");
  return reinterpret_cast<jobject>(arr->v[static_cast<size_t>(i)]);
}
void SetObjectArrayElement(JNIEnv*, jobjectArray a, jsize i, jobject v) {
  auto* arr = As<ObjectArray>(a, Kind::kObjectArray);
  if (i < 0 || static_cast<size_t>(i) >= arr->v.size()) Die("SetObjectArrayElement out of bounds");
  arr->v[static_cast<size_t>(i)] = static_cast<Obj*>(static_cast<void*>(v));
}
jclass FindClass(JNIEnv*, const char* name) {
  if (std::strcmp(name, "[B") != 0) Die("FindClass of a class other than [B");
  return reinterpret_cast<jclass>(Ref(&g_byte_array_class));
}
jobjectArray NewObjectArray(JNIEnv*, jsize n, jclass, jobject init) {
  auto* a = Own(std::make_unique<ObjectArray>(n));
  for (auto& e : a->v) e = static_cast<Obj*>(static_cast<void*>(init));
  return reinterpret_cast<jobjectArray>(Ref(a));
}
jbyteArray NewByteArray(JNIEnv*, jsize n) {
  return reinterpret_cast<jbyteArray>(Ref(Own(std::make_unique<ByteArray>(n))));
}
jintArray NewIntArray(JNIEnv*, jsize n) {
  return reinterpret_cast<jintArray>(Ref(Own(std::make_unique<IntArray>(n))));
}
void GetByteArrayRegion(JNIEnv*, jbyteArray a, jsize start, jsize n, jbyte* buf) {
  auto* arr = As<ByteArray>(a, Kind::kByteArray);
  if (start < 0 || n < 0 || start + n > arr->len) Die("GetByteArrayRegion out of bounds");
  std::memcpy(buf, arr->data + start, static_cast<size_t>(n));
}
void SetByteArrayRegion(JNIEnv*, jbyteArray a, jsize start, jsize n, const jbyte* buf) {
  auto* arr = As<ByteArray>(a, Kind::kByteArray);
  if (start < 0 || n < 0 || start + n > arr->len) Die("SetByteArrayRegion out of bounds");
  std::memcpy(arr->data + start, buf, static_cast<size_t>(n));
}
jbyte* GetByteArrayElements(JNIEnv*, jbyteArray a, jboolean* is_copy) {
  if (is_copy != nullptr) *is_copy = JNI_FALSE;
  return As<ByteArray>(a, Kind::kByteArray)->data;
}
void ReleaseByteArrayElements(JNIEnv*, jbyteArray, jbyte*, jint) {}
jint* GetIntArrayElements(JNIEnv*, jintArray a, jboolean* is_copy) {
  if (is_copy != nullptr) *is_copy = JNI_FALSE;
  return As<IntArray>(a, Kind::kIntArray)->v.data();
}
void ReleaseIntArrayElements(JNIEnv*, jintArray, jint*, jint) {}
void SetIntArrayRegion(JNIEnv*, jintArray a, jsize start, jsize n, const jint* buf) {
  auto* arr = As<IntArray>(a, Kind::kIntArray);
  if (start < 0 || n < 0 || static_cast<size_t>(start + n) > arr->v.size()) Die("SetIntArrayRegion out of bounds");
  std::memcpy(arr->v.data() + start, buf, sizeof(jint) * static_cast<size_t>(n));
}
void DeleteLocalRef(JNIEnv*, jobject) {}  // results live until FreeNativeLocals
const char* GetStringUTFChars(JNIEnv*, jstring s, jboolean* is_copy) {
  if (is_copy != nullptr) *is_copy = JNI_FALSE;
  return As<String>(s, Kind::kString)->utf.c_str();
}
void ReleaseStringUTFChars(JNIEnv*, jstring, const char*) {}

// The table type of whichever jni.h is in use (OpenJDK's or Android's).
using FunctionTable =
    std::remove_const_t<std::remove_pointer_t<decltype(std::declval<JNIEnv>().functions)>>;

FunctionTable MakeTable() {
  FunctionTable t;
  static_assert(sizeof(t) % sizeof(void*) == 0);
  void** slots = reinterpret_cast<void**>(&t);
  for (size_t i = 0; i < sizeof(t) / sizeof(void*); ++i)
    slots[i] = reinterpret_cast<void*>(&NotProvided);
  t.GetArrayLength = &GetArrayLength;
  t.GetObjectArrayElement = &GetObjectArrayElement;
  t.SetObjectArrayElement = &SetObjectArrayElement;
  t.FindClass = &FindClass;
  t.NewObjectArray = &NewObjectArray;
  t.NewByteArray = &NewByteArray;
  t.NewIntArray = &NewIntArray;
  t.GetByteArrayRegion = &GetByteArrayRegion;
  t.SetByteArrayRegion = &SetByteArrayRegion;
  t.GetByteArrayElements = &GetByteArrayElements;
  t.ReleaseByteArrayElements = &ReleaseByteArrayElements;
  t.GetIntArrayElements = &GetIntArrayElements;
  t.ReleaseIntArrayElements = &ReleaseIntArrayElements;
  t.SetIntArrayRegion = &SetIntArrayRegion;
  t.DeleteLocalRef = &DeleteLocalRef;
  t.GetStringUTFChars = &GetStringUTFChars;
  t.ReleaseStringUTFChars = &ReleaseStringUTFChars;
  return t;
}

const FunctionTable g_table = MakeTable();

// ---- Measurements ----

long long CurrentRssBytes() {
  long long pages_total = 0, pages_resident = 0;
  if (FILE* f = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(f, "%lld %lld", &pages_total, &pages_resident) != 2) pages_resident = 0;
    std::fclose(f);
  }
  return pages_resident * sysconf(_SC_PAGESIZE);
}

// Bytes the process has allocated from malloc (small chunks and mmapped ones).
long long HeapInUseBytes() {
  struct mallinfo2 m = mallinfo2();
  return static_cast<long long>(m.uordblks + m.hblkhd);
}

std::vector<uint8_t> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "cannot read %s\n", path.c_str());
    std::exit(2);
  }
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

// The observed RPIs as Java would hand them over: a byte[][] of 16-byte arrays.
struct JavaRpis {
  std::vector<uint8_t> bytes;
  std::vector<ByteArray> arrays;
  std::unique_ptr<ObjectArray> outer;
};

std::unique_ptr<JavaRpis> LoadRpis(const std::string& path) {
  auto r = std::make_unique<JavaRpis>();
  r->bytes = ReadFile(path);
  if (r->bytes.empty() || r->bytes.size() % 16 != 0) {
    std::fprintf(stderr, "%s: not a whole number of 16-byte RPIs\n", path.c_str());
    std::exit(2);
  }
  const size_t n = r->bytes.size() / 16;
  r->arrays.reserve(n);
  r->outer = std::make_unique<ObjectArray>(static_cast<jsize>(n));
  for (size_t i = 0; i < n; ++i) {
    r->arrays.emplace_back(reinterpret_cast<jbyte*>(r->bytes.data() + 16 * i), 16);
    r->outer->v[i] = &r->arrays.back();
  }
  return r;
}

struct Index {
  jlong helper = 0;
  size_t rpis = 0;
  double build_seconds = 0;
  long long rss_before = 0, rss_after = 0, heap_bytes = 0;
};

// Builds Google's index (MatchingHelper and its PrefixIdMap) over the RPIs,
// then frees the Java-side arrays.
Index BuildIndex(JNIEnv* env, const std::string& rpis_path) {
  Index ix;
  auto rpis = LoadRpis(rpis_path);
  ix.rpis = rpis->arrays.size();
  ix.rss_before = CurrentRssBytes();
  const long long heap_before = HeapInUseBytes();
  const double t0 = NowSeconds();
  ix.helper = Java_com_google_samples_exposurenotification_matching_MatchingJni_initNative(
      env, nullptr, reinterpret_cast<jobjectArray>(Ref(rpis->outer.get())));
  ix.build_seconds = NowSeconds() - t0;
  ix.heap_bytes = HeapInUseBytes() - heap_before;
  ix.rss_after = CurrentRssBytes();
  if (ix.helper == 0) Die("initNative failed");
  rpis.reset();
  JsonLine("google_index")
      .Add("observed_rpis", static_cast<long long>(ix.rpis))
      .Add("aes_hardware", static_cast<long long>(EVP_has_aes_hardware()))
      .Add("build_seconds", ix.build_seconds)
      .Add("index_heap_bytes", ix.heap_bytes)
      .Add("index_rss_growth_bytes", ix.rss_after - ix.rss_before)
      .Add("rss_before_index_bytes", ix.rss_before)
      .Add("rss_after_index_bytes", ix.rss_after)
      .Add("rss_after_input_freed_bytes", CurrentRssBytes())
      .Print();
  return ix;
}

int MatchMemory(JNIEnv* env, const std::string& rpis_path, const std::vector<std::string>& bins) {
  Index ix = BuildIndex(env, rpis_path);
  // The keys, parsed by Google's own reader (not timed), as a byte[][] and an int[].
  std::vector<uint8_t> key_bytes;
  std::vector<jint> starts;
  for (const auto& bin : bins) {
    auto it = exposure::CreateKeyFileIterator(bin);
    if (!it) Die("cannot read an export file");
    while (it->HasNext()) {
      auto key = it->Next();
      if (!key) continue;
      if (key->key_data.size != 16) Die("a key that is not 16 bytes");
      key_bytes.insert(key_bytes.end(), key->key_data.bytes, key->key_data.bytes + 16);
      starts.push_back(key->rolling_start_interval_number);
    }
  }
  const size_t n = starts.size();
  std::vector<ByteArray> arrays;
  arrays.reserve(n);
  ObjectArray keys(static_cast<jsize>(n));
  IntArray rsn(static_cast<jsize>(n));
  for (size_t i = 0; i < n; ++i) {
    arrays.emplace_back(reinterpret_cast<jbyte*>(key_bytes.data() + 16 * i), 16);
    keys.v[i] = &arrays.back();
    rsn.v[i] = starts[i];
  }
  const double t0 = NowSeconds();
  jintArray result =
      Java_com_google_samples_exposurenotification_matching_MatchingJni_matchingLegacyNative(
          env, nullptr, ix.helper, reinterpret_cast<jobjectArray>(Ref(&keys)),
          reinterpret_cast<jintArray>(Ref(&rsn)), static_cast<jint>(n));
  const double t = NowSeconds() - t0;
  const long long matches =
      result == nullptr ? 0 : static_cast<long long>(As<IntArray>(result, Kind::kIntArray)->v.size());
  JsonLine("google_match_memory")
      .Add("keys", static_cast<long long>(n))
      .Add("observed_rpis", static_cast<long long>(ix.rpis))
      .Add("seconds", t)
      .Add("keys_per_second", static_cast<double>(n) / t)
      .Add("matches", matches)
      .Add("index_heap_bytes", ix.heap_bytes)
      .Add("peak_rss_bytes", PeakRssBytes())
      .Print();
  FreeNativeLocals();
  Java_com_google_samples_exposurenotification_matching_MatchingJni_releaseNative(env, nullptr, ix.helper);
  return 0;
}

int MatchFiles(JNIEnv* env, const std::string& rpis_path, const std::vector<std::string>& bins) {
  openen::bench::RssSampler sampler;  // anonymous and file-backed peaks, index and matching
  Index ix = BuildIndex(env, rpis_path);
  std::vector<String> names;
  names.reserve(bins.size());
  ObjectArray files(static_cast<jsize>(bins.size()));
  for (size_t i = 0; i < bins.size(); ++i) {
    names.emplace_back(bins[i]);
    files.v[i] = &names.back();
  }
  const long long rss_before_match = CurrentRssBytes();
  const double t0 = NowSeconds();
  jobjectArray result =
      Java_com_google_samples_exposurenotification_matching_MatchingJni_matchingNative(
          env, nullptr, ix.helper, reinterpret_cast<jobjectArray>(Ref(&files)));
  const double t = NowSeconds() - t0;
  const long long keys =
      Java_com_google_samples_exposurenotification_matching_MatchingJni_lastProcessedKeyCountNative(
          env, nullptr, ix.helper);
  const long long matches =
      result == nullptr ? 0 : static_cast<long long>(As<ObjectArray>(result, Kind::kObjectArray)->v.size());
  JsonLine("google_match_files")
      .Add("keys", keys)
      .Add("files", static_cast<long long>(bins.size()))
      .Add("observed_rpis", static_cast<long long>(ix.rpis))
      .Add("seconds", t)
      .Add("keys_per_second", static_cast<double>(keys) / t)
      .Add("matches", matches)
      .Add("index_heap_bytes", ix.heap_bytes)
      .Add("rss_after_index_bytes", ix.rss_after)
      .Add("rss_before_match_bytes", rss_before_match)
      .Add("peak_rss_bytes", PeakRssBytes())
      .Add("peak_anon_rss_bytes", sampler.Peak().anon)
      .Add("peak_file_rss_bytes", sampler.Peak().file)
      .Print();
  FreeNativeLocals();
  Java_com_google_samples_exposurenotification_matching_MatchingJni_releaseNative(env, nullptr, ix.helper);
  return 0;
}

// ---- A workload of bench_match's shape (fallback) ----

void Varint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}
void Fixed64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
}

struct Key {
  uint8_t tek[16];
  uint32_t rsn;
};

std::string EncodeKey(const Key& k) {
  std::string m;
  m.push_back(0x0a);  // key_data
  m.push_back(16);
  m.append(reinterpret_cast<const char*>(k.tek), 16);
  m.push_back(0x10);  // transmission_risk_level
  Varint(m, 4);
  m.push_back(0x18);  // rolling_start_interval_number
  Varint(m, k.rsn);
  m.push_back(0x20);  // rolling_period
  Varint(m, 144);
  m.push_back(0x28);  // report_type CONFIRMED_TEST
  Varint(m, 1);
  return m;
}

void Rpi(const Key& k, uint32_t interval, uint8_t out[16]) {
  uint8_t rpik[16];
  static const char kInfo[] = "EN-RPIK";
  if (HKDF(rpik, 16, EVP_sha256(), k.tek, 16, nullptr, 0, reinterpret_cast<const uint8_t*>(kInfo), 7) != 1)
    Die("HKDF");
  AES_KEY aes;
  AES_set_encrypt_key(rpik, 128, &aes);
  uint8_t padded[16] = {'E', 'N', '-', 'R', 'P', 'I'};
  std::memcpy(padded + 12, &interval, 4);  // little-endian, as x86-64
  AES_encrypt(padded, out, &aes);
}

int Generate(const std::string& dir, size_t total_keys, size_t rpis, size_t files) {
  std::filesystem::create_directories(dir + "/bins");
  std::mt19937 rng(7);
  const int64_t now = 1795000000LL / 86400 * 86400 + 12 * 3600;
  const uint32_t now_interval = static_cast<uint32_t>(now / 600);
  const uint32_t first_day = now_interval / 144 - 13;
  std::vector<Key> keys(total_keys);
  for (auto& k : keys) {
    RAND_bytes(k.tek, sizeof(k.tek));
    k.rsn = (first_day + rng() % 14) * 144;
  }
  std::string rpi_bytes;
  for (size_t r = 0; r < rpis; ++r) {
    uint8_t rpi[16];
    if (r < 100 && r < total_keys) {
      Rpi(keys[r], keys[r].rsn + 60, rpi);
    } else {
      RAND_bytes(rpi, sizeof(rpi));
    }
    rpi_bytes.append(reinterpret_cast<const char*>(rpi), 16);
  }
  std::ofstream(dir + "/rpis.bin", std::ios::binary) << rpi_bytes;
  const size_t per_file = (total_keys + files - 1) / files;
  for (size_t f = 0; f < files; ++f) {
    std::string body;
    const uint64_t end = static_cast<uint64_t>(now) - 3600 * (files - f);
    body.push_back(0x09);  // start_timestamp
    Fixed64(body, end - 3600);
    body.push_back(0x11);  // end_timestamp
    Fixed64(body, end);
    body += std::string("\x1a\x02ZZ", 4);  // region
    body.push_back(0x20);                  // batch_num
    Varint(body, 1);
    body.push_back(0x28);  // batch_size
    Varint(body, 1);
    for (size_t i = f * per_file; i < std::min(total_keys, (f + 1) * per_file); ++i) {
      std::string m = EncodeKey(keys[i]);
      body.push_back(0x3a);  // keys
      Varint(body, m.size());
      body += m;
    }
    char name[64];
    std::snprintf(name, sizeof(name), "%s/bins/export-%02zu.bin", dir.c_str(), f);
    std::ofstream(name, std::ios::binary) << exposure::kFileHeader << body;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "generate" && argc >= 3) {
    size_t keys = 1'000'000, rpis = 50'000, files = 10;
    for (int i = 3; i + 1 < argc; i += 2) {
      const std::string flag = argv[i];
      const size_t v = static_cast<size_t>(std::atoll(argv[i + 1]));
      if (flag == "--keys") keys = v;
      if (flag == "--rpis") rpis = v;
      if (flag == "--files") files = v;
    }
    return Generate(argv[2], keys, rpis, files);
  }
  if ((mode == "memory" || mode == "files") && argc >= 4) {
    JNIEnv env;
    env.functions = &g_table;
    std::vector<std::string> bins(argv + 3, argv + argc);
    return mode == "memory" ? MatchMemory(&env, argv[2], bins) : MatchFiles(&env, argv[2], bins);
  }
  std::fprintf(stderr,
               "usage: %s memory|files RPIS_BIN EXPORT_BIN...\n"
               "       %s generate DIR [--keys N] [--rpis N] [--files N]\n",
               argv[0], argv[0]);
  return 2;
}
