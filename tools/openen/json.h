// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// A minimal JSON writer for the command line's --json output.

#ifndef OPENEN_TOOLS_OPENEN_JSON_H_
#define OPENEN_TOOLS_OPENEN_JSON_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace openen::tools {

// JsonString returns |s| as a quoted JSON string: control characters escaped,
// and each byte that starts no well-formed UTF-8 sequence replaced by U+FFFD,
// so that any input gives valid JSON.
std::string JsonString(std::string_view s);

// JsonWriter appends a JSON document to a string; it tracks commas, and the
// caller is responsible for balanced Begin/End calls.
class JsonWriter {
 public:
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

  const std::string& str() const { return out_; }

 private:
  void Separate();
  std::string out_;
  bool need_comma_ = false;
};

}  // namespace openen::tools

#endif  // OPENEN_TOOLS_OPENEN_JSON_H_
