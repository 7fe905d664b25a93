// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "export_zip.h"

#include <zip.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <set>

#include "openen/wire/export.h"

namespace openen::wire::internal {
namespace {

struct ArchiveCloser {
  void operator()(zip_t* z) const { zip_discard(z); }
};
using ArchivePtr = std::unique_ptr<zip_t, ArchiveCloser>;
struct FileCloser {
  void operator()(zip_file_t* f) const { zip_fclose(f); }
};

std::string ZipError(zip_error_t* e) {
  std::string s = zip_error_strerror(e);
  zip_error_fini(e);
  return s;
}

// CheckDeclared checks a member's declared size, before anything is
// inflated or allocated: against |limit|, and against its compressed size
// (kMaxExportCompressionRatio), which a bomb cannot hide: the inflated bytes
// read never exceed the declared size by more than one.
base::StatusOr<zip_stat_t> CheckDeclared(zip_t* za, zip_uint64_t index, const std::string& name,
                                         size_t limit) {
  zip_stat_t st;
  zip_stat_init(&st);
  if (zip_stat_index(za, index, 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE) ||
      !(st.valid & ZIP_STAT_COMP_SIZE)) {
    return base::InvalidArgumentError("cannot read zip entry " + name);
  }
  if (st.size > limit) {
    return base::ResourceExhaustedError(name + " declares " + std::to_string(st.size) +
                                        " bytes, more than the limit of " + std::to_string(limit));
  }
  const uint64_t ratio_limit =
      std::max<uint64_t>(kMinRatioCheckedSize, st.comp_size * uint64_t{kMaxExportCompressionRatio});
  if (st.size > ratio_limit) {
    return base::ResourceExhaustedError(
        name + " declares " + std::to_string(st.size) + " bytes from " +
        std::to_string(st.comp_size) + " compressed, more than " +
        std::to_string(kMaxExportCompressionRatio) + " times as many");
  }
  return st;
}

// ReadSome reads up to |size| bytes of an open member whose declared size is
// |declared|, |*read| of them read so far: one byte past the declared size is
// asked for, so that a member inflating to more than it declares is refused,
// and reaching the end makes libzip check the CRC.
base::StatusOr<size_t> ReadSome(zip_file_t* f, const std::string& name, uint64_t declared,
                                uint64_t* read, uint8_t* out, size_t size) {
  const uint64_t left = declared + 1 - *read;
  zip_int64_t n = zip_fread(f, out, std::min<uint64_t>(size, left));
  if (n < 0)
    return base::InvalidArgumentError("zip entry " + name + " is corrupt: " + zip_file_strerror(f));
  *read += static_cast<uint64_t>(n);
  if (*read > declared || (n == 0 && *read != declared)) {
    return base::InvalidArgumentError(
        "zip entry " + name + " inflates to " +
        (*read > declared ? "more than " + std::to_string(declared) : std::to_string(*read)) +
        " bytes, its header says " + std::to_string(declared));
  }
  return static_cast<size_t>(n);
}

}  // namespace

bool IsZip(base::ByteView file) {
  return file.size() >= 4 && file[0] == 'P' && file[1] == 'K' && file[2] == 3 && file[3] == 4;
}

base::StatusOr<base::Bytes> WriteZip(
    const std::vector<std::pair<std::string, base::ByteView>>& entries) {
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* buffer = zip_source_buffer_create(nullptr, 0, 0, &error);
  if (buffer == nullptr) return base::InternalError("zip: " + ZipError(&error));
  zip_t* za = zip_open_from_source(buffer, ZIP_TRUNCATE, &error);
  if (za == nullptr) {
    zip_source_free(buffer);
    return base::InternalError("zip: " + ZipError(&error));
  }
  zip_source_keep(buffer);  // keep the bytes after zip_close
  std::unique_ptr<zip_source_t, decltype(&zip_source_free)> keep(buffer, zip_source_free);
  ArchivePtr archive(za);
  for (const auto& [name, data] : entries) {
    zip_source_t* src = zip_source_buffer(za, data.data(), data.size(), 0);
    zip_int64_t idx = src ? zip_file_add(za, name.c_str(), src, ZIP_FL_ENC_UTF_8) : -1;
    if (idx < 0) {
      if (src) zip_source_free(src);
      return base::InternalError("zip: cannot add " + name + ": " + zip_strerror(za));
    }
    // Level 6: on export files (mostly random key bytes) it compresses as
    // well as level 9 (51.2% of the size) in a quarter of the time.
    if (zip_set_file_compression(za, idx, ZIP_CM_DEFLATE, 6) != 0 ||
        zip_file_set_dostime(za, idx, 0, 0, 0) != 0 ||
        zip_file_set_external_attributes(za, idx, 0, ZIP_OPSYS_DOS, 0) != 0) {
      return base::InternalError("zip: cannot set attributes of " + name + ": " + zip_strerror(za));
    }
  }
  if (zip_close(archive.get()) != 0)
    return base::InternalError(std::string("zip: ") + zip_strerror(za));
  archive.release();  // zip_close freed it

  zip_stat_t st;
  if (zip_source_stat(buffer, &st) != 0 || zip_source_open(buffer) != 0) {
    return base::InternalError("zip: cannot read the archive back");
  }
  base::Bytes out(static_cast<size_t>(st.size));
  zip_int64_t n = zip_source_read(buffer, out.data(), out.size());
  zip_source_close(buffer);
  if (n != static_cast<zip_int64_t>(out.size())) return base::InternalError("zip: short read");
  return out;
}

struct ExportZip::Handles {
  ArchivePtr archive;
  std::unique_ptr<zip_file_t, FileCloser> bin;
};

ExportZip::~ExportZip() = default;

base::StatusOr<std::unique_ptr<ExportZip>> ExportZip::Open(base::ByteView zip) {
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* src = zip_source_buffer_create(zip.data(), zip.size(), 0, &error);
  if (src == nullptr) return base::InternalError("zip: " + ZipError(&error));
  zip_t* za = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &error);
  if (za == nullptr) {
    zip_source_free(src);
    if (zip_error_code_zip(&error) == ZIP_ER_EXISTS) {
      zip_error_fini(&error);
      return base::InvalidArgumentError("zip has two entries with the same name");
    }
    return base::InvalidArgumentError("not a valid zip file: " + ZipError(&error));
  }
  std::unique_ptr<ExportZip> reader(new ExportZip());
  reader->handles_ = std::make_unique<Handles>();
  reader->handles_->archive.reset(za);
  zip_int64_t count = zip_get_num_entries(za, 0);
  std::set<std::string> seen;
  std::optional<zip_uint64_t> bin_index, sig_index;
  for (zip_int64_t i = 0; i < count; ++i) {
    const char* raw = zip_get_name(za, static_cast<zip_uint64_t>(i), ZIP_FL_ENC_RAW);
    std::string name = raw ? raw : "";
    if (name.find("..") != std::string::npos || name.find('/') != std::string::npos ||
        name.find('\\') != std::string::npos) {
      return base::InvalidArgumentError("zip entry '" + name +
                                        "' is a path, not a plain file name");
    }
    if (!seen.insert(name).second) {
      return base::InvalidArgumentError("zip entry '" + name + "' appears twice");
    }
    if (name == "export.bin") {
      bin_index = static_cast<zip_uint64_t>(i);
    } else if (name == "export.sig") {
      sig_index = static_cast<zip_uint64_t>(i);
    } else {
      return base::InvalidArgumentError("unexpected zip entry '" + name +
                                        "' (an export holds only export.bin and export.sig)");
    }
  }
  if (!bin_index) return base::InvalidArgumentError("zip has no export.bin");
  OPENEN_ASSIGN_OR_RETURN(zip_stat_t bin,
                          CheckDeclared(za, *bin_index, "export.bin", kMaxExportBinSize));
  if (sig_index) {
    OPENEN_ASSIGN_OR_RETURN(zip_stat_t st,
                            CheckDeclared(za, *sig_index, "export.sig", kMaxExportSigSize));
    std::unique_ptr<zip_file_t, FileCloser> f(zip_fopen_index(za, *sig_index, 0));
    if (!f)
      return base::InvalidArgumentError(std::string("cannot open zip entry export.sig: ") +
                                        zip_strerror(za));
    // The buffer grows with what actually inflates, never to a declared size.
    base::Bytes sig;
    uint64_t read = 0;
    for (;;) {
      const size_t at = sig.size();
      sig.resize(at + (size_t{4} << 10));
      OPENEN_ASSIGN_OR_RETURN(size_t n, ReadSome(f.get(), "export.sig", st.size, &read,
                                                 sig.data() + at, sig.size() - at));
      sig.resize(at + n);
      if (n == 0) break;
    }
    reader->export_sig_ = std::move(sig);
  }
  reader->declared_ = bin.size;
  reader->handles_->bin.reset(zip_fopen_index(za, *bin_index, 0));
  if (!reader->handles_->bin)
    return base::InvalidArgumentError(std::string("cannot open zip entry export.bin: ") +
                                      zip_strerror(za));
  return reader;
}

base::StatusOr<size_t> ExportZip::Read(uint8_t* out, size_t size) {
  if (done_ || size == 0) return size_t{0};
  OPENEN_ASSIGN_OR_RETURN(
      size_t n, ReadSome(handles_->bin.get(), "export.bin", declared_, &read_, out, size));
  done_ = n == 0;
  return n;
}

base::Status ReadExportZip(base::ByteView zip, base::Bytes* export_bin,
                           std::optional<base::Bytes>* export_sig) {
  OPENEN_ASSIGN_OR_RETURN(std::unique_ptr<ExportZip> reader, ExportZip::Open(zip));
  base::Bytes data;
  for (;;) {
    const size_t at = data.size();
    data.resize(at + (size_t{64} << 10));
    OPENEN_ASSIGN_OR_RETURN(size_t n, reader->Read(data.data() + at, data.size() - at));
    data.resize(at + n);
    if (n == 0) break;
  }
  *export_bin = std::move(data);
  *export_sig = reader->TakeExportSig();
  return base::Status::Ok();
}

}  // namespace openen::wire::internal
