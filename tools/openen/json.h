// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// A minimal JSON writer for the command line's --json output.

#ifndef OPENEN_TOOLS_OPENEN_JSON_H_
#define OPENEN_TOOLS_OPENEN_JSON_H_

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

namespace openen::tools {

// JsonString returns |s| as a quoted JSON string: control characters escaped,
// and each byte that starts no well-formed UTF-8 sequence replaced by U+FFFD,
// so that any input gives valid JSON.
std::string JsonString(std::string_view s);

// AppendJsonString appends JsonString(s) to |out| without a temporary string.
void AppendJsonString(std::string_view s, std::string* out);

// JsonWriter writes a JSON document; it tracks commas, and the caller is
// responsible for balanced Begin/End calls.
//
// Made without a sink it keeps the whole document for str(). Made with a
// sink it streams: after any call that leaves kFlushBytes or more buffered,
// it writes the buffer to the sink and empties it, so a document of any
// length (an export's 200,000 keys) holds at most kFlushBytes plus one value
// in memory. Thread-compatible.
class JsonWriter {
 public:
  // The buffer size at which a streaming writer writes out.
  static constexpr size_t kFlushBytes = size_t{64} << 10;

  // JsonWriter() keeps the document for str().
  JsonWriter() = default;
  // JsonWriter(sink) streams to |sink|, which must outlive the writer; the
  // caller calls Flush() after the last value.
  explicit JsonWriter(std::FILE* sink) : sink_(sink) {}
  JsonWriter(const JsonWriter&) = delete;
  JsonWriter& operator=(const JsonWriter&) = delete;

  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  // Key writes an object key; the next value belongs to it.
  JsonWriter& Key(std::string_view key);
  JsonWriter& String(std::string_view v);
  JsonWriter& Int(int64_t v);
  JsonWriter& Uint(uint64_t v);
  JsonWriter& Double(double v);
  JsonWriter& Bool(bool v);
  JsonWriter& Null();
  template <typename T>
  JsonWriter& Optional(const std::optional<T>& v) {
    return v ? Int(static_cast<int64_t>(*v)) : Null();
  }

  // Flush writes what is buffered to the sink and reports whether every
  // write so far succeeded (false once the sink failed, e.g. a full disk).
  // Without a sink it does nothing and returns true.
  bool Flush();

  // str returns the document so far; with a sink, only its unflushed tail.
  const std::string& str() const { return out_; }

 private:
  void Separate();
  // Wrote ends every call that adds text: a streaming writer flushes a full
  // buffer.
  JsonWriter& Wrote();
  std::string out_;
  std::FILE* sink_ = nullptr;
  bool sink_failed_ = false;
  bool need_comma_ = false;
};

}  // namespace openen::tools

#endif  // OPENEN_TOOLS_OPENEN_JSON_H_
