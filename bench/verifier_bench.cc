// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// openen-verifier under a guessing attack, printed as JSON lines:
//   verifier_guessing_grpc  attacker threads send wrong codes over loopback
//                           gRPC as fast as the verifier answers, while an
//                           honest loop issues a code and exchanges it, again
//                           and again: the attacker's guesses/s, and the
//                           honest exchanges' success rate and latency
//                           percentiles
//   verifier_guessing_none  the same honest loop with no attacker (baseline)
//   verifier_guessing_inprocess  wrong codes exchanged in-process by one
//                           thread: every exchange holds one lock for its
//                           lookup, so this is the verifier's ceiling
// The guess rate is the figure behind the code length (docs/verifier.md).
// Usage: bench_verifier [--seconds S] [--attackers T]

#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "bench_util.h"
#include "openen/base/clock.h"
#include "openen/console/staff.h"
#include "openen/crypto/random.h"
#include "openen/server/grpc_server.h"
#include "openen/server/log.h"
#include "openen/server/worker_pool.h"
#include "openen/v1/verification.grpc.pb.h"
#include "openen/verifier/service.h"
#include "openen/verifier/verifier.h"

namespace {

using namespace openen;
using bench::JsonLine;
using bench::NowSeconds;

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

void Run(const std::string& name, double seconds, int attackers) {
  const std::string dir = std::filesystem::temp_directory_path() / ("openen-bench-verifier-" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  base::SystemClock clock;
  // As openen-verifier serves: the integration's key checked and counted in
  // the staff directory, the daily totals kept there, a pool of 4 workers.
  std::filesystem::create_directories(dir);
  auto staff = console::Staff::Open(dir + "/staff", {}, &clock);
  auto key = staff.ok() ? (*staff)->AddIntegration("bench", console::kMaxDailyLimit)
                        : base::StatusOr<crypto::SecretBytes>(staff.status());
  verifier::VerifierOptions options;
  options.tally = staff.ok() ? staff->get() : nullptr;
  auto verifier = verifier::Verifier::Open(dir + "/verifier", crypto::Ed25519PrivateKey::Generate(),
                                           options, &clock);
  if (!key.ok() || !verifier.ok()) {
    std::fprintf(stderr, "bench_verifier: %s\n",
                 (key.ok() ? verifier.status() : key.status()).ToString().c_str());
    std::exit(1);
  }
  const std::string api_key(base::AsChars(key->Reveal()));
  server::WorkerPool pool(4);
  verifier::VerificationService service(
      verifier->get(), [&](std::string_view k) { return (*staff)->TakeIssueByKey(k); }, &pool);
  auto running = server::StartServer({}, {&service});
  if (!running.ok()) {
    std::fprintf(stderr, "bench_verifier: %s\n", running.status().ToString().c_str());
    std::exit(1);
  }
  const std::string target = "127.0.0.1:" + std::to_string(running->port);

  std::atomic<bool> stop{false};
  std::atomic<long long> guesses{0}, guess_hits{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < attackers; ++t) {
    threads.emplace_back([&, t] {
      // One connection each, as separate machines would have.
      grpc::ChannelArguments args;
      args.SetInt("openen.bench.attacker", t);
      auto guesser = openen::v1::Verification::NewStub(
          grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args));
      while (!stop) {
        grpc::ClientContext ctx;
        openen::v1::ExchangeCodeRequest req;
        req.set_code(verifier::RandomShortCode(16));
        openen::v1::ExchangeCodeResponse resp;
        if (guesser->ExchangeCode(&ctx, req, &resp).ok()) ++guess_hits;
        ++guesses;
      }
    });
  }

  auto honest = openen::v1::Verification::NewStub(grpc::CreateChannel(target, grpc::InsecureChannelCredentials()));
  std::vector<double> latencies;
  long long tried = 0, succeeded = 0;
  const double start = NowSeconds();
  const long long guesses_at_start = guesses;
  while (NowSeconds() - start < seconds) {
    openen::v1::IssueCodeResponse codes;
    {
      grpc::ClientContext ctx;
      ctx.AddMetadata("authorization", "Bearer " + api_key);
      openen::v1::IssueCodeRequest req;
      req.set_test_type(openen::v1::CONFIRMED_TEST);
      if (!honest->IssueCode(&ctx, req, &codes).ok()) continue;
    }
    grpc::ClientContext ctx;
    openen::v1::ExchangeCodeRequest req;
    req.set_code(tried % 2 == 0 ? codes.short_code() : codes.long_code());
    openen::v1::ExchangeCodeResponse resp;
    const double t0 = NowSeconds();
    const bool ok = honest->ExchangeCode(&ctx, req, &resp).ok();
    latencies.push_back((NowSeconds() - t0) * 1000);
    ++tried;
    succeeded += ok;
  }
  const double elapsed = NowSeconds() - start;
  const long long attacker_guesses = guesses - guesses_at_start;
  stop = true;
  for (auto& t : threads) t.join();
  server::ShutdownGracefully(running->server.get(), 5);
  JsonLine(name)
      .Add("attackers", static_cast<long long>(attackers))
      .Add("seconds", elapsed)
      .Add("guesses_per_s", static_cast<double>(attacker_guesses) / elapsed)
      .Add("guesses_that_hit", static_cast<long long>(guess_hits))
      .Add("honest_exchanges", tried)
      .Add("honest_success_rate", tried ? static_cast<double>(succeeded) / static_cast<double>(tried) : 0.0)
      .Add("honest_p50_ms", Percentile(latencies, 0.50))
      .Add("honest_p99_ms", Percentile(latencies, 0.99))
      .Add("honest_max_ms", Percentile(latencies, 1.0))
      .Print();
  verifier->reset();
  std::filesystem::remove_all(dir);
}

void RunInProcess(double seconds) {
  const std::string dir =
      std::filesystem::temp_directory_path() / ("openen-bench-verifier-ip-" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  base::SystemClock clock;
  auto verifier = verifier::Verifier::Open(dir, crypto::Ed25519PrivateKey::Generate(), {}, &clock);
  if (!verifier.ok()) std::exit(1);
  for (int i = 0; i < 1000; ++i) (void)(*verifier)->IssueCode(openen::v1::CONFIRMED_TEST, 0);
  std::vector<std::string> guesses(4096);
  for (auto& g : guesses) g = verifier::RandomShortCode(16);
  long long n = 0;
  const double start = NowSeconds();
  while (NowSeconds() - start < seconds) {
    for (int i = 0; i < 256; ++i) (void)(*verifier)->ExchangeCode(guesses[static_cast<size_t>(n++) % guesses.size()]);
  }
  const double elapsed = NowSeconds() - start;
  JsonLine("verifier_guessing_inprocess")
      .Add("live_codes", 2000LL)
      .Add("guesses_per_s", static_cast<double>(n) / elapsed)
      .Print();
  verifier->reset();
  std::filesystem::remove_all(dir);
}

}  // namespace

int main(int argc, char** argv) {
  if (base::Status s = crypto::Init(); !s.ok()) return 1;
  double seconds = 10;
  int attackers = 8;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--seconds") {
      seconds = std::atof(argv[i + 1]);
    } else if (flag == "--attackers") {
      attackers = std::atoi(argv[i + 1]);
    } else {
      std::fprintf(stderr, "usage: bench_verifier [--seconds S] [--attackers T]\n");
      return 2;
    }
  }
  server::SetLogging(false);
  Run("verifier_guessing_none", seconds, 0);
  Run("verifier_guessing_grpc", seconds, attackers);
  RunInProcess(seconds);
  return 0;
}
