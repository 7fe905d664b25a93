// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/relay/importer.h"

#include <algorithm>
#include <sstream>

#include "openen/base/file.h"
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
  if (s.directory.empty())
    return base::InvalidArgumentError("import source " + s.name + ": no directory");
  if (s.keys.empty())
    return base::InvalidArgumentError("import source " + s.name + ": no export key");
  return base::Status::Ok();
}

FollowReport FollowSource(Relay& relay, const ImportSource& source, int64_t now) {
  FollowReport report;
  auto stop = [&](base::Status why) {
    report.stopped = why.WithContext("import source " + source.name);
    server::Log("relay", "%s", report.stopped.ToString().c_str());
    return report;
  };
  if (base::Status valid = ValidateSource(source); !valid.ok()) return stop(valid);
  if (relay.decommissioned()) return stop(base::FailedPreconditionError("decommissioned"));
  auto last = relay.LastImport(source.name);
  if (!last.ok()) return stop(last.status());
  std::optional<ImportMark> mark = std::move(*last);
  auto listing =
      base::ReadFile(source.directory + "/index.txt", kMaxSourceListingBytes, "index.txt");
  if (!listing.ok()) return stop(listing.status());
  std::vector<std::string> names;
  std::istringstream lines(*listing);
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    if (!IsListedPath(line))
      return stop(base::InvalidArgumentError("index.txt lists a line that is not a file path"));
    if (!mark || line > mark->file) names.push_back(std::move(line));
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  if (names.size() > kMaxFilesPerFollow) names.resize(kMaxFilesPerFollow);

  for (const std::string& name : names) {
    if (report.keys_imported >= kMaxKeysPerFollow) break;  // the rest at the next pass
    auto bytes = base::ReadFileBytes(source.directory + "/" + name, wire::kMaxExportFileSize, name);
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
    auto imported = relay.ImportKeys(source.region, keys, source.name, next);
    if (!imported.ok()) return stop(imported.status().WithContext(name));
    mark = next;
    if (h.region == source.region) ++report.files_imported;
    report.keys_imported += imported->imported;
    report.keys_already_held += imported->already_held;
    report.keys_refused += imported->rejected.size();
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
