// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// openen-relay under a flood, run as its own process (the openen-relay binary
// this build made) so that its memory is its own. Printed as JSON lines:
//   flood_honest      real publishes (14 keys, a fresh certificate each) from
//                     --phones connections, one call at a time each: publishes/s,
//                     p50 and p99 latency, and what the flood got back
//                     (answered OK, shed RESOURCE_EXHAUSTED, refused otherwise);
//                     once with no flood, then during a chaff flood (valid-looking
//                     chaff publishes) and a garbage flood (60 KB publishes
//                     whose certificate verifies under no key), each with
//                     --flood-calls calls kept in flight over --flood-connections
//                     connections
//   flood_memory      the relay's RSS (now and peak) with N garbage publishes
//                     of 60 KB kept in flight from one connection and from 64,
//                     for N = 5000, 10000, 20000, and once the flood stops
// Usage: bench_flood [--seconds S] [--phones P] [--flood-calls N]
//                    [--flood-connections C]
// The relay's limits: openen/server/worker_pool.h and grpc_server.h.

#include <fcntl.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/impl/client_unary_call.h>
#include <grpcpp/support/client_callback.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bench_util.h"
#include "openen/base/bytes.h"
#include "openen/base/file.h"
#include "openen/rpc/codec.h"
#include "relay_publishes.h"

extern char** environ;

namespace {

using namespace openen;
using bench::JsonLine;
using bench::NowSeconds;

constexpr char kPublish[] = "/openen.v1.Relay/Publish";

void Die(const std::string& what) {
  std::fprintf(stderr, "bench_flood: %s\n", what.c_str());
  std::exit(1);
}

// RelayProcess runs openen-relay on a fresh directory, its output in a file.
class RelayProcess {
 public:
  RelayProcess(const std::string& dir, const crypto::Ed25519PrivateKey& authority) {
    const std::string cert_key = dir + "/certificate.pub";
    const std::string signing_key = dir + "/signing.pem";
    log_ = dir + "/relay.log";
    base::Status s = base::WriteFileAtomically(
        cert_key, base::Base64Encode(authority.PublicKey().bytes()) + "\n", false);
    auto pem = crypto::EcdsaP256PrivateKey::Generate()->ToPem();
    if (s.ok()) s = base::WriteFileAtomically(signing_key, *pem, true);
    if (!s.ok()) Die(s.ToString());
    std::vector<std::string> argv = {OPENEN_RELAY_BINARY,
                                     "--data-dir",
                                     dir + "/data",
                                     "--export-dir",
                                     dir + "/export",
                                     "--certificate-key",
                                     cert_key,
                                     "--signing-key",
                                     signing_key,
                                     "--listen",
                                     "127.0.0.1:0",
                                     "--maintenance-interval",
                                     "86400"};
    std::vector<char*> cargv;
    for (auto& a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    if (posix_spawn(&pid_, cargv[0], &actions, nullptr, cargv.data(), environ) != 0) {
      Die("cannot run " + argv[0]);
    }
    posix_spawn_file_actions_destroy(&actions);
    for (int i = 0; i < 2000 && port_ == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      std::ifstream in(log_);
      std::stringstream text;
      text << in.rdbuf();
      const std::string needle = "listening on 127.0.0.1:";
      const size_t at = text.str().find(needle);
      if (at != std::string::npos) port_ = std::atoi(text.str().c_str() + at + needle.size());
    }
    if (port_ == 0) Die("the relay did not start; see " + log_);
  }
  ~RelayProcess() {
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
  }

  int port() const { return port_; }

  // Memory returns the relay's resident set now and at its peak, in MB.
  std::pair<double, double> MemoryMb() const {
    std::ifstream in("/proc/" + std::to_string(pid_) + "/status");
    std::string line;
    double rss = 0, peak = 0;
    while (std::getline(in, line)) {
      if (line.rfind("VmRSS:", 0) == 0) rss = std::atof(line.c_str() + 6) / 1024;
      if (line.rfind("VmHWM:", 0) == 0) peak = std::atof(line.c_str() + 6) / 1024;
    }
    return {rss, peak};
  }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  std::string log_;
};

// Connection makes a channel of its own: a separate TCP connection, as a
// separate phone (or attacker's socket) has.
std::shared_ptr<grpc::Channel> Connection(int port, int id) {
  grpc::ChannelArguments args;
  args.SetInt("openen.bench.connection", id);
  args.SetMaxSendMessageSize(1 << 20);
  return grpc::CreateCustomChannel("127.0.0.1:" + std::to_string(port),
                                   grpc::InsecureChannelCredentials(), args);
}

grpc::ByteBuffer Encode(const google::protobuf::MessageLite& m) {
  grpc::ByteBuffer b;
  if (!rpc::EncodeMessage(m, &b).ok()) Die("encode");
  return b;
}

// Flood keeps |calls| calls of |request| in flight over |connections|
// connections until Stop, counting how they end.
class Flood {
 public:
  Flood(int port, grpc::ByteBuffer request, size_t calls, int connections)
      : request_(std::move(request)) {
    for (int c = 0; c < connections; ++c) channels_.push_back(Connection(port, 1000 + c));
    slots_.resize(calls);
    for (size_t i = 0; i < calls; ++i) Start(i);
  }
  ~Flood() { Stop(); }

  void Stop() {
    std::unique_lock<std::mutex> lock(mu_);
    stopping_ = true;
    for (auto& slot : slots_) {
      if (slot && slot->ctx) slot->ctx->TryCancel();
    }
    done_.wait(lock, [&] { return active_ == 0; });
  }

  std::map<std::string, long long> Outcomes() {
    std::lock_guard<std::mutex> lock(mu_);
    return outcomes_;
  }

 private:
  struct Slot {
    std::unique_ptr<grpc::ClientContext> ctx;
    grpc::ByteBuffer response;
  };

  void Start(size_t i) {
    auto slot = std::make_unique<Slot>();
    slot->ctx = std::make_unique<grpc::ClientContext>();
    Slot* raw = slot.get();
    {
      std::lock_guard<std::mutex> lock(mu_);
      slots_[i] = std::move(slot);
      ++active_;
    }
    const grpc::internal::RpcMethod rpc(kPublish, grpc::internal::RpcMethod::NORMAL_RPC);
    grpc::internal::CallbackUnaryCall<grpc::ByteBuffer, grpc::ByteBuffer>(
        channels_[i % channels_.size()].get(), rpc, raw->ctx.get(), &request_, &raw->response,
        [this, i](grpc::Status s) { Done(i, s); });
  }

  void Done(size_t i, const grpc::Status& s) {
    bool again;
    {
      std::lock_guard<std::mutex> lock(mu_);
      const char* what = s.ok()                                       ? "ok"
                         : s.error_code() == grpc::RESOURCE_EXHAUSTED ? "shed"
                         : s.error_code() == grpc::CANCELLED          ? "cancelled"
                                                                      : "refused";
      ++outcomes_[what];
      --active_;
      again = !stopping_;
      if (active_ == 0) done_.notify_all();
    }
    if (again) Start(i);
  }

  const grpc::ByteBuffer request_;
  std::vector<std::shared_ptr<grpc::Channel>> channels_;
  std::mutex mu_;
  std::condition_variable done_;
  std::vector<std::unique_ptr<Slot>> slots_;
  size_t active_ = 0;
  bool stopping_ = false;
  std::map<std::string, long long> outcomes_;
};

// Honest runs real publishes from |phones| connections for |seconds|.
void Honest(const char* flood_name, int port, const crypto::Ed25519PrivateKey& authority,
            int phones, double seconds, Flood* flood) {
  std::vector<std::vector<double>> latencies(phones);
  std::atomic<long long> failures{0};
  std::vector<std::thread> threads;
  const double start = NowSeconds();
  for (int p = 0; p < phones; ++p) {
    threads.emplace_back([&, p] {
      auto channel = Connection(port, p);
      const grpc::internal::RpcMethod rpc(kPublish, grpc::internal::RpcMethod::NORMAL_RPC);
      while (NowSeconds() - start < seconds) {
        // Certificates are made as they are needed: each is used once.
        const grpc::ByteBuffer request =
            Encode(bench::MakePublishes(1, time(nullptr), authority)[0].Request());
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
        grpc::ByteBuffer response;
        const double t0 = NowSeconds();
        const grpc::Status s =
            grpc::internal::BlockingUnaryCall<grpc::ByteBuffer, grpc::ByteBuffer>(
                channel.get(), rpc, &ctx, request, &response);
        latencies[p].push_back((NowSeconds() - t0) * 1000);
        if (!s.ok()) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  const double elapsed = NowSeconds() - start;
  std::vector<double> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  JsonLine line("flood_honest");
  line.Add("flood", std::string(flood_name))
      .Add("phones", static_cast<long long>(phones))
      .Add("publishes_per_second", static_cast<double>(all.size()) / elapsed)
      .Add("p50_ms", bench::Percentile(all, 0.50))
      .Add("p99_ms", bench::Percentile(all, 0.99))
      .Add("failures", failures.load());
  if (flood != nullptr) {
    for (const auto& [what, n] : flood->Outcomes()) line.Add("flood_" + what, n);
  }
  line.Print();
}

openen::v1::PublishRequest Chaff(const crypto::Ed25519PrivateKey& authority) {
  openen::v1::PublishRequest req = bench::MakePublishes(1, time(nullptr), authority)[0].Request();
  req.set_chaff(true);
  return req;
}

// Garbage is a 60 KB publish whose certificate verifies under no key.
openen::v1::PublishRequest Garbage() {
  auto stranger = crypto::Ed25519PrivateKey::Generate();
  openen::v1::PublishRequest req = bench::MakePublishes(1, time(nullptr), stranger)[0].Request();
  req.set_padding(std::string(60 * 1024, 'g'));
  return req;
}

void Memory(int port, const RelayProcess& relay, size_t calls, int connections) {
  Flood flood(port, Encode(Garbage()), calls, connections);
  // Long enough for every call to have been sent at least once.
  std::this_thread::sleep_for(std::chrono::seconds(5));
  const auto [rss, peak] = relay.MemoryMb();
  JsonLine line("flood_memory");
  line.Add("in_flight", static_cast<long long>(calls))
      .Add("connections", static_cast<long long>(connections))
      .Add("request_kb", 60LL)
      .Add("relay_rss_mb", rss)
      .Add("relay_peak_rss_mb", peak);
  flood.Stop();
  for (const auto& [what, n] : flood.Outcomes()) line.Add("flood_" + what, n);
  line.Print();
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 10;
  int phones = 8, flood_connections = 16;
  size_t flood_calls = 2000;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const double v = std::atof(argv[i + 1]);
    if (flag == "--seconds") seconds = v;
    if (flag == "--phones") phones = static_cast<int>(v);
    if (flag == "--flood-calls") flood_calls = static_cast<size_t>(v);
    if (flag == "--flood-connections") flood_connections = static_cast<int>(v);
  }
  if (!crypto::Init().ok()) Die("crypto");
  std::string dir = (std::filesystem::temp_directory_path() / ("openen-bench-flood-" + std::string(6, 'X'))).string();  // mkdtemp template
  if (mkdtemp(dir.data()) == nullptr) Die("mkdtemp");
  const auto authority = crypto::Ed25519PrivateKey::Generate();
  {
    RelayProcess relay(dir, authority);
    Honest("none", relay.port(), authority, phones, seconds, nullptr);
    {
      Flood flood(relay.port(), Encode(Chaff(authority)), flood_calls, flood_connections);
      Honest("chaff", relay.port(), authority, phones, seconds, &flood);
    }
    {
      Flood flood(relay.port(), Encode(Garbage()), flood_calls, flood_connections);
      Honest("garbage_60kb", relay.port(), authority, phones, seconds, &flood);
    }
  }
  for (int connections : {1, 64}) {
    // A fresh relay for each, so that each peak is its own.
    for (size_t calls : {5000, 10000, 20000}) {
      const std::string sub =
          dir + "/m" + std::to_string(connections) + "-" + std::to_string(calls);
      std::filesystem::create_directories(sub);
      RelayProcess relay(sub, authority);
      Memory(relay.port(), relay, calls, connections);
      if (calls == 20000) {
        std::this_thread::sleep_for(std::chrono::seconds(2));
        const auto [rss, peak] = relay.MemoryMb();
        JsonLine("flood_memory_idle")
            .Add("after_in_flight", static_cast<long long>(calls))
            .Add("connections", static_cast<long long>(connections))
            .Add("relay_rss_mb", rss)
            .Add("relay_peak_rss_mb", peak)
            .Print();
      }
    }
  }
  std::filesystem::remove_all(dir);
  return 0;
}
