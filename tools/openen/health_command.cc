// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// `openen health`: a probe of a server's standard gRPC health service
// (grpc.health.v1.Health/Check), for load balancers, systemd, cron and
// container orchestrators: exit 0 when SERVING, 1 otherwise.

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "commands.h"
#include "openen/base/file.h"
#include "openen/cli/args.h"
#include "openen/rpc/call.h"
#include "openen/v1/health.pb.h"

namespace openen::tools {

using cli::Args;
using cli::Fail;
using cli::kExitFailure;
using cli::kExitOk;

namespace {

constexpr char kUsage[] =
    "usage: openen health [--service NAME] [--tls-ca FILE] [--timeout SECONDS] ADDRESS\n"
    "\n"
    "Asks the standard gRPC health service of openen-relay or openen-verifier at ADDRESS\n"
    "(HOST:PORT, grpc://HOST:PORT, or grpcs://HOST:PORT for TLS) whether it serves, prints\n"
    "SERVING or NOT_SERVING and exits 0 when SERVING, 1 otherwise (not serving: decommissioned,\n"
    "its store cannot be written, its last maintenance pass failed; an unknown service; no\n"
    "answer), 2 for bad arguments.\n"
    "\n"
    "  --service NAME     one service: openen.v1.Relay or openen.v1.Verification (default:\n"
    "                     the server as a whole)\n"
    "  --tls-ca FILE      the CA certificate (PEM) that signed the server's, for grpcs://\n"
    "                     (default: the system's roots)\n"
    "  --timeout SECONDS  how long to wait for the answer, 1..60 (default 5)\n";

}  // namespace

int HealthCommand(int argc, char** argv, int first) {
  auto args = Args::Parse(argc, argv, first, {"service", "tls-ca", "timeout"}, {"help"});
  if (!args.ok()) return Fail(args.status().message());
  if (args->Has("help")) {
    std::fputs(kUsage, stdout);
    return kExitOk;
  }
  if (args->positional().size() != 1) return Fail(std::string("give one ADDRESS\n") + kUsage);
  auto timeout = args->GetInt("timeout", 5, 1, 60);
  if (!timeout.ok()) return Fail(timeout.status().message());
  std::string target = args->positional()[0];
  const bool tls = target.starts_with("grpcs://") || args->Has("tls-ca");
  for (const char* scheme : {"grpc://", "grpcs://"}) {
    if (target.starts_with(scheme)) target = target.substr(std::string(scheme).size());
  }
  std::shared_ptr<grpc::ChannelCredentials> creds = grpc::InsecureChannelCredentials();
  if (tls) {
    grpc::SslCredentialsOptions ssl;
    if (auto ca = args->Get("tls-ca")) {
      auto pem = base::ReadFile(*ca, base::kMaxSmallFileBytes);
      if (!pem.ok()) return Fail(pem.status().message());
      ssl.pem_root_certs = *pem;
    }
    creds = grpc::SslCredentials(ssl);
  }
  auto channel = grpc::CreateChannel(target, creds);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(*timeout));
  openen::v1::HealthCheckRequest request;
  request.set_service(args->Get("service").value_or(""));
  openen::v1::HealthCheckResponse response;
  const grpc::Status status =
      rpc::UnaryCall(channel.get(), "/grpc.health.v1.Health/Check", &ctx, request, &response);
  if (!status.ok()) {
    std::printf("NOT_SERVING\n");
    return Fail(status.error_code() == grpc::NOT_FOUND
                    ? "the server has no service named '" + request.service() + "'"
                    : "no answer: " + status.error_message(),
                kExitFailure);
  }
  std::printf("%s\n",
              openen::v1::HealthCheckResponse::ServingStatus_Name(response.status()).c_str());
  return response.status() == openen::v1::HealthCheckResponse::SERVING ? kExitOk : kExitFailure;
}

}  // namespace openen::tools
