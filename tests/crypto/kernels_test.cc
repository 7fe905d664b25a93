// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Every derivation kernel this CPU can run (gaen_kernels.h), against the
// official v1.2 vectors and against generic HKDF-SHA256 and OpenSSL's
// AES-128 on random keys, at every run length the kernels treat apart.

#include <openssl/evp.h>
#include <sys/mman.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "gaen_kernels.h"
#include "openen/crypto/gaen.h"
#include "openen/crypto/hash.h"
#include "openen/crypto/random.h"
#include "test_util.h"

namespace openen::crypto::internal {
namespace {

using testing::Hex;

// Fenced is a buffer that ends where an inaccessible page begins: a kernel
// that reads or writes past its end faults, gathers and scatters too (which
// the sanitizers do not check).
class Fenced {
 public:
  explicit Fenced(size_t size) : size_(size) {
    const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    mapped_ = (size + page - 1) / page * page + page;
    base_ = mmap(nullptr, mapped_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    REQUIRE(base_ != MAP_FAILED);
    uint8_t* fence = static_cast<uint8_t*>(base_) + mapped_ - page;
    REQUIRE(mprotect(fence, page, PROT_NONE) == 0);
    data_ = fence - size;
  }
  ~Fenced() { munmap(base_, mapped_); }
  Fenced(const Fenced&) = delete;
  Fenced& operator=(const Fenced&) = delete;

  uint8_t* data() { return data_; }
  std::vector<uint8_t> Copy() const { return std::vector<uint8_t>(data_, data_ + size_); }

 private:
  size_t size_, mapped_ = 0;
  void* base_ = nullptr;
  uint8_t* data_ = nullptr;
};

// Reference: AES-128-ECB of the padded data through OpenSSL's EVP.
std::vector<uint8_t> ReferenceRun(const uint8_t key[16], uint32_t first, size_t n) {
  std::vector<uint8_t> in(16 * n), out(16 * n);
  if (n == 0) return out;
  for (size_t i = 0; i < n; ++i) {
    auto p = PaddedData(first + static_cast<uint32_t>(i));
    std::memcpy(in.data() + 16 * i, p.data(), 16);
  }
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  int len = 0;
  REQUIRE(EVP_EncryptInit_ex(ctx, EVP_aes_128_ecb(), nullptr, key, nullptr) == 1);
  EVP_CIPHER_CTX_set_padding(ctx, 0);
  REQUIRE(EVP_EncryptUpdate(ctx, out.data(), &len, in.data(), static_cast<int>(in.size())) == 1);
  EVP_CIPHER_CTX_free(ctx);
  return out;
}

// Run derives with |k|'s AES functions, or through RpiDeriver when the kernel
// has none (the portable kernel keeps an OpenSSL context).
std::vector<uint8_t> KernelRun(const GaenKernels& k, const uint8_t key[16], uint32_t first,
                               size_t n) {
  Fenced in(16), round_keys(kAesRoundKeysSize), out(16 * n);
  std::memcpy(in.data(), key, 16);
  k.expand_keys(in.data(), 1, round_keys.data());
  k.rpi_run(round_keys.data(), first, n, out.data());
  return out.Copy();
}

std::string Names(const std::vector<const GaenKernels*>& all) {
  std::string s;
  for (const GaenKernels* k : all) s += std::string(s.empty() ? "" : ", ") + k->name;
  return s;
}

TEST_CASE("derivation kernels: this CPU's fastest one is in use and the portable one is there",
          "[gaen][kernels]") {
  const std::vector<const GaenKernels*> all = AvailableKernels();
  INFO("kernels on this CPU: " << Names(all));
  REQUIRE(std::string(all.front()->name) == "portable");
  REQUIRE(all.front()->expand_keys == nullptr);
  const char* forced = std::getenv("OPENEN_CRYPTO_KERNELS");
  const bool portable = forced != nullptr && std::string(forced) == "portable";
  CHECK(std::string(DerivationKernel()) == (portable ? "portable" : all.back()->name));
  for (const GaenKernels* k : all) {
    CHECK((k->expand_keys == nullptr) == (k->rpi_run == nullptr));
  }
#if defined(__x86_64__) || defined(__aarch64__)
  // The machines this project runs on (x86-64 with SHA-NI and AES-NI, ARMv8
  // with the crypto extensions, qemu's default arm64 CPU) all have a fast one:
  // without it the fast paths would go untested.
  if (std::getenv("OPENEN_EXPECT_PORTABLE_ONLY") == nullptr) CHECK(all.size() >= 2);
#endif
}

TEST_CASE("derivation kernels: the official v1.2 RPIK and 144 RPIs", "[gaen][kernels][vectors]") {
  const std::string text = testing::ReadFile(testing::VectorPath("gaen-v1.2-rpi-aem.tsv"));
  auto capture = [&](const std::string& label) {
    const size_t at = text.find(label + " ");
    REQUIRE(at != std::string::npos);
    return text.substr(at + label.size() + 1, 32);
  };
  const base::Bytes tek = Hex(capture("TEK")), rpik = Hex(capture("RPIK"));
  std::vector<std::string> rpis;
  uint32_t first = 0;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream cols(line);
    std::string interval, rpi;
    cols >> interval >> rpi;
    if (rpis.empty()) first = static_cast<uint32_t>(std::stoul(interval));
    rpis.push_back(rpi);
  }
  REQUIRE(rpis.size() == 144);
  for (const GaenKernels* k : AvailableKernels()) {
    INFO("kernel " << k->name);
    uint8_t out[16];
    k->rpiks(tek.data(), 1, out);
    CHECK(base::HexEncode(base::ByteView(out, 16)) == base::HexEncode(rpik));
    if (k->rpi_run == nullptr) continue;
    const std::vector<uint8_t> run = KernelRun(*k, rpik.data(), first, 144);
    for (size_t i = 0; i < 144; ++i) {
      INFO("interval " << first + i);
      CHECK(base::HexEncode(base::ByteView(run.data() + 16 * i, 16)) == rpis[i]);
    }
  }
}

TEST_CASE(
    "derivation kernels: equal HKDF-SHA256 and AES-128 on random keys, every batch and run length",
    "[gaen][kernels]") {
  std::mt19937 rng(11);
  for (const GaenKernels* k : AvailableKernels()) {
    INFO("kernel " << k->name);
    for (size_t n = 0; n <= 41; ++n) {
      Fenced teks(16 * n), out(16 * n);
      RandomBytes(std::span<uint8_t>(teks.data(), 16 * n));
      k->rpiks(teks.data(), n, out.data());
      for (size_t i = 0; i < n; ++i) {
        INFO("n=" << n << " i=" << i);
        auto want =
            HkdfSha256(base::ByteView(teks.data() + 16 * i, 16), {}, base::AsBytes("EN-RPIK"), 16);
        REQUIRE(want.ok());
        CHECK(base::HexEncode(base::ByteView(out.data() + 16 * i, 16)) ==
              base::HexEncode(want->Reveal()));
      }
    }
    if (k->rpi_run == nullptr) continue;
    for (size_t n : {0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  15, 16,  17,  18,  31, 32,
                     33, 47, 48, 49, 50, 63, 64, 65, 95, 96, 97, 143, 144, 145, 146}) {
      for (int trial = 0; trial < 4; ++trial) {
        uint8_t key[16];
        RandomBytes(key);
        // Intervals anywhere, the last trial across the 32-bit wrap.
        const uint32_t first = trial == 3 ? 0xffffffffu - 5 : static_cast<uint32_t>(rng());
        INFO("n=" << n << " first=" << first);
        CHECK(base::HexEncode(KernelRun(*k, key, first, n)) ==
              base::HexEncode(ReferenceRun(key, first, n)));
      }
    }
  }
}

TEST_CASE("derivation kernels: a batch of key schedules equals them one by one",
          "[gaen][kernels]") {
  for (const GaenKernels* k : AvailableKernels()) {
    if (k->expand_keys == nullptr) continue;
    INFO("kernel " << k->name);
    for (size_t n = 0; n <= 19; ++n) {
      Fenced keys(16 * n), batch(kAesRoundKeysSize * n);
      RandomBytes(std::span<uint8_t>(keys.data(), 16 * n));
      k->expand_keys(keys.data(), n, batch.data());
      for (size_t i = 0; i < n; ++i) {
        INFO("n=" << n << " i=" << i);
        uint8_t one[kAesRoundKeysSize];
        k->expand_keys(keys.data() + 16 * i, 1, one);
        CHECK(std::memcmp(one, batch.data() + kAesRoundKeysSize * i, kAesRoundKeysSize) == 0);
        // And the schedule is AES-128's: a run under it is OpenSSL's.
        std::vector<uint8_t> run(16 * 9);
        k->rpi_run(batch.data() + kAesRoundKeysSize * i, 2642976, 9, run.data());
        CHECK(run == ReferenceRun(keys.data() + 16 * i, 2642976, 9));
      }
    }
  }
}

TEST_CASE("RpiBatch equals RpiDeriver key by key, at any run", "[gaen][kernels]") {
  RpiBatch batch;
  for (size_t n : {1, 2, 7, 256}) {
    base::Bytes teks(16 * n);
    RandomBytes(teks);
    batch.SetTeks(teks);
    for (size_t i = 0; i < n; i += 1 + n / 8) {
      RpiDeriver one;
      REQUIRE(one.SetTek(base::ByteView(teks.data() + 16 * i, 16)).ok());
      for (size_t count : {1, 144, 300}) {
        INFO("n=" << n << " key " << i << " count " << count);
        std::vector<Rpi> got(count), want(count);
        batch.ComputeRun(i, 2642976 - 3, got);
        one.ComputeRun(2642976 - 3, want);
        CHECK(got == want);
      }
    }
  }
}

TEST_CASE("DeriveRpiks equals DeriveRpik key by key", "[gaen][kernels]") {
  for (size_t n : {0, 1, 2, 3, 16, 33}) {
    base::Bytes teks(16 * n), rpiks(16 * n);
    RandomBytes(teks);
    DeriveRpiks(teks, rpiks);
    for (size_t i = 0; i < n; ++i) {
      INFO("n=" << n << " i=" << i);
      CHECK(base::HexEncode(base::ByteView(rpiks.data() + 16 * i, 16)) ==
            base::HexEncode(DeriveRpik(base::ByteView(teks.data() + 16 * i, 16))->Reveal()));
    }
  }
}

}  // namespace
}  // namespace openen::crypto::internal
