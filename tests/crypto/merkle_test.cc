// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// RFC 9162 Merkle trees against two published sets of vectors (the CCTV
// Merkle vectors in tests/vectors/cctv-merkle/, and the RFC 6962 reference
// tree that transparency-dev/merkle and certificate-transparency test with),
// and every proof of every tree up to 40 leaves checked both ways, then
// broken in every way a proof can be.

#include "openen/crypto/merkle.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "test_util.h"

namespace openen::crypto {
namespace {

using testing::Hex;

MerkleHash H(const base::Bytes& b) {
  REQUIRE(b.size() == kSha256Size);
  MerkleHash h;
  std::copy(b.begin(), b.end(), h.begin());
  return h;
}
MerkleHash Hash64(const std::string& b64) {
  auto b = base::Base64Decode(b64);
  REQUIRE(b.ok());
  return H(*b);
}
std::vector<MerkleHash> Hashes64(const nlohmann::json& list) {
  std::vector<MerkleHash> out;
  for (const auto& h : list) out.push_back(Hash64(h.get<std::string>()));
  return out;
}
nlohmann::json Vectors(const std::string& name) {
  return nlohmann::json::parse(testing::ReadFile(testing::VectorPath("cctv-merkle/" + name)));
}

// The CCTV trees: leaf i holds the letter 'a' + i.
std::vector<MerkleHash> CctvLeaves() {
  std::vector<MerkleHash> leaves;
  for (const auto& v : Vectors("merkle_tree.json")) {
    const std::string data = v["leaf_data"];
    const MerkleHash leaf = MerkleLeafHash(base::AsBytes(data));
    CHECK(leaf == Hash64(v["leaf_hash"]));
    leaves.push_back(leaf);
  }
  return leaves;
}

TEST_CASE("Merkle tree heads match the CCTV vectors", "[merkle]") {
  const std::vector<MerkleHash> leaves = CctvLeaves();
  const nlohmann::json vectors = Vectors("merkle_tree.json");
  REQUIRE(leaves.size() == 16);
  for (size_t n = 1; n <= leaves.size(); ++n) {
    CAPTURE(n);
    CHECK(*MerkleRoot(leaves, n) == Hash64(vectors[n - 1]["root_hash"]));
  }
  CHECK(base::HexEncode(*MerkleRoot(leaves, 0)) ==
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK_FALSE(MerkleRoot(leaves, 17).ok());
}

TEST_CASE("inclusion proofs: the CCTV vectors made and checked - every invalid one refused",
          "[merkle]") {
  const std::vector<MerkleHash> leaves = CctvLeaves();
  for (const auto& v : Vectors("inclusion-valid.json")) {
    const uint64_t index = v["leaf_index"], size = v["tree_size"];
    CAPTURE(index, size);
    const std::vector<MerkleHash> path = Hashes64(v["inclusion_path"]);
    CHECK(*InclusionProof(leaves, index, size) == path);
    CHECK(VerifyInclusion(Hash64(v["leaf_hash"]), index, size, path, Hash64(v["root_hash"])).ok());
  }
  int refused = 0;
  for (const auto& v : Vectors("inclusion-invalid.json")) {
    const std::string comment = v["comment"];
    CAPTURE(comment, v["leaf_index"].get<uint64_t>(), v["tree_size"].get<uint64_t>());
    CHECK_FALSE(VerifyInclusion(Hash64(v["leaf_hash"]), v["leaf_index"], v["tree_size"],
                                Hashes64(v["inclusion_path"]), Hash64(v["root_hash"]))
                    .ok());
    ++refused;
  }
  CHECK(refused == 4);
}

TEST_CASE("consistency proofs: the CCTV vectors made and checked - every invalid one refused",
          "[merkle]") {
  const std::vector<MerkleHash> leaves = CctvLeaves();
  for (const auto& v : Vectors("consistency-valid.json")) {
    const uint64_t old_size = v["old_size"], new_size = v["new_size"];
    CAPTURE(old_size, new_size);
    const std::vector<MerkleHash> path = Hashes64(v["consistency_path"]);
    CHECK(*ConsistencyProof(leaves, old_size, new_size) == path);
    CHECK(VerifyConsistency(old_size, new_size, Hash64(v["old_root"]), Hash64(v["new_root"]), path)
              .ok());
  }
  int refused = 0;
  for (const auto& v : Vectors("consistency-invalid.json")) {
    CAPTURE(v["old_size"].get<uint64_t>(), v["new_size"].get<uint64_t>());
    CHECK_FALSE(VerifyConsistency(v["old_size"], v["new_size"], Hash64(v["old_root"]),
                                  Hash64(v["new_root"]), Hashes64(v["consistency_path"]))
                    .ok());
    ++refused;
  }
  CHECK(refused == 16);
}

// The RFC 6962 reference tree: eight leaves, their roots for every size, and
// proofs (transparency-dev/merkle testonly/constants.go and
// testonly/reference_test.go, from certificate-transparency's
// merkle_tree_test.cc; Apache-2.0).
TEST_CASE("the RFC 6962 reference tree - roots and proofs", "[merkle]") {
  const std::vector<std::string> inputs = {"",
                                           "00",
                                           "10",
                                           "2021",
                                           "3031",
                                           "40414243",
                                           "5051525354555657",
                                           "606162636465666768696a6b6c6d6e6f"};
  std::vector<MerkleHash> leaves;
  for (const auto& in : inputs) leaves.push_back(MerkleLeafHash(Hex(in)));
  const std::vector<std::string> roots = {
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
      "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
      "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
      "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
      "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
      "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
      "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"};
  for (size_t n = 0; n <= 8; ++n) CHECK(base::HexEncode(*MerkleRoot(leaves, n)) == roots[n]);

  auto hashes = [](std::vector<std::string> hex) {
    std::vector<MerkleHash> out;
    for (const auto& h : hex) out.push_back(H(Hex(h)));
    return out;
  };
  struct Inclusion {
    uint64_t index, size;
    std::vector<MerkleHash> path;
  };
  const std::vector<Inclusion> inclusions = {
      {0, 1, {}},
      {0, 2, hashes({"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"})},
      {1, 2, hashes({"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"})},
      {2, 3, hashes({"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"})},
      {1, 5,
       hashes({"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
               "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
               "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"})},
      {0, 8,
       hashes({"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
               "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
               "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"})},
      {5, 8,
       hashes({"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
               "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
               "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"})},
  };
  for (const Inclusion& c : inclusions) {
    CAPTURE(c.index, c.size);
    CHECK(*InclusionProof(leaves, c.index, c.size) == c.path);
    CHECK(VerifyInclusion(leaves[c.index], c.index, c.size, c.path, *MerkleRoot(leaves, c.size))
              .ok());
  }
  struct Consistency {
    uint64_t old_size, new_size;
    std::vector<MerkleHash> path;
  };
  const std::vector<Consistency> consistencies = {
      {1, 1, {}},
      {1, 8,
       hashes({"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
               "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
               "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"})},
      {2, 5,
       hashes({"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
               "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"})},
      {6, 8,
       hashes({"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
               "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
               "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"})},
  };
  for (const Consistency& c : consistencies) {
    CAPTURE(c.old_size, c.new_size);
    CHECK(*ConsistencyProof(leaves, c.old_size, c.new_size) == c.path);
    CHECK(VerifyConsistency(c.old_size, c.new_size, *MerkleRoot(leaves, c.old_size),
                            *MerkleRoot(leaves, c.new_size), c.path)
              .ok());
  }
}

// Broken returns every proof one change away from |path|: each hash with a
// bit flipped, each hash dropped, a hash added at either end, two neighbours
// swapped.
std::vector<std::vector<MerkleHash>> Broken(const std::vector<MerkleHash>& path) {
  std::vector<std::vector<MerkleHash>> out;
  for (size_t i = 0; i < path.size(); ++i) {
    auto p = path;
    p[i][i % kSha256Size] ^= 0x01;
    out.push_back(p);
    p = path;
    p.erase(p.begin() + static_cast<long>(i));
    out.push_back(p);
    if (i + 1 < path.size() && path[i] != path[i + 1]) {
      p = path;
      std::swap(p[i], p[i + 1]);
      out.push_back(p);
    }
  }
  MerkleHash extra{};
  auto p = path;
  p.push_back(extra);
  out.push_back(p);
  p = path;
  p.insert(p.begin(), extra);
  out.push_back(p);
  return out;
}

TEST_CASE("every proof of every tree up to 40 leaves checks - and none changed in any way does",
          "[merkle]") {
  std::vector<MerkleHash> leaves;
  for (int i = 0; i < 40; ++i) {
    const std::string entry = "entry " + std::to_string(i);
    leaves.push_back(MerkleLeafHash(base::AsBytes(entry)));
  }
  std::vector<MerkleHash> roots;
  for (uint64_t n = 0; n <= leaves.size(); ++n) roots.push_back(*MerkleRoot(leaves, n));
  size_t checked = 0, refused = 0;
  for (uint64_t n = 1; n <= leaves.size(); ++n) {
    for (uint64_t i = 0; i < n; ++i) {
      const auto path = *InclusionProof(leaves, i, n);
      REQUIRE(VerifyInclusion(leaves[i], i, n, path, roots[n]).ok());
      ++checked;
      for (const auto& bad : Broken(path)) {
        CHECK_FALSE(VerifyInclusion(leaves[i], i, n, bad, roots[n]).ok());
        ++refused;
      }
      // Another leaf, index or root. (Another size with the same root can
      // pass: a tree head signs its size and root together.)
      if (n > 1) CHECK_FALSE(VerifyInclusion(leaves[(i + 1) % n], i, n, path, roots[n]).ok());
      CHECK_FALSE(VerifyInclusion(leaves[i], i + 1, n, path, roots[n]).ok());
      CHECK_FALSE(VerifyInclusion(leaves[i], i, n, path, roots[n - 1]).ok());
    }
    for (uint64_t m = 0; m <= n; ++m) {
      const auto path = *ConsistencyProof(leaves, m, n);
      REQUIRE(VerifyConsistency(m, n, roots[m], roots[n], path).ok());
      ++checked;
      for (const auto& bad : Broken(path)) {
        CHECK_FALSE(VerifyConsistency(m, n, roots[m], roots[n], bad).ok());
        ++refused;
      }
      // Another old size, or another root.
      if (m > 0) CHECK_FALSE(VerifyConsistency(m - 1, n, roots[m], roots[n], path).ok());
      if (m < n) CHECK_FALSE(VerifyConsistency(m + 1, n, roots[m], roots[n], path).ok());
      // (Any tree extends the empty one.)
      if (m > 0 && m < n) CHECK_FALSE(VerifyConsistency(m, n, roots[m], roots[n - 1], path).ok());
      if (m > 0) CHECK_FALSE(VerifyConsistency(m, n, roots[m - 1], roots[n], path).ok());
    }
  }
  CHECK(checked == 820 + 860);
  CHECK(refused > 10000);
  // What cannot be proved is refused with a reason, not made up.
  CHECK_FALSE(InclusionProof(leaves, 40, 40).ok());
  CHECK_FALSE(InclusionProof(leaves, 0, 41).ok());
  CHECK_FALSE(ConsistencyProof(leaves, 5, 4).ok());
  CHECK_FALSE(ConsistencyProof(leaves, 0, 41).ok());
  CHECK_THAT(VerifyInclusion(leaves[0], 3, 3, {}, roots[3]).message(),
             Catch::Contains("not below the tree size"));
}

TEST_CASE("hostile sizes and overlong proofs are refused without work", "[merkle]") {
  const MerkleHash leaf = MerkleLeafHash(base::AsBytes("x"));
  const MerkleHash empty = *MerkleRoot(std::vector<MerkleHash>{}, 0);
  const std::vector<MerkleHash> long_path(200, leaf);
  constexpr uint64_t kHuge = UINT64_MAX;
  // A tree of 2^64-1 leaves is 64 deep: a longer path fails at its 65th hash.
  CHECK_THAT(VerifyInclusion(leaf, kHuge - 1, kHuge, long_path, leaf).message(),
             Catch::Contains("longer than the tree is deep"));
  CHECK_THAT(VerifyInclusion(leaf, 0, kHuge, {leaf}, leaf).message(),
             Catch::Contains("shorter than the tree is deep"));
  CHECK_FALSE(VerifyInclusion(leaf, 0, 0, {}, empty).ok());
  CHECK_FALSE(VerifyInclusion(leaf, kHuge, kHuge, {}, leaf).ok());
  CHECK_THAT(VerifyConsistency(kHuge - 1, kHuge, leaf, leaf, long_path).message(),
             Catch::Contains("longer than the tree is deep"));
  CHECK_FALSE(VerifyConsistency(kHuge, kHuge - 1, leaf, leaf, {}).ok());
  CHECK_THAT(VerifyConsistency(3, 2, leaf, leaf, {leaf}).message(), Catch::Contains("larger"));
  CHECK_FALSE(VerifyConsistency(1, kHuge, leaf, leaf, {}).ok());
  CHECK_FALSE(VerifyConsistency(0, 5, leaf, leaf, {}).ok());  // not the empty tree's root
  CHECK(VerifyConsistency(0, kHuge, empty, leaf, {}).ok());   // any tree extends the empty one
  CHECK_FALSE(MerkleRoot({leaf}, kHuge).ok());
  CHECK_FALSE(InclusionProof({leaf}, 0, kHuge).ok());
  CHECK_FALSE(ConsistencyProof({leaf}, 1, kHuge).ok());
}

}  // namespace
}  // namespace openen::crypto
