// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// `openen export inspect` on large and hostile files, printed as JSON lines
// (one per file and output format): the command's exit code, wall time, peak
// resident memory and output bytes.
//   inspect_sparse_600mib  a 600 MiB sparse file (refused by its size)
//   inspect_fifo_600mib    600 MiB offered through a FIFO (refused at the limit)
//   inspect_9m_keys        9,000,000 repeated keys deflated into a small zip
//                          (refused by export.bin's declared size)
//   inspect_max_keys       kMaxExportKeys distinct keys, signed (the largest
//                          legal export), as text and as --json
// The files are made by a child run of this program, so that this process
// stays small: Linux reports a child's peak memory as at least the peak its
// parent had when it forked.
// Usage: bench_export_inspect [--openen PATH]

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "bench_util.h"
#include "export_zip.h"  // internal: the zip writer, for a raw export.bin
#include "openen/crypto/ecdsa.h"
#include "openen/wire/export.h"

extern char** environ;

namespace {

using namespace openen;
using bench::JsonLine;
using bench::NowSeconds;

uint64_t SplitMix64(uint64_t x) {
  uint64_t z = x * 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

void WriteOrDie(const std::string& path, base::ByteView bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  if (!out) {
    std::fprintf(stderr, "bench_export_inspect: cannot write %s\n", path.c_str());
    std::exit(1);
  }
}

// Generate writes the zips into |dir| and prints the public key that signed
// the largest legal one.
int Generate(const std::string& dir) {
  // 9M copies of one key of key_data only (20 bytes each).
  const uint8_t key[] = {0x3a, 0x12, 0x0a, 0x10, 1,  2,  3,  4,  5,  6,
                         7,    8,    9,    10,   11, 12, 13, 14, 15, 16};
  base::Bytes bin(wire::kExportBinHeader.begin(), wire::kExportBinHeader.end());
  bin.reserve(bin.size() + 9'000'000 * sizeof(key));
  for (size_t i = 0; i < 9'000'000; ++i) bin.insert(bin.end(), key, key + sizeof(key));
  WriteOrDie(dir + "/9m.zip", *wire::internal::WriteZip({{"export.bin", bin}}));
  bin = {};

  auto signer = crypto::EcdsaP256PrivateKey::Generate();
  if (!signer.ok()) return 1;
  wire::ExportBatch batch;
  batch.header.region = "IE";
  for (uint64_t i = 0; i < wire::kMaxExportKeys; ++i) {
    base::Bytes data(16);
    const uint64_t a = SplitMix64(2 * i), b = SplitMix64(2 * i + 1);
    std::memcpy(data.data(), &a, 8);
    std::memcpy(data.data() + 8, &b, 8);
    batch.keys.push_back({std::move(data), 3, 2833200, 144, wire::ReportType::kConfirmedTest, 2});
  }
  auto zip = wire::WriteExportZip(std::move(batch), {{{"1", "310", ""}, &*signer}});
  if (!zip.ok()) return 1;
  WriteOrDie(dir + "/max.zip", *zip);
  std::printf("%s\n", signer->PublicKey().ToSpkiBase64().c_str());
  return 0;
}

struct Result {
  int exit_code = -1;
  long long max_rss_kb = 0;
  long long out_bytes = 0;
  double seconds = 0;
  std::string out;  // kept only when asked
};

// Spawn runs |argv| with stdout counted (and kept when |keep|), stderr
// passed through, and returns its peak RSS from wait4.
Result Spawn(const std::vector<std::string>& argv, bool keep = false) {
  int out_pipe[2];
  if (pipe(out_pipe) != 0) std::exit(1);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
  posix_spawn_file_actions_addclose(&actions, out_pipe[0]);
  std::vector<char*> cargv;
  for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  Result r;
  const double start = NowSeconds();
  pid_t pid;
  if (posix_spawn(&pid, cargv[0], &actions, nullptr, cargv.data(), environ) != 0) {
    std::fprintf(stderr, "bench_export_inspect: cannot run %s\n", cargv[0]);
    std::exit(1);
  }
  posix_spawn_file_actions_destroy(&actions);
  close(out_pipe[1]);
  char buf[65536];
  for (ssize_t n; (n = read(out_pipe[0], buf, sizeof(buf))) != 0;) {
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    r.out_bytes += n;
    if (keep) r.out.append(buf, static_cast<size_t>(n));
  }
  close(out_pipe[0]);
  int status = 0;
  rusage usage{};
  wait4(pid, &status, 0, &usage);
  r.seconds = NowSeconds() - start;
  r.max_rss_kb = usage.ru_maxrss;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

void Print(const std::string& name, const std::string& format, long long file_bytes,
           const Result& r) {
  JsonLine(name)
      .Add("format", format)
      .Add("file_bytes", file_bytes)
      .Add("exit_code", static_cast<long long>(r.exit_code))
      .Add("seconds", r.seconds)
      .Add("peak_rss_kb", r.max_rss_kb)
      .Add("out_bytes", r.out_bytes)
      .Print();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::string(argv[1]) == "--generate") return Generate(argv[2]);
  std::string openen = OPENEN_CLI;
  if (argc == 3 && std::string(argv[1]) == "--openen") openen = argv[2];
  const std::string dir =
      std::filesystem::temp_directory_path() / ("openen-bench-inspect-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  signal(SIGPIPE, SIG_IGN);

  Result gen = Spawn({"/proc/self/exe", "--generate", dir}, /*keep=*/true);
  if (gen.exit_code != 0) {
    std::fprintf(stderr, "bench_export_inspect: generating the files failed\n");
    return 1;
  }
  const std::string public_key = gen.out.substr(0, gen.out.find('\n'));

  // The small genuine baseline: the command's own footprint.
  const std::string sample = dir + "/sample.zip";
  {
    wire::ExportBatch batch;
    batch.keys.push_back({base::Bytes(16, 7), 3, 2833200, 144, std::nullopt, std::nullopt});
    auto signer = crypto::EcdsaP256PrivateKey::Generate();
    WriteOrDie(sample, *wire::WriteExportZip(std::move(batch), {{{"1", "310", ""}, &*signer}}));
  }
  Print("inspect_one_key", "--json", std::filesystem::file_size(sample),
        Spawn({openen, "export", "inspect", sample, "--json"}));

  const std::string sparse = dir + "/sparse.zip";
  { std::ofstream touch(sparse); }
  std::filesystem::resize_file(sparse, size_t{600} << 20);
  Print("inspect_sparse_600mib", "--json", std::filesystem::file_size(sparse),
        Spawn({openen, "export", "inspect", sparse, "--json"}));
  std::filesystem::remove(sparse);

  const std::string fifo = dir + "/export.fifo";
  mkfifo(fifo.c_str(), 0600);
  long long offered = 0;
  std::thread writer([&] {
    const int fd = open(fifo.c_str(), O_WRONLY);
    if (fd < 0) return;
    std::string chunk(size_t{1} << 16, '\0');
    chunk.replace(0, 4, "PK\x03\x04", 4);
    while (offered < (600ll << 20)) {
      const ssize_t n = write(fd, chunk.data(), chunk.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) break;
      offered += n;
      chunk[0] = chunk[1] = chunk[2] = chunk[3] = 0;
    }
    close(fd);
  });
  Result fifo_run = Spawn({openen, "export", "inspect", fifo, "--json"});
  writer.join();
  Print("inspect_fifo_600mib", "--json", offered, fifo_run);

  for (const char* format : {"text", "--json"}) {
    for (const auto& [name, file] : {std::pair{"inspect_9m_keys", dir + "/9m.zip"},
                                     std::pair{"inspect_max_keys", dir + "/max.zip"}}) {
      std::vector<std::string> args = {openen, "export",       "inspect",
                                       file,   "--public-key", public_key};
      if (std::string(format) == "--json") args.push_back(format);
      Print(name, format, std::filesystem::file_size(file), Spawn(args));
    }
  }
  std::filesystem::remove_all(dir);
  return 0;
}
