// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// `openen export inspect`, run as a separate process.

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#include "openen/crypto/ecdsa.h"
#include "openen/wire/export.h"
#include "subprocess.h"
#include "test_util.h"
#include "zip_bombs.h"

namespace openen::testing {
namespace {

const std::string k310v1 =
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE49JY6kekDgxj3Crm4y6kEHdfoKQFSNDM4mV9cgDb+e5nOAw0GeRoRThCu9/"
    "wX5wDT2QloFoOjl2pGZHI0f3C3w==";
const std::string kExampleServerV1 =
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEUczyMAkfSeoU77Nmcb1G7t7xyGCAhQqMOIVDFLFas3J+elP7CiotovigCLWj706F"
    "07j1EPL27ThRzZl7Ha9uOA==";

size_t Count(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + 1)) ++n;
  return n;
}

std::string TempFile(const std::string& name, const std::string& contents) {
  std::string path = "/tmp/openen-cli-" + std::to_string(getpid()) + "-" + name;
  std::ofstream(path, std::ios::binary) << contents;
  return path;
}

TEST_CASE("export inspect --json verifies the upstream sample with 310-v1", "[cli][export]") {
  RunResult r = Run({OPENEN_CLI, "export", "inspect", VectorPath("gaen-sample-export.zip"),
                     "--public-key", k310v1, "--json"});
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.empty());
  CHECK(CountLines(r.out) == 1);
  CHECK(r.out.rfind("{\"region\": \"US\", \"batch_num\": 1, \"batch_size\": 1, "
                    "\"start_timestamp\": 1593633600, \"end_timestamp\": 1593633900, "
                    "\"key_count\": 140, \"keys\": [{\"key_data\": \"0003d60b188f19856e8b3dd29a0c463b\", "
                    "\"transmission_risk_level\": 3, \"rolling_start_interval_number\": 2653920, "
                    "\"rolling_period\": 144, \"report_type\": null, "
                    "\"days_since_onset_of_symptoms\": null}, ",
                    0) == 0);
  CHECK(Count(r.out, "\"key_data\"") == 140);
  CHECK(r.out.find("\"revised_keys\": [], \"signature\": \"valid\"}") != std::string::npos);
}

TEST_CASE("export inspect fails with exit 1 under the wrong key", "[cli][export]") {
  RunResult r = Run({OPENEN_CLI, "export", "inspect", VectorPath("gaen-sample-export.zip"),
                     "--public-key", kExampleServerV1, "--json"});
  CHECK(r.exit_code == 1);
  CHECK(r.out.find("\"signature\": \"invalid\"") != std::string::npos);
  CHECK(r.err == "openen: " + VectorPath("gaen-sample-export.zip") +
                     ": no signature in export.sig verifies with the given key\n");
}

TEST_CASE("export inspect reads the public key from a PEM or base64 file", "[cli][export]") {
  auto key = crypto::EcdsaP256PublicKey::FromSpkiBase64(k310v1);
  REQUIRE(key.ok());
  std::string pem = TempFile("key.pem", key->ToPem());
  std::string b64 = TempFile("key.b64", k310v1 + "\n");
  for (const std::string& path : {pem, b64}) {
    RunResult r = Run({OPENEN_CLI, "export", "inspect", VectorPath("gaen-sample-export.zip"),
                       "--public-key", path});
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("signature: valid\nkeys: 140\nrevised_keys: 0\n") != std::string::npos);
    CHECK(CountLines(r.out) == 9 + 140);
  }
  std::remove(pem.c_str());
  std::remove(b64.c_str());
}

TEST_CASE("export inspect of a bare export.bin leaves the signature unchecked", "[cli][export]") {
  RunResult r = Run({OPENEN_CLI, "export", "inspect", VectorPath("internals-cpp-export.bin"), "--json"});
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("\"key_count\": 200") != std::string::npos);
  CHECK(r.out.find("{\"key_data\": \"00068b4d1fb011b9c9ae2744419d4ab3\", \"transmission_risk_level\": 2, "
                   "\"rolling_start_interval_number\": 2625468, \"rolling_period\": 141, "
                   "\"report_type\": null, \"days_since_onset_of_symptoms\": null}") !=
        std::string::npos);
  CHECK(r.out.find("\"signature\": \"unchecked\"}") != std::string::npos);
  // With a key, a file without export.sig cannot verify.
  RunResult keyed = Run({OPENEN_CLI, "export", "inspect", VectorPath("internals-cpp-export.bin"),
                         "--public-key", k310v1});
  CHECK(keyed.exit_code == 1);
  CHECK(keyed.err.find("export has no export.sig") != std::string::npos);
}

TEST_CASE("export inspect rejects bad files and arguments", "[cli][export]") {
  std::string bin = ReadFile(VectorPath("internals-app-export.bin"));
  std::string truncated = TempFile("truncated.bin", bin.substr(0, bin.size() - 3));
  RunResult r = Run({OPENEN_CLI, "export", "inspect", truncated});
  CHECK(r.exit_code == 1);
  CHECK(CountLines(r.err) == 1);
  CHECK(r.err.find("malformed export.bin") != std::string::npos);
  CHECK(r.out.empty());

  std::string garbage = TempFile("garbage.bin", "this is not an export");
  r = Run({OPENEN_CLI, "export", "inspect", garbage});
  CHECK(r.exit_code == 1);
  CHECK(r.err == "openen: " + garbage + ": export.bin starts with 'this is not an e', want 'EK Export v1    '\n");

  r = Run({OPENEN_CLI, "export", "inspect", "/nonexistent/file.zip"});
  CHECK(r.exit_code == 1);
  CHECK(r.err == "openen: cannot read /nonexistent/file.zip\n");

  r = Run({OPENEN_CLI, "export", "inspect", VectorPath("gaen-sample-export.zip"), "--public-key", "@@"});
  CHECK(r.exit_code == 2);
  CHECK(CountLines(r.err) == 1);
  CHECK(Run({OPENEN_CLI, "export", "inspect"}).exit_code == 2);
  CHECK(Run({OPENEN_CLI, "export", "inspect", "a", "b"}).exit_code == 2);
  std::remove(truncated.c_str());
  std::remove(garbage.c_str());
}

TEST_CASE("export inspect --json escapes strings from the file", "[cli][export]") {
  wire::ExportBatch batch;
  batch.header.region = "I\"E\\\n\x01";
  batch.keys.push_back(
      {base::Bytes(16, 0xab), std::nullopt, 2833200, 144, wire::ReportType::kSelfReport, -3});
  base::Bytes bin = wire::EncodeExportBin(batch);
  std::string path = TempFile("escape.bin", std::string(base::AsChars(bin)));
  RunResult r = Run({OPENEN_CLI, "export", "inspect", path, "--json"});
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.rfind("{\"region\": \"I\\\"E\\\\\\n\\u0001\", ", 0) == 0);
  CHECK(r.out.find("\"report_type\": \"SELF_REPORT\", \"days_since_onset_of_symptoms\": -3}") !=
        std::string::npos);
  std::remove(path.c_str());
}

TEST_CASE("export inspect --json is valid UTF-8 whatever bytes the file's strings hold",
          "[cli][export]") {
  wire::ExportBatch batch;
  // A stray byte, a valid "é", an encoded surrogate, a valid "€", a cut sequence.
  batch.header.region = "\xff\xc3\xa9\xed\xa0\x80\xe2\x82\xac\xe2\x82";
  batch.keys.push_back(
      {base::Bytes(16, 0xab), std::nullopt, 2833200, 144, wire::ReportType::kSelfReport, -3});
  base::Bytes bin = wire::EncodeExportBin(batch);
  std::string path = TempFile("utf8.bin", std::string(base::AsChars(bin)));
  RunResult r = Run({OPENEN_CLI, "export", "inspect", path, "--json"});
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.rfind("{\"region\": \"\\ufffd\xc3\xa9\\ufffd\\ufffd\\ufffd\xe2\x82\xac"
                    "\\ufffd\\ufffd\", ",
                    0) == 0);
  std::remove(path.c_str());
}

// PeakRssKb returns the peak RSS (KiB) of |r|, a run through rss_probe.
long PeakRssKb(const RunResult& r) {
  const size_t at = r.err.rfind("rss_probe: max_rss_kb ");
  REQUIRE(at != std::string::npos);
  return std::stol(r.err.substr(at + 22));
}

TEST_CASE("export inspect refuses a lying zip and a deflate bomb within bounded memory", "[cli][export][limits]") {
  // The peak resident memory of a run on the small genuine sample...
  RunResult sample = Run({OPENEN_RSS_PROBE, OPENEN_CLI, "export", "inspect", VectorPath("gaen-sample-export.zip")});
  REQUIRE(sample.exit_code == 0);
  const long sample_kb = PeakRssKb(sample);
  // ...and of runs on hostile files, which must be refused before they cost
  // more than the largest legal export (kMaxExportBinSize, under 16 MB) could.
  const long bound_kb = sample_kb + static_cast<long>(wire::kMaxExportBinSize / 1024);
  const std::string liar_bytes(base::AsChars(LyingZip(255u << 20)));
  const std::string bomb_bytes(base::AsChars(DeflateBomb(size_t{96} << 20)));
  for (const auto& [name, bytes] : {std::pair{std::string("liar.zip"), liar_bytes},
                                    std::pair{std::string("bomb.zip"), bomb_bytes}}) {
    INFO(name << ": " << bytes.size() << " bytes");
    const std::string path = TempFile(name, bytes);
    RunResult r = Run({OPENEN_RSS_PROBE, OPENEN_CLI, "export", "inspect", path});
    std::remove(path.c_str());
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("export.bin declares") != std::string::npos);
    CHECK(r.err.find("more than the limit of " + std::to_string(wire::kMaxExportBinSize)) != std::string::npos);
    INFO("peak RSS " << PeakRssKb(r) << " KiB, sample " << sample_kb << " KiB, bound " << bound_kb);
    CHECK(PeakRssKb(r) < bound_kb);
  }
  // A file larger than any export is refused before it is read.
  const std::string huge = TempFile("huge.zip", "");
  std::filesystem::resize_file(huge, wire::kMaxExportFileSize + 1);
  RunResult r = Run({OPENEN_RSS_PROBE, OPENEN_CLI, "export", "inspect", huge});
  std::remove(huge.c_str());
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("more than the limit of " + std::to_string(wire::kMaxExportFileSize)) != std::string::npos);
  CHECK(PeakRssKb(r) < sample_kb + 4096);
}

// The memory tests below run the command through rss_probe and compare its
// peak with a run on the small genuine sample: what the command itself holds
// for a file, not the sanitizer's baseline.
long SamplePeakRssKb() {
  RunResult sample = Run(
      {OPENEN_RSS_PROBE, OPENEN_CLI, "export", "inspect", VectorPath("gaen-sample-export.zip")});
  REQUIRE(sample.exit_code == 0);
  return PeakRssKb(sample);
}

TEST_CASE("export inspect refuses a 600 MiB sparse file by its size, reading none of it",
          "[cli][export][limits]") {
  const long sample_kb = SamplePeakRssKb();
  const std::string path = TempFile("sparse.zip", "");
  std::filesystem::resize_file(path, size_t{600} << 20);
  RunResult r = Run({OPENEN_RSS_PROBE, OPENEN_CLI, "export", "inspect", path, "--json"});
  std::remove(path.c_str());
  CHECK(r.exit_code == 1);
  CHECK(r.out.empty());
  CHECK(r.err.find(path + " is 629145600 bytes, more than the limit of " +
                   std::to_string(wire::kMaxExportFileSize) + "\n") != std::string::npos);
  INFO("peak RSS " << PeakRssKb(r) << " KiB, sample " << sample_kb << " KiB");
  CHECK(PeakRssKb(r) < sample_kb + 4096);
}

TEST_CASE("export inspect stops reading a FIFO one byte past the limit", "[cli][export][limits]") {
  const long sample_kb = SamplePeakRssKb();
  const std::string fifo = "/tmp/openen-cli-" + std::to_string(getpid()) + "-export.fifo";
  ::unlink(fifo.c_str());
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  // The writer offers 600 MiB; the command must close its end once it has
  // seen more than kMaxExportFileSize, which ends the writer with EPIPE.
  ::signal(SIGPIPE, SIG_IGN);
  const size_t offered = size_t{600} << 20;
  size_t written = 0;
  int write_errno = 0;
  std::thread writer([&] {
    const int fd = ::open(fifo.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) return;
    std::string chunk(size_t{1} << 16, '\0');
    chunk.replace(0, 4, "PK\x03\x04", 4);  // a zip, as far as its first bytes go
    while (written < offered) {
      const ssize_t n = ::write(fd, chunk.data(), chunk.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        write_errno = errno;
        break;
      }
      written += static_cast<size_t>(n);
      chunk[0] = chunk[1] = chunk[2] = chunk[3] = 0;
    }
    ::close(fd);
  });
  RunResult r = Run({OPENEN_RSS_PROBE, OPENEN_CLI, "export", "inspect", fifo, "--json"});
  writer.join();
  ::unlink(fifo.c_str());
  CHECK(r.exit_code == 1);
  CHECK(r.out.empty());
  CHECK(r.err.find(fifo + " is more than the limit of " + std::to_string(wire::kMaxExportFileSize) +
                   " bytes\n") != std::string::npos);
  CHECK(write_errno == EPIPE);
  // What the writer got into the pipe: what the command read (at most one
  // 4 KiB read past the limit) plus what the pipe buffer and the last
  // write held when the command closed its end.
  INFO("written " << written << " bytes");
  CHECK(written <= wire::kMaxExportFileSize + (size_t{1} << 20));
  // The read buffer grows to the limit, no further; a sanitizer build keeps
  // the smaller buffers it outgrew in its quarantine.
  INFO("peak RSS " << PeakRssKb(r) << " KiB, sample " << sample_kb << " KiB");
  CHECK(PeakRssKb(r) < sample_kb + 5 * static_cast<long>(wire::kMaxExportFileSize / 1024));
}

// MinimalKeyExportZip is a zip whose export.bin holds |count| valid keys of
// key_data only (20 bytes each), its size declared honestly. Repeated keys
// deflate about 1000:1, so 9 million fit in about 200 KB; distinct keys
// (splitmix64 of the index) barely deflate.
base::Bytes MinimalKeyExportZip(size_t count, bool distinct) {
  uint8_t key[] = {0x3a, 0x12, 0x0a, 0x10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
  base::Bytes bin(wire::kExportBinHeader.begin(), wire::kExportBinHeader.end());
  bin.reserve(bin.size() + count * sizeof(key));
  for (uint64_t i = 0; i < count; ++i) {
    if (distinct) {
      for (uint64_t half = 0; half < 2; ++half) {
        uint64_t z = (2 * i + half + 1) * 0x9e3779b97f4a7c15ull;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        z ^= z >> 31;
        std::memcpy(key + 4 + 8 * half, &z, 8);
      }
    }
    bin.insert(bin.end(), key, key + sizeof(key));
  }
  return *wire::internal::WriteZip({{"export.bin", bin}});
}

TEST_CASE("export inspect refuses 9 million keys in a small zip before inflating them",
          "[cli][export][limits]") {
  const long sample_kb = SamplePeakRssKb();
  const base::Bytes zip = MinimalKeyExportZip(9'000'000, /*distinct=*/false);
  INFO("zip of " << zip.size() << " bytes");
  const std::string path = TempFile("9m.zip", std::string(base::AsChars(zip)));
  for (const char* format : {"--json", "--public-key"}) {
    std::vector<std::string> argv = {OPENEN_RSS_PROBE, OPENEN_CLI, "export", "inspect", path};
    argv.push_back(format);
    if (argv.back() == "--public-key") argv.push_back(k310v1);
    RunResult r = Run(argv);
    CHECK(r.exit_code == 1);
    CHECK(r.out.empty());
    CHECK(r.err.rfind("openen: " + path +
                          ": export.bin declares 180000016 bytes, more than the limit of " +
                          std::to_string(wire::kMaxExportBinSize) + "\n",
                      0) == 0);
    // The small zip is read; its 180 MB export.bin never is.
    INFO("peak RSS " << PeakRssKb(r) << " KiB, sample " << sample_kb << " KiB");
    CHECK(PeakRssKb(r) < sample_kb + 8192);
  }
  std::remove(path.c_str());
}

TEST_CASE("export inspect refuses one key more than kMaxExportKeys", "[cli][export][limits]") {
  const std::string path = TempFile(
      "over.zip",
      std::string(base::AsChars(MinimalKeyExportZip(wire::kMaxExportKeys + 1, /*distinct=*/true))));
  RunResult r = Run({OPENEN_CLI, "export", "inspect", path, "--json"});
  std::remove(path.c_str());
  CHECK(r.exit_code == 1);
  CHECK(r.out.empty());
  CHECK(r.err == "openen: " + path + ": export holds more than " +
                     std::to_string(wire::kMaxExportKeys) + " keys\n");
}

TEST_CASE("export inspect streams the largest legal export: memory does not grow with its output",
          "[cli][export][limits]") {
  const long sample_kb = SamplePeakRssKb();
  // kMaxExportKeys distinct keys with every field set, signed like a relay's
  // batch: about 40 MB of JSON and 30 MB of text.
  auto signer = crypto::EcdsaP256PrivateKey::Generate();
  REQUIRE(signer.ok());
  wire::ExportBatch batch;
  batch.header.region = "IE";
  batch.keys.reserve(wire::kMaxExportKeys);
  for (size_t i = 0; i < wire::kMaxExportKeys; ++i) {
    base::Bytes key_data(16);
    uint64_t z = (i + 1) * 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    std::memcpy(key_data.data(), &z, 8);
    std::memcpy(key_data.data() + 8, &i, 8);
    batch.keys.push_back(
        {std::move(key_data), 3, 2833200, 144, wire::ReportType::kConfirmedClinicalDiagnosis, -3});
  }
  auto zip = wire::WriteExportZip(std::move(batch), {{{"1", "310", ""}, &*signer}});
  REQUIRE(zip.ok());
  const std::string path = TempFile("largest.zip", std::string(base::AsChars(*zip)));
  const std::string public_key = signer->PublicKey().ToSpkiBase64();
  auto parsed = wire::ExportFile::Parse(*zip);
  REQUIRE(parsed.ok());
  // A run may hold the file, its export.bin and a fixed output buffer. A
  // sanitizer build also keeps the buffers that a growing string or vector
  // outgrew in its quarantine (about as much again), hence three of each;
  // 8 MiB for libzip and the output buffers. A run that built its 45 MB of
  // JSON or 16 MB of text as one string would pass this by far.
  const long bound_kb =
      sample_kb + static_cast<long>(3 * (zip->size() + parsed->export_bin().size()) / 1024) + 8192;
  RunResult json = Run({OPENEN_RSS_PROBE, OPENEN_CLI, "export", "inspect", path, "--public-key",
                        public_key, "--json"});
  CHECK(json.exit_code == 0);
  CHECK(Count(json.out, "\"key_data\"") == wire::kMaxExportKeys);
  CHECK(json.out.find("{\"region\": \"IE\", \"batch_num\": 1, \"batch_size\": 1, ") == 0);
  CHECK(json.out.size() > size_t{40} << 20);
  CHECK(json.out.find("\"report_type\": \"CONFIRMED_CLINICAL_DIAGNOSIS\", "
                      "\"days_since_onset_of_symptoms\": -3}, {") != std::string::npos);
  const std::string end = "}], \"revised_keys\": [], \"signature\": \"valid\"}\n";
  CHECK(json.out.size() > end.size());
  CHECK(json.out.compare(json.out.size() - end.size(), end.size(), end) == 0);
  CHECK(CountLines(json.out) == 1);
  INFO("--json: " << json.out.size() << " bytes out, peak RSS " << PeakRssKb(json) << " KiB, bound "
                  << bound_kb);
  CHECK(PeakRssKb(json) < bound_kb);

  RunResult text = Run({OPENEN_RSS_PROBE, OPENEN_CLI, "export", "inspect", path});
  CHECK(text.exit_code == 0);
  CHECK(CountLines(text.out) == 9 + wire::kMaxExportKeys);
  CHECK(text.out.find("\t3\t2833200\t144\tCONFIRMED_CLINICAL_DIAGNOSIS\t-3\n") !=
        std::string::npos);
  INFO("text: " << text.out.size() << " bytes out, peak RSS " << PeakRssKb(text) << " KiB, bound "
                << bound_kb);
  CHECK(PeakRssKb(text) < bound_kb);
  std::remove(path.c_str());
}

}  // namespace
}  // namespace openen::testing
