// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/relay/importer.h"

#include <algorithm>
#include <sstream>

#include "openen/base/file.h"
#include "openen/http/downloader.h"
#include "openen/relay/export_directory.h"
#include "openen/server/log.h"

namespace openen::relay {
namespace {

bool IsNameByte(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

// A file's end time may be ahead of this relay's clock by at most this much:
// a later one would put the mark in the future and every newer file behind it.
constexpr int64_t kMaxClockSkewSeconds = 3600;

bool IsHttps(const std::string& location) { return location.rfind("https://", 0) == 0; }

http::Options DownloadOptions(const ImportSource& s) {
  http::Options o;
  o.base_url = s.location;
  o.ca_file = s.ca_file;
  o.connect_timeout = kImportConnectTimeout;
  o.transfer_timeout = kImportTransferTimeout;
  o.low_speed_bytes_per_second = 1000;
  o.low_speed_time = std::chrono::seconds(30);
  o.user_agent = "openen-relay";
  return o;
}

// SourceFiles reads a source's files at the paths its listing gives: over
// HTTPS, or from a local directory. NOT_FOUND for a file that is not there,
// RESOURCE_EXHAUSTED for one over the limit; the rest may pass.
class SourceFiles {
 public:
  static base::StatusOr<SourceFiles> Open(const ImportSource& source) {
    SourceFiles files;
    if (IsHttps(source.location)) {
      OPENEN_ASSIGN_OR_RETURN(files.downloader_, http::Downloader::Create(DownloadOptions(source)));
    } else {
      files.directory_ = source.location;
    }
    return files;
  }
  base::StatusOr<base::Bytes> Read(const std::string& path, size_t max_bytes,
                                   const base::Cancellation& cancel) const {
    if (cancel.cancelled()) return base::Status(base::StatusCode::kCancelled, "stopping");
    if (!downloader_) return base::ReadFileBytes(directory_ + "/" + path, max_bytes, path);
    auto bytes = downloader_->Get(path, max_bytes, cancel);
    if (!bytes.ok()) return bytes.status().WithContext(path);
    return bytes;
  }

 private:
  std::string directory_;
  std::unique_ptr<http::Downloader> downloader_;
};

}  // namespace

bool IsListedPath(const std::string& path) {
  if (path.empty() || path.size() > 255) return false;
  size_t part = 0;
  for (size_t i = 0; i <= path.size(); ++i) {
    if (i == path.size() || path[i] == '/') {
      const std::string_view p(path.data() + part, i - part);
      if (p.empty() || p == "." || p == "..") return false;
      part = i + 1;
    } else if (!IsNameByte(path[i])) {
      return false;
    }
  }
  return true;
}

base::Status ValidateSource(const ImportSource& s) {
  if (s.name.empty() || s.name.size() > 64 ||
      !std::all_of(s.name.begin(), s.name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
      })) {
    return base::InvalidArgumentError("an import source's name must be 1..64 of [a-z0-9-]");
  }
  if (s.region.empty() || s.region.size() > 16)
    return base::InvalidArgumentError("import source " + s.name +
                                      ": its region must be 1..16 bytes");
  const std::string what = "import source " + s.name + ": ";
  if (s.location.empty()) return base::InvalidArgumentError(what + "no location");
  if (s.location.find("://") != std::string::npos) {
    if (!IsHttps(s.location)) return base::InvalidArgumentError(what + "a URL must be https://");
    auto downloader = http::Downloader::Create(DownloadOptions(s));
    if (!downloader.ok()) return downloader.status().WithContext(what + "location");
  } else if (!s.ca_file.empty()) {
    return base::InvalidArgumentError(what + "a CA file is for an https:// location");
  }
  if (!IsListedPath(s.index))
    return base::InvalidArgumentError(what + "the index must be a relative path");
  if (s.keys.empty())
    return base::InvalidArgumentError("import source " + s.name + ": no export key");
  // Another relay's peer feed is followed under the feed's own signature,
  // which only its batches carry (relay.h, kPeerFeedVersionSuffix).
  const bool feed =
      s.index == kPeerFeedListing || s.index.ends_with("/" + std::string(kPeerFeedListing));
  for (const auto& [name, key] : s.keys) {
    if (feed && !IsPeerFeedVersion(name)) {
      return base::InvalidArgumentError(
          what + "a peer feed (peers.txt) is followed under its feed signature: pin " + name +
          std::string(kPeerFeedVersionSuffix) + ", not " + name);
    }
  }
  return base::Status::Ok();
}

FollowReport FollowSource(Relay& relay, const ImportSource& source, int64_t now,
                          const base::Cancellation& cancel, const FollowLimits& limits) {
  const auto started = std::chrono::steady_clock::now();
  FollowReport report;
  auto stop = [&](base::Status why) {
    report.stopped = why.WithContext("import source " + source.name);
    server::Log("relay", "%s", report.stopped.ToString().c_str());
    return report;
  };
  if (base::Status valid = ValidateSource(source); !valid.ok()) return stop(valid);
  if (relay.decommissioned()) return stop(base::FailedPreconditionError("decommissioned"));
  auto files = SourceFiles::Open(source);
  if (!files.ok()) return stop(files.status());
  auto last = relay.LastImport(source.name);
  if (!last.ok()) return stop(last.status());
  std::optional<ImportMark> mark = std::move(*last);
  auto listed = files->Read(source.index, kMaxSourceListingBytes, cancel);
  if (!listed.ok()) return stop(listed.status());
  const std::string listing(listed->begin(), listed->end());
  std::vector<std::string> names;
  std::istringstream lines(listing);
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    if (!IsListedPath(line))
      return stop(
          base::InvalidArgumentError(source.index + " lists a line that is not a file path"));
    if (!mark || line > mark->file) names.push_back(std::move(line));
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  if (names.size() > limits.files) names.resize(limits.files);

  for (const std::string& name : names) {
    if (&name != &names.front() && (report.keys_imported >= limits.keys ||
                                    std::chrono::steady_clock::now() - started >= limits.time)) {
      break;  // the rest at the next pass
    }
    auto bytes = files->Read(name, wire::kMaxExportFileSize, cancel);
    if (!bytes.ok()) return stop(bytes.status());
    auto file = wire::ExportFile::Parse(std::move(*bytes));
    if (!file.ok()) return stop(file.status().WithContext(name));
    if (base::Status v = file->Verify(source.keys); !v.ok()) return stop(v.WithContext(name));
    const wire::ExportHeader& h = file->header();
    if (h.end_timestamp > static_cast<uint64_t>(now + kMaxClockSkewSeconds)) {
      return stop(base::FailedPreconditionError(name + " ends in the future"));
    }
    std::vector<wire::ExportKey> keys;
    if (mark && h.end_timestamp < mark->end_timestamp) {
      // Rolled back, or an old file served again: nothing from it, and the
      // mark does not move (a high name must not hide the files after it).
      ++report.files_rolled_back;
      server::Log("relay", "import source %s: %s ends before the files already imported; skipped",
                  source.name.c_str(), name.c_str());
      continue;
    }
    if (h.region != source.region) {
      // Keys the source itself imported from a third region (it releases
      // them in batches of their region): not imported again, so that keys
      // do not circle between relays that follow each other.
      ++report.files_other_region;
    } else {
      keys = file->Keys();
    }
    const ImportMark next{name,
                          mark ? std::max(mark->end_timestamp, h.end_timestamp) : h.end_timestamp};
    const std::span<const wire::ExportKey> all(keys);
    for (size_t at = 0;;) {
      const size_t n = std::min(kImportKeysPerWrite, all.size() - at);
      const bool last = at + n == all.size();
      auto imported = relay.ImportKeys(source.region, all.subspan(at, n), source.name,
                                       last ? std::optional<ImportMark>(next) : std::nullopt);
      if (!imported.ok()) return stop(imported.status().WithContext(name));
      report.keys_imported += imported->imported;
      report.keys_already_held += imported->already_held;
      report.keys_refused += imported->rejected.size();
      at += n;
      if (last) break;
    }
    mark = next;
    if (h.region == source.region) ++report.files_imported;
  }
  if (report.files_imported > 0) {
    server::Log("relay",
                "import source %s: %zu files, %zu keys imported, %zu already held, %zu refused",
                source.name.c_str(), report.files_imported, report.keys_imported,
                report.keys_already_held, report.keys_refused);
  }
  return report;
}

}  // namespace openen::relay
