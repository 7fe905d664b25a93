// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Internal: the zip container of export files, through libzip.

#ifndef OPENEN_WIRE_SRC_EXPORT_ZIP_H_
#define OPENEN_WIRE_SRC_EXPORT_ZIP_H_

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "openen/base/bytes.h"
#include "openen/base/status.h"

namespace openen::wire::internal {

// IsZip reports whether |file| starts with a zip local-file signature.
bool IsZip(base::ByteView file);

// WriteZip returns a zip of |entries| in order, deflated, with DOS time zero
// and no extra fields, so the same entries always give the same bytes.
base::StatusOr<base::Bytes> WriteZip(
    const std::vector<std::pair<std::string, base::ByteView>>& entries);

// ExportZip is an export zip opened for reading: its entries checked
// (export.bin required, export.sig optional, no other, duplicate or
// path-like entry), export.sig read, and export.bin inflated a piece at a
// time, so that a reader never holds it whole. The zip's bytes must outlive
// it.
class ExportZip {
 public:
  // Open checks the entries and the declared size of export.bin (its limit,
  // and its ratio to the compressed size, which a bomb cannot hide) before
  // anything is inflated, and reads export.sig.
  static base::StatusOr<std::unique_ptr<ExportZip>> Open(base::ByteView zip);
  ~ExportZip();

  std::optional<base::Bytes> TakeExportSig() { return std::move(export_sig_); }
  // Read inflates up to |size| more bytes of export.bin into |out| and
  // returns how many; 0 at the end, which is reached only when export.bin
  // inflated to exactly its declared size and passed its CRC.
  base::StatusOr<size_t> Read(uint8_t* out, size_t size);

 private:
  ExportZip() = default;
  struct Handles;
  std::unique_ptr<Handles> handles_;
  uint64_t declared_ = 0;  // export.bin's size from its header
  uint64_t read_ = 0;
  bool done_ = false;
  std::optional<base::Bytes> export_sig_;
};

// ReadExportZip extracts export.bin and export.sig whole (ExportZip, for
// files parsed into memory).
base::Status ReadExportZip(base::ByteView zip, base::Bytes* export_bin,
                           std::optional<base::Bytes>* export_sig);

}  // namespace openen::wire::internal

#endif  // OPENEN_WIRE_SRC_EXPORT_ZIP_H_
