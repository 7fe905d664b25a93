// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/relay/export_directory.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "openen/base/fault.h"
#include "openen/base/file.h"
#include "openen/crypto/hash.h"

namespace openen::relay {
namespace {

constexpr char kIndexFile[] = "index.txt";
constexpr char kDigestsFile[] = "index.sha256";
constexpr char kConfigFile[] = "config.bin";
constexpr char kDecommissionFile[] = "decommission.bin";
constexpr char kOwnerFile[] = ".openen-relay";
// The owner file's text: "openen-relay owner <hex id>\n".
constexpr char kOwnerPrefix[] = "openen-relay owner ";

bool IsTemporary(const std::string& name) {
  return name.size() > 4 && name.compare(name.size() - 4, 4, ".tmp") == 0;
}

}  // namespace

std::string BatchFileName(int64_t close_time) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "batch-%010lld.zip", static_cast<long long>(close_time));
  return buf;
}

std::optional<int64_t> ParseBatchName(const std::string& name) {
  if (name.size() != 20 || name.compare(0, 6, "batch-") != 0 || name.compare(16, 4, ".zip") != 0) {
    return std::nullopt;
  }
  int64_t t = 0;
  for (size_t i = 6; i < 16; ++i) {
    if (name[i] < '0' || name[i] > '9') return std::nullopt;
    t = t * 10 + (name[i] - '0');
  }
  return t;
}

base::StatusOr<ExportDirectory> ExportDirectory::Open(std::string path,
                                                      const std::function<bool()>& keep_waiting) {
  if (::mkdir(path.c_str(), 0755) != 0 && errno != EEXIST) {
    return base::UnavailableError("cannot create export directory " + path + ": " +
                                  std::strerror(errno));
  }
  const std::string lock_path = path + "/" + kOwnerFile;
  for (;;) {
    base::StatusOr<base::FileLock> lock = base::FileLock::TryLock(lock_path);
    if (lock.ok()) return ExportDirectory(std::move(path), std::move(*lock));
    if (lock.status().code() != base::StatusCode::kFailedPrecondition) return lock.status();
    if (!keep_waiting) {
      return base::FailedPreconditionError(
          "another openen-relay is writing the export directory " + path + " (it holds " +
          lock_path +
          "); two relays cannot write one export directory: give this one its own "
          "--export-dir, or start it with --standby to take over when the other stops");
    }
    if (!keep_waiting()) {
      return base::CancelledError("stopped while waiting for the export directory " + path);
    }
  }
}

base::Status ExportDirectory::WriteBatch(const std::string& name, base::ByteView zip) const {
  return base::WriteFileAtomically(path_ + "/" + name, base::AsChars(zip), false);
}

base::StatusOr<base::Bytes> ExportDirectory::ReadBatch(const std::string& name, uint64_t offset,
                                                       size_t max_bytes,
                                                       uint64_t* total_size) const {
  const std::string path = path_ + "/" + name;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return base::NotFoundError("batch " + name + " is no longer available");
  off_t size = ::lseek(fd, 0, SEEK_END);
  *total_size = static_cast<uint64_t>(size);
  base::Bytes data;
  if (offset < static_cast<uint64_t>(size)) {
    data.resize(std::min<uint64_t>(max_bytes, static_cast<uint64_t>(size) - offset));
    ssize_t n = ::pread(fd, data.data(), data.size(), static_cast<off_t>(offset));
    if (n < 0) {
      ::close(fd);
      return base::UnavailableError("cannot read batch " + name);
    }
    data.resize(static_cast<size_t>(n));
  }
  ::close(fd);
  return data;
}

base::Status ExportDirectory::RemoveBatch(const std::string& name) const {
  OPENEN_RETURN_IF_ERROR(base::RemoveFile(path_ + "/" + name + ".tmp"));
  return base::RemoveFile(path_ + "/" + name);
}

base::StatusOr<std::vector<std::string>> ExportDirectory::BatchNames() const {
  DIR* dir = ::opendir(path_.c_str());
  if (dir == nullptr) return base::UnavailableError("cannot list " + path_);
  std::vector<std::string> names;
  while (dirent* e = ::readdir(dir)) {
    if (ParseBatchName(e->d_name)) names.emplace_back(e->d_name);
  }
  ::closedir(dir);
  std::sort(names.begin(), names.end());
  return names;
}

base::StatusOr<std::optional<std::string>> ExportDirectory::Owner() const {
  OPENEN_ASSIGN_OR_RETURN(std::string text, lock_.Read(256));
  if (text.empty()) return std::optional<std::string>();
  const std::string prefix = kOwnerPrefix;
  base::StatusOr<base::Bytes> id = base::InvalidArgumentError("");
  if (text.size() == prefix.size() + 33 && text.compare(0, prefix.size(), prefix) == 0 &&
      text.back() == '\n') {
    id = base::HexDecode(std::string_view(text).substr(prefix.size(), 32));
  }
  if (!id.ok()) {
    return base::DataLossError(path_ + "/" + kOwnerFile +
                               " does not name an owner; a relay that owns this directory can "
                               "claim it again with --take-over");
  }
  return std::optional<std::string>(std::string(base::AsChars(*id)));
}

base::Status ExportDirectory::SetOwner(const std::string& id) const {
  OPENEN_RETURN_IF_ERROR(lock_.Write(kOwnerPrefix + base::HexEncode(base::AsBytes(id)) + "\n"));
  return Sync();
}

base::Status ExportDirectory::RemoveTemporaries() const {
  return RemoveIf([](const std::string& name) {
    if (!IsTemporary(name)) return false;
    // A batch's temporary file was never released, whoever wrote it.
    const std::string target = name.substr(0, name.size() - 4);
    if (ParseBatchName(target)) return true;
    for (const char* own :
         {kIndexFile, kDigestsFile, kPeerFeedListing, kConfigFile, kDecommissionFile}) {
      if (target == own) return true;
    }
    return false;
  });
}

base::Status ExportDirectory::Sync() const { return base::SyncDirectory(path_); }

base::Status ExportDirectory::CheckBatch(const openen::v1::BatchInfo& info) const {
  const std::string path = path_ + "/" + info.name();
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return base::DataLossError(
        path + " is missing" +
        (errno == ENOENT ? std::string() : std::string(": ") + std::strerror(errno)));
  }
  if (!S_ISREG(st.st_mode) || static_cast<uint64_t>(st.st_size) != info.size()) {
    return base::DataLossError(path + " is " + std::to_string(st.st_size) + " bytes, not the " +
                               std::to_string(info.size()) + " recorded");
  }
  OPENEN_ASSIGN_OR_RETURN(std::string bytes, base::ReadFile(path, info.size()));
  const crypto::Sha256Digest digest = crypto::Sha256(base::AsBytes(bytes));
  if (std::string_view(base::AsChars(digest)) != info.sha256()) {
    return base::DataLossError(path + " has SHA-256 " + base::HexEncode(digest) +
                               ", not the one recorded");
  }
  return base::Status::Ok();
}

base::Status ExportDirectory::WriteIndex(
    const std::vector<openen::v1::BatchInfo>& batches,
    const std::optional<std::set<std::string>>& for_peers) const {
  // index.txt: the names, as GAEN servers list them. index.sha256: each
  // file's SHA-256 in sha256sum's format ("<hex>  <name>"), so that clients
  // refuse bytes other than those listed and anyone can run sha256sum -c.
  // peers.txt: the peer feed, in index.txt's format and order.
  std::string index, digests, peers;
  for (const auto& info : batches) {
    index += info.name() + "\n";
    digests += base::HexEncode(base::AsBytes(info.sha256())) + "  " + info.name() + "\n";
    if (for_peers && for_peers->count(info.name())) {
      peers += info.name() + "\n";
    }
  }
  // peers.txt last: a new batch is in index.txt before peers.txt names it
  // (an expired one leaves index.txt first; its file goes after both).
  OPENEN_RETURN_IF_ERROR(base::WriteFileAtomically(path_ + "/" + kDigestsFile, digests, false));
  OPENEN_RETURN_IF_ERROR(base::WriteFileAtomically(path_ + "/" + kIndexFile, index, false));
  OPENEN_RETURN_IF_ERROR(base::FaultPoint("relay.index.listed"));
  if (for_peers) return base::WriteFileAtomically(path_ + "/" + kPeerFeedListing, peers, false);
  if (base::FileExists(path_ + "/" + kPeerFeedListing))
    return base::RemoveFile(path_ + "/" + kPeerFeedListing);  // the feed was turned off
  return base::Status::Ok();
}

base::Status ExportDirectory::SetConfig(
    const std::optional<openen::v1::SignedEnvelope>& config) const {
  const std::string path = path_ + "/" + kConfigFile;
  if (config) return base::WriteFileAtomically(path, config->SerializeAsString(), false);
  if (!base::FileExists(path)) return base::Status::Ok();
  OPENEN_RETURN_IF_ERROR(base::RemoveFile(path));
  return Sync();
}

base::Status ExportDirectory::WriteDecommissionOrder(
    const openen::v1::SignedEnvelope& order) const {
  return base::WriteFileAtomically(path_ + "/" + kDecommissionFile, order.SerializeAsString(),
                                   false);
}

base::Status ExportDirectory::RemoveAllButOrder() const {
  // The lock stays while the relay runs, naming no owner.
  OPENEN_RETURN_IF_ERROR(lock_.Write(""));
  if (base::FileExists(log_path())) {
    OPENEN_RETURN_IF_ERROR(base::RemoveTree(log_path()));
    OPENEN_RETURN_IF_ERROR(Sync());
  }
  return RemoveIf([](const std::string& name) {
    return ParseBatchName(name) || name == kIndexFile || name == kDigestsFile ||
           name == kPeerFeedListing || name == kConfigFile || IsTemporary(name);
  });
}

base::Status ExportDirectory::RemoveIf(
    const std::function<bool(const std::string& name)>& remove) const {
  DIR* dir = ::opendir(path_.c_str());
  if (dir == nullptr) return base::UnavailableError("cannot list " + path_);
  std::vector<std::string> names;
  while (dirent* e = ::readdir(dir)) {
    std::string name = e->d_name;
    if (remove(name)) names.push_back(std::move(name));
  }
  ::closedir(dir);
  for (const std::string& name : names)
    OPENEN_RETURN_IF_ERROR(base::RemoveFile(path_ + "/" + name));
  // Synced, so that a power cut cannot bring back what was removed: an
  // expired batch, or a decommissioned relay's files.
  return names.empty() ? base::Status::Ok() : Sync();
}

}  // namespace openen::relay
