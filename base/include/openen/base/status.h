// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Status and StatusOr<T>: OpenEN's one error model. Library code never throws; it
// returns a Status (or a value-or-status) whose message says what was expected and
// what was got, e.g. "key_data is 15 bytes, want 16".

#ifndef OPENEN_BASE_STATUS_H_
#define OPENEN_BASE_STATUS_H_

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace openen::base {

// StatusCode values follow the canonical gRPC/abseil codes so that servers map
// them one to one. Only the codes OpenEN uses or receives from gRPC are
// listed; kUnknown stands for any other.
enum class StatusCode : int {
  kOk = 0,
  kCancelled = 1,
  kUnknown = 2,
  kInvalidArgument = 3,
  kDeadlineExceeded = 4,
  kNotFound = 5,
  kAlreadyExists = 6,
  kPermissionDenied = 7,
  kResourceExhausted = 8,
  kFailedPrecondition = 9,
  kAborted = 10,
  kOutOfRange = 11,
  kInternal = 13,
  kUnavailable = 14,
  kDataLoss = 15,
  kUnauthenticated = 16,
};

// StatusCodeName returns the upper-case name of |code|, e.g. "INVALID_ARGUMENT"
// (a string literal, so .data() is NUL-terminated); "UNKNOWN" for kUnknown
// and any value not listed.
std::string_view StatusCodeName(StatusCode code);

// StatusCodeFromInt returns the listed code whose value is |value|, if any:
// how a code that crossed a boundary (gRPC, the C API) is taken back in.
std::optional<StatusCode> StatusCodeFromInt(int value);

// Status is the result of an operation that returns no value. An OK status has
// an empty message. Status is cheap to copy when OK.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // ToString returns "OK" or "<CODE>: <message>".
  std::string ToString() const;

  // WithContext returns a copy whose message is prefixed with "|context|: ".
  Status WithContext(std::string_view context) const;

  // WithReason returns a copy tagged with |reason|: a stable, machine-readable
  // name (UPPER_SNAKE_CASE) for one cause among those its code covers, for
  // callers to switch on (the C API maps the client's reasons to status
  // codes of their own); the message stays for people. WithContext keeps it.
  Status WithReason(std::string_view reason) const;
  // Empty when the status has none.
  const std::string& reason() const { return reason_; }

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.message_ == b.message_ && a.reason_ == b.reason_;
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  std::string reason_;
};

inline Status CancelledError(std::string m) { return Status(StatusCode::kCancelled, std::move(m)); }
inline Status InvalidArgumentError(std::string m) {
  return Status(StatusCode::kInvalidArgument, std::move(m));
}
inline Status NotFoundError(std::string m) { return Status(StatusCode::kNotFound, std::move(m)); }
inline Status AlreadyExistsError(std::string m) {
  return Status(StatusCode::kAlreadyExists, std::move(m));
}
inline Status PermissionDeniedError(std::string m) {
  return Status(StatusCode::kPermissionDenied, std::move(m));
}
inline Status ResourceExhaustedError(std::string m) {
  return Status(StatusCode::kResourceExhausted, std::move(m));
}
inline Status FailedPreconditionError(std::string m) {
  return Status(StatusCode::kFailedPrecondition, std::move(m));
}
inline Status AbortedError(std::string m) { return Status(StatusCode::kAborted, std::move(m)); }
inline Status OutOfRangeError(std::string m) {
  return Status(StatusCode::kOutOfRange, std::move(m));
}
inline Status InternalError(std::string m) { return Status(StatusCode::kInternal, std::move(m)); }
inline Status UnavailableError(std::string m) {
  return Status(StatusCode::kUnavailable, std::move(m));
}
inline Status DataLossError(std::string m) { return Status(StatusCode::kDataLoss, std::move(m)); }
inline Status UnauthenticatedError(std::string m) {
  return Status(StatusCode::kUnauthenticated, std::move(m));
}

// StatusOr<T> holds either a T or a non-OK Status. Accessing the value of a
// non-OK StatusOr is a programming error (asserted in debug builds).
template <typename T>
class [[nodiscard]] StatusOr {
 public:
  // Implicit from a non-OK status: `return InvalidArgumentError("...");`.
  StatusOr(Status status) : status_(std::move(status)) {  // NOLINT
    assert(!status_.ok() && "StatusOr constructed from an OK status without a value");
    if (status_.ok()) status_ = InternalError("StatusOr constructed from OK status");
  }
  // Implicit from a value: `return value;`.
  StatusOr(T value) : value_(std::move(value)) {}  // NOLINT

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }

  T& value() & {
    assert(ok());
    return *value_;
  }
  const T& value() const& {
    assert(ok());
    return *value_;
  }
  T&& value() && {
    assert(ok());
    return std::move(*value_);
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace openen::base

// OPENEN_RETURN_IF_ERROR(expr) returns the Status of |expr| from the enclosing
// function when it is not OK.
#define OPENEN_RETURN_IF_ERROR(expr)                 \
  do {                                               \
    ::openen::base::Status openen_status_ = (expr);  \
    if (!openen_status_.ok()) return openen_status_; \
  } while (0)

#define OPENEN_STATUS_CONCAT_INNER_(a, b) a##b
#define OPENEN_STATUS_CONCAT_(a, b) OPENEN_STATUS_CONCAT_INNER_(a, b)

// OPENEN_ASSIGN_OR_RETURN(lhs, expr) evaluates |expr| (a StatusOr), returns its
// status when not OK, and otherwise moves its value into |lhs|.
#define OPENEN_ASSIGN_OR_RETURN(lhs, expr) \
  OPENEN_ASSIGN_OR_RETURN_IMPL_(OPENEN_STATUS_CONCAT_(openen_statusor_, __LINE__), lhs, expr)
#define OPENEN_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                  \
  if (!tmp.ok()) return tmp.status();                 \
  lhs = std::move(tmp).value()

#endif  // OPENEN_BASE_STATUS_H_
