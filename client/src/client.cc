// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/client/client.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <string_view>

#include "openen/base/coding.h"
#include "openen/crypto/hash.h"
#include "openen/crypto/interval.h"
#include "openen/client/matcher.h"
#include "openen/crypto/random.h"
#include "openen/v1/relay.pb.h"
#include "openen/v1/signed.pb.h"
#include "openen/wire/padding.h"
#include "openen/wire/signed.h"
#include "store.h"
#include "upload_flow.h"

namespace openen::client {
namespace {

using internal::DayKey;
using internal::DayOfKey;
using internal::ShardKey;

// Metadata names.
constexpr char kPausedMeta[] = "Mpaused";
constexpr char kProgressMeta[] = "Mprogress";
constexpr char kConfigMeta[] = "Mconfig";
// The highest configuration serial ever adopted; survives EraseAll.
constexpr char kConfigFloorMeta[] = "Mconfig_floor";
constexpr char kChaffMeta[] = "Mchaff";
constexpr char kOrderMeta[] = "Morder";        // a pending order, verified when accepted
constexpr char kOrderTimeMeta[] = "Morder_at";  // its effective time
// SHA-256 digests of the batch files processed within the retention period,
// with the day each was processed: which public files, nothing personal.
constexpr char kProcessedMeta[] = "Mprocessed";
// Left in the emptied store directory by a decommission order.
constexpr char kDecommissionedMarker[] = "DECOMMISSIONED";
// Sightings may arrive this late relative to the phone's clock, or this early.
constexpr int64_t kMaxFutureSkewSeconds = 300;
constexpr int64_t kWindowSeconds = 30 * 60;

// --- Own key record: tek[16] || LE32(rolling start) || rolling period ---
base::Bytes EncodeTek(const OwnKey& k) {
  base::Bytes b(k.key_data.Reveal().begin(), k.key_data.Reveal().end());
  base::PutFixedLE<4>(&b, k.rolling_start_interval_number);
  b.push_back(static_cast<uint8_t>(k.rolling_period));
  return b;
}
base::StatusOr<OwnKey> DecodeTek(const base::Bytes& b) {
  if (b.size() != 21) return base::DataLossError("corrupt key record");
  OwnKey k;
  k.key_data = crypto::SecretBytes(base::ByteView(b).first(16));
  k.rolling_start_interval_number = static_cast<uint32_t>(base::GetFixedLE<4>(b.data() + 16));
  k.rolling_period = b[20];
  return k;
}

// --- Sightings of one shard of a day: count LE16, then per RPI and interval:
//     interval of the day u8, rpi[16] aem[4] n u8,
//     n x (LE16 seconds since the interval's start, rssi i8) ---
constexpr size_t kMaxSightingsPerShard = 65535;
base::Bytes EncodeSightings(const std::vector<Sighting>& sightings) {
  base::Bytes b;
  base::PutFixedLE<2>(&b, sightings.size());
  for (const Sighting& s : sightings) {
    const int64_t start = crypto::IntervalStartSeconds(s.interval);
    b.push_back(static_cast<uint8_t>(s.interval % crypto::kTekRollingPeriod));
    b.insert(b.end(), s.rpi.begin(), s.rpi.end());
    b.insert(b.end(), s.aem.begin(), s.aem.end());
    b.push_back(static_cast<uint8_t>(s.scans.size()));
    for (const Scan& scan : s.scans) {
      base::PutFixedLE<2>(&b, static_cast<uint16_t>(scan.time - start));
      b.push_back(static_cast<uint8_t>(scan.rssi));
    }
  }
  return b;
}
base::StatusOr<std::vector<Sighting>> DecodeSightings(const base::Bytes& b, uint32_t day) {
  auto corrupt = [] { return base::DataLossError("corrupt sightings record"); };
  if (b.empty()) return std::vector<Sighting>();  // a shard nothing has been seen in
  if (b.size() < 2) return corrupt();
  const size_t count = base::GetFixedLE<2>(b.data());
  std::vector<Sighting> out(count);
  size_t at = 2;
  for (Sighting& s : out) {
    if (at + 22 > b.size() || b[at] >= crypto::kTekRollingPeriod) return corrupt();
    s.interval = day * crypto::kTekRollingPeriod + b[at];
    std::copy_n(b.begin() + at + 1, 16, s.rpi.begin());
    std::copy_n(b.begin() + at + 17, 4, s.aem.begin());
    const size_t n = b[at + 21];
    at += 22;
    if (at + 3 * n > b.size()) return corrupt();
    const int64_t start = crypto::IntervalStartSeconds(s.interval);
    for (size_t i = 0; i < n; ++i, at += 3) {
      s.scans.push_back({start + static_cast<int64_t>(base::GetFixedLE<2>(b.data() + at)),
                         static_cast<int8_t>(b[at + 2])});
    }
  }
  if (at != b.size()) return corrupt();
  return out;
}

// --- Exposure window: report type, infectiousness (| 0x80 when a key tag
//     follows), count LE16, [key tag 16 bytes], then per scan (typical dB,
//     minimum dB, LE16 seconds since last scan) ---
constexpr uint8_t kWindowTagged = 0x80;
base::Bytes EncodeWindow(const ExposureWindow& w) {
  base::Bytes b = {static_cast<uint8_t>(w.report_type),
                   static_cast<uint8_t>(static_cast<uint8_t>(w.infectiousness) |
                                        (w.key_tag ? kWindowTagged : 0))};
  base::PutFixedLE<2>(&b, w.scans.size());
  if (w.key_tag) b.insert(b.end(), w.key_tag->begin(), w.key_tag->end());
  for (const ScanInstance& s : w.scans) {
    b.push_back(static_cast<uint8_t>(std::clamp(s.typical_attenuation_db, 0, 255)));
    b.push_back(static_cast<uint8_t>(std::clamp(s.min_attenuation_db, 0, 255)));
    base::PutFixedLE<2>(&b, static_cast<uint64_t>(s.seconds_since_last_scan));
  }
  return b;
}
base::StatusOr<ExposureWindow> DecodeWindow(const base::Bytes& b, uint32_t day) {
  if (b.size() < 4 || b[0] > 5 || (b[1] & ~kWindowTagged) > 2)
    return base::DataLossError("corrupt exposure window");
  ExposureWindow w;
  w.day = day;
  w.report_type = static_cast<wire::ReportType>(b[0]);
  w.infectiousness = static_cast<Infectiousness>(b[1] & ~kWindowTagged);
  const size_t n = base::GetFixedLE<2>(b.data() + 2);
  const size_t scans_at = (b[1] & kWindowTagged) ? 4 + 16 : 4;
  if (b.size() != scans_at + 4 * n) return base::DataLossError("corrupt exposure window");
  if (b[1] & kWindowTagged) std::copy_n(b.begin() + 4, 16, w.key_tag.emplace().begin());
  for (size_t i = 0; i < n; ++i) {
    const uint8_t* p = b.data() + scans_at + 4 * i;
    w.scans.push_back({p[0], p[1], static_cast<int>(base::GetFixedLE<2>(p + 2))});
  }
  return w;
}

// KeyTag is the tag stored with the windows of diagnosis key |key|.
std::array<uint8_t, 16> KeyTag(const std::array<uint8_t, 16>& key) {
  base::Bytes labelled = base::ToBytes("openen window key tag");
  labelled.insert(labelled.end(), key.begin(), key.end());
  const crypto::Sha256Digest digest = crypto::Sha256(labelled);
  std::array<uint8_t, 16> tag;
  std::copy_n(digest.begin(), 16, tag.begin());
  return tag;
}

// NameMismatch says how batch |name|'s signed header contradicts the time
// window its name states, if it states one in a form this knows.
std::optional<std::string> NameMismatch(const std::string& name, const wire::ExportHeader& header) {
  auto digits = [](std::string_view s, uint64_t* v) {
    if (s.empty() || s.size() > 19) return false;
    *v = 0;
    for (char c : s) {
      if (c < '0' || c > '9') return false;
      *v = *v * 10 + static_cast<uint64_t>(c - '0');
    }
    return true;
  };
  std::string_view n(name);
  if (n.size() < 5 || n.substr(n.size() - 4) != ".zip") return std::nullopt;
  n.remove_suffix(4);
  uint64_t end = 0;
  if (n.substr(0, 6) == "batch-" && digits(n.substr(6), &end)) {  // openen-relay
    if (header.end_timestamp == end) return std::nullopt;
    return "its name says it closed at " + std::to_string(end) + ", its signed header at " +
           std::to_string(header.end_timestamp);
  }
  // Google's reference server: <start>-<end>-<batch_num>.zip
  const size_t a = n.find('-'), b = a == std::string_view::npos ? a : n.find('-', a + 1);
  uint64_t start = 0, num = 0;
  if (b != std::string_view::npos && digits(n.substr(0, a), &start) && digits(n.substr(a + 1, b - a - 1), &end) &&
      digits(n.substr(b + 1), &num)) {
    if (header.start_timestamp == start && header.end_timestamp == end &&
        static_cast<uint64_t>(header.batch_num) == num) {
      return std::nullopt;
    }
    return "its name says " + std::to_string(start) + "-" + std::to_string(end) + " part " + std::to_string(num) +
           ", its signed header " + std::to_string(header.start_timestamp) + "-" +
           std::to_string(header.end_timestamp) + " part " + std::to_string(header.batch_num);
  }
  return std::nullopt;
}

// Processed batches: BE32(day processed) || SHA-256 of the file, per entry.
constexpr size_t kProcessedEntrySize = 4 + crypto::kSha256Size;


// --- A day's exposure windows: count LE32, then per window LE32 length and
//     EncodeWindow's bytes ---
base::Bytes EncodeWindows(const std::vector<base::Bytes>& encoded) {
  base::Bytes b;
  base::PutFixedLE<4>(&b, encoded.size());
  for (const base::Bytes& w : encoded) {
    base::PutFixedLE<4>(&b, w.size());
    b.insert(b.end(), w.begin(), w.end());
  }
  return b;
}
base::StatusOr<std::vector<base::Bytes>> DecodeWindows(const base::Bytes& b) {
  auto corrupt = [] { return base::DataLossError("corrupt exposure windows record"); };
  std::vector<base::Bytes> out;
  if (b.empty()) return out;  // a day without exposure
  auto le32 = [&](size_t at) { return static_cast<size_t>(base::GetFixedLE<4>(b.data() + at)); };
  if (b.size() < 4) return corrupt();
  const size_t count = le32(0);
  size_t at = 4;
  for (size_t i = 0; i < count; ++i) {
    if (b.size() - at < 4) return corrupt();
    const size_t n = le32(at);
    at += 4;
    if (b.size() - at < n) return corrupt();
    out.emplace_back(b.begin() + static_cast<std::ptrdiff_t>(at), b.begin() + static_cast<std::ptrdiff_t>(at + n));
    at += n;
  }
  if (at != b.size()) return corrupt();
  return out;
}

base::Status Decommissioned() {
  return base::FailedPreconditionError("decommissioned").WithReason(kDecommissionedReason);
}

uint32_t Today(int64_t now) { return crypto::DayNumber(crypto::EnIntervalNumber(now)); }

}  // namespace

// Client::Impl holds the client's state. |mu| guards all of it; |sync_mu|
// lets one sync run at a time, held without |mu| across network calls.
struct Client::Impl {
  Impl(ClientOptions options, std::unique_ptr<internal::Store> store, KeyStore* keystore,
       const base::Clock* clock)
      : options_(std::move(options)),
        store_(std::move(store)),
        keystore_(keystore),
        clock_(clock),
        retention_days_(options_.retention_days) {}

  // The public methods, as Client documents them.
  base::StatusOr<crypto::Advertisement> CurrentAdvertisement();
  base::Status RecordSighting(base::ByteView rpi, base::ByteView aem, int rssi, int64_t unix_time);
  base::Status RecordSightings(const std::vector<Observation>& observations);
  base::StatusOr<SyncReport> Sync(BatchSource& source, const base::Cancellation& cancel);
  base::StatusOr<SyncReport> ProcessExport(const wire::ExportFile& file);
  base::Status UpdateConfiguration(const openen::v1::SignedEnvelope& envelope);
  base::StatusOr<std::vector<DailySummary>> DailySummaries();
  base::StatusOr<std::vector<OwnKey>> KeysForUpload(const std::vector<uint32_t>& excluded_days);
  base::StatusOr<UploadReport> UploadDiagnosis(UploadTransport& transport, const std::string& code,
                                               const std::vector<uint32_t>& excluded_days);
  base::Status SendChaff(UploadTransport& transport);
  base::StatusOr<bool> MaybeSendChaff(UploadTransport& transport, double mean_days);
  base::Status Pause();
  base::Status Resume();
  bool paused() const;
  base::StatusOr<MaintenanceReport> Maintain();
  base::Status EraseAll();
  base::StatusOr<StorageSummary> Summary();
  int retention_days() const;

  base::Status PurgeIfDayChanged(int64_t now);
  // ForgetAdvertisement drops the cached advertisement and today's derived keys.
  void ForgetAdvertisement();
  // PurgeNow deletes the days past retention and returns how many held data.
  base::StatusOr<int> PurgeNow(int64_t now);
  base::StatusOr<OwnKey> TodaysKey(int64_t now);
  // Record checks and stores |observations|; |batch| prefixes errors with the index.
  base::Status Record(const std::vector<Observation>& observations, bool batch);
  base::StatusOr<std::vector<Sighting>> LoadSightings();
  // MatchWindows matches |file| against |index| (no lock needed) and returns
  // the exposure windows found; CommitWindows stores them with the sync
  // progress in one write, so a batch is never half recorded.
  base::StatusOr<std::pair<SyncReport, std::vector<ExposureWindow>>> MatchWindows(
      const wire::ExportFile& file, SightingIndex* index, const RiskParameters& risk) const;
  base::Status CommitWindows(const std::vector<ExposureWindow>& windows,
                             const std::string& progress);
  // DropCountedWindows removes from |windows| those whose (diagnosis key,
  // day) a stored window already counts, and returns how many it removed.
  base::StatusOr<int> DropCountedWindows(std::vector<ExposureWindow>* windows);
  base::StatusOr<std::vector<ExposureWindow>> LoadWindows();
  // |stored|: the configuration this phone adopted before, reloaded at Open
  // (adopted even if expired, so that expiry keeps stopping the phone).
  base::Status UpdateConfigurationLocked(const openen::v1::SignedEnvelope& envelope,
                                         bool stored = false);
  // CheckAlive fails once decommissioned, applying a pending order whose time has come.
  base::Status CheckAlive(int64_t now);
  base::Status CheckConfigurationCurrent(int64_t now) const;
  base::Status AcceptOrder(const base::Bytes& envelope_bytes, int64_t now);
  void DecommissionNow(const openen::v1::SignedEnvelope& order);

  ClientOptions options_;
  std::unique_ptr<internal::Store> store_;
  KeyStore* keystore_;
  const base::Clock* clock_;
  mutable std::mutex mu_;
  std::mutex sync_mu_;  // one sync at a time; held without mu_ across network calls
  RiskParameters risk_;
  int retention_days_;
  bool paused_ = false;
  std::optional<uint32_t> purged_day_;
  uint64_t config_serial_ = 0;
  bool config_adopted_ = false;
  // No configuration below this serial is adopted: the highest ever adopted
  // (kept through EraseAll) or the app's min_config_serial.
  uint64_t config_floor_ = 0;
  int64_t config_expires_at_ = 0;  // 0: no configuration adopted
  // A decommission order that is not yet in force, and its time.
  std::optional<openen::v1::SignedEnvelope> pending_order_;
  int64_t pending_order_at_ = 0;
  bool decommissioned_ = false;
  // Bumped by EraseAll: a sync that straddles an erase stores nothing.
  uint64_t erase_generation_ = 0;
  uint64_t identifiers_dropped_ = 0;  // see StorageSummary
  // The advertisement of the current interval, derived once, and the keys
  // that derive today's (the TEK itself is read from the store once a day).
  std::optional<uint32_t> advertised_interval_;
  crypto::Advertisement advertisement_{};
  std::optional<uint32_t> advertising_day_;
  crypto::RpiDeriver advertising_rpis_;
  crypto::SecretBytes advertising_aemk_;
};

base::StatusOr<crypto::Advertisement> Client::CurrentAdvertisement() {
  return impl_->CurrentAdvertisement();
}
base::Status Client::RecordSighting(base::ByteView rpi, base::ByteView aem, int rssi,
                                    int64_t unix_time) {
  return impl_->RecordSighting(rpi, aem, rssi, unix_time);
}
base::Status Client::RecordSightings(const std::vector<Observation>& observations) {
  return impl_->RecordSightings(observations);
}
base::StatusOr<SyncReport> Client::Sync(BatchSource& source, const base::Cancellation& cancel) {
  return impl_->Sync(source, cancel);
}
base::StatusOr<SyncReport> Client::ProcessExport(const wire::ExportFile& file) {
  return impl_->ProcessExport(file);
}
base::Status Client::UpdateConfiguration(const openen::v1::SignedEnvelope& envelope) {
  return impl_->UpdateConfiguration(envelope);
}
base::StatusOr<std::vector<DailySummary>> Client::DailySummaries() {
  return impl_->DailySummaries();
}
base::StatusOr<std::vector<OwnKey>> Client::KeysForUpload(
    const std::vector<uint32_t>& excluded_days) {
  return impl_->KeysForUpload(excluded_days);
}
base::StatusOr<UploadReport> Client::UploadDiagnosis(UploadTransport& transport,
                                                     const std::string& code,
                                                     const std::vector<uint32_t>& excluded_days) {
  return impl_->UploadDiagnosis(transport, code, excluded_days);
}
base::Status Client::SendChaff(UploadTransport& transport) { return impl_->SendChaff(transport); }
base::StatusOr<bool> Client::MaybeSendChaff(UploadTransport& transport, double mean_days) {
  return impl_->MaybeSendChaff(transport, mean_days);
}
base::Status Client::Pause() { return impl_->Pause(); }
base::Status Client::Resume() { return impl_->Resume(); }
bool Client::paused() const { return impl_->paused(); }
base::StatusOr<MaintenanceReport> Client::Maintain() { return impl_->Maintain(); }
base::Status Client::EraseAll() { return impl_->EraseAll(); }
base::StatusOr<StorageSummary> Client::Summary() { return impl_->Summary(); }
int Client::retention_days() const { return impl_->retention_days(); }

base::StatusOr<std::unique_ptr<Client>> Client::Open(ClientOptions options, KeyStore* keystore,
                                                     const base::Clock* clock) {
  if (options.retention_days < 1 || options.retention_days > kMaxRetentionDays) {
    return base::InvalidArgumentError("retention must be 1..14 days, got " +
                                      std::to_string(options.retention_days));
  }
  if (options.scan_interval_seconds < 1 || options.scan_interval_seconds > 3600) {
    return base::InvalidArgumentError("scan interval must be 1..3600 seconds");
  }
  if (keystore == nullptr || clock == nullptr)
    return base::InvalidArgumentError("a keystore and a clock are required");
  for (const auto& k : options.config_keys) {
    if (std::find(options.decommission_keys.begin(), options.decommission_keys.end(), k) !=
        options.decommission_keys.end()) {
      return base::InvalidArgumentError(
          "one key is given as both a configuration key and a decommission key; "
          "each role needs its own key");
    }
  }
  if (IsDecommissioned(options.store_dir)) {
    // Finish a deletion a crash may have interrupted.
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(options.store_dir, ec)) {
      if (e.path().filename() != kDecommissionedMarker) std::filesystem::remove_all(e.path(), ec);
    }
    (void)keystore->Destroy();  // idempotent; a failure here was reported when the order came
    return Decommissioned();
  }
  OPENEN_ASSIGN_OR_RETURN(std::unique_ptr<internal::Store> store, internal::Store::Open(options.store_dir, keystore));
  auto c = std::make_unique<Impl>(std::move(options), std::move(store), keystore, clock);
  std::lock_guard<std::mutex> lock(c->mu_);
  // The pause flag is always stored (sealed, "0" or "1"): its presence does
  // not tell that the person ever paused.
  OPENEN_ASSIGN_OR_RETURN(std::optional<std::string> paused, c->store_->GetMeta(kPausedMeta));
  if (!paused) OPENEN_RETURN_IF_ERROR(c->store_->PutMeta(kPausedMeta, "0"));
  c->paused_ = paused == "1";
  c->config_floor_ = c->options_.min_config_serial;
  OPENEN_ASSIGN_OR_RETURN(std::optional<std::string> floor, c->store_->GetMeta(kConfigFloorMeta));
  if (floor) c->config_floor_ = std::max<uint64_t>(c->config_floor_, std::strtoull(floor->c_str(), nullptr, 10));
  OPENEN_ASSIGN_OR_RETURN(std::optional<std::string> config, c->store_->GetMeta(kConfigMeta));
  if (config) {
    openen::v1::SignedEnvelope env;
    if (env.ParseFromString(*config)) (void)c->UpdateConfigurationLocked(env, /*stored=*/true);
  }
  // A pending order was verified when it arrived; its time is trusted even
  // if the authority keys in the options have changed since.
  OPENEN_ASSIGN_OR_RETURN(std::optional<std::string> order, c->store_->GetMeta(kOrderMeta));
  OPENEN_ASSIGN_OR_RETURN(std::optional<std::string> order_at, c->store_->GetMeta(kOrderTimeMeta));
  if (order && order_at && c->pending_order_.emplace().ParseFromString(*order)) {
    c->pending_order_at_ = std::strtoll(order_at->c_str(), nullptr, 10);
    OPENEN_RETURN_IF_ERROR(c->CheckAlive(clock->NowSeconds()));
  } else {
    c->pending_order_.reset();
  }
  OPENEN_RETURN_IF_ERROR(c->PurgeNow(clock->NowSeconds()).status());
  return std::unique_ptr<Client>(new Client(std::move(c)));
}

Client::Client(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Client::~Client() = default;

bool Client::IsDecommissioned(const std::string& store_dir) {
  std::error_code ec;
  return std::filesystem::exists(store_dir + "/" + kDecommissionedMarker, ec);
}

void Client::Impl::DecommissionNow(const openen::v1::SignedEnvelope& order) {
  // The marker first, durably: if the app dies during the deletion, the
  // next Open sees it and finishes the job instead of starting afresh.
  const std::string marker = options_.store_dir + "/" + kDecommissionedMarker;
  const std::string tmp = marker + ".tmp";
  const std::string bytes = order.SerializeAsString();
  if (FILE* f = std::fopen(tmp.c_str(), "wb")) {
    std::fwrite(bytes.data(), 1, bytes.size(), f);
    std::fflush(f);
    ::fsync(::fileno(f));
    std::fclose(f);
    std::rename(tmp.c_str(), marker.c_str());
  }
  // Then the platform key, so that whatever the deletion below leaves on
  // the flash cannot be unwrapped; then everything else.
  store_.reset();
  (void)keystore_->Destroy();  // best effort: the files go in any case
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(options_.store_dir, ec)) {
    if (e.path().filename() != kDecommissionedMarker) std::filesystem::remove_all(e.path(), ec);
  }
  decommissioned_ = true;
  pending_order_.reset();
  ForgetAdvertisement();
}

base::Status Client::Impl::AcceptOrder(const base::Bytes& envelope_bytes, int64_t now) {
  openen::v1::SignedEnvelope env;
  if (envelope_bytes.size() > INT32_MAX ||
      !env.ParseFromArray(envelope_bytes.data(), static_cast<int>(envelope_bytes.size()))) {
    return base::InvalidArgumentError("decommission order: not a signed envelope");
  }
  openen::v1::DecommissionOrder order;
  OPENEN_RETURN_IF_ERROR(
      wire::OpenEnvelope(env, wire::kDecommissionOrderContext, options_.decommission_keys, &order)
          .WithContext("decommission order"));
  if (now >= order.effective_at()) {
    DecommissionNow(env);
    return Decommissioned();
  }
  if (!pending_order_ || order.effective_at() < pending_order_at_) {
    pending_order_ = env;
    pending_order_at_ = order.effective_at();
    OPENEN_RETURN_IF_ERROR(store_->PutMeta(kOrderMeta, env.SerializeAsString()));
    OPENEN_RETURN_IF_ERROR(store_->PutMeta(kOrderTimeMeta, std::to_string(pending_order_at_)));
  }
  return base::Status::Ok();
}

base::Status Client::Impl::CheckAlive(int64_t now) {
  if (decommissioned_) return Decommissioned();
  if (pending_order_ && now >= pending_order_at_) {
    DecommissionNow(*pending_order_);
    return Decommissioned();
  }
  return base::Status::Ok();
}

base::Status Client::Impl::CheckConfigurationCurrent(int64_t now) const {
  if (config_expires_at_ != 0 && now >= config_expires_at_) {
    return base::FailedPreconditionError(
               "the health authority's configuration expired at " +
               std::to_string(config_expires_at_) +
               " (unix time); broadcasting and matching stop until a sync renews it")
        .WithReason(kConfigurationExpiredReason);
  }
  return base::Status::Ok();
}

int Client::Impl::retention_days() const {
  std::lock_guard<std::mutex> lock(mu_);
  return retention_days_;
}

base::StatusOr<int> Client::Impl::PurgeNow(int64_t now) {
  const uint32_t today = Today(now);
  const uint32_t first_kept = today + 1 > static_cast<uint32_t>(retention_days_) ? today + 1 - retention_days_ : 0;
  // Only when there is something to delete: the compaction is the expensive
  // part, and this runs at every start of the app. A purge interrupted after
  // its deletions but before its compaction left its mark, and runs again.
  int purged = 0;
  if (store_->Purging() || store_->HasDaysBefore(first_kept)) {
    OPENEN_RETURN_IF_ERROR(store_->SetPurging(true));
    OPENEN_ASSIGN_OR_RETURN(purged, store_->DeleteDaysBefore(first_kept));
    OPENEN_RETURN_IF_ERROR(store_->Compact());
    OPENEN_RETURN_IF_ERROR(store_->SetPurging(false));
  }
  // The digests of batches processed on days now past retention go too.
  OPENEN_ASSIGN_OR_RETURN(std::optional<std::string> processed, store_->GetMeta(kProcessedMeta));
  if (processed) {
    std::string kept;
    for (size_t at = 0; at + kProcessedEntrySize <= processed->size(); at += kProcessedEntrySize) {
      if (static_cast<uint32_t>(base::GetFixedBE<4>(processed->data() + at)) >= first_kept)
        kept.append(*processed, at, kProcessedEntrySize);
    }
    if (kept.size() != processed->size()) OPENEN_RETURN_IF_ERROR(store_->PutMeta(kProcessedMeta, kept));
  }
  purged_day_ = today;
  return purged;
}

void Client::Impl::ForgetAdvertisement() {
  advertised_interval_.reset();
  advertising_day_.reset();
  advertising_rpis_ = crypto::RpiDeriver();
  advertising_aemk_ = crypto::SecretBytes();
}

base::Status Client::Impl::PurgeIfDayChanged(int64_t now) {
  if (purged_day_ == Today(now)) return base::Status::Ok();
  ForgetAdvertisement();
  return PurgeNow(now).status();
}

base::StatusOr<OwnKey> Client::Impl::TodaysKey(int64_t now) {
  const uint32_t today = Today(now);
  OPENEN_ASSIGN_OR_RETURN(std::optional<base::Bytes> record,
                          store_->GetSealed(DayKey('T', today), today));
  if (record && !record->empty()) return DecodeTek(*record);  // empty: the day began without a key
  OwnKey k{crypto::GenerateTek(), today * crypto::kTekRollingPeriod, crypto::kTekRollingPeriod};
  base::Bytes encoded = EncodeTek(k);
  base::Status s = store_->PutSealed(DayKey('T', today), today, encoded, /*sync=*/true);
  crypto::Wipe(encoded);
  OPENEN_RETURN_IF_ERROR(s);
  return k;
}

base::StatusOr<crypto::Advertisement> Client::Impl::CurrentAdvertisement() {
  std::lock_guard<std::mutex> lock(mu_);
  const int64_t now = clock_->NowSeconds();
  OPENEN_RETURN_IF_ERROR(CheckAlive(now));
  if (paused_)
    return base::FailedPreconditionError("exposure notification is paused")
        .WithReason(kPausedReason);
  OPENEN_RETURN_IF_ERROR(PurgeIfDayChanged(now));
  OPENEN_RETURN_IF_ERROR(CheckConfigurationCurrent(now));
  const uint32_t interval = crypto::EnIntervalNumber(now);
  if (advertised_interval_ == interval) return advertisement_;
  const uint32_t today = Today(now);
  if (advertising_day_ != today) {
    OPENEN_ASSIGN_OR_RETURN(OwnKey key, TodaysKey(now));
    OPENEN_RETURN_IF_ERROR(advertising_rpis_.SetTek(key.key_data.Reveal()));
    OPENEN_ASSIGN_OR_RETURN(advertising_aemk_, crypto::DeriveAemk(key.key_data.Reveal()));
    advertising_day_ = today;
  }
  const crypto::Rpi rpi = advertising_rpis_.Compute(interval);
  OPENEN_ASSIGN_OR_RETURN(crypto::Metadata metadata, crypto::EncodeMetadata({1, 0, options_.tx_power_dbm}));
  OPENEN_ASSIGN_OR_RETURN(crypto::Aem aem, crypto::EncryptAem(advertising_aemk_.Reveal(), rpi, metadata));
  advertisement_ = crypto::MakeAdvertisement(rpi, aem);
  advertised_interval_ = interval;
  return advertisement_;
}

base::Status Client::Impl::RecordSighting(base::ByteView rpi, base::ByteView aem, int rssi,
                                    int64_t time) {
  if (rpi.size() != crypto::kRpiSize) {
    return base::InvalidArgumentError("rpi is " + std::to_string(rpi.size()) + " bytes, want 16");
  }
  if (aem.size() != crypto::kAemSize) {
    return base::InvalidArgumentError("aem is " + std::to_string(aem.size()) + " bytes, want 4");
  }
  Observation o;
  std::copy(rpi.begin(), rpi.end(), o.rpi.begin());
  std::copy(aem.begin(), aem.end(), o.aem.begin());
  o.rssi = rssi;
  o.time = time;
  return Record({o}, /*batch=*/false);
}

base::Status Client::Impl::RecordSightings(const std::vector<Observation>& observations) {
  return Record(observations, /*batch=*/true);
}

base::Status Client::Impl::Record(const std::vector<Observation>& observations, bool batch) {
  std::lock_guard<std::mutex> lock(mu_);
  const int64_t now = clock_->NowSeconds();
  OPENEN_RETURN_IF_ERROR(CheckAlive(now));
  if (paused_)
    return base::FailedPreconditionError("exposure notification is paused")
        .WithReason(kPausedReason);
  OPENEN_RETURN_IF_ERROR(PurgeIfDayChanged(now));
  for (size_t i = 0; i < observations.size(); ++i) {
    const Observation& o = observations[i];
    const std::string which = batch ? "observation " + std::to_string(i) + ": " : "";
    if (o.rssi < -127 || o.rssi > 127) {
      return base::InvalidArgumentError(which + "rssi " + std::to_string(o.rssi) +
                                        " is outside -127..127");
    }
    if (o.time > now + kMaxFutureSkewSeconds)
      return base::InvalidArgumentError(which + "sighting time is in the future");
    if (o.time < 0 || crypto::DayNumber(crypto::EnIntervalNumber(o.time)) + retention_days_ <= Today(now)) {
      return base::InvalidArgumentError(which + "sighting is older than the retention period");
    }
  }

  // The shards touched, decoded once and written back in one batch.
  using ShardId = std::pair<uint32_t, int>;  // day, shard
  std::map<ShardId, std::vector<Sighting>> shards;
  std::set<ShardId> changed;
  // The shard that holds |rpi| on the day of |interval|, or nullptr when that
  // day holds nothing and |create| is false.
  auto shard = [&](uint32_t interval, const crypto::Rpi& rpi,
                   bool create) -> base::StatusOr<std::pair<ShardId, std::vector<Sighting>*>> {
    const uint32_t day = crypto::DayNumber(interval);
    OPENEN_ASSIGN_OR_RETURN(std::optional<int> index, store_->ShardOf(day, rpi, create));
    if (!index) return std::make_pair(ShardId(), static_cast<std::vector<Sighting>*>(nullptr));
    const ShardId id(day, *index);
    auto it = shards.find(id);
    if (it == shards.end()) {
      OPENEN_ASSIGN_OR_RETURN(std::optional<base::Bytes> blob,
                              store_->GetSealed(ShardKey(day, *index), day));
      std::vector<Sighting> sightings;
      if (blob) {
        OPENEN_ASSIGN_OR_RETURN(sightings, DecodeSightings(*blob, day));
      }
      it = shards.emplace(id, std::move(sightings)).first;
    }
    return std::make_pair(id, &it->second);
  };
  for (const Observation& o : observations) {
    const uint32_t interval = crypto::EnIntervalNumber(o.time);
    // One record per RPI and interval: a scan of an RPI first seen in the
    // previous interval (an identifier straddling a boundary) joins that record.
    auto same = [&](uint32_t i) { return [&o, i](const Sighting& s) { return s.interval == i && s.rpi == o.rpi; }; };
    OPENEN_ASSIGN_OR_RETURN(auto target, shard(interval - 1, o.rpi, /*create=*/false));
    std::vector<Sighting>::iterator it;
    if (target.second != nullptr) it = std::find_if(target.second->begin(), target.second->end(), same(interval - 1));
    if (target.second == nullptr || it == target.second->end()) {
      OPENEN_ASSIGN_OR_RETURN(target, shard(interval, o.rpi, /*create=*/true));
      it = std::find_if(target.second->begin(), target.second->end(), same(interval));
    }
    std::vector<Sighting>& sightings = *target.second;
    if (it == sightings.end()) {
      if (sightings.size() >= kMaxSightingsPerShard) {
        // A flood of identifiers (someone broadcasting many) fills a shard:
        // only new identifiers of that shard are lost, not the whole call.
        ++identifiers_dropped_;
        continue;
      }
      Sighting s;
      s.rpi = o.rpi;
      s.aem = o.aem;
      s.interval = interval;
      sightings.push_back(std::move(s));
      it = sightings.end() - 1;
    }
    if (it->scans.size() >= 255) continue;  // enough scans of one identifier
    it->scans.push_back({o.time, static_cast<int8_t>(o.rssi)});
    changed.insert(target.first);
  }
  std::vector<internal::Store::SealedRecord> writes;
  for (const ShardId& id : changed) {
    writes.push_back({ShardKey(id.first, id.second), id.first, EncodeSightings(shards[id])});
  }
  if (writes.empty()) return base::Status::Ok();
  return store_->Commit(writes, "", "", /*sync=*/false);
}

base::StatusOr<std::vector<Sighting>> Client::Impl::LoadSightings() {
  std::vector<Sighting> all;
  OPENEN_RETURN_IF_ERROR(store_->ForEachSealed(
      std::string(1, 'S'), std::string(1, 'T'),
      [&](const rocksdb::Slice& key, const base::Bytes& blob) {
        OPENEN_ASSIGN_OR_RETURN(std::vector<Sighting> s, DecodeSightings(blob, DayOfKey(key)));
        for (auto& x : s) all.push_back(std::move(x));
        return base::Status::Ok();
      }));
  return all;
}

base::StatusOr<std::pair<SyncReport, std::vector<ExposureWindow>>> Client::Impl::MatchWindows(
    const wire::ExportFile& file, SightingIndex* index, const RiskParameters& risk) const {
  // Scans of each diagnosis key that matched, in time order, become windows.
  struct KeyScans {
    wire::ReportType report_type;
    std::optional<int32_t> dsos;
    std::vector<std::pair<int64_t, int>> scans;  // time, attenuation
  };
  std::map<std::array<uint8_t, 16>, KeyScans> by_key;  // exports hold 16-byte keys
  MatchStats stats;
  OPENEN_RETURN_IF_ERROR(index->MatchFile(
      file,
      [&](const Match& m) {
        std::array<uint8_t, 16> id;
        std::copy_n(m.key->key_data.begin(), 16, id.begin());
        KeyScans& ks = by_key[id];
        ks.report_type = m.key->report_type.value_or(wire::ReportType::kConfirmedTest);
        ks.dsos = m.key->days_since_onset_of_symptoms;
        for (const Scan& s : m.sighting->scans) {
          const int offset = options_.rssi_offset_db != 0 ? options_.rssi_offset_db : risk.default_rssi_offset_db;
          const int attenuation = m.metadata.tx_power_dbm - (s.rssi + offset);
          ks.scans.emplace_back(s.time, std::max(0, attenuation));
        }
      },
      &stats));
  SyncReport report;
  report.keys = stats.keys;
  report.matched_identifiers = stats.matches;
  std::vector<ExposureWindow> windows;
  for (auto& [key, ks] : by_key) {
    std::sort(ks.scans.begin(), ks.scans.end());
    const Infectiousness inf = InfectiousnessFor(ks.dsos, risk);
    size_t i = 0;
    while (i < ks.scans.size()) {
      ExposureWindow w;
      w.key_tag = KeyTag(key);
      w.report_type = ks.report_type;
      w.infectiousness = inf;
      const int64_t start = ks.scans[i].first;
      w.day = Today(start);
      int64_t previous = -1;
      for (; i < ks.scans.size() && ks.scans[i].first < start + kWindowSeconds; ++i) {
        const int64_t t = ks.scans[i].first;
        const int64_t gap = previous < 0 ? options_.scan_interval_seconds : t - previous;
        if (previous >= 0 && gap == 0) continue;  // the same scan seen through two identifiers
        w.scans.push_back({ks.scans[i].second, ks.scans[i].second,
                           static_cast<int>(std::min<int64_t>(gap, options_.scan_interval_seconds))});
        previous = t;
      }
      windows.push_back(std::move(w));
    }
  }
  report.new_exposure_windows = static_cast<int>(windows.size());
  return std::make_pair(report, std::move(windows));
}

base::StatusOr<int> Client::Impl::DropCountedWindows(std::vector<ExposureWindow>* windows) {
  if (windows->empty()) return 0;
  std::set<std::pair<std::array<uint8_t, 16>, uint32_t>> counted;  // (key tag, day)
  OPENEN_ASSIGN_OR_RETURN(std::vector<ExposureWindow> stored, LoadWindows());
  for (const ExposureWindow& w : stored) {
    if (w.key_tag) counted.insert({*w.key_tag, w.day});
  }
  // Windows of one batch are kept together: a long contact makes several
  // windows of one key and day, all new.
  const size_t before = windows->size();
  windows->erase(std::remove_if(windows->begin(), windows->end(),
                                [&](const ExposureWindow& w) { return w.key_tag && counted.count({*w.key_tag, w.day}); }),
                 windows->end());
  return static_cast<int>(before - windows->size());
}

base::Status Client::Impl::CommitWindows(const std::vector<ExposureWindow>& windows,
                                   const std::string& progress) {
  const uint32_t today = Today(clock_->NowSeconds());
  std::map<uint32_t, std::vector<const ExposureWindow*>> by_day;
  for (const ExposureWindow& w : windows) {
    if (w.day + retention_days_ <= today) continue;  // a day purged while the sync ran
    by_day[w.day].push_back(&w);
  }
  // Every day's record is rewritten, with new windows or without: the
  // writes of an exposed phone are those of any other.
  OPENEN_ASSIGN_OR_RETURN(std::vector<uint32_t> days, store_->Days());
  for (uint32_t day : days) by_day[day];
  std::vector<internal::Store::SealedRecord> records;
  for (const auto& [day, added] : by_day) {
    const std::string key = DayKey('W', day);
    OPENEN_ASSIGN_OR_RETURN(std::optional<base::Bytes> stored, store_->GetSealed(key, day));
    std::vector<base::Bytes> encoded;
    if (stored) {
      OPENEN_ASSIGN_OR_RETURN(encoded, DecodeWindows(*stored));
    }
    for (const ExposureWindow* w : added) encoded.push_back(EncodeWindow(*w));
    records.push_back({key, day, EncodeWindows(encoded)});
  }
  return store_->Commit(records, progress.empty() ? std::string() : std::string(kProgressMeta), progress);
}

base::StatusOr<SyncReport> Client::Impl::ProcessExport(const wire::ExportFile& file) {
  std::lock_guard<std::mutex> lock(mu_);
  const int64_t now = clock_->NowSeconds();
  OPENEN_RETURN_IF_ERROR(CheckAlive(now));
  OPENEN_RETURN_IF_ERROR(PurgeIfDayChanged(now));
  OPENEN_RETURN_IF_ERROR(CheckConfigurationCurrent(now));
  OPENEN_ASSIGN_OR_RETURN(std::vector<Sighting> sightings, LoadSightings());
  SightingIndex index(std::move(sightings));
  OPENEN_ASSIGN_OR_RETURN(auto found, MatchWindows(file, &index, risk_));
  OPENEN_ASSIGN_OR_RETURN(found.first.repeated_exposure_windows, DropCountedWindows(&found.second));
  found.first.new_exposure_windows = static_cast<int>(found.second.size());
  OPENEN_RETURN_IF_ERROR(CommitWindows(found.second, ""));
  found.first.batches = 1;
  return found.first;
}

base::StatusOr<SyncReport> Client::Impl::Sync(BatchSource& source, const base::Cancellation& cancel) {
  std::lock_guard<std::mutex> one_sync(sync_mu_);
  auto check_cancelled = [&]() -> base::Status {
    if (cancel.cancelled()) return base::Status(base::StatusCode::kCancelled, "sync cancelled");
    return base::Status::Ok();
  };
  OPENEN_RETURN_IF_ERROR(check_cancelled());
  std::optional<BatchSource::Signed> announced;
  if (!options_.config_keys.empty() || !options_.decommission_keys.empty()) {
    OPENEN_ASSIGN_OR_RETURN(announced, source.Announcements(cancel));
  }
  OPENEN_RETURN_IF_ERROR(check_cancelled());
  std::string progress;
  RiskParameters risk;
  {
    std::lock_guard<std::mutex> lock(mu_);
    const int64_t now = clock_->NowSeconds();
    OPENEN_RETURN_IF_ERROR(CheckAlive(now));
    if (announced && announced->decommission_order && !options_.decommission_keys.empty()) {
      OPENEN_RETURN_IF_ERROR(AcceptOrder(*announced->decommission_order, now));
    }
    if (announced && announced->configuration && !options_.config_keys.empty()) {
      openen::v1::SignedEnvelope envelope;
      const base::Bytes& config = *announced->configuration;
      if (config.size() > INT32_MAX || !envelope.ParseFromArray(config.data(), static_cast<int>(config.size()))) {
        return base::InvalidArgumentError("configuration: not a signed envelope");
      }
      OPENEN_RETURN_IF_ERROR(UpdateConfigurationLocked(envelope));
    }
    OPENEN_RETURN_IF_ERROR(PurgeIfDayChanged(now));
    OPENEN_RETURN_IF_ERROR(CheckConfigurationCurrent(now));
    OPENEN_ASSIGN_OR_RETURN(std::optional<std::string> stored, store_->GetMeta(kProgressMeta));
    progress = stored.value_or("");
    risk = risk_;
  }
  OPENEN_ASSIGN_OR_RETURN(std::vector<ListedBatch> listed, source.ListAfter(progress, cancel));
  SyncReport report;
  if (listed.empty()) return report;
  std::vector<Sighting> sightings;
  uint64_t generation = 0;
  std::string processed;  // kProcessedMeta entries still within retention
  {
    std::lock_guard<std::mutex> lock(mu_);
    const int64_t now = clock_->NowSeconds();
    OPENEN_RETURN_IF_ERROR(CheckAlive(now));
    OPENEN_ASSIGN_OR_RETURN(sightings, LoadSightings());
    generation = erase_generation_;
    OPENEN_ASSIGN_OR_RETURN(std::optional<std::string> stored_meta, store_->GetMeta(kProcessedMeta));
    const std::string stored = stored_meta.value_or("");
    for (size_t at = 0; at + kProcessedEntrySize <= stored.size(); at += kProcessedEntrySize) {
      if (static_cast<uint32_t>(base::GetFixedBE<4>(stored.data() + at)) +
              static_cast<uint32_t>(retention_days_) >
          Today(now)) {
        processed.append(stored, at, kProcessedEntrySize);
      }
    }
  }
  auto seen = [&](const crypto::Sha256Digest& digest) {
    for (size_t at = 0; at + kProcessedEntrySize <= processed.size(); at += kProcessedEntrySize) {
      if (std::memcmp(digest.data(), processed.data() + at + 4, digest.size()) == 0) return true;
    }
    return false;
  };
  SightingIndex index(std::move(sightings));
  for (const ListedBatch& batch : listed) {
    const std::string& name = batch.name;
    // Batches processed so far stay processed.
    OPENEN_RETURN_IF_ERROR(check_cancelled());
    // Download, parse, verify and match without holding the client's lock:
    // broadcasting and recording go on meanwhile.
    auto bytes = source.Fetch(name, cancel);
    if (!bytes.ok()) return bytes.status().WithContext(name);
    // Every phone must get the bytes the listing names, or none.
    if (batch.size && bytes->size() != *batch.size) {
      return base::DataLossError(name + ": " + std::to_string(bytes->size()) +
                                 " bytes arrived, the listing says " + std::to_string(*batch.size));
    }
    const crypto::Sha256Digest digest = crypto::Sha256(*bytes);
    if (batch.sha256 && digest != *batch.sha256) {
      return base::DataLossError(name + ": its SHA-256 is " + base::HexEncode(digest) +
                                 ", the listing says " + base::HexEncode(*batch.sha256));
    }
    std::optional<std::string> skip;
    std::pair<SyncReport, std::vector<ExposureWindow>> found;
    if (seen(digest)) {
      skip = "the same bytes as a batch already processed";
    } else {
      auto file = wire::ExportFile::Parse(std::move(*bytes));
      if (!file.ok()) return file.status().WithContext(name);
      if (base::Status s = file->Verify(options_.export_keys); !s.ok()) return s.WithContext(name);
      skip = NameMismatch(name, file->header());
      if (!skip) {
        const auto match_start = std::chrono::steady_clock::now();
        OPENEN_ASSIGN_OR_RETURN(found, MatchWindows(*file, &index, risk));
        report.match_seconds +=
            std::chrono::duration<double>(std::chrono::steady_clock::now() - match_start).count();
      }
    }
    std::lock_guard<std::mutex> lock(mu_);
    const int64_t now = clock_->NowSeconds();
    OPENEN_RETURN_IF_ERROR(CheckAlive(now));
    if (erase_generation_ != generation)
      return base::AbortedError("the data was erased during the sync");
    OPENEN_RETURN_IF_ERROR(PurgeIfDayChanged(now));
    if (skip) {
      // Passed over for good: progress moves beyond it.
      OPENEN_RETURN_IF_ERROR(CommitWindows({}, name));
      report.skipped.push_back({name, *skip});
      continue;
    }
    OPENEN_ASSIGN_OR_RETURN(int repeated, DropCountedWindows(&found.second));
    OPENEN_RETURN_IF_ERROR(CommitWindows(found.second, name));
    // Remembered after the windows: a crash between the two re-matches the
    // batch, and DropCountedWindows keeps its windows from counting twice.
    base::PutFixedBE<4>(&processed, Today(now));
    processed.append(base::AsChars(digest));
    OPENEN_RETURN_IF_ERROR(store_->PutMeta(kProcessedMeta, processed));
    report.batches += 1;
    report.keys += found.first.keys;
    report.matched_identifiers += found.first.matched_identifiers;
    report.new_exposure_windows += static_cast<int>(found.second.size());
    report.repeated_exposure_windows += repeated;
  }
  return report;
}

base::Status Client::Impl::UpdateConfiguration(const openen::v1::SignedEnvelope& envelope) {
  std::lock_guard<std::mutex> lock(mu_);
  OPENEN_RETURN_IF_ERROR(CheckAlive(clock_->NowSeconds()));
  return UpdateConfigurationLocked(envelope);
}

base::Status Client::Impl::UpdateConfigurationLocked(const openen::v1::SignedEnvelope& envelope,
                                               bool stored) {
  openen::v1::RelayConfig config;
  OPENEN_RETURN_IF_ERROR(
      wire::OpenEnvelope(envelope, wire::kRelayConfigContext, options_.config_keys, &config)
          .WithContext("configuration"));
  // A replayed older configuration is ignored; the current one is not
  // adopted twice (adopting purges and compacts). Nor is one older than any
  // this phone adopted before an erase, or than the app itself: a replayed
  // old configuration could otherwise undo the authority's later choices.
  if (config_adopted_ && config.serial() <= config_serial_) return base::Status::Ok();
  if (config.serial() < config_floor_) return base::Status::Ok();
  const int64_t now = clock_->NowSeconds();
  if (!stored && now >= config.expires_at()) {
    return base::FailedPreconditionError("configuration serial " + std::to_string(config.serial()) +
                                         " expired at " + std::to_string(config.expires_at()) +
                                         " (unix time); not adopted");
  }
  OPENEN_ASSIGN_OR_RETURN(RiskParameters risk, RiskParametersFromProto(config.risk()));
  risk_ = risk;
  config_serial_ = config.serial();
  config_adopted_ = true;
  config_expires_at_ = config.expires_at();
  if (config.retention_days() != 0) {
    const int requested = static_cast<int>(std::min<uint32_t>(config.retention_days(), kMaxRetentionDays));
    retention_days_ = std::min({options_.retention_days, kMaxRetentionDays, requested});
  }
  OPENEN_RETURN_IF_ERROR(store_->PutMeta(kConfigMeta, envelope.SerializeAsString()));
  config_floor_ = config.serial();  // not below the floor, checked above
  OPENEN_RETURN_IF_ERROR(store_->PutMeta(kConfigFloorMeta, std::to_string(config_floor_)));
  purged_day_.reset();  // apply a shorter retention at once
  return PurgeIfDayChanged(now);
}

base::StatusOr<std::vector<ExposureWindow>> Client::Impl::LoadWindows() {
  std::vector<ExposureWindow> windows;
  OPENEN_RETURN_IF_ERROR(store_->ForEachSealed(
      std::string(1, 'W'), std::string(1, 'X'),
      [&](const rocksdb::Slice& key, const base::Bytes& b) {
        OPENEN_ASSIGN_OR_RETURN(std::vector<base::Bytes> encoded, DecodeWindows(b));
        for (const base::Bytes& e : encoded) {
          OPENEN_ASSIGN_OR_RETURN(ExposureWindow w, DecodeWindow(e, DayOfKey(key)));
          windows.push_back(std::move(w));
        }
        return base::Status::Ok();
      }));
  return windows;
}

base::StatusOr<std::vector<DailySummary>> Client::Impl::DailySummaries() {
  std::lock_guard<std::mutex> lock(mu_);
  OPENEN_RETURN_IF_ERROR(CheckAlive(clock_->NowSeconds()));
  OPENEN_RETURN_IF_ERROR(PurgeIfDayChanged(clock_->NowSeconds()));
  OPENEN_ASSIGN_OR_RETURN(std::vector<ExposureWindow> windows, LoadWindows());
  return SummarizeByDay(windows, risk_);
}

base::StatusOr<std::vector<OwnKey>> Client::Impl::KeysForUpload(
    const std::vector<uint32_t>& excluded_days) {
  std::lock_guard<std::mutex> lock(mu_);
  OPENEN_RETURN_IF_ERROR(CheckAlive(clock_->NowSeconds()));
  OPENEN_RETURN_IF_ERROR(PurgeIfDayChanged(clock_->NowSeconds()));
  std::vector<OwnKey> keys;
  OPENEN_RETURN_IF_ERROR(store_->ForEachSealed(
      std::string(1, 'T'), std::string(1, 'U'),
      [&](const rocksdb::Slice& key, const base::Bytes& b) {
        const uint32_t day = DayOfKey(key);
        if (b.empty()) return base::Status::Ok();  // no key was made that day
        if (std::find(excluded_days.begin(), excluded_days.end(), day) != excluded_days.end())
          return base::Status::Ok();
        OPENEN_ASSIGN_OR_RETURN(OwnKey k, DecodeTek(b));
        keys.push_back(std::move(k));
        return base::Status::Ok();
      }));
  return keys;
}

base::StatusOr<UploadReport> Client::Impl::UploadDiagnosis(UploadTransport& transport,
                                                     const std::string& code,
                                                     const std::vector<uint32_t>& excluded_days) {
  OPENEN_ASSIGN_OR_RETURN(std::vector<OwnKey> own, KeysForUpload(excluded_days));
  if (own.empty()) return base::FailedPreconditionError("there are no keys to upload");
  OPENEN_ASSIGN_OR_RETURN(uint32_t accepted,
                          internal::UploadFlow(transport, own, code, /*chaff=*/false));
  return UploadReport{static_cast<uint32_t>(own.size()), accepted};
}

base::Status Client::Impl::SendChaff(UploadTransport& transport) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    OPENEN_RETURN_IF_ERROR(CheckAlive(clock_->NowSeconds()));
  }
  // Fourteen random keys shaped like a real upload's, and a random code.
  const uint32_t today = Today(clock_->NowSeconds());
  std::vector<OwnKey> keys;
  for (uint32_t d = 0; d < static_cast<uint32_t>(kMaxRetentionDays); ++d) {
    keys.push_back({crypto::GenerateTek(), (today - d) * crypto::kTekRollingPeriod, crypto::kTekRollingPeriod});
  }
  // A random code of an issued format (docs/verifier.md): 16 digits as read
  // out, or 25 characters of [a-z0-9] from a link. The request is padded to
  // a fixed size either way; the verifier looks it up like a real one.
  static constexpr char kAlphabet[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  const bool short_form = crypto::RandomUniform(2) == 0;
  std::string code;
  for (int i = 0; i < (short_form ? 16 : 25); ++i) {
    code.push_back(kAlphabet[crypto::RandomUniform(short_form ? 10 : 36)]);
  }
  return internal::UploadFlow(transport, keys, code, /*chaff=*/true).status();
}

base::StatusOr<bool> Client::Impl::MaybeSendChaff(UploadTransport& transport, double mean_days) {
  const int64_t now = clock_->NowSeconds();
  auto next_draw = [&] {
    // Exponential waiting time: a memoryless schedule reveals nothing by its rhythm.
    const double u = (crypto::RandomUniform(1u << 30) + 1.0) / (1u << 30);
    return now + static_cast<int64_t>(-std::log(u) * mean_days * crypto::kDaySeconds);
  };
  std::optional<std::string> next;
  {
    std::lock_guard<std::mutex> lock(mu_);
    OPENEN_RETURN_IF_ERROR(CheckAlive(now));
    OPENEN_ASSIGN_OR_RETURN(next, store_->GetMeta(kChaffMeta));
    if (!next) {
      OPENEN_RETURN_IF_ERROR(store_->PutMeta(kChaffMeta, std::to_string(next_draw())));
      return false;
    }
  }
  char* end = nullptr;
  const long long when = std::strtoll(next->c_str(), &end, 10);
  if (end == next->c_str() || *end != '\0') return base::DataLossError("corrupt chaff schedule");
  if (now < when) return false;
  OPENEN_RETURN_IF_ERROR(SendChaff(transport));
  std::lock_guard<std::mutex> lock(mu_);
  OPENEN_RETURN_IF_ERROR(CheckAlive(now));
  OPENEN_RETURN_IF_ERROR(store_->PutMeta(kChaffMeta, std::to_string(next_draw())));
  return true;
}

base::Status Client::Impl::Pause() {
  std::lock_guard<std::mutex> lock(mu_);
  OPENEN_RETURN_IF_ERROR(CheckAlive(clock_->NowSeconds()));
  OPENEN_RETURN_IF_ERROR(store_->PutMeta(kPausedMeta, "1"));
  paused_ = true;
  return base::Status::Ok();
}

base::Status Client::Impl::Resume() {
  std::lock_guard<std::mutex> lock(mu_);
  OPENEN_RETURN_IF_ERROR(CheckAlive(clock_->NowSeconds()));
  OPENEN_RETURN_IF_ERROR(store_->PutMeta(kPausedMeta, "0"));
  paused_ = false;
  return base::Status::Ok();
}

bool Client::Impl::paused() const {
  std::lock_guard<std::mutex> lock(mu_);
  return paused_ && !decommissioned_;
}

base::StatusOr<MaintenanceReport> Client::Impl::Maintain() {
  std::lock_guard<std::mutex> lock(mu_);
  const int64_t now = clock_->NowSeconds();
  if (decommissioned_) return Decommissioned();
  MaintenanceReport report;
  if (pending_order_ && now >= pending_order_at_) {
    DecommissionNow(*pending_order_);
    report.decommissioned = true;
    return report;
  }
  if (purged_day_ != Today(now)) ForgetAdvertisement();
  OPENEN_ASSIGN_OR_RETURN(report.days_purged, PurgeNow(now));
  return report;
}

base::Status Client::Impl::EraseAll() {
  std::lock_guard<std::mutex> lock(mu_);
  OPENEN_RETURN_IF_ERROR(CheckAlive(clock_->NowSeconds()));
  // The authority's order is not the person's data: a phone that knew of a
  // future order still switches off at its time. Nor is the newest
  // configuration serial: after an erase the phone re-adopts the current
  // configuration, never an older one.
  std::map<std::string, std::string> keep = {{kPausedMeta, "0"}};
  if (pending_order_) {
    keep[kOrderMeta] = pending_order_->SerializeAsString();
    keep[kOrderTimeMeta] = std::to_string(pending_order_at_);
  }
  if (config_floor_ > 0) keep[kConfigFloorMeta] = std::to_string(config_floor_);
  base::Status destroyed;
  const base::Status erased = store_->EraseAll(keep, &destroyed);
  ++erase_generation_;
  paused_ = false;
  ForgetAdvertisement();
  risk_ = RiskParameters();
  retention_days_ = options_.retention_days;
  config_serial_ = 0;
  config_adopted_ = false;
  config_expires_at_ = 0;
  purged_day_ = Today(clock_->NowSeconds());
  OPENEN_RETURN_IF_ERROR(erased);
  return destroyed.ok() ? destroyed : destroyed.WithContext("destroy the platform key");
}

base::StatusOr<StorageSummary> Client::Impl::Summary() {
  std::lock_guard<std::mutex> lock(mu_);
  OPENEN_RETURN_IF_ERROR(CheckAlive(clock_->NowSeconds()));
  OPENEN_RETURN_IF_ERROR(PurgeIfDayChanged(clock_->NowSeconds()));
  std::map<uint32_t, DayCounts> days;
  auto day = [&](uint32_t d) -> DayCounts& {
    DayCounts& c = days[d];
    c.day = d;
    return c;
  };
  // Every day that holds data has all its records: a day is listed even
  // when all it holds is empty.
  OPENEN_RETURN_IF_ERROR(
      store_->ForEachSealed(std::string(1, 'T'), std::string(1, 'U'),
                            [&](const rocksdb::Slice& key, const base::Bytes& b) {
                              day(DayOfKey(key)).own_keys += b.empty() ? 0 : 1;
                              return base::Status::Ok();
                            }));
  OPENEN_ASSIGN_OR_RETURN(std::vector<Sighting> sightings, LoadSightings());
  for (const Sighting& s : sightings) {
    DayCounts& c = day(crypto::DayNumber(s.interval));
    c.identifiers_seen += 1;
    c.scans += static_cast<int>(s.scans.size());
  }
  OPENEN_ASSIGN_OR_RETURN(std::vector<ExposureWindow> windows, LoadWindows());
  for (const ExposureWindow& w : windows) day(w.day).exposure_windows += 1;
  StorageSummary out;
  out.identifiers_dropped = identifiers_dropped_;
  for (auto& [d, c] : days) out.days.push_back(c);
  if (!out.days.empty()) {
    out.oldest_day = out.days.front().day;
    out.newest_day = out.days.back().day;
  }
  return out;
}

}  // namespace openen::client
