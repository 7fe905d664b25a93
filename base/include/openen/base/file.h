// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Whole files in and out: read with a bound chosen by the caller (no input
// makes memory grow without one), write atomically and durably.

#ifndef OPENEN_BASE_FILE_H_
#define OPENEN_BASE_FILE_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "openen/base/status.h"

namespace openen::base {

// The bound for small files a person writes or keeps: keys, certificates,
// signed configuration and orders.
inline constexpr size_t kMaxSmallFileBytes = size_t{1} << 20;

// ReadFile returns the whole of |path|, refusing one larger than |limit|
// (RESOURCE_EXHAUSTED): a regular file by its size before reading ("<what> is
// N bytes, more than the limit of L"), a pipe once it has given limit + 1
// bytes ("<what> is more than the limit of L bytes"). NOT_FOUND
// "cannot read <what>" when it does not exist, with ": <reason>" when it
// cannot be opened for another reason. |what| names the file in errors;
// empty means |path|.
StatusOr<std::string> ReadFile(const std::string& path, size_t limit, std::string_view what = {});

// WriteFileAtomically writes |contents| to a fresh "<path>.tmp" in the same
// directory (removing any leftover first, so the mode is always this call's),
// syncs it, renames it over |path| and syncs the directory: |path| holds the
// old contents or the new, never a part, and the new survives a crash once
// this returns OK. Mode 0600 when |secret|, else 0644. On an error the
// temporary file is removed.
Status WriteFileAtomically(const std::string& path, std::string_view contents, bool secret);

// FileExists reports whether |path| names anything.
bool FileExists(const std::string& path);

// Trim removes leading and trailing whitespace.
std::string Trim(std::string_view s);

}  // namespace openen::base

#endif  // OPENEN_BASE_FILE_H_
