#!/usr/bin/python3
# Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
#
# The auditor's independent verifier (auditor/openen_verify.py) against the published
# vectors (tests/vectors/README.md) and against what the real openen-relay and
# openen-verifier publish, compared with the C++ tools: any disagreement fails.
#
#   auditor_test.py CASE --verify PY --protos DIR --vectors DIR --work DIR
#                   --relay BIN --verifier BIN --cli BIN --helper BIN
#
# CASE: derive, export, merkle, notes, malformed, tiles, e2e, tampered (tampered reads
# what e2e left in WORK/e2e). Exits 0 when every check holds, 1 naming the first that
# does not.

import argparse
import base64
import datetime
import hashlib
import importlib.util
import io
import json
import os
import random
import re
import shutil
import subprocess
import sys
import threading
import time
import warnings
import zipfile

p = argparse.ArgumentParser()
p.add_argument("case")
for option in ("verify", "protos", "vectors", "work", "relay", "verifier", "cli", "helper"):
    p.add_argument("--" + option, required=True)
A = p.parse_args()
sys.dont_write_bytecode = True  # importing openen_verify must leave nothing in the source tree
sys.path.insert(0, A.protos)
from gaen import export_pb2  # noqa: E402  (generated at build time)
from openen.v1 import relay_pb2, signed_pb2, verification_pb2  # noqa: E402
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec, ed25519  # noqa: E402

# Upstream export keys (google/exposure-notifications-internals and -server tests).
K310V1 = ("MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE49JY6kekDgxj3Crm4y6kEHdfoKQFSNDM4mV9cgDb+"
          "e5nOAw0GeRoRThCu9/wX5wDT2QloFoOjl2pGZHI0f3C3w==")
EXAMPLE_SERVER_V1 = ("MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEUczyMAkfSeoU77Nmcb1G7t7xyGCAhQqMOIV"
                     "DFLFas3J+elP7CiotovigCLWj706F07j1EPL27ThRzZl7Ha9uOA==")


def fail(message):
    print("FAIL: " + message, file=sys.stderr)
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)


def vector(name):
    return os.path.join(A.vectors, name)


def work(*parts):
    return os.path.join(A.work, A.case, *parts)


def verify(*args, expect=0, reason=None):
    """Runs openen_verify.py; its exit status must be |expect|, its stderr at most one line
    (the reason, containing |reason|), never a traceback. Returns its stdout."""
    argv = ["/usr/bin/python3", A.verify] + [str(x) for x in args]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=60,
                          env=dict(os.environ, OPENEN_PROTO_PY=A.protos))
    shown = " ".join(argv[2:])[:300]
    check("Traceback" not in done.stderr, "a traceback from %s:\n%s" % (shown, done.stderr))
    check(done.returncode == expect, "openen_verify.py %s: exit %d, not %d: %s"
          % (shown, done.returncode, expect, done.stderr.strip()))
    check(done.stderr.count("\n") <= 1, "more than one line on stderr: " + done.stderr)
    if expect:
        check(done.stderr.startswith("openen_verify: "), "no reason given by " + shown)
    if reason:
        check(reason in done.stderr,
              "%s: %r does not say %r" % (shown, done.stderr.strip(), reason))
    return done.stdout


def refused(*args, reason=None):
    return verify(*args, expect=1, reason=reason)


def run(argv, expect=0, stdin=None):
    """Runs a C++ program; its exit status must be |expect|. Returns its stdout."""
    done = subprocess.run([str(x) for x in argv], input=stdin, capture_output=True, text=True,
                          timeout=60)
    check(done.returncode == expect, "%s: exit %d, not %d: %s"
          % (" ".join(map(str, argv))[:300], done.returncode, expect, done.stderr))
    return done.stdout


def write(path, data):
    with open(path, "wb" if isinstance(data, bytes) else "w") as f:
        f.write(data)
    return path


def read(path):
    with open(path, "rb") as f:
        return f.read()


def rezip(members):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members:
            z.writestr(name, data)
    return out.getvalue()


def flipped(data, at):
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1:]


# --- derive: tests/vectors/gaen-v1.2-rpi-aem.tsv, the second key schedule, interval numbers

def case_derive():
    with open(vector("gaen-v1.2-rpi-aem.tsv")) as f:
        lines = f.read().splitlines()
    header = " ".join(lines[:4])
    tek = re.search(r"TEK ([0-9a-f]{32})", header).group(1)
    rpik = re.search(r"RPIK ([0-9a-f]{32})", header).group(1)
    aemk = re.search(r"AEMK ([0-9a-f]{32})", header).group(1)
    rows = [line for line in lines if line and not line.startswith("#")]
    check(len(rows) == 144, "the vector file has %d rows" % len(rows))
    first = rows[0].split("\t")[0]
    out = verify("derive", "--tek", tek, "--interval", first, "--count", 144,
                 "--metadata", "40080000")
    check(out.splitlines() == rows, "the 144 official RPIs and AEMs differ")
    d = json.loads(verify("derive", "--tek", tek, "--time", 1585785600, "--json"))
    check((d["rpik"], d["aemk"]) == (rpik, aemk), "RPIK/AEMK of the official TEK: %s" % d)
    # ENIntervalNumber(1585785600) = 2642976; its PaddedData (tests/vectors/README.md).
    check(d["intervals"][0]["interval"] == 2642976, "ENIN of 1585785600")
    check(d["intervals"][0]["padded_data"] == "454e2d52504900000000000020542800", "PaddedData")
    # The second key schedule (derived, checked against Python's cryptography).
    d = json.loads(verify("derive", "--tek", "fedcba9876543210fedcba9876543210", "--interval", 0,
                          "--json"))
    check((d["rpik"], d["aemk"]) == ("69b9ba7478960f1b7ec87a9c9df5056b",
                                     "1a27b17821350c4854fb9e2a35125caa"),
          "the second key schedule: %s" % d)
    out = verify("derive", "--tek", "fedcba9876543210fedcba9876543210", "--rpi",
                 "aabbccddeeff00112233445566778899", "--metadata", "01020304")
    check(out.split() == ["aabbccddeeff00112233445566778899", "d3d33eae"],
          "AEM of the second schedule")
    # The C++ (`openen keys derive`) says the same for the official key and random ones.
    rng = random.Random(20)
    others = [(rng.randbytes(16).hex(), rng.randrange((1 << 32) - 200), rng.randbytes(4).hex())
              for _ in range(4)]
    for tek, interval, metadata in [(tek, int(first), "40080000")] + others:
        args = ["--tek", tek, "--interval", interval, "--count", 144, "--metadata", metadata]
        check(verify("derive", *args) == run([A.cli, "keys", "derive"] + args),
              "openen keys derive and openen_verify.py derive differ for TEK " + tek)
    refused("derive", "--tek", tek[:31], "--interval", 1, reason="--tek must be 32 hex")


# --- export: the upstream sample zip and the two unsigned export.bin files

def case_export():
    sample = vector("gaen-sample-export.zip")
    d = json.loads(verify("export", sample, "--public-key", K310V1, "--key-name", "310-v1"))
    check(d["signature"] == "valid" and d["region"] == "US" and d["key_count"] == 140,
          "sample: %s" % d)
    check((d["start_timestamp"], d["end_timestamp"], d["batch_num"], d["batch_size"]) ==
          (1593633600, 1593633900, 1, 1), "the sample's header")
    check(d["keys"][0] == {"key_data": "0003d60b188f19856e8b3dd29a0c463b",
                           "transmission_risk_level": 3, "rolling_start_interval_number": 2653920,
                           "rolling_period": 144, "report_type": None,
                           "days_since_onset_of_symptoms": None}, "the first key")
    refused("export", sample, "--public-key", EXAMPLE_SERVER_V1,
            reason="no signature in export.sig verifies")
    refused("export", sample, "--public-key", EXAMPLE_SERVER_V1, "--key-name", "310-v1",
            reason="the signature by 310-v1 does not verify")
    refused("export", sample, "--public-key", K310V1, "--key-name", "ExampleServer-v1",
            reason="no signature by ExampleServer-v1 (signed by: 310-v1)")
    key = serialization.load_der_public_key(base64.b64decode(K310V1))
    pem = write(work("310.pem"), key.public_bytes(serialization.Encoding.PEM,
                                                  serialization.PublicFormat.SubjectPublicKeyInfo))
    der = write(work("310.der"), base64.b64decode(K310V1))
    for path in (pem, der, write(work("310.b64"), K310V1 + "\n")):
        verify("export", sample, "--public-key", path, "--key-name", "310-v1")
    # The same reading as the C++ (`openen export inspect --json`), with either key.
    for public_key, status in ((K310V1, 0), (EXAMPLE_SERVER_V1, 1)):
        ours = verify("export", sample, "--public-key", public_key, expect=status)
        theirs = run([A.cli, "export", "inspect", sample, "--public-key", public_key, "--json"],
                     status)
        check(json.loads(ours) == json.loads(theirs),
              "openen export inspect reads the sample otherwise")
    app = json.loads(verify("export", vector("internals-app-export.bin")))
    check((app["key_count"], app["start_timestamp"], app["end_timestamp"], app["region"]) ==
          (110, 1588885200, 1588890000, "US"), "internals-app-export.bin's header")
    check((app["keys"][0]["key_data"], app["keys"][0]["rolling_start_interval_number"],
           app["keys"][0]["rolling_period"], app["keys"][-1]["key_data"]) ==
          ("00e484ab69328ecfca4ce547deea3e0d", 2645035, 117, "ff696927de321416d584acc08839aa6b"),
          "internals-app-export.bin's keys")
    cpp = json.loads(verify("export", vector("internals-cpp-export.bin")))
    check(cpp["key_count"] == 200, "internals-cpp-export.bin has %d keys" % cpp["key_count"])
    for name, parsed in (("internals-app-export.bin", app), ("internals-cpp-export.bin", cpp)):
        theirs = json.loads(run([A.cli, "export", "inspect", vector(name), "--json"]))
        check(parsed == theirs, "openen export inspect reads %s otherwise" % name)
        refused("export", vector(name), "--public-key", K310V1, reason="no export.sig")
    # A flipped byte anywhere in export.bin (spread over the file): refused, by both.
    with zipfile.ZipFile(sample) as z:
        export_bin, export_sig = z.read("export.bin"), z.read("export.sig")
    for at in list(range(0, len(export_bin), len(export_bin) // 11)) + [len(export_bin) - 1]:
        path = write(work("flipped.zip"), rezip([("export.bin", flipped(export_bin, at)),
                                                 ("export.sig", export_sig)]))
        refused("export", path, "--public-key", K310V1, "--key-name", "310-v1")
        run([A.cli, "export", "inspect", path, "--public-key", K310V1], 1)


# --- merkle: tests/vectors/cctv-merkle and the RFC 6962 reference tree

RFC6962_LEAVES = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657",
                  "606162636465666768696a6b6c6d6e6f"]
RFC6962_ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"]
H = {"0": "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
     "1": "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
     "2": "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
     "3": "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
     "4": "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
     "5": "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
     "6": "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
     "7": "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
     "8": "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"}
# (index, size, path) and (old size, size, proof), the hashes by their keys in H:
# transparency-dev/merkle testonly/reference_test.go.
RFC6962_INCLUSION = [(0, 1, ""), (0, 2, "0"), (1, 2, "1"), (2, 3, "8"), (1, 5, "123"),
                     (0, 8, "024"), (5, 8, "356")]
RFC6962_CONSISTENCY = [(1, 1, ""), (1, 8, "024"), (2, 5, "23"), (6, 8, "756")]


# --- totp: tests/vectors/rfc6238-totp.tsv (the console's second factor)
def case_totp():
    seeds = {"SHA1": b"12345678901234567890", "SHA256": b"12345678901234567890123456789012",
             "SHA512": b"1234567890123456789012345678901234567890123456789012345678901234"}
    rows = 0
    with open(vector("rfc6238-totp.tsv")) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            t, name, code = line.split()
            got = verify("totp", "--secret", seeds[name].hex(), "--time", t, "--hash",
                         name.lower(), "--digits", "8").strip()
            check(got == code, "TOTP %s at %s is %s, RFC 6238 says %s" % (name, t, got, code))
            rows += 1
    check(rows == 18, "rfc6238-totp.tsv has %d rows, not 18" % rows)
    verify("totp", "--secret", "00", "--time", "59", expect=1, reason="at least 16 bytes")


# --- vectors: every file of tests/vectors/ is checked by a case of this file
def case_vectors():
    with open(os.path.abspath(__file__)) as f:
        source = f.read()
    for root, _, files in os.walk(A.vectors):
        for name in files:
            path = os.path.relpath(os.path.join(root, name), A.vectors)
            if name in ("README.md", "LICENSE"):
                continue
            check('"%s"' % name in source,
                  "tests/vectors/%s is checked by no case of %s" % (path, __file__))


def case_merkle():
    cctv = os.path.join(A.vectors, "cctv-merkle")
    for name, count in (("merkle_tree.json", 16), ("inclusion-valid.json", 4),
                        ("consistency-valid.json", 4)):
        out = verify("merkle", "check", os.path.join(cctv, name))
        check(out.count(": ok\n") == count, "%s: %s" % (name, out))
    for name, count in (("inclusion-invalid.json", 4), ("consistency-invalid.json", 16)):
        out = refused("merkle", "check", os.path.join(cctv, name),
                      reason="%d of %d vectors do not verify" % (count, count))
        check(out.count(": refused: ") == count,
              "%s: not every invalid vector refused:\n%s" % (name, out))
    for index, size, path in RFC6962_INCLUSION:
        d = json.loads(verify("merkle", "tree", *RFC6962_LEAVES, "--size", size, "--index", index))
        check(d["roots"] == RFC6962_ROOTS, "the RFC 6962 reference roots")
        check(d["inclusion"] == [H[c] for c in path], "inclusion proof %d of %d" % (index, size))
    for old, size, proof in RFC6962_CONSISTENCY:
        d = json.loads(verify("merkle", "tree", *RFC6962_LEAVES, "--size", size, "--old", old))
        check(d["consistency"] == [H[c] for c in proof], "consistency proof %d to %d" % (old, size))


# --- notes: golang.org/x/mod/sumdb/note's example, transparency-dev's '+' key, C2SP tile paths

PETER = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
PETER_NOTE = ("If you think cryptography is the answer to your problem,\n"
              "then you don't know what your problem is.\n\n"
              "\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXg"
              "KvqfqdngotpRZb6KE6RyyBwJnAM=\n")


def case_notes():
    note = write(work("peter.note"), PETER_NOTE.encode())
    d = json.loads(verify("note", note, "--key", PETER))
    check(d["signed_by"] == ["PeterNeumann"] and d["text"].startswith("If you think"),
          "Peter's note")
    changed = write(work("changed.note"), PETER_NOTE.replace("If", "if").encode())
    refused("note", changed, "--key", PETER, reason="signed by 0 of the given keys")
    enoch = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
    refused("note", note, "--key", enoch, reason="signed by 0")
    # A base64 key holding a '+' parses (then did not sign).
    refused("note", note, "--key", "TEST+7997405c+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6",
            reason="signed by 0")
    refused("note", note, "--key", PETER.replace("c74f20a3", "c74f20a4"),
            reason="id does not match")
    refused("note", note, "--key", PETER.replace("+ARpc", "+AhpC"), reason="not an Ed25519")
    refused("note", note, "--key", "Peter Neumann" + PETER[12:], reason="not a verifier key")
    # c2sp.org/tlog-tiles paths (tests/vectors/README.md, "Tile paths").
    spec = importlib.util.spec_from_file_location("openen_verify", A.verify)
    ov = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(ov)
    for args, path in (((0, 1234067, 256), "tile/0/x001/x234/067"), ((0, 0, 5), "tile/0/000.p/5"),
                       (("entries", 1234067, 1), "tile/entries/x001/x234/067.p/1"),
                       ((63, 999999999999999999, 255),
                        "tile/63/x999/x999/x999/x999/x999/999.p/255")):
        check(ov.tile_path(*args) == path, "tile path %s: %s" % (args, ov.tile_path(*args)))


# --- malformed: every kind of input, broken: exit 1 with one line (verify() checks)

def case_malformed():
    os.makedirs(work("dir", "log"), exist_ok=True)
    rng = random.Random(7)
    sample = read(vector("gaen-sample-export.zip"))
    with zipfile.ZipFile(vector("gaen-sample-export.zip")) as z:
        export_bin, export_sig = z.read("export.bin"), z.read("export.sig")
    short_key = export_pb2.TemporaryExposureKeyExport(
        keys=[export_pb2.TemporaryExposureKey(key_data=b"x" * 15)])
    long_period = export_pb2.TemporaryExposureKeyExport(
        keys=[export_pb2.TemporaryExposureKey(key_data=b"x" * 16, rolling_period=145)])
    header = 'does not start with "EK Export v1'
    exports = [(b"", header), (rng.randbytes(500), header),
               (b"PK\x03\x04" + rng.randbytes(300), "zip"),
               (sample[:len(sample) // 2], "zip"), (b"EK Export v2    " + export_bin[16:], header),
               (b"EK Export v1    \xff\xff\xff", "TemporaryExposureKeyExport"),
               # an end-group tag: the parser leaves bytes unread
               (b"EK Export v1    \x0c", "TemporaryExposureKeyExport"),
               (b"EK Export v1    " + short_key.SerializeToString(), "not 16"),
               (b"EK Export v1    " + long_period.SerializeToString(), "not 1..144"),
               (rezip([("export.bin", export_bin), ("export.sig", export_sig), ("x", b"")]),
                "only export.bin"),
               (rezip([("../export.bin", export_bin)]), "only export.bin"),
               (rezip([("export.bin", export_bin), ("export.bin", export_bin)]), "twice")]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile's of a duplicate name
        for data, reason in exports:
            refused("export", write(work("bad.zip"), data), reason=reason)
    bad_sig = rezip([("export.bin", export_bin), ("export.sig", b"\xff\xff")])
    refused("export", write(work("bad.zip"), bad_sig), "--public-key", K310V1,
            reason="TEKSignatureList")
    bad_crc = bytearray(sample)
    bad_crc[sample.index(b"export.bin") + 10 + len("export.bin")] ^= 1  # inside the deflated data
    refused("export", write(work("bad.zip"), bytes(bad_crc)))
    for _ in range(12):  # random damage: refused or read, never a crash
        data = bytearray(sample)
        for _ in range(rng.randint(1, 4)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        done = subprocess.run(["/usr/bin/python3", A.verify, "--protos", A.protos, "export",
                               write(work("fuzz.zip"), bytes(data)), "--public-key", K310V1],
                              capture_output=True, text=True, timeout=60)
        check(done.returncode in (0, 1) and "Traceback" not in done.stderr,
              "fuzzed export: " + done.stderr)
    keys = write(work("keys"), "not base64 ***\n")
    good_keys = write(work("good.keys"), base64.b64encode(bytes(32)).decode() + "\n")
    refused("export", vector("gaen-sample-export.zip"), "--public-key", keys)
    for data in (b"", rng.randbytes(100), b"\x0a\x05abc"):
        refused("envelope", write(work("env"), data), "--type", "config", "--key", good_keys)
        refused("publish", write(work("req"), data), "--certificate-key", good_keys)
    refused("envelope", write(work("env"), b""), "--type", "config", "--key", keys,
            reason="not base64")
    for data in (b"", b"\xff\xfe\n\n\xe2\x80\x94 a AAAAAAA=\n", b"text\n",
                 b"text\n\n- a AAAAAAA=\n",
                 b"text\n\n\xe2\x80\x94 a AAAA\n", b"text\n\n\xe2\x80\x94 a ***\n"):
        refused("note", write(work("note"), data), "--key", PETER)
    for data in (b"", b"{", b"{}", b"[1]", b'[{"leaf_index": "x"}]', b'[{"leaf_hash": 5}]',
                 b'[{"old_size": 1, "new_size": 2, "old_root": "AA==", "new_root": "AA==", '
                 b'"consistency_path": [1]}]'):
        refused("merkle", "check", write(work("v.json"), data))
    refused("merkle", "tree", "zz")
    log = work("dir", "log")
    refused("log", work("dir"), "--log-key", PETER, reason="No such file")
    for checkpoint in (b"", rng.randbytes(200), PETER_NOTE.encode()):
        write(os.path.join(log, "checkpoint"), checkpoint)
        refused("log", work("dir"), "--log-key", PETER)
    refused("log", work("dir"), "--log-key", "garbage", reason="not a verifier key")
    refused("relay-dir", work("dir"), "--export-key", K310V1, reason="index.txt")
    write(work("dir", "index.txt"), b"\xff\x00garbage\n")
    refused("relay-dir", work("dir"), "--export-key", K310V1, reason="index.txt")
    refused("relay-dir", work("dir"), "--export-key", keys, reason="public key")
    refused("derive", "--tek", "zz" * 16, "--interval", 1)
    refused("derive", "--tek", "00" * 16, "--interval", 1 << 32)


# --- tiles: a log of 700 entries written by the relay's TransparencyLog

def verify_both(directory, vkey, *extra, state=None, expect=0, reason=None):
    """openen_verify.py log and `openen log verify` on one directory: both accept or both refuse."""
    args = ["--state", state] if state else []
    ours = verify("log", directory, "--log-key", vkey, *args, *extra, expect=expect, reason=reason)
    if not os.path.exists(os.path.join(directory, "index.txt")):
        write(os.path.join(directory, "index.txt"), "")
    if state:
        state = write(work("cpp.state"), read(state))
    theirs = run([A.cli, "log", "verify", "--log-key", vkey, "--json"]
                 + (["--state", state] if state else []) + [directory], expect)
    return ours, theirs


def case_tiles():
    os.makedirs(work("a"))
    os.makedirs(work("fork"))
    vkey = run([A.helper, "log", work("a"), 300, 700]).strip()
    ours, theirs = verify_both(work("a"), vkey, state=work("a", "checkpoint-300"))
    ours, theirs = json.loads(ours), json.loads(theirs)
    check((ours["size"], ours["extends_size"], ours["batch"], ours["config"]) == (700, 300, 693, 7),
          "the log: %s" % ours)
    for field in ("origin", "size", "root", "time", "cosignatures", "extends_size"):
        check(ours[field] == theirs[field],
              "%s: Python %s, C++ %s" % (field, ours[field], theirs[field]))
    # A monitor's first run (no state file yet) keeps the checkpoint; the next run extends it.
    for extends in (None, 700):
        kept = json.loads(verify("log", work("a"), "--log-key", vkey, "--state", work("kept"),
                                 "--update-state"))
        check(kept["extends_size"] == extends, "a monitor's run: %s" % kept)
    check(read(work("kept")) == read(work("a", "log", "checkpoint")), "the kept checkpoint")
    files = sorted(os.path.relpath(os.path.join(r, f), work("a", "log"))
                   for r, _, fs in os.walk(work("a", "log")) for f in fs)
    # Full tiles, and a partial tile only where the tree ends (c2sp.org/tlog-tiles).
    check({"tile/0/000", "tile/0/001", "tile/0/002.p/188", "tile/1/000.p/2", "tile/entries/000",
           "tile/entries/001", "tile/entries/002.p/188"} <= set(files), "tiles: %s" % files)
    check(not [f for f in files if re.match(r"tile/(0|entries)/00[01]\.p/", f)],
          "partial tiles: %s" % files)
    # A wrong log proof: one flipped bit in a tile of either level, or in an entry. Both check
    # every tile against the entries, with or without a checkpoint kept (whose consistency
    # proof, 300 to 700, holds each of these hashes).
    for path in ("tile/1/000.p/2", "tile/0/001", "tile/0/002.p/188", "tile/entries/001"):
        shutil.rmtree(work("b"), ignore_errors=True)
        shutil.copytree(work("a"), work("b"))
        target = work("b", "log", path)
        write(target, flipped(read(target), 5))
        refused("log", work("b"), "--log-key", vkey)
        verify_both(work("b"), vkey, expect=1)
        verify_both(work("b"), vkey, state=work("a", "checkpoint-300"), expect=1)
    # Rolled back: the checkpoint of 300 served to one who saw 700.
    shutil.rmtree(work("b"))
    shutil.copytree(work("a"), work("b"))
    write(work("b", "log", "checkpoint"), read(work("a", "checkpoint-300")))
    verify_both(work("b"), vkey, state=work("a", "log", "checkpoint"), expect=1,
                reason="rolled back")
    # A fork: the same log key signs other entries; a monitor that saw 300 of the first log refuses.
    run([A.helper, "log", work("fork"), 300, 700, work("a", "log.key")])
    verify_both(work("fork"), vkey)  # on its own it is a valid log
    verify_both(work("fork"), vkey, state=work("a", "checkpoint-300"), expect=1, reason="forked")
    # Another log key: nothing verifies.
    refused("log", work("a"), "--log-key", PETER, reason="not signed by the log key")


# --- e2e: a real relay and verifier on loopback

class Server:
    """A server process whose stderr is collected, and the port it logs."""

    def __init__(self, argv, pattern):
        self.lines = []
        self.process = subprocess.Popen([str(x) for x in argv], stderr=subprocess.PIPE,
                                        stdout=subprocess.DEVNULL, text=True)
        threading.Thread(target=self._read, daemon=True).start()
        self.port = self.wait_for(pattern)

    def _read(self):
        for line in self.process.stderr:
            self.lines.append(line)

    def wait_for(self, pattern, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            for line in list(self.lines):
                m = re.search(pattern, line)
                if m:
                    return int(m.group(1))
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        fail("no line matching %r in:\n%s" % (pattern, "".join(self.lines)))

    def stop(self):
        self.process.terminate()
        check(self.process.wait(timeout=60) == 0,
              "a server did not stop cleanly:\n" + "".join(self.lines))


def wait(condition, what, timeout=30):
    deadline = time.time() + timeout
    while not condition():
        check(time.time() < deadline, "waited %d s for %s" % (timeout, what))
        time.sleep(0.1)


def e2e(*parts):
    return os.path.join(A.work, "e2e", *parts)


def log_size(directory):
    try:
        return int(read(os.path.join(directory, "log", "checkpoint")).split(b"\n")[1])
    except (OSError, IndexError, ValueError):
        return -1


def case_e2e():
    os.makedirs(e2e("upload"))
    w = e2e
    s = {}  # what the tampered case needs
    for role in ("certificate", "config", "decommission"):
        write(w(role + ".pub"), run([A.verifier, "keygen", "--out", w(role + ".key")]))
    s["export_key"] = run([A.relay, "keygen", "--out", w("export.pem")]).strip()
    write(w("export.spki"), s["export_key"] + "\n")
    s["log_vkey"] = run([A.cli, "log", "keygen", "--name", "auditor.example/openen-log",
                         "--out", w("log.key")]).strip()
    s["witness_vkey"] = run([A.cli, "log", "keygen", "--name", "witness.example/w1", "--witness",
                             "--out", w("witness.key")]).strip()
    now = int(time.time())
    write(w("config.txtpb"), 'expires_at: %d\nserial: 7\nretention_days: 14\n'
          'export_signing_keys { key: "openen-v1" value: "%s" }\n'
          'risk { attenuation_thresholds_db: [30, 50, 70] }\n'
          % (now + 30 * 86400, s["export_key"]))
    run([A.verifier, "sign-config", "--signing-key", w("config.key"), "--in", w("config.txtpb"),
         "--out", w("config.bin")])
    run([A.verifier, "integration", "add", "lab", "--staff-dir", w("staff"), "--out", w("lab.key")])
    export = w("export")
    relay = Server([A.relay, "--data-dir", w("relay-data"), "--export-dir", export,
                    "--certificate-key", w("certificate.pub"), "--signing-key", w("export.pem"),
                    "--log-key", w("log.key"), "--config", w("config.bin"),
                    "--config-key", w("config.pub"), "--decommission-key", w("decommission.pub"),
                    "--listen", "127.0.0.1:0",
                    "--batch-period", "1", "--min-batch-keys", "5", "--maintenance-interval", "1"],
                   r"listening on 127\.0\.0\.1:(\d+)")
    verifier = Server([A.verifier, "--data-dir", w("verifier-data"),
                       "--signing-key", w("certificate.key"), "--staff-dir", w("staff"),
                       "--decommission-key", w("decommission.pub"),
                       "--listen", "127.0.0.1:0"], r"listening on 127\.0\.0\.1:(\d+)")
    try:
        onset_date = datetime.datetime.fromtimestamp(now - 3 * 86400, datetime.timezone.utc)
        issued = json.loads(run([A.verifier, "issue", "--server", "127.0.0.1:%d" % verifier.port,
                                 "--api-key-file", w("lab.key"), "--test-type", "confirmed",
                                 "--onset", onset_date.strftime("%Y-%m-%d"), "--json"]))
        out = run([A.helper, "upload", "127.0.0.1:%d" % verifier.port, "127.0.0.1:%d" % relay.port,
                   w("phone"), issued["short_code"], w("upload")])
        check(out.strip() == "keys sent 3 accepted 3", "the phone's upload: " + out)
        index = os.path.join(export, "index.txt")
        wait(lambda: os.path.exists(index) and read(index), "the first batch")
        wait(lambda: log_size(export) >= 2, "the batch's log entry")
        time.sleep(1.5)  # a maintenance pass with nothing to do: the directory is still
        shutil.copytree(export, w("before-order"), ignore=shutil.ignore_patterns(".openen-relay"))
        s["order_effective"] = now + 10 * 365 * 86400
        run([A.verifier, "decommission-order", "--signing-key", w("decommission.key"),
             "--effective", s["order_effective"], "--sequence", 1, "--out", w("order.bin")])
        run([A.relay, "decommission", "--order", w("order.bin"), "--data-dir", w("relay-data"),
             "--decommission-key", w("decommission.pub")])
        size = log_size(export)
        order = os.path.join(export, "decommission.bin")
        wait(lambda: os.path.exists(order) and log_size(export) > size,
             "the order served and logged")
    finally:
        verifier.stop()
        relay.stop()
    write(w("setup.json"), json.dumps(s))

    # The whole directory: batches, signatures, configuration, order, the log and its proofs,
    # and that it extends what it published before the order.
    keys = ["--export-key", w("export.spki"), "--log-key", s["log_vkey"],
            "--config-key", w("config.pub"), "--decommission-key", w("decommission.pub")]
    old = json.loads(verify("relay-dir", w("before-order"), *keys))
    ours = json.loads(verify("relay-dir", export, *keys,
                             "--state", w("before-order", "log", "checkpoint")))
    check(len(ours["batches"]) == 1 and ours["batches"] == old["batches"],
          "the batches: %s" % ours["batches"])
    check(ours["log"]["extends_size"] == old["log"]["size"] and
          [ours["log"][f] for f in ("configurations", "batches", "decommission_orders")] ==
          [1, 1, 1], "the log: %s" % ours["log"])
    check(ours["config"]["serial"] == "7" and ours["decommission_order"]["effective_at"] ==
          str(s["order_effective"]),
          "the configuration and order: %s %s" % (ours["config"], ours["decommission_order"]))
    # The C++ monitor accepts the same log, and sees it as the same.
    theirs = json.loads(run([A.cli, "log", "verify", "--log-key", s["log_vkey"], "--json", export]))
    for field in ("origin", "size", "root", "time", "cosignatures", "batches", "batches_served",
                  "batches_no_longer_served", "configurations", "decommission_orders"):
        check(theirs[field] == ours["log"][field], "log %s: the C++ says %s, Python %s"
              % (field, theirs[field], ours["log"][field]))
    # Each batch reads the same in Python and through `openen export inspect`.
    batch = os.path.join(export, ours["batches"][0]["name"])
    mine = json.loads(verify("export", batch, "--public-key", w("export.spki"),
                             "--key-name", "openen-v1"))
    theirs = run([A.cli, "export", "inspect", batch, "--public-key", s["export_key"], "--json"])
    check(mine == json.loads(theirs), "openen export inspect reads the batch otherwise")
    # The certificate the verifier issued, and what the phone published with it.
    certify = verification_pb2.CertifyResponse.FromString(read(w("upload", "Certify.response.bin")))
    publish = relay_pb2.PublishRequest.FromString(read(w("upload", "Publish.request.bin")))
    check(certify.certificate == publish.certificate, "the phone published another certificate")
    write(w("certificate.bin"), certify.certificate.SerializeToString())
    cert = json.loads(verify("envelope", w("certificate.bin"), "--type", "certificate",
                             "--key", w("certificate.pub")))
    onset = json.loads(verify("publish", w("upload", "Publish.request.bin"), "--certificate-key",
                              w("certificate.pub")))["certificate"]["symptom_onset_interval"]
    check((cert["report_type"], cert["audience"], cert["issuer"], onset) ==
          ("CONFIRMED_TEST", "openen-relay", "openen-verifier", (now - 3 * 86400) // 86400 * 144),
          "the certificate: %s" % cert)
    # Every published key that stopped being valid is in the batch as the certificate says:
    # its report type, its days since onset; a key still valid is in no batch.
    released = {k["key_data"]: k for k in mine["keys"]}
    for k in publish.keys:
        end = 600 * (k.rolling_start_interval_number + k.rolling_period)
        got = released.get(k.key_data.hex())
        if end > mine["end_timestamp"]:
            check(got is None, "a key still valid at the batch's end was released")
            continue
        check(got == {"key_data": k.key_data.hex(), "transmission_risk_level": k.transmission_risk,
                      "rolling_start_interval_number": k.rolling_start_interval_number,
                      "rolling_period": k.rolling_period, "report_type": "CONFIRMED_TEST",
                      "days_since_onset_of_symptoms":
                          k.rolling_start_interval_number // 144 - onset // 144},
              "published key %s released as %s" % (k.key_data.hex(), got))
        # And the identifiers it broadcast: Python and `openen keys derive` agree.
        args = ["--tek", k.key_data.hex(), "--interval", k.rolling_start_interval_number,
                "--count", k.rolling_period]
        check(verify("derive", *args) == run([A.cli, "keys", "derive"] + args), "derive differs")
    check(sum(1 for k in publish.keys if k.key_data.hex() in released) >= 2,
          "fewer than two keys released")
    # Each envelope only under its role's key, and only as its own kind.
    verify("envelope", w("config.bin"), "--type", "config", "--key", w("config.pub"))
    verify("envelope", os.path.join(export, "config.bin"), "--type", "config",
           "--key", w("config.pub"))
    verify("envelope", os.path.join(export, "decommission.bin"), "--type", "decommission", "--key",
           w("decommission.pub"))
    for file, kind, role in (("config.bin", "config", "certificate"),
                             ("config.bin", "config", "decommission"),
                             ("decommission.bin", "decommission", "config"),
                             ("decommission.bin", "config", "decommission"),
                             ("decommission.bin", "certificate", "decommission")):
        refused("envelope", os.path.join(export, file), "--type", kind, "--key", w(role + ".pub"),
                reason="signature verification failed")
    refused("envelope", w("certificate.bin"), "--type", "decommission",
            "--key", w("certificate.pub"), reason="signature verification failed")
    refused("publish", w("upload", "Publish.request.bin"), "--certificate-key", w("config.pub"))
    # A witness cosigns (`openen log witness`); Python counts the cosignature as the C++ does.
    run([A.cli, "log", "witness", "--key", w("witness.key"), "--log-key", s["log_vkey"], "--state",
         w("witness.state"), "--out", w("cosigned"), export])
    d = json.loads(verify("note", w("cosigned"), "--key", s["log_vkey"],
                          "--key", s["witness_vkey"]))
    check(len(d["signed_by"]) == 2, "the cosigned checkpoint: %s" % d)
    shutil.copytree(export, w("cosigned-dir"))
    write(w("cosigned-dir", "log", "checkpoint"), read(w("cosigned")))
    witness = ["--witness-key", s["witness_vkey"], "--quorum", "1"]
    ours = json.loads(verify("relay-dir", w("cosigned-dir"), *keys, *witness))
    theirs = json.loads(run([A.cli, "log", "verify", "--log-key", s["log_vkey"], "--witness-keys",
                             s["witness_vkey"], "--quorum", "1", "--json", w("cosigned-dir")]))
    check(ours["log"]["cosignatures"] == theirs["cosignatures"] == 1, "cosignatures")
    refused("relay-dir", export, *keys, *witness, reason="0 of the 1 witness cosignatures")
    run([A.cli, "log", "verify", "--log-key", s["log_vkey"], "--witness-keys", s["witness_vkey"],
         "--quorum", "1", export], 1)


# --- tampered: copies of what e2e left, each broken one way

def read_bundle(path):
    data, out = read(path), []
    while data:
        n = int.from_bytes(data[:2], "big")
        out.append(data[2:2 + n])
        data = data[2 + n:]
    return out


def sign_note(text, key_file):
    """|text| as a note signed with the note key in |key_file| (PRIVATE+KEY+<name>+<id>+<key>)."""
    secret = open(key_file).read().strip().split("+")
    seed = base64.b64decode("+".join(secret[4:]))[1:]
    signature = ed25519.Ed25519PrivateKey.from_private_bytes(seed).sign(text.encode())
    blob = base64.b64encode(bytes.fromhex(secret[3]) + signature).decode()
    return "%s\n\u2014 %s %s\n" % (text, secret[2], blob)


def write_log(log, entries, key_file):
    """Writes a log of fewer than 256 |entries| as a relay would (bundle, tile, checkpoint), signed
    with the log key: what a relay that holds its key can publish."""
    leaves = [hashlib.sha256(b"\x00" + e).digest() for e in entries]

    def mth(hs):
        if len(hs) == 1:
            return hs[0]
        k = 1
        while k * 2 < len(hs):
            k *= 2
        return hashlib.sha256(b"\x01" + mth(hs[:k]) + mth(hs[k:])).digest()
    n = len(entries)
    write(os.path.join(log, "tile", "entries", "000.p", str(n)),
          b"".join(len(e).to_bytes(2, "big") + e for e in entries))
    write(os.path.join(log, "tile", "0", "000.p", str(n)), b"".join(leaves))
    origin = read(os.path.join(log, "checkpoint")).decode().split("\n")[0]
    text = "%s\n%d\n%s\ntime 1\n" % (origin, n, base64.b64encode(mth(leaves)).decode())
    write(os.path.join(log, "checkpoint"), sign_note(text, key_file))


def case_tampered():
    s = json.loads(read(e2e("setup.json")))
    export = e2e("export")
    keys = ["--export-key", e2e("export.spki"), "--log-key", s["log_vkey"], "--config-key",
            e2e("config.pub"), "--decommission-key", e2e("decommission.pub")]
    verify("relay-dir", export, *keys)
    name = read(os.path.join(export, "index.txt")).decode().split()[0]

    def copy():
        shutil.rmtree(work(), ignore_errors=True)
        shutil.copytree(export, work())
        return work()

    def relist(d, name, data):
        """Puts |data| in place of batch |name| with a matching index.sha256 (only what is
        signed or logged can catch it)."""
        write(os.path.join(d, name), data)
        digests = read(os.path.join(d, "index.sha256")).decode().splitlines()
        listed = hashlib.sha256(data).hexdigest() + "  " + name
        write(os.path.join(d, "index.sha256"), "".join(
            (listed if line.endswith(" " + name) else line) + "\n" for line in digests))

    def cpp_log(d, expect, *extra):
        run([A.cli, "log", "verify", "--log-key", s["log_vkey"], *extra, d], expect)

    # A flipped byte in export.bin, re-zipped and re-listed: the signature refuses it (and the log).
    with zipfile.ZipFile(os.path.join(export, name)) as z:
        export_bin, export_sig = z.read("export.bin"), z.read("export.sig")
    d = copy()
    relist(d, name, rezip([("export.bin", flipped(export_bin, len(export_bin) - 5)),
                           ("export.sig", export_sig)]))
    refused("relay-dir", d, "--export-key", e2e("export.spki"), "--config-key", e2e("config.pub"),
            "--decommission-key", e2e("decommission.pub"),
            reason="signature by openen-v1 does not verify")
    refused("relay-dir", d, *keys, reason="does not verify")
    refused("export", os.path.join(d, name), "--public-key", s["export_key"])
    run([A.cli, "export", "inspect", os.path.join(d, name), "--public-key", s["export_key"]], 1)
    cpp_log(d, 1)
    # A flipped byte in the file as served: its listed SHA-256 refuses it.
    d = copy()
    write(os.path.join(d, name), flipped(read(os.path.join(export, name)), 200))
    refused("relay-dir", d, *keys, reason="SHA-256")
    # Another export key.
    other = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    write(e2e("other.pem"), other)
    refused("relay-dir", export, *keys[2:], "--export-key", e2e("other.pem"),
            reason="the signed configuration pins another key as openen-v1")
    refused("export", os.path.join(export, name), "--public-key", e2e("other.pem"))
    run([A.cli, "export", "inspect", os.path.join(export, name),
         "--public-key", e2e("other.pem")], 1)
    # Tampered envelopes: a payload byte, a signature byte.
    env = signed_pb2.SignedEnvelope.FromString(read(os.path.join(export, "config.bin")))
    for field in ("payload", "signature"):
        broken = signed_pb2.SignedEnvelope()
        broken.CopyFrom(env)
        setattr(broken, field, flipped(getattr(env, field), 3))
        path = write(e2e("broken-" + field), broken.SerializeToString())
        refused("envelope", path, "--type", "config", "--key", e2e("config.pub"),
                reason="signature verification failed")
        d = copy()
        write(os.path.join(d, "config.bin"), broken.SerializeToString())
        refused("relay-dir", d, *keys, reason="signature verification failed")
    cert = signed_pb2.SignedEnvelope.FromString(read(e2e("certificate.bin")))
    cert.payload = flipped(cert.payload, len(cert.payload) - 1)
    refused("envelope", write(e2e("broken-certificate"), cert.SerializeToString()),
            "--type", "certificate", "--key", e2e("certificate.pub"),
            reason="signature verification failed")
    # A wrong log proof: a tile hash or a logged entry changed: refused on its own, and by a
    # monitor that kept the checkpoint from before the order (its proof holds hash 2 of the tile).
    write(e2e("state-before"), read(e2e("before-order", "log", "checkpoint")))
    for path in ("log/tile/0/000.p/3", "log/tile/entries/000.p/3"):
        d = copy()
        write(os.path.join(d, path), flipped(read(os.path.join(d, path)), 70))
        refused("relay-dir", d, *keys)
        cpp_log(d, 1)
        cpp_log(d, 1, "--state", e2e("state-before"))
    # A checkpoint with another root, signed by the log key itself (a relay that forks).
    d = copy()
    checkpoint = read(os.path.join(d, "log", "checkpoint")).decode()
    text = checkpoint[:checkpoint.index("\n\n") + 1]
    lines = text.split("\n")
    lines[2] = base64.b64encode(hashlib.sha256(b"another world").digest()).decode()
    write(os.path.join(d, "log", "checkpoint"), sign_note("\n".join(lines), e2e("log.key")))
    verify("note", os.path.join(d, "log", "checkpoint"), "--key", s["log_vkey"])  # well signed
    refused("relay-dir", d, *keys, reason="do not give its checkpoint's root")
    cpp_log(d, 1)
    # Logs the relay's key signed that do not match what it serves: the listed batch not in it;
    # its entry stating another key count; a logged batch withheld before its expiry. Then
    # what is served but was never logged: the order, under a genuine older checkpoint.
    entries = read_bundle(os.path.join(export, "log", "tile", "entries", "000.p", "3"))
    batch_entry = entries[1].decode().split(" ")
    more_keys = batch_entry[:4] + [str(int(batch_entry[4]) + 1)] + batch_entry[5:]
    more_keys = " ".join(more_keys).encode()
    withheld = " ".join(batch_entry[:1] + ["batch-0000000001.zip"] + batch_entry[2:]).encode()
    for logged, reason in (([entries[0], entries[2]], "is listed but is not in the log"),
                           ([entries[0], more_keys, entries[2]], "states keys"),
                           (entries + [withheld], "withheld before its expiry")):
        d = copy()
        write_log(os.path.join(d, "log"), logged, e2e("log.key"))
        refused("relay-dir", d, *keys, reason=reason)
        cpp_log(d, 1)
    d = copy()
    write(os.path.join(d, "log", "checkpoint"), read(e2e("before-order", "log", "checkpoint")))
    refused("relay-dir", d, *keys, reason="the served decommission is not the last one logged")
    # The checkpoint with a flipped bit in its signature.
    d = copy()
    note = read(os.path.join(d, "log", "checkpoint")).decode()
    body, _, line = note.rstrip("\n").rpartition("\n")
    prefix, _, blob = line.rpartition(" ")
    blob = base64.b64encode(flipped(base64.b64decode(blob), 20)).decode()
    write(os.path.join(d, "log", "checkpoint"), "%s\n%s %s\n" % (body, prefix, blob))
    refused("relay-dir", d, *keys, reason="not signed by the log key")
    cpp_log(d, 1)
    # Rolled back: the directory as it was before the order, to one who saw the order logged.
    refused("relay-dir", e2e("before-order"), *keys,
            "--state", os.path.join(export, "log", "checkpoint"), reason="rolled back")
    write(e2e("state"), read(os.path.join(export, "log", "checkpoint")))
    cpp_log(e2e("before-order"), 1, "--state", e2e("state"))
    # A genuine batch listed again under a far-future name (docs/transparency.md): refused.
    d = copy()
    far = "batch-9999999999.zip"
    shutil.copy(os.path.join(d, name), os.path.join(d, far))
    with open(os.path.join(d, "index.txt"), "a") as f:
        f.write(far + "\n")
    with open(os.path.join(d, "index.sha256"), "a") as f:
        f.write("%s  %s\n" % (hashlib.sha256(read(os.path.join(d, far))).hexdigest(), far))
    refused("relay-dir", d, *keys, reason="the name is not its window's end")
    cpp_log(d, 1)
    # The TEK HMAC: the certificate binds the keys the phone published, not others.
    publish = relay_pb2.PublishRequest.FromString(read(e2e("upload", "Publish.request.bin")))
    publish.hmac_secret = flipped(publish.hmac_secret, 0)
    refused("publish", write(e2e("broken-publish"), publish.SerializeToString()),
            "--certificate-key", e2e("certificate.pub"), reason="key HMAC")
    # Batches the relay's own key signed that break its promises (docs/relay.md): a key released
    # while still valid, keys not sorted. Only the batch is listed, and no log is asked for.
    pem = serialization.load_pem_private_key(read(e2e("export.pem")), None)
    end = json.loads(verify("export", os.path.join(export, name)))["end_timestamp"]
    for why, starts in (("still valid at its end", [end // 600 - 10]), ("not sorted", [100, 200])):
        keys_in = [export_pb2.TemporaryExposureKey(key_data=bytes([9 - i]) * 16,
                                                   rolling_start_interval_number=r,
                                                   rolling_period=144)
                   for i, r in enumerate(starts)]
        info = export_pb2.SignatureInfo(verification_key_version="v1", verification_key_id="openen",
                                        signature_algorithm="1.2.840.10045.4.3.2")
        body = b"EK Export v1    " + export_pb2.TemporaryExposureKeyExport(
            start_timestamp=end - 1, end_timestamp=end, region="ZZ", batch_num=1, batch_size=1,
            signature_infos=[info], keys=keys_in).SerializeToString()
        sig = export_pb2.TEKSignatureList(signatures=[export_pb2.TEKSignature(
            signature_info=info, batch_num=1, batch_size=1,
            signature=pem.sign(body, ec.ECDSA(hashes.SHA256())))]).SerializeToString()
        d = copy()
        relist(d, name, rezip([("export.bin", body), ("export.sig", sig)]))
        verify("export", os.path.join(d, name), "--public-key", s["export_key"],
               "--key-name", "openen-v1")
        refused("relay-dir", d, *keys[:2], *keys[4:], reason=why)
    # A batch still served two hours after its expiry (14 days after its newest key ended).
    expires = json.loads(verify("relay-dir", export, *keys))["batches"][0]["expires"]
    refused("relay-dir", export, *keys, "--now", expires + 7200, reason="served after its expiry")
    # Once the order is in force, a directory that still serves batches is refused.
    refused("relay-dir", export, *keys, "--now", s["order_effective"] + 2 * 3600,
            reason="decommissioned since")


CASES = {"derive": case_derive, "export": case_export, "merkle": case_merkle,
         "totp": case_totp, "vectors": case_vectors,
         "notes": case_notes, "malformed": case_malformed, "tiles": case_tiles, "e2e": case_e2e,
         "tampered": case_tampered}
started = time.time()
shutil.rmtree(work(), ignore_errors=True)
os.makedirs(work())
CASES[A.case]()
print("PASS: %s (%.1f s)" % (A.case, time.time() - started))
