// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Fuzz target client_records: the decoders of what the phone reads back
// from its store (client/src/records_codec.h, and the store's padding),
// given any plaintext: a record that an older or buggy build wrote, or
// whatever a corrupted sector decrypts to under a stolen-and-returned key.
//
// Input: a selector byte, then the record. Selector % 5 picks the decoder:
// 0 own key, 1 a shard's sightings, 2 one exposure window, 3 a day's
// windows, 4 the store's unpadding.
//
// Beyond "no crash": what decodes encodes back to the same bytes, and
// unpadding undoes padding.

#include <cstdlib>

#include "fuzz_util.h"
#include "records_codec.h"
#include "store.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace openen;
  using namespace openen::client::internal;
  fuzz::FuzzInput in(data, size);
  const uint8_t selector = in.Byte();
  const std::string_view rest = in.Rest();
  const base::Bytes record(rest.begin(), rest.end());
  constexpr uint32_t kDay = fuzz::kFuzzNow / 86400;
  switch (selector % 5) {
    case 0: {
      auto key = DecodeTek(record);
      if (key.ok() && EncodeTek(*key) != record) abort();
      break;
    }
    case 1: {
      auto sightings = DecodeSightings(record, kDay);
      // An empty record is an empty shard, which encodes as a count of zero.
      if (sightings.ok() && !record.empty() && EncodeSightings(*sightings) != record) abort();
      break;
    }
    case 2: {
      auto window = DecodeWindow(record, kDay);
      if (window.ok() && EncodeWindow(*window) != record) abort();
      break;
    }
    case 3: {
      auto windows = DecodeWindows(record);
      if (windows.ok() && !record.empty() && EncodeWindows(*windows) != record) abort();
      break;
    }
    default: {
      (void)Unpad(record);
      auto unpadded = Unpad(Pad(record, 64));
      if (!unpadded.ok() || *unpadded != record) abort();
      break;
    }
  }
  return 0;
}
