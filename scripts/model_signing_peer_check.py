#!/usr/bin/env python3
"""Checks medseg's package signatures with an independent implementation of the OpenSSF model signing format.

The signature checks use Python's `cryptography` (OpenSSL), not the Java platform: the key hint is the SHA-256 of
the public key as `cryptography` writes it (PEM, SubjectPublicKeyInfo), the signature is ECDSA over the DSSE
pre-authentication encoding, and the model folder is re-hashed with pathlib's recursive glob, with the signed
ignore_paths and the git paths left out, as the format's verifiers do.

  verify PKG PUB            verify PKG/model.sig against the public key PUB; exit 0 verified, 1 not
  sign PKG KEY PUB OUT      sign PKG in the same format with a key `cryptography` generates (KEY, PUB are
                            written), into OUT: a bundle made outside Java, for `segment verify` to check
"""
import base64
import hashlib
import json
import pathlib
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

MEDIA_TYPE = "application/vnd.dev.sigstore.bundle.v0.3+json"
PAYLOAD_TYPE = "application/vnd.in-toto+json"
STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
PREDICATE_TYPE = "https://model_signing/signature/v1.0"
GIT_PATHS = [".git", ".gitattributes", ".github", ".gitignore"]


def pae(body: bytes) -> bytes:
    return b"DSSEv1 %d %s %d " % (len(PAYLOAD_TYPE), PAYLOAD_TYPE.encode(), len(body)) + body


def hint_of(public_key) -> str:
    pem = public_key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(pem).hexdigest()


def hash_folder(root: pathlib.Path, ignored):
    ignored = [root / p for p in ignored]
    out = {}
    for path in sorted(root.glob("**/*")):
        if any(path == i or i in path.parents for i in ignored):
            continue
        if path.is_symlink():
            raise SystemExit(f"{path}: a symbolic link")
        if path.is_file():
            out[pathlib.PurePosixPath(path.relative_to(root)).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def statement_for(root: pathlib.Path, ignore_paths):
    digests = hash_folder(root, ignore_paths + GIT_PATHS)
    names = sorted(digests, key=lambda n: pathlib.PurePosixPath(n))
    total = hashlib.sha256()
    for n in names:
        total.update(bytes.fromhex(digests[n]))
    return {
        "_type": STATEMENT_TYPE,
        "subject": [{"name": root.name, "digest": {"sha256": total.hexdigest()}}],
        "predicateType": PREDICATE_TYPE,
        "predicate": {
            "serialization": {"method": "files", "hash_type": "sha256", "allow_symlinks": False,
                              "ignore_paths": sorted(ignore_paths)},
            "resources": [{"name": n, "algorithm": "sha256", "digest": digests[n]} for n in names],
        },
    }


def verify(pkg: pathlib.Path, pub_file: pathlib.Path) -> int:
    bundle = json.loads((pkg / "model.sig").read_text())
    public_key = serialization.load_pem_public_key(pub_file.read_bytes())
    assert isinstance(public_key.curve, ec.SECP256R1), "expected a P-256 key"
    problems = []
    if bundle.get("mediaType") != MEDIA_TYPE:
        problems.append(f"mediaType {bundle.get('mediaType')}")
    hint = bundle["verificationMaterial"]["publicKey"].get("hint")
    if hint != hint_of(public_key):
        problems.append(f"key hint {hint} is not the key's fingerprint {hint_of(public_key)}")
    env = bundle["dsseEnvelope"]
    body = base64.b64decode(env["payload"])
    try:
        public_key.verify(base64.b64decode(env["signatures"][0]["sig"]), pae(body), ec.ECDSA(hashes.SHA256()))
        print("signature: valid ECDSA P-256 over the DSSE PAE (cryptography, OpenSSL)")
    except InvalidSignature:
        problems.append("the signature does not verify")
    statement = json.loads(body)
    if statement["_type"] != STATEMENT_TYPE or statement["predicateType"] != PREDICATE_TYPE:
        problems.append("not a model signing statement")
    resources = statement["predicate"]["resources"]
    total = hashlib.sha256()
    for r in resources:
        total.update(bytes.fromhex(r["digest"]))
    if total.hexdigest() != statement["subject"][0]["digest"]["sha256"]:
        problems.append("subject digest does not match the resources")
    ignore = statement["predicate"]["serialization"].get("ignore_paths", [])
    actual = hash_folder(pkg, ignore + GIT_PATHS)
    signed = {r["name"]: r["digest"] for r in resources}
    if actual != signed:
        for n in sorted(set(actual) | set(signed)):
            if actual.get(n) != signed.get(n):
                problems.append(f"{n}: signed {signed.get(n)}, found {actual.get(n)}")
    print(f"statement: {len(resources)} files, subject {statement['subject'][0]['name']} "
          f"{statement['subject'][0]['digest']['sha256']}, ignore_paths {ignore}")
    if problems:
        for p in problems:
            print("FAIL: " + p)
        return 1
    print("PASS: the package matches its signature")
    return 0


def sign(pkg: pathlib.Path, key_file: pathlib.Path, pub_file: pathlib.Path, out: pathlib.Path) -> int:
    key = ec.generate_private_key(ec.SECP256R1())
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    pub_file.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM,
                                                       serialization.PublicFormat.SubjectPublicKeyInfo))
    body = json.dumps(statement_for(pkg, ["model.sig", "validations"]), indent=2).encode()
    sig = key.sign(pae(body), ec.ECDSA(hashes.SHA256()))
    bundle = {
        "mediaType": MEDIA_TYPE,
        "verificationMaterial": {"publicKey": {"hint": hint_of(key.public_key())}, "tlogEntries": []},
        "dsseEnvelope": {"payload": base64.b64encode(body).decode(), "payloadType": PAYLOAD_TYPE,
                         "signatures": [{"sig": base64.b64encode(sig).decode(), "keyid": ""}]},
    }
    out.write_text(json.dumps(bundle, indent=2) + "\n")
    print(f"signed {pkg} into {out} with a new key, fingerprint {hint_of(key.public_key())}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "verify":
        sys.exit(verify(pathlib.Path(sys.argv[2]), pathlib.Path(sys.argv[3])))
    if len(sys.argv) == 6 and sys.argv[1] == "sign":
        sys.exit(sign(*(pathlib.Path(a) for a in sys.argv[2:])))
    print(__doc__, file=sys.stderr)
    sys.exit(2)
