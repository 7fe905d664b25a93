// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/client/sync.h"

#include <algorithm>
#include <map>
#include <sstream>

#include "openen/base/file.h"
#include "openen/wire/export.h"
#include "openen/wire/tlog.h"

namespace openen::client {

bool IsBatchName(const std::string& name) {
  return !name.empty() && name.size() <= kMaxBatchNameSize &&
         std::all_of(name.begin(), name.end(), [](char c) { return c > 0x20 && c < 0x7f; }) &&
         name.find('/') == std::string::npos && name.find('\\') == std::string::npos &&
         name.find("..") == std::string::npos;
}

bool IsFetchName(const std::string& name) {
  return IsBatchName(name) ||
         (name.compare(0, 4, "log/") == 0 && wire::IsLogPath(std::string_view(name).substr(4)));
}

base::StatusOr<base::Bytes> BatchSource::LogFile(const std::string&, const base::Cancellation&) {
  return base::FailedPreconditionError("this source serves no transparency log");
}

namespace {

// ForMessage renders a name a source gave, for an error message: at most
// 64 of its bytes, any byte that is not printable ASCII as \xNN, so that a
// message stays short and valid UTF-8 (the C API promises both) whatever a
// hostile mirror lists.
std::string ForMessage(std::string_view name) {
  constexpr size_t kShown = 64;
  std::string out;
  for (char c : name.substr(0, kShown)) {
    const auto b = static_cast<uint8_t>(c);
    if (b >= 0x20 && b < 0x7f) {
      out += c;
    } else {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[b >> 4];
      out += kHex[b & 15];
    }
  }
  if (name.size() > kShown) out += "...";
  return out;
}

std::optional<crypto::Sha256Digest> ParseHexDigest(std::string_view hex) {
  auto bytes = base::HexDecode(hex);
  if (!bytes.ok() || bytes->size() != crypto::kSha256Size) return std::nullopt;
  crypto::Sha256Digest d;
  std::copy(bytes->begin(), bytes->end(), d.begin());
  return d;
}

}  // namespace

base::StatusOr<std::vector<ListedBatch>> StaticSource::ListAfter(const std::string& after,
                                                                 const base::Cancellation& cancel) {
  auto index = fetcher_->Get("index.txt", kMaxListingBytes, cancel);
  if (!index.ok()) {
    // Not yet published, or a mirror being set up: try again later.
    if (index.status().code() == base::StatusCode::kNotFound)
      return base::UnavailableError("there is no index.txt (yet)");
    return index.status().WithContext("index.txt");
  }
  std::optional<std::map<std::string, crypto::Sha256Digest>> digests;
  auto sums = fetcher_->Get("index.sha256", kMaxListingBytes, cancel);
  if (sums.ok()) {
    digests.emplace();
    std::istringstream lines(std::string(base::AsChars(*sums)));
    for (std::string line; std::getline(lines, line);) {
      if (line.empty()) continue;
      auto digest = line.size() > 66 && line.compare(64, 2, "  ") == 0 ? ParseHexDigest(std::string_view(line).substr(0, 64))
                                                                        : std::nullopt;
      if (!digest)
        return base::InvalidArgumentError(
            "index.sha256 has a line that is not '<hex SHA-256>  <name>'");
      (*digests)[line.substr(66)] = *digest;
    }
  } else if (sums.status().code() != base::StatusCode::kNotFound) {
    return sums.status().WithContext("index.sha256");
  }
  std::vector<ListedBatch> listed;
  std::istringstream lines(std::string(base::AsChars(*index)));
  for (std::string line; std::getline(lines, line);) {
    if (line.empty()) continue;
    if (!IsBatchName(line)) {
      return base::InvalidArgumentError("index.txt lists '" + ForMessage(line) +
                                        "', not a plain file name");
    }
    if (line <= after) continue;
    ListedBatch b{line, std::nullopt, std::nullopt};
    if (digests) {
      auto it = digests->find(line);
      // A mirror caught between copying index.sha256 and index.txt: retry.
      if (it == digests->end())
        return base::UnavailableError("index.sha256 does not list " + line + " (yet)");
      b.sha256 = it->second;
    }
    listed.push_back(std::move(b));
  }
  std::sort(listed.begin(), listed.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  // The oldest kMaxListedBatches now, the rest at the next sync (index.txt
  // itself is bounded by kMaxListingBytes).
  if (listed.size() > kMaxListedBatches) listed.resize(kMaxListedBatches);
  return listed;
}

base::StatusOr<base::Bytes> StaticSource::Fetch(const std::string& name,
                                                const base::Cancellation& cancel) {
  if (!IsBatchName(name))
    return base::InvalidArgumentError("'" + ForMessage(name) + "' is not a plain file name");
  return fetcher_->Get(name, wire::kMaxExportFileSize, cancel);
}

base::StatusOr<BatchSource::Signed> StaticSource::Announcements(const base::Cancellation& cancel) {
  // Signed envelopes are a few hundred bytes; 1 MiB bounds a hostile mirror.
  auto read = [&](const std::string& name) -> base::StatusOr<std::optional<base::Bytes>> {
    auto s = fetcher_->Get(name, base::kMaxSmallFileBytes, cancel);
    if (s.status().code() == base::StatusCode::kNotFound) return std::optional<base::Bytes>();
    if (!s.ok()) return s.status().WithContext(name);
    return std::optional<base::Bytes>(std::move(*s));
  };
  Signed out;
  OPENEN_ASSIGN_OR_RETURN(out.configuration, read("config.bin"));
  OPENEN_ASSIGN_OR_RETURN(out.decommission_order, read("decommission.bin"));
  return out;
}

base::StatusOr<base::Bytes> StaticSource::LogFile(const std::string& path,
                                                  const base::Cancellation& cancel) {
  if (!wire::IsLogPath(path))
    return base::InvalidArgumentError("'" + ForMessage(path) + "' is not a log path");
  return fetcher_->Get("log/" + path, wire::kMaxLogFileBytes, cancel);
}

base::StatusOr<base::Bytes> DirectoryFetcher::Get(const std::string& name, size_t max_bytes,
                                                  const base::Cancellation& cancel) {
  if (cancel.cancelled()) return base::Status(base::StatusCode::kCancelled, "cancelled");
  if (!IsFetchName(name))
    return base::InvalidArgumentError("'" + ForMessage(name) + "' is not a file this reads");
  return base::ReadFileBytes(dir_ + "/" + name, max_bytes, name);
}

}  // namespace openen::client
