// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Fuzz target tlog: the transparency log's formats as a hostile relay or
// mirror serves them to phones, monitors and witnesses (wire/tlog.h).
//
// Input: a selector byte, then the bytes. Selector % 6 picks: 0 a signed
// note (checked under a fixed log key and witness key), 1 a checkpoint,
// 2 a log entry, 3 an entry bundle (its width the next byte), 4 a hash
// tile (its width the next byte), 5 a note key or a log path.
//
// Beyond "no crash": what parses formats to text that parses to the same
// value; a log entry is exactly its encoding; a log path has no "..", no
// leading '/' and no empty component.

#include "openen/wire/tlog.h"

#include <cstdlib>

#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace openen;
  using namespace openen::wire;
  fuzz::FuzzInput in(data, size);
  const uint8_t selector = in.Byte();
  switch (selector % 6) {
    case 0: {
      const std::string_view text = in.Rest();
      auto note = SignedNote::Parse(text);
      if (!note.ok()) break;
      auto again = SignedNote::Parse(note->Format());
      if (!again.ok() || again->text != note->text ||
          again->signatures.size() != note->signatures.size())
        abort();
      static const NoteKey log_key =
          *NoteKey::Parse("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW");
      static const NoteKey witness =
          *NoteKey::Make("witness.example", NoteKey::Type::kCosignature, log_key.key());
      int64_t time = 0;
      (void)log_key.Verify(*note);
      (void)witness.Verify(*note, &time);
      break;
    }
    case 1: {
      auto c = Checkpoint::Parse(in.Rest());
      if (!c.ok()) break;
      auto again = Checkpoint::Parse(c->Format());
      if (!again.ok() || !(*again == *c)) abort();
      (void)c->Time();
      break;
    }
    case 2: {
      const std::string_view text = in.Rest();
      auto e = LogEntry::Parse(text);
      if (e.ok() && e->Encode() != text) abort();
      break;
    }
    case 3: {
      const uint64_t width = in.Byte();
      const std::string_view rest = in.Rest();
      auto entries = ParseEntryBundle(base::AsBytes(rest), width);
      if (entries.ok() && base::AsChars(EncodeEntryBundle(*entries)) != rest) abort();
      break;
    }
    case 4: {
      const uint64_t width = in.Byte();
      const std::string_view rest = in.Rest();
      auto tile = ParseTile(base::AsBytes(rest), width);
      if (tile.ok() && tile->size() != width) abort();
      break;
    }
    default: {
      const std::string text(in.Rest());
      (void)NoteKey::Parse(text);
      (void)NoteSigner::Parse(text);
      if (IsLogPath(text)) {
        if (text.find("..") != std::string::npos || text.front() == '/' ||
            text.find("//") != std::string::npos || text.back() == '/') {
          abort();
        }
      }
      break;
    }
  }
  return 0;
}
