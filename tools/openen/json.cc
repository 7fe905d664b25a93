// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "json.h"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace openen::tools {

namespace {

// Utf8SequenceLength returns the length of the well-formed UTF-8 sequence at
// the start of |s| (RFC 3629: no overlong forms, no surrogates, nothing above
// U+10FFFF), or 0 when there is none.
size_t Utf8SequenceLength(std::string_view s) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char c = byte(0);
  if (c < 0x80) return 1;
  size_t n = 0;
  unsigned char lo = 0x80, hi = 0xbf;  // the range of the second byte
  if (c >= 0xc2 && c <= 0xdf) {
    n = 2;
  } else if (c >= 0xe0 && c <= 0xef) {
    n = 3;
    if (c == 0xe0) lo = 0xa0;  // overlong
    if (c == 0xed) hi = 0x9f;  // surrogates
  } else if (c >= 0xf0 && c <= 0xf4) {
    n = 4;
    if (c == 0xf0) lo = 0x90;  // overlong
    if (c == 0xf4) hi = 0x8f;  // above U+10FFFF
  } else {
    return 0;
  }
  if (s.size() < n || byte(1) < lo || byte(1) > hi) return 0;
  for (size_t i = 2; i < n; ++i) {
    if (byte(i) < 0x80 || byte(i) > 0xbf) return 0;
  }
  return n;
}

}  // namespace

void AppendJsonString(std::string_view s, std::string* out_ptr) {
  std::string& out = *out_ptr;
  out += '"';
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"': out += "\\\""; ++i; continue;
      case '\\': out += "\\\\"; ++i; continue;
      case '\n': out += "\\n"; ++i; continue;
      case '\r': out += "\\r"; ++i; continue;
      case '\t': out += "\\t"; ++i; continue;
      default: break;
    }
    if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\u%04x", c);
      out += buf;
      ++i;
      continue;
    }
    // JSON text is UTF-8: a byte that starts no well-formed sequence (an
    // export's region is whatever its writer put there) becomes U+FFFD.
    const size_t n = Utf8SequenceLength(s.substr(i));
    if (n == 0) {
      out += "\\ufffd";
      ++i;
    } else {
      out.append(s, i, n);
      i += n;
    }
  }
  out += '"';
}

std::string JsonString(std::string_view s) {
  std::string out;
  AppendJsonString(s, &out);
  return out;
}

void JsonWriter::Separate() {
  if (need_comma_) out_ += ", ";
  need_comma_ = true;
}

JsonWriter& JsonWriter::Wrote() {
  if (sink_ != nullptr && out_.size() >= kFlushBytes) Flush();
  return *this;
}

bool JsonWriter::Flush() {
  if (sink_ == nullptr) return true;
  if (!out_.empty() && std::fwrite(out_.data(), 1, out_.size(), sink_) != out_.size()) {
    sink_failed_ = true;
  }
  // clear() keeps the capacity: the buffer is allocated once.
  out_.clear();
  return !sink_failed_;
}

JsonWriter& JsonWriter::BeginObject() {
  Separate();
  out_ += '{';
  need_comma_ = false;
  return Wrote();
}
JsonWriter& JsonWriter::EndObject() {
  out_ += '}';
  need_comma_ = true;
  return Wrote();
}
JsonWriter& JsonWriter::BeginArray() {
  Separate();
  out_ += '[';
  need_comma_ = false;
  return Wrote();
}
JsonWriter& JsonWriter::EndArray() {
  out_ += ']';
  need_comma_ = true;
  return Wrote();
}
JsonWriter& JsonWriter::Key(std::string_view key) {
  Separate();
  AppendJsonString(key, &out_);
  out_ += ": ";
  need_comma_ = false;
  return *this;  // the value follows; flushing waits for it
}
JsonWriter& JsonWriter::String(std::string_view v) {
  Separate();
  AppendJsonString(v, &out_);
  return Wrote();
}
JsonWriter& JsonWriter::Int(int64_t v) {
  Separate();
  char buf[24];
  out_.append(buf, std::to_chars(buf, buf + sizeof(buf), v).ptr);
  return Wrote();
}
JsonWriter& JsonWriter::Uint(uint64_t v) {
  Separate();
  char buf[24];
  out_.append(buf, std::to_chars(buf, buf + sizeof(buf), v).ptr);
  return Wrote();
}
JsonWriter& JsonWriter::Double(double v) {
  Separate();
  if (!std::isfinite(v)) {
    out_ += "null";
  } else {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%.6g", v);
    out_ += buf;
  }
  return Wrote();
}
JsonWriter& JsonWriter::Bool(bool v) {
  Separate();
  out_ += v ? "true" : "false";
  return Wrote();
}
JsonWriter& JsonWriter::Null() {
  Separate();
  out_ += "null";
  return Wrote();
}

}  // namespace openen::tools
