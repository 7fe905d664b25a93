// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/server/grpc_server.h"

#include <absl/synchronization/mutex.h>
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>

#include <chrono>
#include <condition_variable>
#include <csignal>
#include <mutex>
#include <thread>

#include "openen/base/file.h"
#include "openen/server/log.h"
#include "openen/server/memory.h"

namespace openen::server {

base::StatusOr<RunningServer> StartServer(const EndpointOptions& options,
                                          const std::vector<grpc::Service*>& services) {
  if (options.listen.rfind(':') == std::string::npos) {
    return base::InvalidArgumentError("listen address '" + options.listen + "' has no port");
  }
  std::shared_ptr<grpc::ServerCredentials> creds = grpc::InsecureServerCredentials();
  if (options.tls_cert_file || options.tls_key_file) {
    if (!options.tls_cert_file || !options.tls_key_file) {
      return base::InvalidArgumentError("TLS needs both a certificate and a key file");
    }
    OPENEN_ASSIGN_OR_RETURN(std::string cert,
                            base::ReadFile(*options.tls_cert_file, base::kMaxSmallFileBytes));
    OPENEN_ASSIGN_OR_RETURN(std::string key,
                            base::ReadFile(*options.tls_key_file, base::kMaxSmallFileBytes));
    grpc::SslServerCredentialsOptions ssl;
    ssl.pem_key_cert_pairs.push_back({key, cert});
    creds = grpc::SslServerCredentials(ssl);
  }
  // Debian builds Abseil without NDEBUG, so each absl::Mutex that gRPC locks
  // would also update a graph of lock order, 3-4% of the relay's CPU under a
  // flood; gRPC's own tests check its lock order.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  RunningServer running;
  builder.AddListeningPort(options.listen, creds, &running.port);
  builder.SetMaxReceiveMessageSize(options.max_receive_message_bytes);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS, options.max_streams_per_connection);
  // A fixed window: bandwidth-delay probing would grow it for fast senders.
  builder.AddChannelArgument(GRPC_ARG_HTTP2_STREAM_LOOKAHEAD_BYTES, options.stream_window_bytes);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_BDP_PROBE, 0);
  grpc::ResourceQuota quota("openen-server");
  quota.Resize(options.memory_quota_bytes);
  builder.SetResourceQuota(quota);
  for (grpc::Service* s : services) builder.RegisterService(s);
  running.server = builder.BuildAndStart();
  if (!running.server || running.port == 0) {
    return base::UnavailableError("cannot listen on " + options.listen);
  }
  return running;
}

void BlockShutdownSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

int WaitForShutdownSignal() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  int sig = 0;
  sigwait(&set, &sig);
  return sig;
}

int ShutdownSignalWithin(int milliseconds) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  const timespec timeout{milliseconds / 1000, (milliseconds % 1000) * 1'000'000L};
  const int sig = sigtimedwait(&set, nullptr, &timeout);
  return sig > 0 ? sig : 0;
}

void ShutdownGracefully(grpc::Server* server, int grace_seconds) {
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(grace_seconds));
  server->Wait();
}

void ServeUntilSignal(const char* component, grpc::Server* server, int64_t interval_seconds,
                      const std::function<base::Status()>& maintain,
                      const std::function<void()>& on_signal, int grace_seconds) {
  std::mutex mu;
  std::condition_variable cv;
  bool stopping = false;
  auto run = [&] {
    if (base::Status s = maintain(); !s.ok())
      Log(component, "maintenance failed: %s", s.ToString().c_str());
  };
  // Every runs |fn| every |seconds| on a thread of its own until stopping.
  auto every = [&](int64_t seconds, std::function<void()> fn) {
    return std::thread([&mu, &cv, &stopping, seconds, fn = std::move(fn)] {
      std::unique_lock<std::mutex> lock(mu);
      while (!cv.wait_for(lock, std::chrono::seconds(seconds), [&] { return stopping; })) {
        lock.unlock();
        fn();
        lock.lock();
      }
    });
  };
  std::thread maintenance = every(interval_seconds, run);
  // What a burst freed goes back to the system within a second (memory.h).
  MemoryReturner memory(kMemorySlackBytes);
  std::thread returner = every(1, [&memory] { memory.Check(); });
  int sig = WaitForShutdownSignal();
  Log(component, "signal %d: finishing in-flight calls", sig);
  if (on_signal) on_signal();
  ShutdownGracefully(server, grace_seconds);
  {
    std::lock_guard<std::mutex> lock(mu);
    stopping = true;
  }
  cv.notify_all();
  maintenance.join();
  returner.join();
  run();
  Log(component, "stopped");
}

}  // namespace openen::server
