// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// What the fuzz targets share: the fixed keys every role signs with (so that
// the seed corpus, written by tests/fuzz/make_corpus.cc, carries signatures the
// targets accept), a scratch directory removed at exit, and a reader that
// splits one fuzz input into the parts a target feeds to several inputs.
//
// Each target in tests/fuzz/ defines LLVMFuzzerTestOneInput. Built with
// OPENEN_BUILD_FUZZ and clang it is a libFuzzer program; in the test build it
// is linked with tests/fuzz/replay_main.cc, which runs every file of its corpus.

#ifndef OPENEN_FUZZ_FUZZ_UTIL_H_
#define OPENEN_FUZZ_FUZZ_UTIL_H_

#include <stdlib.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

#include "openen/base/bytes.h"
#include "openen/crypto/ecdsa.h"
#include "openen/crypto/ed25519.h"

namespace openen::fuzz {

// The fuzzing clock: 10:00 UTC on 2026-11-18, batch closes on the hour.
inline constexpr int64_t kFuzzNow = 1795000000 / 86400 * 86400 + 10 * 3600;

// FixedEd25519 returns the key of role |role| (one byte of its seed), so
// that the targets and the corpus writer agree without sharing a file.
// Roles: 'A' the verifier's certificate key, 'C' configuration, 'D'
// decommission orders.
inline crypto::Ed25519PrivateKey FixedEd25519(char role) {
  base::Bytes seed(32, static_cast<uint8_t>(role));
  auto key = crypto::Ed25519PrivateKey::FromSeed(seed);
  if (!key.ok()) abort();
  return std::move(*key);
}

// FixedExportKey returns the ECDSA P-256 key that signs exports.
inline crypto::EcdsaP256PrivateKey FixedExportKey() {
  base::Bytes scalar(32, 0x11);
  auto key = crypto::EcdsaP256PrivateKey::FromScalar(scalar);
  if (!key.ok()) abort();
  return std::move(*key);
}

// The name phones look the export key up by ("<id>-<version>").
inline constexpr char kExportKeyName[] = "openen-v1";

// ScratchDir is a fresh directory (in /dev/shm when there is one, so that
// the servers' synced writes cost little), removed with everything in it
// when the process exits normally. Make one static per target.
class ScratchDir {
 public:
  ScratchDir() {
    std::error_code ec;
    std::string base = std::filesystem::is_directory("/dev/shm", ec)
                           ? std::string("/dev/shm")
                           : std::filesystem::temp_directory_path().string();
    std::string tmpl = base + "/openen-fuzz-" + std::string(6, 'X');  // mkdtemp template
    if (mkdtemp(tmpl.data()) == nullptr) {
      perror("mkdtemp");
      abort();
    }
    path_ = tmpl;
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// FuzzInput splits a fuzz input into a selector byte and parts, each a
// LE16 length then that many bytes (cut short at the end of the input), so
// that a mutation of one part leaves the others where they were.
// make_corpus.cc writes inputs with AppendPart.
class FuzzInput {
 public:
  FuzzInput(const uint8_t* data, size_t size) : data_(data), size_(size) {}

  uint8_t Byte() {
    if (at_ >= size_) return 0;
    return data_[at_++];
  }
  std::string_view Part() {
    size_t n = Byte();
    n |= static_cast<size_t>(Byte()) << 8;
    if (n > size_ - at_) n = size_ - at_;
    std::string_view part(reinterpret_cast<const char*>(data_ + at_), n);
    at_ += n;
    return part;
  }
  // Rest returns everything not yet taken.
  std::string_view Rest() {
    std::string_view rest(reinterpret_cast<const char*>(data_ + at_), size_ - at_);
    at_ = size_;
    return rest;
  }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t at_ = 0;
};

// AppendPart appends |part| as FuzzInput::Part reads it back.
inline void AppendPart(std::string* input, std::string_view part) {
  if (part.size() > 0xffff) abort();
  input->push_back(static_cast<char>(part.size() & 0xff));
  input->push_back(static_cast<char>(part.size() >> 8));
  input->append(part);
}

}  // namespace openen::fuzz

#endif  // OPENEN_FUZZ_FUZZ_UTIL_H_
