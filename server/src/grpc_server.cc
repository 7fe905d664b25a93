// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/server/grpc_server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>

#include <chrono>
#include <condition_variable>
#include <csignal>
#include <mutex>
#include <thread>

#include "openen/base/file.h"
#include "openen/server/log.h"

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
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  RunningServer running;
  builder.AddListeningPort(options.listen, creds, &running.port);
  builder.SetMaxReceiveMessageSize(options.max_receive_message_bytes);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS, options.max_streams_per_connection);
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

void ShutdownGracefully(grpc::Server* server, int grace_seconds) {
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(grace_seconds));
  server->Wait();
}

void ServeUntilSignal(const char* component, grpc::Server* server, int64_t interval_seconds,
                      const std::function<base::Status()>& maintain, int grace_seconds) {
  std::mutex mu;
  std::condition_variable cv;
  bool stopping = false;
  auto run = [&] {
    if (base::Status s = maintain(); !s.ok())
      Log(component, "maintenance failed: %s", s.ToString().c_str());
  };
  std::thread maintenance([&] {
    std::unique_lock<std::mutex> lock(mu);
    while (!cv.wait_for(lock, std::chrono::seconds(interval_seconds), [&] { return stopping; })) {
      lock.unlock();
      run();
      lock.lock();
    }
  });
  int sig = WaitForShutdownSignal();
  Log(component, "signal %d: finishing in-flight calls", sig);
  ShutdownGracefully(server, grace_seconds);
  {
    std::lock_guard<std::mutex> lock(mu);
    stopping = true;
  }
  cv.notify_all();
  maintenance.join();
  run();
  Log(component, "stopped");
}

}  // namespace openen::server
