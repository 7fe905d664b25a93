// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Size padding. Every OpenEN request and response has a `bytes padding = 15`
// field; filling it so that each message of a kind has the same serialized
// size keeps an observer of encrypted traffic from telling a diagnosis upload
// from chaff, or one answer from another.

#ifndef OPENEN_WIRE_PADDING_H_
#define OPENEN_WIRE_PADDING_H_

#include <cstddef>
#include <string>

#include "openen/base/status.h"

namespace openen::wire {

// PadToSize fills the message's padding field with random bytes so that
// |message| serializes to exactly |target| bytes. The field costs a tag and a
// varint length and proto3 omits it when empty, so a few differences cannot
// be hit exactly (1, 2, 130 and 16387 bytes): choose each target at least 131 bytes above the
// largest unpadded size of its message kind and below 16 KiB. Fails with INTERNAL if the target
// cannot be reached (a bug in the caller's choice of target).
template <typename Message>
base::Status PadToSize(Message* message, size_t target);

// Implementation detail of PadToSize: the padding length that makes a message
// of |unpadded| bytes (without the padding field) reach |target|, or -1.
long PaddingLength(size_t unpadded, size_t target);

// RandomPadding returns |n| random bytes as a string.
std::string RandomPadding(size_t n);

template <typename Message>
base::Status PadToSize(Message* message, size_t target) {
  message->clear_padding();
  long n = PaddingLength(message->ByteSizeLong(), target);
  if (n < 0) {
    return base::InternalError(
        message->GetTypeName() + " is " + std::to_string(message->ByteSizeLong()) +
        " bytes unpadded, more than its padded size " + std::to_string(target));
  }
  if (n > 0) message->set_padding(RandomPadding(static_cast<size_t>(n)));
  return base::Status::Ok();
}

}  // namespace openen::wire

#endif  // OPENEN_WIRE_PADDING_H_
