// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/crypto/merkle.h"

#include <algorithm>
#include <bit>
#include <string>

namespace openen::crypto {

namespace {

// LargestPowerOfTwoBelow returns the largest power of two less than n (n > 1).
uint64_t LargestPowerOfTwoBelow(uint64_t n) { return std::bit_floor(n - 1); }

// Subtrees computes MTH(D[begin:end]) for the ranges RFC 9162's proofs
// need, from the hashes of complete subtrees. Every range it is asked for
// starts at a multiple of the largest power of two not above its size, so
// it splits into O(log n) complete subtrees.
class Subtrees {
 public:
  explicit Subtrees(const MerkleNodeSource& nodes) : nodes_(nodes) {}

  base::StatusOr<MerkleHash> Root(uint64_t begin, uint64_t end) const {
    const uint64_t n = end - begin;
    if (n == 0) return Sha256({});
    if (std::has_single_bit(n)) {
      const int level = std::countr_zero(n);
      return nodes_(level, begin >> level);
    }
    const uint64_t k = LargestPowerOfTwoBelow(n);
    OPENEN_ASSIGN_OR_RETURN(MerkleHash left, Root(begin, begin + k));
    OPENEN_ASSIGN_OR_RETURN(MerkleHash right, Root(begin + k, end));
    return MerkleNodeHash(left, right);
  }

  // Path appends PATH(m, D[begin:end]) to |out|.
  base::Status Path(uint64_t m, uint64_t begin, uint64_t end, std::vector<MerkleHash>* out) const {
    if (end - begin <= 1) return base::Status::Ok();
    const uint64_t k = LargestPowerOfTwoBelow(end - begin);
    if (m < k) {
      OPENEN_RETURN_IF_ERROR(Path(m, begin, begin + k, out));
      return Append(begin + k, end, out);
    }
    OPENEN_RETURN_IF_ERROR(Path(m - k, begin + k, end, out));
    return Append(begin, begin + k, out);
  }

  // Subproof appends SUBPROOF(m, D[begin:end], whole) to |out|.
  base::Status Subproof(uint64_t m, uint64_t begin, uint64_t end, bool whole,
                        std::vector<MerkleHash>* out) const {
    const uint64_t n = end - begin;
    if (m == n) return whole ? base::Status::Ok() : Append(begin, end, out);
    const uint64_t k = LargestPowerOfTwoBelow(n);
    if (m <= k) {
      OPENEN_RETURN_IF_ERROR(Subproof(m, begin, begin + k, whole, out));
      return Append(begin + k, end, out);
    }
    OPENEN_RETURN_IF_ERROR(Subproof(m - k, begin + k, end, false, out));
    return Append(begin, begin + k, out);
  }

 private:
  base::Status Append(uint64_t begin, uint64_t end, std::vector<MerkleHash>* out) const {
    OPENEN_ASSIGN_OR_RETURN(MerkleHash h, Root(begin, end));
    out->push_back(h);
    return base::Status::Ok();
  }

  const MerkleNodeSource& nodes_;
};

// FromLeaves is the node source of a tree whose leaf hashes are all given.
MerkleNodeSource FromLeaves(const std::vector<MerkleHash>& leaves) {
  return [&leaves](int level, uint64_t index) -> base::StatusOr<MerkleHash> {
    std::vector<MerkleHash> row(leaves.begin() + static_cast<ptrdiff_t>(index << level),
                                leaves.begin() + static_cast<ptrdiff_t>((index + 1) << level));
    while (row.size() > 1) {
      for (size_t i = 0; i < row.size() / 2; ++i)
        row[i] = MerkleNodeHash(row[2 * i], row[2 * i + 1]);
      row.resize(row.size() / 2);
    }
    return row[0];
  };
}

base::Status Mismatch(const std::string& what) { return base::InvalidArgumentError(what); }

}  // namespace

MerkleHash MerkleLeafHash(base::ByteView entry) {
  base::Bytes data;
  data.reserve(entry.size() + 1);
  data.push_back(0x00);
  data.insert(data.end(), entry.begin(), entry.end());
  return Sha256(data);
}

MerkleHash MerkleNodeHash(const MerkleHash& left, const MerkleHash& right) {
  uint8_t data[1 + 2 * kSha256Size];
  data[0] = 0x01;
  std::copy(left.begin(), left.end(), data + 1);
  std::copy(right.begin(), right.end(), data + 1 + kSha256Size);
  return Sha256(base::ByteView(data, sizeof(data)));
}

base::StatusOr<MerkleHash> MerkleRoot(const std::vector<MerkleHash>& leaves, uint64_t size) {
  if (size > leaves.size()) {
    return base::InvalidArgumentError("tree size " + std::to_string(size) + " is more than the " +
                                      std::to_string(leaves.size()) + " leaves given");
  }
  return MerkleRoot(FromLeaves(leaves), size);
}

base::StatusOr<MerkleHash> MerkleRoot(const MerkleNodeSource& nodes, uint64_t size) {
  return Subtrees(nodes).Root(0, size);
}

base::StatusOr<std::vector<MerkleHash>> InclusionProof(const std::vector<MerkleHash>& leaves,
                                                       uint64_t index, uint64_t size) {
  if (size > leaves.size()) {
    return base::InvalidArgumentError("tree size " + std::to_string(size) + " is more than the " +
                                      std::to_string(leaves.size()) + " leaves given");
  }
  return InclusionProof(FromLeaves(leaves), index, size);
}

base::StatusOr<std::vector<MerkleHash>> InclusionProof(const MerkleNodeSource& nodes,
                                                       uint64_t index, uint64_t size) {
  if (index >= size) {
    return base::InvalidArgumentError("no leaf " + std::to_string(index) + " in a tree of size " +
                                      std::to_string(size));
  }
  std::vector<MerkleHash> path;
  OPENEN_RETURN_IF_ERROR(Subtrees(nodes).Path(index, 0, size, &path));
  return path;
}

base::StatusOr<std::vector<MerkleHash>> ConsistencyProof(const std::vector<MerkleHash>& leaves,
                                                         uint64_t old_size, uint64_t new_size) {
  if (new_size > leaves.size()) {
    return base::InvalidArgumentError("tree size " + std::to_string(new_size) +
                                      " is more than the " + std::to_string(leaves.size()) +
                                      " leaves given");
  }
  return ConsistencyProof(FromLeaves(leaves), old_size, new_size);
}

base::StatusOr<std::vector<MerkleHash>> ConsistencyProof(const MerkleNodeSource& nodes,
                                                         uint64_t old_size, uint64_t new_size) {
  if (old_size > new_size) {
    return base::InvalidArgumentError("no consistency proof from size " + std::to_string(old_size) +
                                      " to the smaller " + std::to_string(new_size));
  }
  std::vector<MerkleHash> proof;
  if (old_size > 0)
    OPENEN_RETURN_IF_ERROR(Subtrees(nodes).Subproof(old_size, 0, new_size, true, &proof));
  return proof;
}

base::Status VerifyInclusion(const MerkleHash& leaf, uint64_t index, uint64_t size,
                             const std::vector<MerkleHash>& path, const MerkleHash& root) {
  if (index >= size) {
    return Mismatch("leaf index " + std::to_string(index) + " is not below the tree size " +
                    std::to_string(size));
  }
  uint64_t fn = index, sn = size - 1;
  MerkleHash r = leaf;
  for (const MerkleHash& p : path) {
    if (sn == 0) return Mismatch("the inclusion proof is longer than the tree is deep");
    if ((fn & 1) != 0 || fn == sn) {
      r = MerkleNodeHash(p, r);
      while ((fn & 1) == 0 && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      r = MerkleNodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return Mismatch("the inclusion proof is shorter than the tree is deep");
  if (r != root) return Mismatch("the inclusion proof does not lead to the tree's root hash");
  return base::Status::Ok();
}

base::Status VerifyConsistency(uint64_t old_size, uint64_t new_size, const MerkleHash& old_root,
                               const MerkleHash& new_root, const std::vector<MerkleHash>& path) {
  if (old_size > new_size) {
    return Mismatch("the old tree (size " + std::to_string(old_size) +
                    ") is larger than the new one (size " + std::to_string(new_size) + ")");
  }
  if (old_size == 0 || old_size == new_size) {
    if (!path.empty()) return Mismatch("the consistency proof should be empty");
    if (old_size == 0 && old_root != Sha256({})) {
      return Mismatch("the old tree is empty but its root is not the empty tree's hash");
    }
    if (old_size == new_size && old_root != new_root) {
      return Mismatch("two trees of size " + std::to_string(old_size) + " have different roots");
    }
    return base::Status::Ok();
  }
  if (path.empty()) return Mismatch("the consistency proof is empty");
  std::vector<MerkleHash> c;
  c.reserve(path.size() + 1);
  // An old tree that is a complete subtree is its own first node.
  if ((old_size & (old_size - 1)) == 0) c.push_back(old_root);
  c.insert(c.end(), path.begin(), path.end());
  uint64_t fn = old_size - 1, sn = new_size - 1;
  while ((fn & 1) != 0) {
    fn >>= 1;
    sn >>= 1;
  }
  MerkleHash fr = c[0], sr = c[0];
  for (size_t i = 1; i < c.size(); ++i) {
    if (sn == 0) return Mismatch("the consistency proof is longer than the tree is deep");
    if ((fn & 1) != 0 || fn == sn) {
      fr = MerkleNodeHash(c[i], fr);
      sr = MerkleNodeHash(c[i], sr);
      while ((fn & 1) == 0 && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      sr = MerkleNodeHash(sr, c[i]);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return Mismatch("the consistency proof is shorter than the tree is deep");
  if (fr != old_root) return Mismatch("the consistency proof does not lead to the old root hash");
  if (sr != new_root) return Mismatch("the consistency proof does not lead to the new root hash");
  return base::Status::Ok();
}

}  // namespace openen::crypto
