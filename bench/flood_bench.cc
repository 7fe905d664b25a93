// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// openen-relay under a flood, run as its own process (the openen-relay binary
// this build made) so that its memory and CPU are its own. Printed as JSON
// lines:
//   flood_honest      real publishes (14 keys, a fresh certificate each) from
//                     --phones connections, one call at a time each: publishes/s,
//                     p50 and p99 latency, the relay's CPU use, and what the
//                     flood got back (answered OK, shed RESOURCE_EXHAUSTED,
//                     refused otherwise); once with no flood, then during a
//                     chaff flood (valid-looking chaff publishes) and a garbage
//                     flood (8 KiB publishes, the largest the relay reads,
//                     whose certificate verifies under no key), each with
//                     --flood-calls calls kept in flight over
//                     --flood-connections connections
//   flood_memory      the relay's RSS (now and peak) with N garbage publishes
//                     kept in flight from one connection and from 64, for
//                     N = 5000, 10000, 20000, of 60 KiB (refused by size) and
//                     of 8 KiB; and its largest RSS while the flood is
//                     cancelled and in the 2 s after, and at the end; then for
//                     N = 20000 ended by closing the connections without
//                     cancelling (ending "closed")
// Where it runs: an attacker's CPU is not the server's. On a machine with two
// CPUs or more the relay gets CPU 0 and the clients the others; the flood is
// a process of its own (this binary again, with --flood-process) at the
// lowest priority, so that the honest phones beside it are slowed by the
// relay's load, not by the flooding client's. --shared-cpus runs everything
// on every CPU instead. A flood is only a flood if it keeps the relay busy:
// the relay's CPU use is printed with each figure.
// Usage: bench_flood [--seconds S] [--phones P] [--flood-calls N]
//                    [--flood-connections C] [--shared-cpus]
//                    [--only honest|memory]
// The relay's limits: openen/server/worker_pool.h and grpc_server.h.

#include <fcntl.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/impl/client_unary_call.h>
#include <grpcpp/support/client_callback.h>
#include <sched.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bench_util.h"
#include "openen/base/bytes.h"
#include "openen/base/file.h"
#include "openen/rpc/codec.h"
#include "openen/wire/padding.h"
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

// Cpus says where the relay and the clients run; unset: anywhere.
struct Cpus {
  std::optional<cpu_set_t> relay, clients;
};

Cpus SplitCpus(bool shared) {
  Cpus cpus;
  cpu_set_t all;
  if (shared || sched_getaffinity(0, sizeof(all), &all) != 0 || CPU_COUNT(&all) < 2) return cpus;
  cpu_set_t relay, clients;
  CPU_ZERO(&relay);
  CPU_ZERO(&clients);
  bool first = true;
  for (int c = 0; c < CPU_SETSIZE; ++c) {
    if (!CPU_ISSET(c, &all)) continue;
    CPU_SET(c, first ? &relay : &clients);
    first = false;
  }
  cpus.relay = relay;
  cpus.clients = clients;
  return cpus;
}

// Spawn runs |argv| on |cpus| (the calling thread's set while it starts: a
// child inherits it), its stdin and stdout as given (-1: this process's),
// its stderr into |log|. Returns its pid.
pid_t Spawn(std::vector<std::string> argv, const std::optional<cpu_set_t>& cpus, int in, int out,
            const std::string& log) {
  std::vector<char*> cargv;
  for (auto& a : argv) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (in >= 0) posix_spawn_file_actions_adddup2(&actions, in, 0);
  if (out >= 0) posix_spawn_file_actions_adddup2(&actions, out, 1);
  posix_spawn_file_actions_addopen(&actions, 2, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  cpu_set_t mine;
  sched_getaffinity(0, sizeof(mine), &mine);
  if (cpus) sched_setaffinity(0, sizeof(*cpus), &*cpus);
  pid_t pid = -1;
  const int err = posix_spawn(&pid, cargv[0], &actions, nullptr, cargv.data(), environ);
  sched_setaffinity(0, sizeof(mine), &mine);
  posix_spawn_file_actions_destroy(&actions);
  if (err != 0) Die("cannot run " + argv[0]);
  return pid;
}

// CpuSeconds returns the CPU time (user and system) process |pid| used.
double CpuSeconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // Fields after the command's closing parenthesis: utime and stime are the
  // 12th and 13th of them.
  std::istringstream rest(stat.substr(stat.rfind(')') + 2));
  std::string field;
  double ticks = 0;
  for (int i = 1; i <= 13 && rest >> field; ++i) {
    if (i >= 12) ticks += std::atof(field.c_str());
  }
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// RelayProcess runs openen-relay on a fresh directory, its output in a file.
class RelayProcess {
 public:
  RelayProcess(const std::string& dir, const crypto::Ed25519PrivateKey& authority,
               const Cpus& cpus) {
    const std::string cert_key = dir + "/certificate.pub";
    const std::string signing_key = dir + "/signing.pem";
    log_ = dir + "/relay.log";
    base::Status s = base::WriteFileAtomically(
        cert_key, base::Base64Encode(authority.PublicKey().bytes()) + "\n", false);
    auto pem = crypto::EcdsaP256PrivateKey::Generate()->ToPem();
    if (s.ok()) s = base::WriteFileAtomically(signing_key, *pem, true);
    if (!s.ok()) Die(s.ToString());
    pid_ = Spawn({OPENEN_RELAY_BINARY, "--data-dir", dir + "/data", "--export-dir", dir + "/export",
                  "--certificate-key", cert_key, "--signing-key", signing_key, "--listen",
                  "127.0.0.1:0", "--maintenance-interval", "86400"},
                 cpus.relay, -1, -1, log_);
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
  double CpuSeconds() const { return ::CpuSeconds(pid_); }

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

openen::v1::PublishRequest Chaff() {
  // Chaff's certificate need not verify: the relay does not look.
  auto anyone = crypto::Ed25519PrivateKey::Generate();
  openen::v1::PublishRequest req = bench::MakePublishes(1, time(nullptr), anyone)[0].Request();
  req.set_chaff(true);
  return req;
}

// Garbage is a publish of |kb| KiB whose certificate verifies under no key.
// At 8 KiB it is just within the relay's size bound (grpc_server.h), so each
// one is read, decoded and queued for a worker; at 60 KiB gRPC refuses it.
openen::v1::PublishRequest Garbage(int kb) {
  auto stranger = crypto::Ed25519PrivateKey::Generate();
  openen::v1::PublishRequest req = bench::MakePublishes(1, time(nullptr), stranger)[0].Request();
  if (kb * 1024 < 16 * 1024) {
    if (!wire::PadToSize(&req, kb * 1024).ok()) Die("cannot pad garbage");
  } else {
    req.set_padding(std::string(kb * 1024, 'g'));
  }
  return req;
}

// FloodProcess runs a Flood in a child process (this binary with
// --flood-process) on the clients' CPUs at the lowest priority, until
// Stop; Stop returns how the flood's calls ended.
class FloodProcess {
 public:
  FloodProcess(const std::string& self, const std::string& dir, int port, const std::string& kind,
               int kb, size_t calls, int connections, const Cpus& cpus) {
    int in[2], out[2];
    if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0) Die("pipe");
    pid_ = Spawn({self, "--flood-process", std::to_string(port), kind, std::to_string(kb),
                  std::to_string(calls), std::to_string(connections)},
                 cpus.clients, in[0], out[1], dir + "/flood.log");
    close(in[0]);
    close(out[1]);
    stop_ = in[1];
    results_ = out[0];
    // Started when it says so: its calls are in flight.
    char ready = 0;
    if (read(results_, &ready, 1) != 1) Die("the flood did not start; see " + dir + "/flood.log");
  }
  ~FloodProcess() { Stop(); }

  // Stop cancels the flood's calls, or with |cancel| false, ends the
  // process without cancelling them (its connections simply close).
  std::map<std::string, long long> Stop(bool cancel = true) {
    if (stop_ < 0) return outcomes_;
    if (!cancel && write(stop_, "close", 5) != 5) Die("cannot stop the flood");
    close(stop_);
    stop_ = -1;
    std::string text;
    char buf[4096];
    for (ssize_t n; (n = read(results_, buf, sizeof(buf))) > 0;) text.append(buf, n);
    close(results_);
    waitpid(pid_, nullptr, 0);
    std::istringstream lines(text);
    std::string what;
    long long n;
    while (lines >> what >> n) outcomes_[what] = n;
    return outcomes_;
  }

 private:
  pid_t pid_ = -1;
  int stop_ = -1, results_ = -1;
  std::map<std::string, long long> outcomes_;
};

// RunFloodProcess is the child's side: flood until stdin closes, then
// cancel the calls and print the outcomes; or, told "close", exit at once.
int RunFloodProcess(int port, const std::string& kind, int kb, size_t calls, int connections) {
  setpriority(PRIO_PROCESS, 0, 19);
  Flood flood(port, Encode(kind == "chaff" ? Chaff() : Garbage(kb)), calls, connections);
  if (write(1, "r", 1) != 1) return 1;
  char buf[64];
  std::string told;
  for (ssize_t n; (n = read(0, buf, sizeof(buf))) > 0;) told.append(buf, n);
  if (told == "close") _exit(0);
  flood.Stop();
  std::string text;
  for (const auto& [what, n] : flood.Outcomes()) text += what + " " + std::to_string(n) + "\n";
  return write(1, text.data(), text.size()) == static_cast<ssize_t>(text.size()) ? 0 : 1;
}

// Honest runs real publishes from |phones| connections for |seconds|.
JsonLine Honest(const char* flood_name, const RelayProcess& relay,
                const crypto::Ed25519PrivateKey& authority, int phones, double seconds) {
  std::vector<std::vector<double>> latencies(phones);
  std::atomic<long long> failures{0};
  std::vector<std::thread> threads;
  const double start = NowSeconds();
  const double relay_cpu = relay.CpuSeconds();
  for (int p = 0; p < phones; ++p) {
    threads.emplace_back([&, p] {
      auto channel = Connection(relay.port(), p);
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
      .Add("failures", failures.load())
      .Add("relay_cpu_percent", 100 * (relay.CpuSeconds() - relay_cpu) / elapsed);
  return line;
}

// RssSampler follows a process's RSS every 20 ms, keeping the largest seen.
class RssSampler {
 public:
  explicit RssSampler(const RelayProcess& relay)
      : thread_([this, &relay] {
          while (!stop_) {
            const double rss = relay.MemoryMb().first;
            double seen = max_.load();
            while (rss > seen && !max_.compare_exchange_weak(seen, rss)) {
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
          }
        }) {}
  ~RssSampler() {
    stop_ = true;
    thread_.join();
  }
  double Max() const { return max_.load(); }

 private:
  std::atomic<bool> stop_{false};
  std::atomic<double> max_{0};
  std::thread thread_;
};

void Memory(const std::string& self, const std::string& dir, const RelayProcess& relay, int kb,
            size_t calls, int connections, bool cancel, const Cpus& cpus) {
  FloodProcess flood(self, dir, relay.port(), "garbage", kb, calls, connections, cpus);
  // Long enough for every call to have been sent at least once.
  std::this_thread::sleep_for(std::chrono::seconds(5));
  const auto [rss, peak] = relay.MemoryMb();
  double stopping_max;
  {
    RssSampler sampler(relay);
    const auto outcomes = flood.Stop(cancel);
    std::this_thread::sleep_for(std::chrono::seconds(2));
    stopping_max = sampler.Max();
    JsonLine line("flood_memory");
    line.Add("in_flight", static_cast<long long>(calls))
        .Add("connections", static_cast<long long>(connections))
        .Add("request_kb", static_cast<long long>(kb))
        .Add("ending", std::string(cancel ? "cancelled" : "closed"))
        .Add("relay_rss_mb", rss)
        .Add("relay_peak_rss_mb", peak)
        .Add("stopping_max_rss_mb", stopping_max)
        .Add("idle_rss_mb", relay.MemoryMb().first);
    for (const auto& [what, n] : outcomes) line.Add("flood_" + what, n);
    line.Print();
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 7 && std::string(argv[1]) == "--flood-process") {
    return RunFloodProcess(std::atoi(argv[2]), argv[3], std::atoi(argv[4]),
                           std::strtoul(argv[5], nullptr, 10), std::atoi(argv[6]));
  }
  double seconds = 10;
  int phones = 8, flood_connections = 16;
  size_t flood_calls = 2000;
  bool shared = false;
  std::string only;  // "honest" or "memory": that phase alone
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--shared-cpus") {
      shared = true;
      continue;
    }
    if (i + 1 >= argc) Die("flag " + flag + " needs a value");
    if (flag == "--only") {
      only = argv[++i];
      continue;
    }
    const double v = std::atof(argv[++i]);
    if (flag == "--seconds") seconds = v;
    if (flag == "--phones") phones = static_cast<int>(v);
    if (flag == "--flood-calls") flood_calls = static_cast<size_t>(v);
    if (flag == "--flood-connections") flood_connections = static_cast<int>(v);
  }
  if (!crypto::Init().ok()) Die("crypto");
  const std::string self = std::filesystem::canonical("/proc/self/exe").string();
  const Cpus cpus = SplitCpus(shared);
  // This process and the threads it starts from here on: the clients' CPUs.
  if (cpus.clients) sched_setaffinity(0, sizeof(*cpus.clients), &*cpus.clients);
  std::string dir = (std::filesystem::temp_directory_path() / ("openen-bench-flood-" + std::string(6, 'X'))).string();  // mkdtemp template
  if (mkdtemp(dir.data()) == nullptr) Die("mkdtemp");
  const auto authority = crypto::Ed25519PrivateKey::Generate();
  if (only != "memory") {
    RelayProcess relay(dir, authority, cpus);
    Honest("none", relay, authority, phones, seconds).Add("cpus", std::string(shared ? "shared" : "split")).Print();
    for (const char* kind : {"chaff", "garbage"}) {
      FloodProcess flood(self, dir, relay.port(), kind, 8, flood_calls, flood_connections, cpus);
      JsonLine line = Honest(kind, relay, authority, phones, seconds);
      for (const auto& [what, n] : flood.Stop()) line.Add("flood_" + what, n);
      line.Print();
    }
  }
  // Requests gRPC refuses by size, and the largest it reads.
  for (int kb : {60, 8}) {
    if (only == "honest") break;
    for (int connections : {1, 64}) {
      // A fresh relay for each, so that each peak is its own; the largest
      // flood once more, ended without cancelling (see docs/operations.md,
      // "HTTP/2 rapid reset").
      for (size_t calls : {5000, 10000, 20000, 0}) {
        const bool cancel = calls != 0;
        if (calls == 0) calls = 20000;
        const std::string sub = dir + "/m" + std::to_string(kb) + "-" +
                                std::to_string(connections) + "-" + std::to_string(calls) +
                                (cancel ? "" : "-closed");
        std::filesystem::create_directories(sub);
        RelayProcess relay(sub, authority, cpus);
        Memory(self, sub, relay, kb, calls, connections, cancel, cpus);
      }
    }
  }
  std::filesystem::remove_all(dir);
  return 0;
}
