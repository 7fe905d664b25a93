// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/rpc/codec.h"

#include <google/protobuf/unknown_field_set.h>
#include <grpcpp/impl/codegen/proto_utils.h>
#include <grpcpp/support/proto_buffer_reader.h>

#include <cstdio>
#include <mutex>
#include <string>
#include <vector>

namespace openen::rpc {
namespace {

// Protobuf reports a string field that is not UTF-8 only through its log:
// while this thread decodes, the message goes here instead of to stderr,
// where a flood of bad requests would otherwise write one line each.
thread_local std::string* parse_log = nullptr;

void RouteProtobufLog(google::protobuf::LogLevel level, const char* file, int line,
                      const std::string& message) {
  if (parse_log != nullptr && level < google::protobuf::LOGLEVEL_FATAL) {
    *parse_log = message;
    return;
  }
  // Protobuf's own format for everything else.
  static const char* const kNames[] = {"INFO", "WARNING", "ERROR", "FATAL"};
  std::fprintf(stderr, "[libprotobuf %s %s:%d] %s\n", kNames[level], file, line, message.c_str());
}

// Reason explains why |bytes| did not parse as |message|'s type; |log| is
// what protobuf logged while trying.
std::string Reason(const grpc::ByteBuffer& buffer, const std::string& log) {
  constexpr std::string_view kUtf8 = "String field '";
  if (log.compare(0, kUtf8.size(), kUtf8) == 0) {
    const size_t end = log.find('\'', kUtf8.size());
    if (end != std::string::npos) {
      return "string field " + log.substr(kUtf8.size(), end - kUtf8.size()) + " is not valid UTF-8";
    }
  }
  std::vector<grpc::Slice> slices;
  std::string bytes;
  if (buffer.Dump(&slices).ok()) {
    for (const grpc::Slice& s : slices)
      bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  google::protobuf::UnknownFieldSet fields;
  if (!fields.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return "malformed protobuf encoding (a truncated or overlong field, or a bad tag)";
  }
  return "a nested message is malformed";
}

}  // namespace

base::Status DecodeMessage(const grpc::ByteBuffer& buffer, google::protobuf::Message* message) {
  static std::once_flag installed;
  std::call_once(installed, [] { google::protobuf::SetLogHandler(&RouteProtobufLog); });
  grpc::ByteBuffer copy(buffer);  // shares the slices; the reader needs a mutable buffer
  std::string log;
  parse_log = &log;
  bool ok;
  {
    grpc::ProtoBufferReader reader(&copy);
    ok = reader.status().ok() && message->ParseFromZeroCopyStream(&reader);
  }
  parse_log = nullptr;
  if (ok) return base::Status::Ok();
  return base::InvalidArgumentError("request is not a valid " + message->GetTypeName() + ": " +
                                    Reason(buffer, log));
}

base::Status EncodeMessage(const google::protobuf::MessageLite& message, grpc::ByteBuffer* buffer) {
  buffer->Clear();  // the serializer writes only into an empty buffer
  bool own = false;
  grpc::Status s =
      grpc::SerializationTraits<google::protobuf::MessageLite>::Serialize(message, buffer, &own);
  if (!s.ok()) return base::InternalError("cannot encode " + message.GetTypeName());
  return base::Status::Ok();
}

}  // namespace openen::rpc
