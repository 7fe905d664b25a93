// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Importer: a relay follows other authorities' released batches. A source is
// a GAEN static export directory (another openen-relay's, or any GAEN
// server's: index.txt listing the export files, oldest first), over HTTPS or
// in a local directory, that the authority listed, with the export key the source published (pinned
// by its GAEN key id and version) and the region its keys keep. Each new file is verified under
// that key and its keys imported (Relay::ImportKeys): the phones then follow only their own relay.
// docs/federation.md has the trust model.

#ifndef OPENEN_RELAY_IMPORTER_H_
#define OPENEN_RELAY_IMPORTER_H_

#include <chrono>
#include <string>
#include <vector>

#include "openen/base/cancellation.h"
#include "openen/base/status.h"
#include "openen/relay/relay.h"
#include "openen/wire/export.h"

namespace openen::relay {

// At most this many files, and files until this many keys were imported or
// this long has passed, are taken from a source in one FollowSource call
// (the rest at the next), and its index.txt may be at most this long.
inline constexpr size_t kMaxFilesPerFollow = 1000;
inline constexpr size_t kMaxKeysPerFollow = 1'400'000;
inline constexpr std::chrono::seconds kMaxFollowTime{120};
inline constexpr size_t kMaxSourceListingBytes = size_t{8} << 20;
// A file's keys are stored in synced writes of at most this many keys, the
// last with the source's mark: a publish waits for one such write at most
// (Relay::ImportKeys holds the publish lock), and a crash between two of
// them leaves keys that the file's next import counts as already held.
inline constexpr size_t kImportKeysPerWrite = 10'000;

struct ImportSource {
  // 1..64 bytes of [a-z0-9-]: names the source's progress, logs and metrics.
  std::string name;
  // The region the source's files name in their header: its keys keep it
  // (1..16 bytes, not the relay's own).
  std::string region;
  // Where the source's export directory is: an https:// URL (read with
  // libcurl), or a local directory (a copy or a mount of it). The files
  // are read at the paths the listing gives, relative to it.
  std::string location;
  // The listing's path below |location|: "index.txt" for openen-relay;
  // Google's reference server keeps it beside its files
  // ("exposureKeyExport-US/index.txt") and lists them from the root.
  std::string index = "index.txt";
  // For an https:// location: a PEM file of the CA certificates to trust
  // instead of the system's (empty: the system's).
  std::string ca_file;
  // The source's export keys: "<verification_key_id>-<verification_key_version>"
  // to key; a file must carry a signature that verifies under one of them.
  wire::TrustedExportKeys keys;
};

// ValidateSource refuses (INVALID_ARGUMENT) a source that could not be
// followed: a name, region, location or index missing or malformed (a URL
// that is not https://, or carries credentials, a query or a fragment), a
// CA file that is not there, no key, or a peer feed (a listing named
// peers.txt) pinned under a key name without kPeerFeedVersionSuffix.
base::Status ValidateSource(const ImportSource& source);

// IsListedPath says whether a source's index.txt may list |path|: a
// relative path of 1..255 bytes whose parts are made of [A-Za-z0-9._-],
// none of them "." or "..", separated by single '/' (Google's reference
// server lists "exposureKeyExport-US/<start>-<end>-<n>.zip", openen-relay
// "batch-<time>.zip").
bool IsListedPath(const std::string& path);

struct FollowReport {
  size_t files_imported = 0;
  size_t keys_imported = 0;
  size_t keys_already_held = 0;  // held or released here, from any source
  size_t keys_refused = 0;       // CheckImportedKey, or past retention
  // Files listed after the mark whose end time is before it: a source that
  // rolls back or serves an old file again. Skipped, the mark unmoved.
  size_t files_rolled_back = 0;
  // Files whose header names another region than the source's: keys the
  // source imported from a third authority. Skipped, the mark moved past
  // them: imported keys are not imported again.
  size_t files_other_region = 0;
  // Set (and logged) when the follow stopped early: the source is down, its
  // listing is malformed, a file failed to read, parse or verify or ends in
  // the future, the relay is decommissioned or could not store. The mark
  // stays before that file, which is tried again next time.
  base::Status stopped;
};

// Over HTTPS, a source is given up on (UNAVAILABLE or DEADLINE_EXCEEDED,
// the file tried again at the next pass) after this long connecting or this
// long for one file, or when it sends under 1 kB/s for 30 s.
inline constexpr std::chrono::seconds kImportConnectTimeout{10};
inline constexpr std::chrono::seconds kImportTransferTimeout{120};

// FollowLimits bound one FollowSource pass: it looks at most at |files|
// files after the mark (rolled back and other regions' included), and starts
// no new file once |keys| keys were imported or |time| has passed (the file
// under way ends within its own timeouts). A pass always takes its first
// file. So a slow or hostile source holds the relay's maintenance for at
// most |time| plus one file's transfer.
struct FollowLimits {
  size_t files = kMaxFilesPerFollow;
  size_t keys = kMaxKeysPerFollow;
  std::chrono::steady_clock::duration time = kMaxFollowTime;
};

// FollowSource imports the files |source| lists after its mark, in name
// order, within |limits|: each is read (at most wire::kMaxExportFileSize),
// parsed, verified under the source's keys and its end time checked against
// the mark and the clock; its keys are imported in writes of
// kImportKeysPerWrite, the last with the new mark. It holds one file's keys
// at a time. Once |cancel| is set (the relay is stopping), a download in
// flight ends at once and no further file is read: CANCELLED.
FollowReport FollowSource(Relay& relay, const ImportSource& source, int64_t now,
                          const base::Cancellation& cancel = base::NeverCancelled(),
                          const FollowLimits& limits = {});

}  // namespace openen::relay

#endif  // OPENEN_RELAY_IMPORTER_H_
