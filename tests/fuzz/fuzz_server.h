// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// What the RPC fuzz targets share: a server started as the binaries start
// theirs (server::StartServer, with its bounds), called through its
// in-process channel with request bytes as they come, so that every input
// goes through gRPC, the request codec, the dispatcher's lanes and decoys,
// and the handlers. And the statuses no input may get.

#ifndef OPENEN_FUZZ_FUZZ_SERVER_H_
#define OPENEN_FUZZ_FUZZ_SERVER_H_

#include <grpcpp/grpcpp.h>
#include <grpcpp/impl/client_unary_call.h>
#include <grpcpp/support/sync_stream.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "openen/server/grpc_server.h"

namespace openen::fuzz {

// The longest error message a server may send: never the caller's bytes.
inline constexpr size_t kMaxErrorMessage = 1024;

// CheckStatus aborts on a status that means a bug whatever the input:
// UNKNOWN (an exception or a handler that did not answer), INTERNAL,
// DATA_LOSS, or an error message longer than kMaxErrorMessage.
inline void CheckStatus(const char* method, const grpc::Status& s) {
  const grpc::StatusCode code = s.error_code();
  if (code == grpc::UNKNOWN || code == grpc::INTERNAL || code == grpc::DATA_LOSS ||
      s.error_message().size() > kMaxErrorMessage) {
    std::fprintf(stderr, "%s: status %d, %zu-byte message: %.200s\n", method,
                 static_cast<int>(code), s.error_message().size(), s.error_message().c_str());
    std::abort();
  }
}

class FuzzServer {
 public:
  // Starts |services| on a free loopback port (never called there).
  explicit FuzzServer(const std::vector<grpc::Service*>& services) {
    auto running = server::StartServer({}, services);
    if (!running.ok()) {
      std::fprintf(stderr, "fuzz server: %s\n", running.status().ToString().c_str());
      std::abort();
    }
    running_ = std::move(*running);
    channel_ = running_.server->InProcessChannel(grpc::ChannelArguments());
  }
  ~FuzzServer() { running_.server->Shutdown(std::chrono::system_clock::now()); }
  FuzzServer(const FuzzServer&) = delete;
  FuzzServer& operator=(const FuzzServer&) = delete;

  // Call sends |request| as the unary |method| (with "authorization:
  // Bearer |bearer|" when given), fills |response| when the status is OK,
  // and checks the status.
  grpc::Status Call(const char* method, std::string_view request, std::string* response,
                    const std::string& bearer = "") {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    if (!bearer.empty()) ctx.AddMetadata("authorization", "Bearer " + bearer);
    grpc::Slice slice(request.data(), request.size());
    grpc::ByteBuffer in(&slice, 1), out;
    const grpc::internal::RpcMethod rpc(method, grpc::internal::RpcMethod::NORMAL_RPC);
    const grpc::Status s = grpc::internal::BlockingUnaryCall<grpc::ByteBuffer, grpc::ByteBuffer>(
        channel_.get(), rpc, &ctx, in, &out);
    CheckStatus(method, s);
    response->clear();
    if (s.ok()) Append(out, response);
    return s;
  }

  // Stream sends |request| as the server-streaming |method| and returns the
  // messages' bytes, one string each, or checks and returns the status.
  grpc::Status Stream(const char* method, std::string_view request,
                      std::vector<std::string>* messages) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    grpc::Slice slice(request.data(), request.size());
    const grpc::ByteBuffer in(&slice, 1);
    const grpc::internal::RpcMethod rpc(method, grpc::internal::RpcMethod::SERVER_STREAMING);
    std::unique_ptr<grpc::ClientReader<grpc::ByteBuffer>> reader(
        grpc::internal::ClientReaderFactory<grpc::ByteBuffer>::Create(channel_.get(), rpc, &ctx,
                                                                      in));
    messages->clear();
    grpc::ByteBuffer message;
    while (reader->Read(&message)) {
      messages->emplace_back();
      Append(message, &messages->back());
    }
    const grpc::Status s = reader->Finish();
    CheckStatus(method, s);
    return s;
  }

 private:
  static void Append(const grpc::ByteBuffer& buffer, std::string* out) {
    std::vector<grpc::Slice> slices;
    if (!buffer.Dump(&slices).ok()) std::abort();
    for (const grpc::Slice& s : slices) out->append(reinterpret_cast<const char*>(s.begin()), s.size());
  }

  server::RunningServer running_;
  std::shared_ptr<grpc::Channel> channel_;
};

}  // namespace openen::fuzz

#endif  // OPENEN_FUZZ_FUZZ_SERVER_H_
