// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/crypto/gaen.h"

#include <catch2/catch.hpp>

#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "openen/crypto/hash.h"
#include "openen/crypto/interval.h"
#include "test_util.h"

namespace openen::crypto {
namespace {

using testing::Hex;
using testing::HexArray;

// The official v1.2 vectors: header values parsed from the file's comments so
// that the file alone is the source of truth.
struct OfficialVectors {
  base::Bytes tek, rpik, aemk;
  Metadata metadata;
  uint32_t key_interval = 0;
  struct Row {
    uint32_t interval;
    Rpi rpi;
    Aem aem;
  };
  std::vector<Row> rows;
};

std::string Capture(const std::string& text, const std::string& pattern) {
  std::smatch m;
  if (!std::regex_search(text, m, std::regex(pattern))) throw std::runtime_error(pattern);
  return m[1];
}

OfficialVectors LoadOfficial() {
  std::string text = testing::ReadFile(testing::VectorPath("gaen-v1.2-rpi-aem.tsv"));
  OfficialVectors v;
  v.tek = Hex(Capture(text, "TEK ([0-9a-f]{32})"));
  v.rpik = Hex(Capture(text, "RPIK ([0-9a-f]{32})"));
  v.aemk = Hex(Capture(text, "AEMK ([0-9a-f]{32})"));
  v.metadata = HexArray<4>(Capture(text, "metadata ([0-9a-f]{8})"));
  v.key_interval = static_cast<uint32_t>(std::stoul(Capture(text, "ENIN ([0-9]+)")));
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream cols(line);
    std::string interval, rpi, aem;
    cols >> interval >> rpi >> aem;
    v.rows.push_back({static_cast<uint32_t>(std::stoul(interval)), HexArray<16>(rpi),
                      HexArray<4>(aem)});
  }
  return v;
}

TEST_CASE("official v1.2 vectors: TEK to RPIK and AEMK", "[gaen][vectors]") {
  OfficialVectors v = LoadOfficial();
  auto rpik = DeriveRpik(v.tek);
  REQUIRE(rpik.ok());
  CHECK(base::HexEncode(rpik->Reveal()) == base::HexEncode(v.rpik));
  auto aemk = DeriveAemk(v.tek);
  REQUIRE(aemk.ok());
  CHECK(base::HexEncode(aemk->Reveal()) == base::HexEncode(v.aemk));
}

TEST_CASE("official v1.2 vectors: all 144 RPIs and AEMs", "[gaen][vectors]") {
  OfficialVectors v = LoadOfficial();
  REQUIRE(v.rows.size() == 144);
  REQUIRE(v.rows.front().interval == v.key_interval);
  auto aemk = DeriveAemk(v.tek);
  REQUIRE(aemk.ok());

  RpiDeriver deriver;
  REQUIRE(deriver.SetTek(v.tek).ok());
  std::vector<Rpi> run(144);
  deriver.ComputeRun(v.key_interval, run);

  RpiDeriver from_rpik;
  REQUIRE(from_rpik.SetRpik(v.rpik).ok());

  for (size_t i = 0; i < v.rows.size(); ++i) {
    const auto& row = v.rows[i];
    INFO("interval " << row.interval);
    CHECK(row.interval == v.key_interval + i);
    CHECK(base::HexEncode(deriver.Compute(row.interval)) == base::HexEncode(row.rpi));
    CHECK(base::HexEncode(from_rpik.Compute(row.interval)) == base::HexEncode(row.rpi));
    CHECK(base::HexEncode(run[i]) == base::HexEncode(row.rpi));
    auto aem = EncryptAem(aemk->Reveal(), row.rpi, v.metadata);
    REQUIRE(aem.ok());
    CHECK(base::HexEncode(*aem) == base::HexEncode(row.aem));
    auto metadata = DecryptAem(aemk->Reveal(), row.rpi, row.aem);
    REQUIRE(metadata.ok());
    CHECK(base::HexEncode(*metadata) == "40080000");
  }
}

TEST_CASE("runs longer than one chunk and at odd offsets equal single derivations", "[gaen]") {
  RpiDeriver deriver;
  base::Bytes tek = Hex("75c734c6dd1a782de7a965da5eb93125");
  REQUIRE(deriver.SetTek(tek).ok());
  const uint32_t first = 2642976 - 7;
  for (size_t n : {size_t{0}, size_t{1}, size_t{143}, size_t{144}, size_t{145}, size_t{433}}) {
    std::vector<Rpi> run(n);
    deriver.ComputeRun(first, run);
    for (size_t i = 0; i < n; ++i) {
      INFO("n=" << n << " i=" << i);
      REQUIRE(run[i] == deriver.Compute(first + static_cast<uint32_t>(i)));
    }
  }
}

TEST_CASE("the fast key derivation equals generic HKDF-SHA256 on random keys", "[gaen]") {
  for (int i = 0; i < 200; ++i) {
    SecretBytes tek = GenerateTek();
    auto generic_rpik = HkdfSha256(tek.Reveal(), {}, base::AsBytes("EN-RPIK"), 16);
    auto generic_aemk = HkdfSha256(tek.Reveal(), {}, base::AsBytes("EN-AEMK"), 16);
    REQUIRE(*DeriveRpik(tek.Reveal()) == *generic_rpik);
    REQUIRE(*DeriveAemk(tek.Reveal()) == *generic_aemk);
    RpiDeriver by_tek, by_rpik;
    REQUIRE(by_tek.SetTek(tek.Reveal()).ok());
    REQUIRE(by_rpik.SetRpik(generic_rpik->Reveal()).ok());
    REQUIRE(by_tek.Compute(2642976u + i) == by_rpik.Compute(2642976u + i));
  }
}

TEST_CASE("PaddedData layout", "[gaen][vectors]") {
  CHECK(base::HexEncode(PaddedData(2642976)) == "454e2d52504900000000000020542800");
  CHECK(base::HexEncode(PaddedData(0xffffffffu)) == "454e2d525049000000000000ffffffff");
}

TEST_CASE("second key schedule", "[gaen][vectors]") {
  base::Bytes tek = Hex("fedcba9876543210fedcba9876543210");
  CHECK(base::HexEncode(DeriveRpik(tek)->Reveal()) == "69b9ba7478960f1b7ec87a9c9df5056b");
  auto aemk = DeriveAemk(tek);
  CHECK(base::HexEncode(aemk->Reveal()) == "1a27b17821350c4854fb9e2a35125caa");
  Rpi rpi = HexArray<16>("aabbccddeeff00112233445566778899");
  auto aem = EncryptAem(aemk->Reveal(), rpi, HexArray<4>("01020304"));
  REQUIRE(aem.ok());
  CHECK(base::HexEncode(*aem) == "d3d33eae");
  CHECK(base::HexEncode(*DecryptAem(aemk->Reveal(), rpi, *aem)) == "01020304");
}

TEST_CASE("wrong key lengths are rejected with the length in the message", "[gaen]") {
  for (size_t n : {size_t{0}, size_t{15}, size_t{17}, size_t{32}}) {
    base::Bytes tek(n, 0xab);
    auto r = DeriveRpik(tek);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == base::StatusCode::kInvalidArgument);
    CHECK(r.status().message() == "TEK is " + std::to_string(n) + " bytes, want 16");
    CHECK_FALSE(DeriveAemk(tek).ok());
    RpiDeriver d;
    CHECK_FALSE(d.SetTek(tek).ok());
    CHECK_FALSE(d.SetRpik(tek).ok());
    CHECK_FALSE(EncryptAem(tek, Rpi{}, Metadata{}).ok());
  }
}

TEST_CASE("GenerateTek returns distinct 16-byte keys", "[gaen]") {
  SecretBytes a = GenerateTek(), b = GenerateTek();
  CHECK(a.size() == 16);
  CHECK(b.size() == 16);
  CHECK_FALSE(a == b);
}

TEST_CASE("Bluetooth metadata encodes version and signed TX power", "[gaen]") {
  auto m = DecodeMetadata(Hex("40080000"));
  REQUIRE(m.ok());
  CHECK(m->version_major == 1);
  CHECK(m->version_minor == 0);
  CHECK(m->tx_power_dbm == 8);
  CHECK(base::HexEncode(*EncodeMetadata(*m)) == "40080000");

  auto negative = EncodeMetadata({1, 0, -20});
  REQUIRE(negative.ok());
  CHECK(base::HexEncode(*negative) == "40ec0000");
  CHECK(DecodeMetadata(*negative)->tx_power_dbm == -20);
  CHECK(base::HexEncode(*EncodeMetadata({1, 3, -128})) == "70800000");
  CHECK(base::HexEncode(*EncodeMetadata({3, 0, 127})) == "c07f0000");

  // Reserved bits are ignored by receivers.
  CHECK(*DecodeMetadata(Hex("4f08ffff")) == BleMetadata{1, 0, 8});

  CHECK_FALSE(EncodeMetadata({4, 0, 0}).ok());
  CHECK_FALSE(EncodeMetadata({1, 4, 0}).ok());
  CHECK(DecodeMetadata(Hex("400800")).status().message() == "metadata is 3 bytes, want 4");
  CHECK_FALSE(DecodeMetadata(Hex("4008000000")).ok());
}

TEST_CASE("advertisement payload is RPI then AEM", "[gaen]") {
  Rpi rpi = HexArray<16>("8be6cd371c5c891604bfbe49df845096");
  Aem aem = HexArray<4>("72033874");
  Advertisement ad = MakeAdvertisement(rpi, aem);
  CHECK(base::HexEncode(ad) == "8be6cd371c5c891604bfbe49df84509672033874");
  auto parsed = ParseAdvertisement(ad);
  REQUIRE(parsed.ok());
  CHECK(parsed->rpi == rpi);
  CHECK(parsed->aem == aem);
  CHECK(ParseAdvertisement(base::ByteView(ad).first(19)).status().message() ==
        "service data is 19 bytes, want 20");
  base::Bytes longer(ad.begin(), ad.end());
  longer.push_back(0);
  CHECK_FALSE(ParseAdvertisement(longer).ok());
}

}  // namespace
}  // namespace openen::crypto
