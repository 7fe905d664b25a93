// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Hostile export zips: members that declare or inflate to far more than the
// file's size. Built with the proto library's internal zip writer, then
// patched (a zip states each member's size twice: in its local header and in
// the central directory).

#ifndef OPENEN_TESTS_ZIP_BOMBS_H_
#define OPENEN_TESTS_ZIP_BOMBS_H_

#include <cstdint>
#include <cstring>

#include "export_zip.h"  // internal: the zip writer
#include "openen/wire/export.h"

namespace openen::testing {

// SetDeclaredSize rewrites the uncompressed size of every member of |zip|.
inline base::Bytes SetDeclaredSize(base::Bytes zip, uint32_t size) {
  auto put32 = [&](size_t at) {
    for (int i = 0; i < 4; ++i) zip[at + i] = static_cast<uint8_t>(size >> (8 * i));
  };
  for (size_t i = 0; i + 4 <= zip.size(); ++i) {
    if (zip[i] != 'P' || zip[i + 1] != 'K') continue;
    if (zip[i + 2] == 3 && zip[i + 3] == 4 && i + 26 <= zip.size()) put32(i + 22);  // local header
    if (zip[i + 2] == 1 && zip[i + 3] == 2 && i + 28 <= zip.size()) put32(i + 24);  // central directory
  }
  return zip;
}

// LyingZip is a small export zip (about 140 bytes) whose export.bin declares
// |declared| bytes.
inline base::Bytes LyingZip(uint32_t declared) {
  base::Bytes bin(wire::kExportBinHeader.begin(), wire::kExportBinHeader.end());
  auto zip = wire::internal::WriteZip({{"export.bin", bin}});
  return SetDeclaredSize(*zip, declared);
}

// DeflateBomb is an export zip whose export.bin is |inflated| zero bytes
// (after a valid header), deflated about 1000:1, its size declared honestly.
inline base::Bytes DeflateBomb(size_t inflated) {
  base::Bytes bin(inflated, 0);
  std::memcpy(bin.data(), wire::kExportBinHeader.data(), wire::kExportBinHeader.size());
  return *wire::internal::WriteZip({{"export.bin", bin}});
}

}  // namespace openen::testing

#endif  // OPENEN_TESTS_ZIP_BOMBS_H_
