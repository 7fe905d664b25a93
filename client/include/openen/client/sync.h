// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Where released batches come from. The relay publishes them as static files
// with an index.txt, for any web server or CDN: an app implements Fetcher
// over its platform's HTTPS stack (OkHttp, URLSession) and syncs through a
// StaticSource. The library itself opens no connection; openen::client_curl
// (libcurl) and openen::client_grpc (openen-relay's gRPC API) are optional
// adapters outside it.

#ifndef OPENEN_CLIENT_SYNC_H_
#define OPENEN_CLIENT_SYNC_H_

#include <optional>
#include <string>
#include <vector>

#include "openen/base/bytes.h"
#include "openen/base/cancellation.h"
#include "openen/base/status.h"
#include "openen/crypto/hash.h"

namespace openen::client {

// Bounds on what a source may list in one sync. ListAfter returns at most
// the oldest kMaxListedBatches names after the cursor, and Sync takes the rest
// at the next sync from its progress (14 days of hourly batches is 336; a
// relay with one-second batches is caught up over several syncs). A listing
// over kMaxListingBytes (however the source pages) is RESOURCE_EXHAUSTED.
// Names are at most kMaxBatchNameSize bytes.
inline constexpr size_t kMaxListedBatches = 100'000;
inline constexpr size_t kMaxListingBytes = size_t{8} << 20;
inline constexpr size_t kMaxBatchNameSize = 255;

// IsBatchName says whether |name| may name a listed file: a plain file name
// (no '/', '\\' or "..") of 1 to kMaxBatchNameSize printable ASCII bytes
// (0x21..0x7e). Names reach the app's fetch callback as C strings, and from
// there URLs and Java strings: no NUL, control byte, space or invalid UTF-8.
bool IsBatchName(const std::string& name);

// IsFetchName says whether a Fetcher may be asked for |name|: a batch name,
// an announcement, or "log/" and a log path.
bool IsFetchName(const std::string& name);

// ListedBatch is one released batch as its source lists it, with the size
// and SHA-256 of its file when the listing gives them (openen-relay's gRPC
// listing and index.sha256 do; a plain index.txt does not). Client::Sync
// refuses a file whose bytes differ from what is listed.
struct ListedBatch {
  std::string name;
  std::optional<uint64_t> size;
  std::optional<crypto::Sha256Digest> sha256;
};

// BatchSource is where a sync gets released batches and the health
// authority's announcements. Every call gets the sync's cancellation: a
// source that blocks (on the network) should return CANCELLED soon after
// it is cancelled; Client::Sync also checks it between calls.
class BatchSource {
 public:
  virtual ~BatchSource() = default;
  // ListAfter returns the released batches whose names sort after |after|
  // (all when empty), oldest first, within the bounds above.
  virtual base::StatusOr<std::vector<ListedBatch>> ListAfter(const std::string& after,
                                                             const base::Cancellation& cancel) = 0;
  // Fetch returns one batch file's bytes: RESOURCE_EXHAUSTED, before reading
  // it, for a file larger than wire::kMaxExportFileSize.
  virtual base::StatusOr<base::Bytes> Fetch(const std::string& name,
                                            const base::Cancellation& cancel) = 0;
  // Announcements returns what the health authority publishes besides
  // batches: the signed configuration and a decommission order, each a
  // serialized SignedEnvelope, or absent.
  struct Signed {
    std::optional<base::Bytes> configuration;
    std::optional<base::Bytes> decommission_order;
  };
  virtual base::StatusOr<Signed> Announcements(const base::Cancellation& cancel) = 0;
  // LogFile returns a file of the relay's transparency log: "checkpoint" or
  // a tile path (wire::IsLogPath), at most wire::kMaxLogFileBytes.
  // NOT_FOUND when there is no such file; FAILED_PRECONDITION for a
  // source that serves no log (the default).
  virtual base::StatusOr<base::Bytes> LogFile(const std::string& path,
                                              const base::Cancellation& cancel);
};

// Fetcher gets whole files from one static location: a web server or CDN
// (through the app's own HTTPS stack, or openen::client_curl), or a local
// directory. It knows nothing of what the files mean.
class Fetcher {
 public:
  virtual ~Fetcher() = default;
  // Get returns the file |name| if it has at most |max_bytes| bytes. |name|
  // is a plain file name, or "log/" and a log path (wire::IsLogPath, e.g.
  // "log/tile/0/x001/234.p/5"), checked by the caller: relative to the
  // location, never "..". Errors: NOT_FOUND when the location
  // has no such file (HTTP 404 or 410); RESOURCE_EXHAUSTED when it is larger
  // than |max_bytes| (stop reading at max_bytes + 1); UNAVAILABLE or
  // DEADLINE_EXCEEDED for a failure that may pass (no connection, a server
  // error, a stalled or truncated transfer); CANCELLED once |cancel| is set.
  virtual base::StatusOr<base::Bytes> Get(const std::string& name, size_t max_bytes,
                                          const base::Cancellation& cancel) = 0;
};

// StaticSource reads the static layout that openen-relay publishes (and a
// CDN or a mirror serves): index.txt, index.sha256, the batch files, and
// config.bin and decommission.bin beside them, and the transparency log
// under log/ (C2SP tlog-tiles), through a Fetcher. Names that
// are not plain file names are refused. When there is an index.sha256
// (lines "<hex SHA-256>  <name>", as openen-relay writes it), every listed
// name must be in it, and its digest is checked; without one (other servers'
// exports) nothing can be. A name missing from index.sha256 is UNAVAILABLE
// (retryable): the two files are published separately (index.sha256 first),
// and a reader may see them out of step. A missing index.txt is UNAVAILABLE;
// a missing config.bin or decommission.bin means none is announced.
class StaticSource : public BatchSource {
 public:
  // |fetcher| must outlive the source.
  explicit StaticSource(Fetcher* fetcher) : fetcher_(fetcher) {}
  base::StatusOr<std::vector<ListedBatch>> ListAfter(const std::string& after,
                                                     const base::Cancellation& cancel) override;
  base::StatusOr<base::Bytes> Fetch(const std::string& name,
                                    const base::Cancellation& cancel) override;
  base::StatusOr<Signed> Announcements(const base::Cancellation& cancel) override;
  base::StatusOr<base::Bytes> LogFile(const std::string& path,
                                      const base::Cancellation& cancel) override;

 private:
  Fetcher* fetcher_;
};

// DirectoryFetcher reads files from a local directory, e.g. a relay's export
// directory or a mirror of it.
class DirectoryFetcher final : public Fetcher {
 public:
  explicit DirectoryFetcher(std::string dir) : dir_(std::move(dir)) {}
  base::StatusOr<base::Bytes> Get(const std::string& name, size_t max_bytes,
                                  const base::Cancellation& cancel) override;

 private:
  std::string dir_;
};

// DirectorySource is a StaticSource over a local directory.
class DirectorySource final : public StaticSource {
 public:
  explicit DirectorySource(std::string dir) : StaticSource(&fetcher_), fetcher_(std::move(dir)) {}

 private:
  DirectoryFetcher fetcher_;
};

}  // namespace openen::client

#endif  // OPENEN_CLIENT_SYNC_H_
