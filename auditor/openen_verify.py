#!/usr/bin/python3
# Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
"""openen_verify: an auditor's independent check of what OpenEN publishes.

Written from the specifications, not from OpenEN's C++ (see auditor/README.md):
  [GAEN-CRYPTO]  Exposure Notification Cryptography Specification v1.2 (Apple, Google)
  [GAEN-EXPORT]  Exposure Key Export File Format and Verification (Apple, Google)
  [PROTOCOL]     OpenEN docs/protocol.md (signed envelopes, the export directory)
  [TLOG]         OpenEN docs/transparency.md (what is logged, and how)
  [RFC9162]      Certificate Transparency 2.0, section 2.1: Merkle trees and proofs
  [NOTE] [CHECKPOINT] [COSIG] [TILES]  c2sp.org/signed-note, /tlog-checkpoint,
                 /tlog-cosignature, /tlog-tiles
Only the Python standard library, python3-cryptography and python3-protobuf; the
protobuf modules are generated from wire/ by protoc --python_out (README).

Exit status: 0 when every check holds; 1 with a one-line reason on stderr when a
check fails or an input is malformed; 2 for bad arguments; 3 for a bug here.
"""

import argparse
import base64
import binascii
import hashlib
import hmac
import io
import json
import os
import re
import struct
import sys
import time
import types
import warnings
import zipfile
import zlib

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.twofactor.totp import TOTP

class Refused(Exception):
    """A check that does not hold, or an input that is malformed (exit 1)."""

def check(condition, reason):
    if not condition:
        raise Refused(reason)

def read_file(path, limit, what=None):
    """The bytes of |path|; refused when it holds more than |limit| bytes."""
    try:
        with open(path, "rb") as f:
            data = f.read(limit + 1)
    except OSError as e:
        raise Refused("%s: %s" % (what or path, e.strerror or e))
    check(len(data) <= limit, "%s is larger than %d bytes" % (what or path, limit))
    return data

def b64decode(text, what):
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise Refused(what + " is not base64")

def unhex(text, size, what):
    check(re.fullmatch("[0-9a-fA-F]{%d}" % (2 * size), text) is not None,
          "%s must be %d hex characters" % (what, 2 * size))
    return bytes.fromhex(text)

PB = None  # the generated protobuf modules (load_protos)

def load_protos(directory):
    global PB
    if directory:
        sys.path.insert(0, directory)
    try:
        from google.protobuf import json_format, message
        from gaen import export_pb2
        from openen.v1 import relay_pb2, signed_pb2, verification_pb2
    except ImportError as e:
        raise Refused("cannot import the protobuf modules generated from wire/ (%s): give --protos "
                      "DIR or OPENEN_PROTO_PY (auditor/README.md)" % e)
    PB = types.SimpleNamespace(export=export_pb2, relay=relay_pb2, signed=signed_pb2,
                               verification=verification_pb2, json_format=json_format,
                               DecodeError=message.DecodeError)

def parse_proto(cls, data, what):
    try:
        with warnings.catch_warnings(record=True) as warned:
            warnings.simplefilter("always")  # protobuf's C++ parser only warns of bytes it left
            message = cls.FromString(data)
        check(not warned, "%s is not a valid %s (%s)" % (what, cls.DESCRIPTOR.full_name,
                                                        warned and warned[0].message))
        return message
    except (PB.DecodeError, ValueError, UnicodeError) as e:
        raise Refused("%s is not a valid %s (%s)" % (what, cls.DESCRIPTOR.full_name, e))

def to_json(message):
    return PB.json_format.MessageToDict(message, preserving_proto_field_name=True,
                                        including_default_value_fields=True)


# --- The GAEN key schedule [GAEN-CRYPTO] ---

def hkdf16(tek, info):
    # RPIK = HKDF(TEK, NULL, UTF8("EN-RPIK"), 16); AEMK = HKDF(TEK, NULL, UTF8("EN-AEMK"), 16)
    return HKDF(algorithm=hashes.SHA256(), length=16, salt=None, info=info).derive(tek)

def padded_data(interval):
    # PaddedData_j = UTF8("EN-RPI") || 0x000000000000 || ENIN_j (32-bit little-endian)
    return b"EN-RPI" + bytes(6) + struct.pack("<I", interval)

def rpi(rpik, interval):
    # RPI_j = AES128(RPIK, PaddedData_j)
    e = Cipher(algorithms.AES(rpik), modes.ECB()).encryptor()
    return e.update(padded_data(interval)) + e.finalize()

def aem(aemk, rpi_bytes, metadata):
    # AEM = AES128-CTR(AEMK, RPI, Metadata): the RPI is the counter block
    e = Cipher(algorithms.AES(aemk), modes.CTR(rpi_bytes)).encryptor()
    return e.update(metadata) + e.finalize()

def cmd_derive(a):
    tek = unhex(a.tek, 16, "--tek")
    metadata = unhex(a.metadata, 4, "--metadata")
    rpik, aemk = hkdf16(tek, b"EN-RPIK"), hkdf16(tek, b"EN-AEMK")
    if a.rpi:  # the AEM of a given RPI (a vector of it)
        r = unhex(a.rpi, 16, "--rpi")
        print("%s\t%s" % (r.hex(), aem(aemk, r, metadata).hex()))
        return
    check((a.interval is None) != (a.time is None), "give --interval or --time")
    first = a.interval if a.time is None else a.time // 600  # ENIntervalNumber = unix time / 600
    check(1 <= a.count <= 1000000 and 0 <= first and first + a.count - 1 <= 0xFFFFFFFF,
          "--interval/--time and --count must stay within 0..4294967295 (count 1..1000000)")
    rows = []
    for j in range(first, first + a.count):
        r = rpi(rpik, j)
        rows.append({"interval": j, "padded_data": padded_data(j).hex(), "rpi": r.hex(),
                     "aem": aem(aemk, r, metadata).hex()})
    if a.json:
        print(json.dumps({"tek": tek.hex(), "rpik": rpik.hex(), "aemk": aemk.hex(),
                          "rolling_start": 144 * (first // 144), "intervals": rows}))
    else:  # the format of `openen keys derive`
        for row in rows:
            print("%d\t%s\t%s" % (row["interval"], row["rpi"], row["aem"]))


# --- Export files [GAEN-EXPORT], with the bounds of [PROTOCOL] "Key export file" ---

EXPORT_HEADER = b"EK Export v1    "
ECDSA_P256_SHA256 = "1.2.840.10045.4.3.2"
MAX_KEYS = 200000
MAX_BIN = 15265552
MAX_SIG = 64 << 10
MAX_FILE = MAX_BIN + MAX_SIG + (64 << 10)

def read_export(data):
    """export.bin and export.sig (None if absent) of a zip; or a bare export.bin."""
    if not data.startswith(b"PK"):
        return data, None
    members = {}
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            for info in z.infolist():
                name = info.filename
                check(name in ("export.bin", "export.sig"),
                      "the zip holds %r, not only export.bin and export.sig" % name[:80])
                check(name not in members, "the zip holds %s twice" % name)
                limit = MAX_BIN if name == "export.bin" else MAX_SIG
                check(info.file_size <= limit, "%s declares %d bytes" % (name, info.file_size))
                check(info.file_size <= 64 << 10 or info.file_size <= 16 * info.compress_size,
                      "%s declares a compression ratio over 16" % name)
                with z.open(info) as f:  # zipfile checks the CRC-32 at the end
                    members[name] = f.read(limit + 1)
                check(len(members[name]) == info.file_size, "%s is not its declared size" % name)
    except (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, NotImplementedError,
            ValueError, OSError) as e:
        raise Refused("not a valid zip: %s" % e)
    check("export.bin" in members, "the zip holds no export.bin")
    return members["export.bin"], members.get("export.sig")

def parse_export_bin(data):
    check(data[:16] == EXPORT_HEADER, "export.bin does not start with \"EK Export v1    \"")
    export = parse_proto(PB.export.TemporaryExposureKeyExport, data[16:], "export.bin")
    keys = list(export.keys) + list(export.revised_keys)
    check(len(keys) <= MAX_KEYS, "export.bin holds %d keys, over %d" % (len(keys), MAX_KEYS))
    for k in keys:
        check(len(k.key_data) == 16, "a key's key_data is %d bytes, not 16" % len(k.key_data))
        # rolling_period: absent reads as its default, 144
        check(1 <= k.rolling_period <= 144, "a rolling period is %d, not 1..144" % k.rolling_period)
        check(k.rolling_start_interval_number >= 0, "a key's rolling start is negative")
    return export

def key_json(k):
    def opt(field):
        return getattr(k, field) if k.HasField(field) else None
    report = k.ReportType.Name(k.report_type) if k.HasField("report_type") else None
    return {"key_data": k.key_data.hex(), "transmission_risk_level": opt("transmission_risk_level"),
            "rolling_start_interval_number": k.rolling_start_interval_number,
            "rolling_period": k.rolling_period, "report_type": report,
            "days_since_onset_of_symptoms": opt("days_since_onset_of_symptoms")}

def key_name(info):
    # [PROTOCOL] "Verification": keys are named "<verification_key_id>-<verification_key_version>"
    return "%s-%s" % (info.verification_key_id, info.verification_key_version)

def load_ecdsa_key(value):
    """An ECDSA P-256 public key: a file (PEM, DER or base64 SubjectPublicKeyInfo) or base64."""
    data = read_file(value, 64 << 10) if os.path.isfile(value) else value.encode()
    return parse_ecdsa_key(data, value)

def parse_ecdsa_key(data, value):
    try:
        if data.lstrip().startswith(b"-----BEGIN"):
            key = serialization.load_pem_public_key(data)
        else:
            try:
                data = base64.b64decode(b"".join(data.split()), validate=True)
            except (binascii.Error, ValueError):
                pass  # DER
            key = serialization.load_der_public_key(data)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise Refused("%s is not a PEM, DER or base64 public key" % value[:80])
    check(isinstance(key, ec.EllipticCurvePublicKey) and key.curve.name == "secp256r1",
          "the export key is not an ECDSA P-256 key")
    return key

def verify_export(export, export_bin, export_sig, key, name):
    """[GAEN-EXPORT] one TEKSignature per SignatureInfo of export.bin; the signature by key |name|
    (without a name: any one) is ECDSA P-256 with SHA-256 over all of export.bin, by |key|."""
    check(export_sig is not None, "the export has no export.sig")
    sigs = parse_proto(PB.export.TEKSignatureList, export_sig, "export.sig").signatures
    check(len(sigs) == len(export.signature_infos), "export.sig has %d signatures, export.bin "
          "lists %d" % (len(sigs), len(export.signature_infos)))
    chosen = [s for s in sigs if name is None or key_name(s.signature_info) == name]
    check(chosen, "no signature by %s (signed by: %s)"
          % (name, ", ".join(key_name(s.signature_info) for s in sigs) or "none"))
    valid = 0
    for s in chosen:
        if name is not None:  # the pinned key must be named in export.bin's signed header too
            check(name in [key_name(i) for i in export.signature_infos],
                  "export.bin's signed header names no key %s" % name)
            algorithm = s.signature_info.signature_algorithm
            check(algorithm == ECDSA_P256_SHA256,
                  "the signature by %s is of algorithm %r" % (name, algorithm))
        try:
            key.verify(s.signature, export_bin, ec.ECDSA(hashes.SHA256()))
            valid += 1
        except InvalidSignature:
            check(name is None, "the signature by %s does not verify" % name)
    check(valid > 0, "no signature in export.sig verifies with the given key")

def cmd_export(a):
    export_bin, export_sig = read_export(read_file(a.file, MAX_FILE))
    export = parse_export_bin(export_bin)
    status, error = "unchecked", None
    if a.public_key:
        try:
            verify_export(export, export_bin, export_sig, load_ecdsa_key(a.public_key), a.key_name)
            status = "valid"
        except Refused as e:
            status, error = "invalid", e
    print(json.dumps({"region": export.region, "batch_num": export.batch_num,
                      "batch_size": export.batch_size, "start_timestamp": export.start_timestamp,
                      "end_timestamp": export.end_timestamp, "key_count": len(export.keys),
                      "keys": [key_json(k) for k in export.keys],
                      "revised_keys": [key_json(k) for k in export.revised_keys],
                      "signature": status}))
    if error:
        raise error


# --- Signed envelopes [PROTOCOL] "Signed envelopes", wire/openen/v1/signed.proto ---

CONTEXTS = {"certificate": "openen.v1.Certificate", "config": "openen.v1.RelayConfig",
            "decommission": "openen.v1.DecommissionOrder"}

def load_ed25519_keys(path):
    """Ed25519 public keys, one base64 line each (as `openen-verifier keygen` prints them)."""
    keys = []
    for line in read_file(path, 64 << 10).decode("ascii", "replace").split("\n"):
        if line.strip():
            raw = b64decode(line.strip(), path + ": a key")
            check(len(raw) == 32, "%s: a key of %d bytes, not an Ed25519 key" % (path, len(raw)))
            keys.append(ed25519.Ed25519PublicKey.from_public_bytes(raw))
    check(keys, path + " holds no key")
    return keys

def open_envelope(env, kind, keys):
    """The payload of SignedEnvelope |env| if one of |keys| signed context || 0x00 || payload;
    the signer_public_key it carries is only a hint and grants nothing."""
    signed = CONTEXTS[kind].encode() + b"\x00" + env.payload
    for key in keys:
        try:
            key.verify(env.signature, signed)
            break
        except InvalidSignature:
            pass
    else:
        raise Refused("signature verification failed: no given key signed it as " + CONTEXTS[kind])
    cls = {"certificate": PB.verification.Certificate, "config": PB.relay.RelayConfig,
           "decommission": PB.relay.DecommissionOrder}[kind]
    payload = parse_proto(cls, env.payload, "the signed payload")
    if kind == "config":  # [PROTOCOL] RelayConfig: retention_days at most 14; keys are P-256 SPKI
        check(payload.retention_days <= 14, "the configuration keeps data %d days, over 14"
              % payload.retention_days)
        for name, spki in payload.export_signing_keys.items():
            parse_ecdsa_key(spki.encode(), "export signing key " + name)
    return payload

def load_envelope(data, kind, keys, what):
    return open_envelope(parse_proto(PB.signed.SignedEnvelope, data, what), kind, keys)

def cmd_envelope(a):
    payload = load_envelope(read_file(a.file, 64 << 10), a.type, load_ed25519_keys(a.key), a.file)
    print(json.dumps(to_json(payload)))

def tek_hmac(secret, keys, with_risk):
    """The GAEN verification server's TEK HMAC (docs/cryptography.md): HMAC-SHA256 over the sorted
    'base64(key).start.period[.risk]' of every key, joined by ','."""
    entries = sorted("%s.%d.%d%s" % (base64.b64encode(k.key_data).decode(),
                                     k.rolling_start_interval_number, k.rolling_period,
                                     ".%d" % k.transmission_risk if with_risk else "")
                     for k in keys)
    return hmac.new(secret, ",".join(entries).encode(), hashlib.sha256).digest()

def cmd_publish(a):
    """A Publish request as a phone sent it: its certificate, which binds exactly its keys."""
    req = parse_proto(PB.relay.PublishRequest, read_file(a.file, 64 << 10), a.file)
    cert = open_envelope(req.certificate, "certificate", load_ed25519_keys(a.certificate_key))
    check(any(hmac.compare_digest(cert.key_hmac, tek_hmac(req.hmac_secret, req.keys, r))
              for r in (True, False)), "the certificate's key HMAC is not that of the keys")
    print(json.dumps({"certificate": to_json(cert), "keys": [to_json(k) for k in req.keys]}))


# --- Merkle trees [RFC9162] 2.1 ---

EMPTY_ROOT = hashlib.sha256(b"").digest()  # MTH({}) = SHA-256()

def leaf_hash(entry):
    return hashlib.sha256(b"\x00" + entry).digest()  # MTH({d(0)}) = SHA-256(0x00 || d(0))

def node_hash(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()

def split(n):
    k = 1  # the largest power of two smaller than n (n > 1)
    while k << 1 < n:
        k <<= 1
    return k

class Tree:
    """A tree of |size| leaves; node(level, index) gives the hash of the complete subtree of the
    2^level leaves from index << level (from the leaves, or from a log's tiles)."""

    def __init__(self, size, node):
        self.size, self.node, self.cache = size, node, {}

    def hash(self, lo, hi):  # MTH(D[lo:hi]), 2.1.1
        n = hi - lo
        if n == 0:
            return EMPTY_ROOT
        if n & (n - 1) == 0:
            key = (n.bit_length() - 1, lo // n)
            if key not in self.cache:
                self.cache[key] = self.node(*key)
            return self.cache[key]
        k = split(n)
        return node_hash(self.hash(lo, lo + k), self.hash(lo + k, hi))

    def path(self, m, lo, hi):  # PATH(m, D[lo:hi]), 2.1.3.1
        if hi - lo == 1:
            return []
        k = split(hi - lo)
        if m < lo + k:
            return self.path(m, lo, lo + k) + [self.hash(lo + k, hi)]
        return self.path(m, lo + k, hi) + [self.hash(lo, lo + k)]

    def subproof(self, m, lo, hi, complete):  # SUBPROOF(m, D[lo:hi], b), 2.1.4.1
        n = hi - lo
        if m == n:
            return [] if complete else [self.hash(lo, hi)]
        k = split(n)
        if m <= k:
            return self.subproof(m, lo, lo + k, complete) + [self.hash(lo + k, hi)]
        return self.subproof(m - k, lo + k, hi, False) + [self.hash(lo, lo + k)]

    def consistency(self, m):  # PROOF(m, D[n])
        return [] if m in (0, self.size) else self.subproof(m, 0, self.size, True)

def leaves_tree(leaves):
    levels = [list(leaves)]
    while len(levels[-1]) > 1:
        below = levels[-1]
        levels.append([node_hash(below[i], below[i + 1]) for i in range(0, len(below) - 1, 2)])
    return Tree(len(leaves), lambda level, index: levels[level][index])

def verify_inclusion(leaf, index, size, path, root):
    """2.1.3.2: |leaf| is leaf |index| of the tree of |size| leaves with hash |root|."""
    check(index < size, "leaf %d is not in a tree of %d" % (index, size))
    fn, sn, r = index, size - 1, leaf
    for p in path:
        check(sn != 0, "the inclusion proof is longer than its tree allows")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    check(sn == 0 and r == root, "the inclusion proof of leaf %d does not give the root" % index)

def verify_consistency(m, n, old_root, new_root, path):
    """2.1.4.2: the tree of n leaves (new_root) extends the tree of m (old_root). The cases the
    RFC's algorithm leaves out: equal sizes need equal roots; m = 0 needs the empty tree's hash;
    both with an empty proof."""
    check(m <= n, "the tree of %d is smaller than the tree of %d before it: rolled back" % (n, m))
    if m == n or m == 0:
        check(not path and old_root == (new_root if m == n else EMPTY_ROOT),
              "the trees of %d and %d are not consistent" % (m, n))
        return
    check(path, "the consistency proof is empty")
    if m & (m - 1) == 0:
        path = [old_root] + list(path)
    fn, sn = m - 1, n - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        check(sn != 0, "the consistency proof is longer than its trees allow")
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    check(sn == 0 and fr == old_root and sr == new_root,
          "the consistency proof from %d to %d does not give both roots" % (m, n))

def check_vector(v):
    """One vector in the CCTV format (tests/vectors/cctv-merkle): inclusion or consistency."""
    for name in ("leaf_index", "tree_size", "old_size", "new_size"):
        check(type(v.get(name, 0)) is int and v.get(name, 0) >= 0, name + " is not a size")

    def h(name):
        b = b64decode(v[name], name)
        check(len(b) == 32, name + " is not 32 bytes")
        return b
    if "consistency_path" in v:
        verify_consistency(v["old_size"], v["new_size"], h("old_root"), h("new_root"),
                           [b64decode(p, "a path hash") for p in v["consistency_path"]])
    else:
        verify_inclusion(h("leaf_hash"), v["leaf_index"], v["tree_size"],
                         [b64decode(p, "a path hash") for p in v["inclusion_path"]], h("root_hash"))

def cmd_merkle(a):
    if a.action == "tree":  # roots of every size, and the proofs asked for, from leaf data in hex
        check(all(re.fullmatch("([0-9a-fA-F]{2})*", x) for x in a.args), "a leaf is not hex")
        leaves = [leaf_hash(bytes.fromhex(x)) for x in a.args]
        size = len(leaves) if a.size is None else a.size
        check(0 <= size <= len(leaves), "--size is not 0..%d" % len(leaves))
        tree = leaves_tree(leaves[:size])
        out = {"roots": [leaves_tree(leaves[:n]).hash(0, n).hex() for n in range(len(leaves) + 1)]}
        if a.index is not None:
            check(0 <= a.index < size, "--index is not in the tree")
            out["inclusion"] = [p.hex() for p in tree.path(a.index, 0, size)]
        if a.old is not None:
            check(0 <= a.old <= size, "--old is not 0..%d" % size)
            out["consistency"] = [p.hex() for p in tree.consistency(a.old)]
        print(json.dumps(out))
        return
    failed = total = 0
    for path in a.args:
        try:
            vectors = json.loads(read_file(path, 16 << 20))
            check(isinstance(vectors, list), "not a list of vectors")
        except (ValueError, UnicodeError) as e:
            raise Refused("%s is not JSON: %s" % (path, e))
        tree = []
        for i, v in enumerate(vectors):
            total += 1
            try:
                check(isinstance(v, dict), "not an object")
                if "leaf_data" in v:  # merkle_tree.json: leaf i, and the root of leaves 0..i
                    tree.append(leaf_hash(v["leaf_data"].encode()))
                    check(tree[-1] == b64decode(v["leaf_hash"], "leaf_hash"), "the leaf hash")
                    check(leaves_tree(tree).hash(0, len(tree)) == b64decode(v["root_hash"], "root"),
                          "the root of %d leaves" % len(tree))
                else:
                    check_vector(v)
                print("%s %d: ok" % (path, i))
            except (Refused, KeyError, TypeError, AttributeError) as e:
                failed += 1
                print("%s %d: refused: %s" % (path, i, e))
    check(failed == 0, "%d of %d vectors do not verify" % (failed, total))


# --- Signed notes [NOTE], checkpoints [CHECKPOINT], cosignatures [COSIG] ---

def valid_name(name):  # [NOTE]: non-empty, no Unicode space, no '+'
    return bool(name) and "+" not in name and not any(c.isspace() for c in name)

def parse_vkey(text):
    """A verifier key '<name>+<hex key id>+<base64(type || 32-byte key)>': type 0x01 is Ed25519
    (a log's key), 0x04 cosignature/v1 (a witness's); the key id is the first 4 bytes of
    SHA-256(name || 0x0A || type || key)."""
    parts = text.strip().split("+", 2)
    check(len(parts) == 3 and valid_name(parts[0]) and re.fullmatch("[0-9a-fA-F]{8}", parts[1]),
          "not a verifier key (<name>+<hex key id>+<base64 key>): %r" % text[:80])
    blob = b64decode(parts[2], "the verifier key")
    check(len(blob) == 33 and blob[0] in (1, 4), "the verifier key is not an Ed25519 (0x01) or "
          "cosignature/v1 (0x04) key")
    key_id = hashlib.sha256(parts[0].encode() + b"\n" + blob).digest()[:4]
    check(key_id.hex() == parts[1].lower(), "the verifier key's id does not match its key")
    return {"name": parts[0], "id": key_id, "type": blob[0],
            "key": ed25519.Ed25519PublicKey.from_public_bytes(blob[1:])}

def parse_note(data):
    """A signed note: its text, a blank line, lines '— <name> <base64(key id || signature)>'."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused("the note is not UTF-8")
    cut = text.rfind("\n\n")
    check(cut >= 0 and text.endswith("\n"), "the note has no signature lines")
    signatures = []
    for line in text[cut + 2:-1].split("\n"):
        name, _, blob = line[2:].partition(" ")
        check(line.startswith("\u2014 ") and valid_name(name), "a note signature line is malformed")
        blob = b64decode(blob, "a note signature")
        check(len(blob) > 4, "a note signature is too short")
        signatures.append((name, blob[:4], blob[4:]))
    return text[:cut + 1], signatures

def signed_by(text, signatures, key):
    """Whether |key| signed note text |text|: Ed25519 over the text; a cosignature/v1 is
    BE64(time) || Ed25519("cosignature/v1\\ntime <time>\\n" || text)."""
    for name, key_id, sig in signatures:
        if name != key["name"] or key_id != key["id"]:
            continue
        message = text.encode()
        if key["type"] == 4:
            if len(sig) != 72:
                continue
            message = b"cosignature/v1\ntime %d\n" % int.from_bytes(sig[:8], "big") + message
            sig = sig[8:]
        try:
            key["key"].verify(sig, message)
            return True
        except InvalidSignature:
            pass
    return False

def parse_checkpoint(text):
    """[CHECKPOINT]: origin, decimal tree size, base64 root hash, then extension lines."""
    lines = text.split("\n")[:-1]
    check(len(lines) >= 3 and lines[0] and all(lines), "the checkpoint does not have the format")
    check(re.fullmatch("0|[1-9][0-9]{0,19}", lines[1]) and int(lines[1]) < 1 << 64,
          "the checkpoint's size is not a decimal number")
    root = b64decode(lines[2], "the checkpoint's root hash")
    check(len(root) == 32, "the checkpoint's root hash is not 32 bytes")
    times = [int(e[5:]) for e in lines[3:] if re.fullmatch("time (0|[1-9][0-9]*)", e)]
    return {"origin": lines[0], "size": int(lines[1]), "root": root,
            "time": times[0] if times else None}

def verify_checkpoint(data, log_key, witnesses=(), quorum=0):
    text, signatures = parse_note(data)
    check(log_key["type"] == 1, "the log key must be an Ed25519 (0x01) key")
    check(signed_by(text, signatures, log_key), "the checkpoint is not signed by the log key %s"
          % log_key["name"])
    cp = dict(parse_checkpoint(text), note=data)
    check(cp["origin"] == log_key["name"], "the checkpoint is of log %r, not of %s"
          % (cp["origin"][:80], log_key["name"]))
    cp["cosignatures"] = sum(1 for w in witnesses
                             if w["type"] == 4 and signed_by(text, signatures, w))
    check(cp["cosignatures"] >= quorum, "the checkpoint has %d of the %d witness cosignatures "
          "required" % (cp["cosignatures"], quorum))
    return cp

def cmd_note(a):
    text, signatures = parse_note(read_file(a.file, 1 << 20))
    keys = [parse_vkey(k) for k in a.key]
    signers = [k["name"] for k in keys if signed_by(text, signatures, k)]
    print(json.dumps({"signed_by": signers, "text": text}))
    quorum = len(keys) if a.quorum is None else a.quorum
    check(len(signers) >= quorum, "signed by %d of the given keys, not %d" % (len(signers), quorum))


# --- The log's files [TILES] and entries [TLOG] ---

TILE_WIDTH = 256  # tiles of height 8: 256 hashes, or 256 entries in a bundle
MAX_BUNDLE = 256 * (2 + 65535)

def tile_path(level, index, width):
    """'tile/<level>/<index>[.p/<width>]', the index in groups of three digits, all but the last
    prefixed 'x' (tile/0/x001/x234/067); level 'entries' for entry bundles."""
    groups = ["%03d" % (index % 1000)]
    while index >= 1000:
        index //= 1000
        groups.insert(0, "x%03d" % (index % 1000))
    return "tile/%s/%s%s" % (level, "/".join(groups), ".p/%d" % width if width < TILE_WIDTH else "")

def tile_width(level, index, size):
    return max(0, min(TILE_WIDTH, (size >> (8 * level)) - index * TILE_WIDTH))

ENTRY = re.compile(r"batch ([^/\s]+) (0|[1-9]\d{0,19}) (0|[1-9]\d{0,19}) (0|[1-9]\d{0,19}) "
                   r"(0|[1-9]\d{0,19}) ([0-9a-f]{64})|(config|decommission) ([0-9a-f]{64})")

def parse_entry(data, index):
    """[TLOG] 'batch <name> <start> <end> <keys> <expires> <hex SHA-256>', 'config <hex SHA-256>'
    or 'decommission <hex SHA-256>'."""
    m = ENTRY.fullmatch(data.decode("ascii", "replace"))
    check(m is not None, "log entry %d is not an OpenEN log entry: %r" % (index, data[:80]))
    if m.group(7):
        return {"kind": m.group(7), "sha256": m.group(8), "index": index}
    start, end, keys, expires = (int(m.group(i)) for i in range(2, 6))
    return {"kind": "batch", "name": m.group(1), "start": start, "end": end, "keys": keys,
            "expires": expires, "sha256": m.group(6), "index": index}

class LogFiles:
    """A log published under <dir>/log as [TILES]."""

    def __init__(self, directory):
        self.dir, self.tiles = os.path.join(directory, "log"), {}

    def read(self, path, limit):
        return read_file(os.path.join(self.dir, path), limit, "log/" + path)

    def tile(self, level, index, width):
        if (level, index, width) not in self.tiles:
            path = tile_path(level, index, width)
            if width < TILE_WIDTH and not os.path.exists(os.path.join(self.dir, path)):
                # [TILES]: a partial tile may be gone once the full one is published
                return self.tile(level, index, TILE_WIDTH)[:width]
            data = self.read(path, 32 * TILE_WIDTH)
            check(len(data) == 32 * width, "log/%s is not %d hashes" % (path, width))
            self.tiles[level, index, width] = [data[i:i + 32] for i in range(0, len(data), 32)]
        return self.tiles[level, index, width]

    def bundle(self, index, width):
        path, at, out = tile_path("entries", index, width), 0, []
        data = self.read(path, MAX_BUNDLE)
        while at < len(data):  # each entry: BE16 length, then its bytes
            n = int.from_bytes(data[at:at + 2], "big")
            check(at + 2 + n <= len(data), "log/%s ends inside an entry" % path)
            out.append(data[at + 2:at + 2 + n])
            at += 2 + n
        check(len(out) == width, "log/%s holds %d entries, not %d" % (path, len(out), width))
        return out

    def tree(self, size):
        """The tree of |size| leaves as its hash tiles give it: a tile of level L holds the
        hashes of the complete subtrees of 256^L leaves."""
        def node(level, index):
            tile_level, r = divmod(level, 8)
            tile, offset = divmod(index << r, TILE_WIDTH)
            hashes = self.tile(tile_level, tile, tile_width(tile_level, tile, size))
            return leaves_tree(hashes[offset:offset + (1 << r)]).hash(0, 1 << r)
        return Tree(size, node)

def verify_log(directory, log_key, witnesses=(), quorum=0, state=None):
    """The checkpoint; every entry against its root; every hash tile against the entries; each
    entry's inclusion proof built from the tiles alone; with |state| (a checkpoint seen before),
    a consistency proof from it, built from the tiles. Returns the checkpoint and the entries."""
    log = LogFiles(directory)
    cp = verify_checkpoint(log.read("checkpoint", 1 << 20), log_key, witnesses, quorum)
    size, old = cp["size"], None
    # A state file that does not exist yet is a monitor's first run: nothing seen before.
    state = state if state and os.path.exists(state) else None
    if state:  # first: a rolled-back log lacks the tiles of the size seen before
        old = verify_checkpoint(read_file(state, 1 << 20), log_key)
        check(old["size"] <= size, "the log was rolled back: %d entries, the checkpoint in %s "
              "had %d" % (size, state, old["size"]))
    check(size <= 1 << 20, "the log has %d entries, more than this tool reads" % size)
    texts = []
    for t in range((size + TILE_WIDTH - 1) // TILE_WIDTH):
        texts += log.bundle(t, tile_width(0, t, size))
    leaves = [leaf_hash(e) for e in texts]
    full = leaves_tree(leaves)
    check(full.hash(0, size) == cp["root"], "the log's entries do not give its checkpoint's root")
    level = 0
    while size >> (8 * level):
        for t in range(((size >> (8 * level)) + TILE_WIDTH - 1) // TILE_WIDTH):
            width = tile_width(level, t, size)
            for i, h in enumerate(log.tile(level, t, width)):
                check(h == full.node(8 * level, t * TILE_WIDTH + i), "hash %d of log/%s is not the "
                      "tree's" % (i, tile_path(level, t, width)))
        level += 1
    tiles = log.tree(size)
    for i, leaf in enumerate(leaves):
        verify_inclusion(leaf, i, size, tiles.path(i, 0, size), cp["root"])
    cp["extends_size"] = None
    if old:
        try:
            verify_consistency(old["size"], size, old["root"], cp["root"],
                               tiles.consistency(old["size"]))
        except Refused as e:
            raise Refused("the log forked: its checkpoint of size %d does not extend the one of "
                          "size %d in %s (%s)" % (size, old["size"], state, e))
        cp["extends_size"] = old["size"]
    return cp, [parse_entry(e, i) for i, e in enumerate(texts)]

def log_keys(a):
    witnesses = [parse_vkey(w) for w in a.witness_key]
    return parse_vkey(a.log_key), witnesses, len(witnesses) if a.quorum is None else a.quorum

def log_summary(cp):
    out = {k: cp[k] for k in ("origin", "size", "time", "cosignatures", "extends_size")}
    return dict(out, root=base64.b64encode(cp["root"]).decode())

def cmd_log(a):
    cp, entries = verify_log(a.dir, *log_keys(a), state=a.state)
    out = log_summary(cp)
    for kind in ("batch", "config", "decommission"):
        out[kind] = sum(1 for e in entries if e["kind"] == kind)
    print(json.dumps(out))
    keep_state(a, cp)

def keep_state(a, cp):
    # --update-state: the checkpoint just verified becomes the one the next run must extend.
    if a.state and a.update_state:
        with open(a.state + ".new", "wb") as f:
            f.write(cp["note"])
        os.replace(a.state + ".new", a.state)


# --- A relay's export directory [PROTOCOL] "The export directory (static serving)" ---

RETENTION = 14 * 86400  # a batch expires 14 days after its newest key stopped being valid
SLACK = 3600  # how late a relay may be in deleting what expired or was switched off

def cmd_relay_dir(a):
    d, now = a.dir, int(time.time()) if a.now is None else a.now
    out = {"config": None, "decommission_order": None, "batches": [], "log": None}
    keys = {kind: load_ed25519_keys(path) for kind, path in
            (("config", a.config_key), ("decommission", a.decommission_key)) if path}
    served = {}
    for kind, file in (("config", "config.bin"), ("decommission", "decommission.bin")):
        if os.path.exists(os.path.join(d, file)):
            check(kind in keys, "%s is served: give --%s-key" % (file, kind))
            data = read_file(os.path.join(d, file), 64 << 10)
            payload = load_envelope(data, kind, keys[kind], file)
            served[kind] = hashlib.sha256(data).hexdigest()
            out["config" if kind == "config" else "decommission_order"] = to_json(payload)
    order = out["decommission_order"]
    if order and int(order["effective_at"]) + SLACK <= now:  # docs/decommissioning.md
        left = sorted(set(os.listdir(d)) - {"decommission.bin", ".openen-relay"})
        check(not left, "decommissioned since %s, yet the relay still serves %s"
              % (order["effective_at"], ", ".join(left[:5])))
        print(json.dumps(out))
        return
    export_key = load_ecdsa_key(a.export_key)
    if out["config"] and a.key_name in out["config"]["export_signing_keys"]:
        pinned = out["config"]["export_signing_keys"][a.key_name]
        pinned = parse_ecdsa_key(pinned.encode(), a.key_name)
        check(pinned.public_numbers() == export_key.public_numbers(),
              "the signed configuration pins another key as %s" % a.key_name)
    names = read_file(os.path.join(d, "index.txt"), 16 << 20).decode("ascii", "replace").split("\n")
    check(names[-1] == "", "index.txt does not end with a newline")
    names = names[:-1]
    for prev, name in zip([""] + names, names):
        check(re.fullmatch(r"batch-\d{10}\.zip", name) and name > prev,
              "index.txt: %r is not a batch name after %r" % (name[:80], prev))
    digests = {}
    listed = read_file(os.path.join(d, "index.sha256"), 16 << 20).decode("ascii", "replace")
    for line in listed.splitlines():
        m = re.fullmatch(r"([0-9a-f]{64})  (\S+)", line)
        check(m is not None, "index.sha256: a line is not '<SHA-256>  <name>'")
        digests[m.group(2)] = m.group(1)
    batches = {}
    for name in names:
        data = read_file(os.path.join(d, name), MAX_FILE)
        digest = hashlib.sha256(data).hexdigest()
        check(digests.get(name) == digest, "%s: its SHA-256 is not that in index.sha256" % name)
        try:
            export_bin, export_sig = read_export(data)
            export = parse_export_bin(export_bin)
            verify_export(export, export_bin, export_sig, export_key, a.key_name)
            # The relay's own promises (docs/relay.md): one file a batch, named after the end of
            # its window; keys sorted by key bytes; released only once they stopped being valid.
            check(name == "batch-%010d.zip" % export.end_timestamp,
                  "the name is not its window's end")
            check(export.start_timestamp < export.end_timestamp, "its window is empty")
            check((export.batch_num, export.batch_size) == (1, 1), "it is not batch 1 of 1")
            data_keys = [k.key_data for k in export.keys]
            check(data_keys == sorted(set(data_keys)), "its keys are not sorted by key bytes")
            ends = [600 * (k.rolling_start_interval_number + k.rolling_period)
                    for k in list(export.keys) + list(export.revised_keys)]
            check(ends, "it holds no key")
            check(max(ends) <= export.end_timestamp, "it holds a key still valid at its end")
        except Refused as e:
            raise Refused("%s: %s" % (name, e))
        expires = max(ends) + RETENTION
        check(expires + SLACK > now, "%s is served after its expiry (%d)" % (name, expires))
        batches[name] = {"name": name, "sha256": digest, "start": export.start_timestamp,
                         "end": export.end_timestamp, "keys": len(ends), "expires": expires}
        out["batches"].append(dict(batches[name], signature="valid"))
    if a.log_key:
        cp, entries = verify_log(d, *log_keys(a), state=a.state)
        logged = {}
        for e in entries:
            if e["kind"] == "batch":
                check(e["name"] not in logged, "the log holds %s twice" % e["name"])
                logged[e["name"]] = e
        for name, b in batches.items():
            e = logged.get(name)
            check(e is not None, "%s is listed but is not in the log" % name)
            for field in ("sha256", "start", "end", "keys", "expires"):
                check(e[field] == b[field], "%s: log entry %d states %s %s, the file %s"
                      % (name, e["index"], field, e[field], b[field]))
        for name, e in logged.items():
            check(name in batches or e["expires"] <= now, "%s is logged (entry %d) but withheld "
                  "before its expiry %d" % (name, e["index"], e["expires"]))
        for kind, digest in served.items():
            last = [e["sha256"] for e in entries if e["kind"] == kind]
            check(last and last[-1] == digest, "the served %s is not the last one logged" % kind)
        out["log"] = log_summary(cp)
        out["log"].update({"batches": len(logged), "batches_served": len(batches),
                           "batches_no_longer_served": len(logged) - len(batches),
                           "configurations": sum(1 for e in entries if e["kind"] == "config"),
                           "decommission_orders": sum(1 for e in entries
                                                      if e["kind"] == "decommission")})
    print(json.dumps(out))
    if a.log_key:
        keep_state(a, cp)

# --- The console's second factor [RFC 6238] ---

def cmd_totp(a):
    # TOTP = HOTP(K, floor((unix time - T0) / X)), T0 = 0, X = 30 s, truncated to --digits.
    check(6 <= a.digits <= 8, "--digits must be 6..8")
    check(a.time >= 0, "--time must not be negative")
    algorithm = {"sha1": hashes.SHA1(), "sha256": hashes.SHA256(), "sha512": hashes.SHA512()}
    secret = unhex(a.secret, len(a.secret) // 2, "--secret")
    check(len(secret) >= 16, "--secret must be at least 16 bytes (RFC 4226 section 4)")
    print(TOTP(secret, a.digits, algorithm[a.hash], 30, enforce_key_length=False)
          .generate(a.time).decode())

def main(argv):
    p = argparse.ArgumentParser(prog="openen_verify.py", description=__doc__.split("\n")[0])
    p.add_argument("--protos", default=os.environ.get("OPENEN_PROTO_PY"),
                   help="where protoc --python_out put the modules of wire/ (or $OPENEN_PROTO_PY)")
    sub = p.add_subparsers(dest="command", required=True)

    def command(name, run, text):
        s = sub.add_parser(name, help=text)
        s.set_defaults(run=run)
        return s.add_argument
    arg = command("derive", cmd_derive, "RPIK, AEMK, RPIs and AEMs of a TEK")
    arg("--tek", required=True)
    arg("--interval", type=int)
    arg("--time", type=int, help="unix seconds instead of --interval")
    arg("--count", type=int, default=1)
    arg("--metadata", default="40080000")
    arg("--rpi", help="print only the AEM of this RPI")
    arg("--json", action="store_true")
    arg = command("export", cmd_export, "decode and verify a GAEN export file")
    arg("file")
    arg("--public-key", help="PEM, DER or base64 SPKI file, or base64 SPKI")
    arg("--key-name", help="the key's '<id>-<version>'; without it any signature may match")
    arg = command("envelope", cmd_envelope, "verify a certificate, configuration or order")
    arg("file")
    arg("--type", choices=sorted(CONTEXTS), required=True)
    arg("--key", required=True, help="file of base64 Ed25519 public keys of that role")
    arg = command("publish", cmd_publish, "verify a PublishRequest: its certificate and TEK HMAC")
    arg("file")
    arg("--certificate-key", required=True)
    arg = command("merkle", cmd_merkle, "check RFC 9162 vectors (JSON), or make roots and proofs")
    arg("action", choices=["check", "tree"])
    arg("args", nargs="+", help="JSON files (check), leaves in hex (tree)")
    arg("--size", type=int)
    arg("--index", type=int)
    arg("--old", type=int)
    arg = command("totp", cmd_totp, "the one-time password of a second-factor secret")
    arg("--secret", required=True, help="hex")
    arg("--time", type=int, required=True, help="unix seconds")
    arg("--hash", choices=["sha1", "sha256", "sha512"], default="sha1")
    arg("--digits", type=int, default=6)
    arg = command("note", cmd_note, "verify a signed note's signatures")
    arg("file")
    arg("--key", action="append", required=True, help="a verifier key (vkey)")
    arg("--quorum", type=int, help="how many keys must have signed (default all)")
    for name, run in (("log", cmd_log), ("relay-dir", cmd_relay_dir)):
        arg = command(name, run, "verify a log under DIR/log" if run == cmd_log else
                      "verify a relay's export directory, log included with --log-key")
        arg("dir")
        arg("--log-key", required=run == cmd_log, help="the log's verifier key")
        arg("--witness-key", action="append", default=[])
        arg("--quorum", type=int, help="witness cosignatures required (default all given)")
        arg("--state", help="a checkpoint seen before: the log must extend it (none yet: "
                            "a first run)")
        arg("--update-state", action="store_true", help="then keep the new checkpoint there")
    arg("--export-key", required=True, help="the export signing key (as for export)")
    arg("--key-name", default="openen-v1", help="its '<id>-<version>' (default openen-v1)")
    arg("--config-key", help="file of the configuration keys (for config.bin)")
    arg("--decommission-key", help="file of the decommission keys (for decommission.bin)")
    arg("--now", type=int, help="unix seconds (default: now)")
    a = p.parse_args(argv)
    try:
        load_protos(a.protos)
        a.run(a)
    except Refused as e:
        print("openen_verify: %s" % e, file=sys.stderr)
        return 1
    except Exception as e:  # a bug here, not a verdict on the input
        print("openen_verify: internal error: %r" % e, file=sys.stderr)
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
