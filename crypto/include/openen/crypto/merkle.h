// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Merkle trees as RFC 9162 (Certificate Transparency 2.0), section 2.1,
// defines them with SHA-256: the hash of a log's entries, and the inclusion
// and consistency proofs that let anyone holding only a tree head check that
// an entry is in the log, and that a later log extends an earlier one
// without changing it. The same construction as RFC 6962's, so that existing
// monitors and test vectors apply.

#ifndef OPENEN_CRYPTO_MERKLE_H_
#define OPENEN_CRYPTO_MERKLE_H_

#include <cstdint>
#include <functional>
#include <vector>

#include "openen/base/bytes.h"
#include "openen/base/status.h"
#include "openen/crypto/hash.h"

namespace openen::crypto {

using MerkleHash = Sha256Digest;

// MerkleLeafHash returns SHA-256(0x00 || entry), the hash of one entry.
MerkleHash MerkleLeafHash(base::ByteView entry);

// MerkleNodeHash returns SHA-256(0x01 || left || right).
MerkleHash MerkleNodeHash(const MerkleHash& left, const MerkleHash& right);

// MerkleRoot returns the tree hash (MTH) of the first |size| leaves, given
// their leaf hashes; for none, SHA-256 of the empty string.
// INVALID_ARGUMENT when |size| is more than |leaves| holds.
base::StatusOr<MerkleHash> MerkleRoot(const std::vector<MerkleHash>& leaves, uint64_t size);

// MerkleNodeSource returns the hash of a complete subtree: the 2^|level|
// leaves from leaf |index| << |level| (level 0: a leaf hash). A log that
// keeps its hashes in tiles (C2SP tlog-tiles) serves them this way; an error
// it returns (a tile that cannot be read) is returned unchanged.
using MerkleNodeSource = std::function<base::StatusOr<MerkleHash>(int level, uint64_t index)>;

// The same three, from a node source: the source is asked only for
// subtrees inside the tree of |size| (|new_size|) leaves.
base::StatusOr<MerkleHash> MerkleRoot(const MerkleNodeSource& nodes, uint64_t size);
base::StatusOr<std::vector<MerkleHash>> InclusionProof(const MerkleNodeSource& nodes,
                                                       uint64_t index, uint64_t size);
base::StatusOr<std::vector<MerkleHash>> ConsistencyProof(const MerkleNodeSource& nodes,
                                                         uint64_t old_size, uint64_t new_size);

// InclusionProof returns the path (PATH) that proves leaf |index| is in the
// tree of the first |size| leaves. INVALID_ARGUMENT unless
// index < size <= leaves.size().
base::StatusOr<std::vector<MerkleHash>> InclusionProof(const std::vector<MerkleHash>& leaves,
                                                       uint64_t index, uint64_t size);

// ConsistencyProof returns the proof (PROOF) that the tree of the first
// |new_size| leaves extends the tree of the first |old_size|: empty when
// old_size is 0 or equals new_size. INVALID_ARGUMENT unless
// old_size <= new_size <= leaves.size().
base::StatusOr<std::vector<MerkleHash>> ConsistencyProof(const std::vector<MerkleHash>& leaves,
                                                         uint64_t old_size, uint64_t new_size);

// VerifyInclusion checks, as RFC 9162 2.1.3.2 does, that |leaf| is leaf
// |index| of the tree of |size| leaves whose hash is |root|. OK, or
// INVALID_ARGUMENT saying what does not hold.
base::Status VerifyInclusion(const MerkleHash& leaf, uint64_t index, uint64_t size,
                             const std::vector<MerkleHash>& path, const MerkleHash& root);

// VerifyConsistency checks, as RFC 9162 2.1.4.2 does, that the tree of
// |new_size| leaves with hash |new_root| extends the tree of |old_size|
// leaves with hash |old_root|. The cases the RFC's algorithm leaves out: equal
// sizes need equal roots and an empty path; an old size of 0 needs the empty
// tree's hash and an empty path. OK, or INVALID_ARGUMENT saying what does not
// hold.
base::Status VerifyConsistency(uint64_t old_size, uint64_t new_size, const MerkleHash& old_root,
                               const MerkleHash& new_root, const std::vector<MerkleHash>& path);

}  // namespace openen::crypto

#endif  // OPENEN_CRYPTO_MERKLE_H_
