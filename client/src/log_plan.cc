// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "log_plan.h"

#include <map>

#include "exposure.h"
#include "openen/client/client.h"

namespace openen::client::internal {

base::Status Misbehaving(const std::string& message) {
  return base::DataLossError(message).WithReason(kMisbehavingSourceReason);
}

Plan PlanFromListing(const std::vector<ListedBatch>& listed) {
  Plan plan;
  for (const ListedBatch& b : listed) {
    plan.batches.push_back({b.name, b.size, b.sha256, std::nullopt, {b.name, std::nullopt}});
  }
  return plan;
}

namespace {

bool ClosedBefore(const wire::LogEntry& e, int64_t cutoff) {
  return e.kind == wire::LogEntry::Kind::kBatch && e.end < static_cast<uint64_t>(cutoff);
}

// FirstPosition is where a phone that has followed no log starts: after the
// newest batch entry that closed before |cutoff| (older batches hold no key
// this phone could have seen), or at 0; reading back at most
// kMaxLogEntriesRead entries.
base::StatusOr<uint64_t> FirstPosition(LogReader& reader, const wire::Checkpoint& head,
                                       int64_t cutoff) {
  uint64_t begin = head.size;
  while (begin > 0 && head.size - begin < kMaxLogEntriesRead) {
    const uint64_t lo = (begin - 1) / wire::kTileWidth * wire::kTileWidth;
    OPENEN_ASSIGN_OR_RETURN(std::vector<std::string> texts, reader.Entries(head, lo, begin));
    for (uint64_t i = begin; i > lo; --i) {
      auto e = wire::LogEntry::Parse(texts[i - 1 - lo]);
      if (!e.ok())
        return Misbehaving("log entry " + std::to_string(i - 1) + ": " + e.status().message());
      if (ClosedBefore(*e, cutoff)) return i;
    }
    begin = lo;
  }
  return begin;
}

}  // namespace

base::StatusOr<Plan> PlanFromLog(LogReader& reader, const LogPolicy& policy,
                                 const std::optional<std::string>& kept,
                                 const SyncProgress& progress,
                                 const std::vector<ListedBatch>& listed, int64_t cutoff) {
  OPENEN_ASSIGN_OR_RETURN(SignedHead head, reader.Head(policy));
  const wire::Checkpoint& next = head.checkpoint;
  // What the phone kept verified when it was kept; a kept note that no
  // longer does (the app now pins another log) starts afresh, and so does
  // its position, which was in that other log.
  std::optional<SignedHead> old;
  if (kept) {
    // Under the log key alone: a change of witnesses keeps the anchor.
    if (auto verified = VerifyHead(*kept, LogPolicy{policy.log_key, {}, 0}); verified.ok()) {
      old = std::move(*verified);
    }
  }
  if (old) {
    if (base::Status s = reader.CheckConsistent(old->checkpoint, next); !s.ok()) {
      if (s.code() != base::StatusCode::kDataLoss) return s;
      return Misbehaving(s.message());
    }
  }
  uint64_t begin = 0;
  if (old && progress.log_next) {
    begin = *progress.log_next;
    if (begin > next.size) {
      return Misbehaving("this phone processed the log up to entry " + std::to_string(begin) +
                         ", but the log now has " + std::to_string(next.size) + " entries");
    }
  } else {
    OPENEN_ASSIGN_OR_RETURN(begin, FirstPosition(reader, next, cutoff));
  }
  const uint64_t end = begin + std::min(next.size - begin, kMaxLogEntriesRead);
  OPENEN_ASSIGN_OR_RETURN(std::vector<std::string> texts, reader.Entries(next, begin, end));

  Plan plan;
  plan.head = head.note;
  std::map<std::string, size_t> listed_at;  // name -> position in |listed|
  for (size_t i = 0; i < listed.size(); ++i) listed_at[listed[i].name] = i;
  std::map<std::string, bool> logged;  // batch names in the entries read
  SyncProgress at = progress;
  for (uint64_t i = begin; i < end; ++i) {
    auto e = wire::LogEntry::Parse(texts[i - begin]);
    if (!e.ok()) return Misbehaving("log entry " + std::to_string(i) + ": " + e.status().message());
    at.log_next = i + 1;
    if (e->kind != wire::LogEntry::Kind::kBatch) continue;
    if (!IsBatchName(e->name)) {
      return Misbehaving("log entry " + std::to_string(i) + " names a batch '" +
                         e->name.substr(0, 64) + "' that is not a plain file name");
    }
    if (logged.count(e->name)) {
      return Misbehaving("the log holds batch " + e->name + " twice");
    }
    logged[e->name] = true;
    if (ClosedBefore(*e, cutoff)) continue;
    at.batch = e->name;
    auto l = listed_at.find(e->name);
    plan.batches.push_back(
        {e->name, l == listed_at.end() ? std::nullopt : listed[l->second].size, e->sha256, *e, at});
  }
  plan.end = at;
  // A listed batch must be logged: one not yet in the entries read would be
  // processed by nobody else's phone. Names older than the cutoff are not
  // processed anyway, and names beyond what this sync read wait for the next.
  for (const ListedBatch& b : listed) {
    if (logged.count(b.name)) continue;
    const std::optional<NamedWindow> w = ParseNamedWindow(b.name);
    if (w && w->end < static_cast<uint64_t>(cutoff)) continue;
    if (end < next.size) continue;
    return Misbehaving(b.name + " is listed but is not in the log (size " +
                       std::to_string(next.size) + ")");
  }
  return plan;
}

}  // namespace openen::client::internal
