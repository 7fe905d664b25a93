// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Internal: the zip container of export files, through libzip.

#ifndef OPENEN_WIRE_SRC_EXPORT_ZIP_H_
#define OPENEN_WIRE_SRC_EXPORT_ZIP_H_

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

// ReadExportZip extracts export.bin (required) and export.sig (optional),
// refusing any other, duplicate or path-like entry, members over the size
// limits, and entries whose data fail their CRC.
base::Status ReadExportZip(base::ByteView zip, base::Bytes* export_bin,
                           std::optional<base::Bytes>* export_sig);

}  // namespace openen::wire::internal

#endif  // OPENEN_WIRE_SRC_EXPORT_ZIP_H_
