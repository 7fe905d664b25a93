// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Starting and stopping the servers' gRPC endpoints the same way: loopback
// unless told otherwise, optional TLS, the standard health service and
// reflection, and graceful shutdown on SIGTERM/SIGINT.

#ifndef OPENEN_SERVER_GRPC_SERVER_H_
#define OPENEN_SERVER_GRPC_SERVER_H_

#include <grpcpp/grpcpp.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "openen/base/status.h"

namespace openen::server {

struct EndpointOptions {
  std::string listen = "127.0.0.1:0";  // port 0: pick a free one
  std::optional<std::string> tls_cert_file;
  std::optional<std::string> tls_key_file;
  // The largest request: twice the largest padded one (a 4 KiB publish,
  // client/upload.h), so that each call a client can start costs little.
  int max_receive_message_bytes = 8 * 1024;
  // What a client may send on one call before the server reads it (HTTP/2's
  // stream flow-control window, fixed).
  int stream_window_bytes = 16 * 1024;
  // Calls one connection may have open at once (HTTP/2's
  // MAX_CONCURRENT_STREAMS): a client that starts more waits on its side,
  // so that one connection cannot hold the server's memory or queues.
  int max_streams_per_connection = 4;
  // The memory gRPC may use for all connections' buffers together; past it,
  // reading from connections waits.
  size_t memory_quota_bytes = size_t{128} << 20;
};

struct RunningServer {
  std::unique_ptr<grpc::Server> server;
  int port = 0;
};

// StartServer registers |services| plus health checking and reflection,
// binds and starts, with the per-connection and memory bounds of |options|. INVALID_ARGUMENT for an
// address without a port or unreadable TLS files, UNAVAILABLE when the address cannot be bound.
base::StatusOr<RunningServer> StartServer(const EndpointOptions& options,
                                          const std::vector<grpc::Service*>& services);

// BlockShutdownSignals blocks SIGTERM and SIGINT in the calling thread and
// every thread it creates afterwards; call it first in main.
void BlockShutdownSignals();

// WaitForShutdownSignal returns the signal number once SIGTERM or SIGINT
// arrives (after BlockShutdownSignals).
int WaitForShutdownSignal();

// ShutdownSignalWithin waits up to |milliseconds| for SIGTERM or SIGINT
// (after BlockShutdownSignals): the signal number, or 0 when none came.
int ShutdownSignalWithin(int milliseconds);

// ShutdownGracefully stops accepting calls, lets in-flight calls finish for up
// to |grace_seconds|, then cancels the rest.
void ShutdownGracefully(grpc::Server* server, int grace_seconds);

// ServeUntilSignal runs |maintain| every |interval_seconds| on its own thread
// until SIGTERM or SIGINT, then calls |on_signal| (when set: what ends a
// long step of a pass in flight), shuts |server| down gracefully (in-flight
// calls get |grace_seconds|), stops the thread, and runs |maintain| once more.
// Call BlockShutdownSignals first.
void ServeUntilSignal(const char* component, grpc::Server* server, int64_t interval_seconds,
                      const std::function<base::Status()>& maintain,
                      const std::function<void()>& on_signal = {}, int grace_seconds = 10);

}  // namespace openen::server

#endif  // OPENEN_SERVER_GRPC_SERVER_H_
