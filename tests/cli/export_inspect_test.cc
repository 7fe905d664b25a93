// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// `openen export inspect`, run as a separate process.

#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>

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

}  // namespace
}  // namespace openen::testing
