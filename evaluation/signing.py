"""Ed25519 signatures over model-card manifests (the `cryptography` package).

The manifest names the card's SHA-256 and the SHA-256 of every artifact file; the signature
covers the manifest's canonical JSON. Verification uses the platform's own public key (from
the configured private key), never a key carried inside the document being verified.
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
import threading
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from core.hashing import file_sha256

from . import conf

ALGORITHM = "Ed25519"
_lock = threading.Lock()


def canonical_json(data) -> bytes:
    """The one byte form of a JSON value that is hashed and signed: sorted keys, no spaces, UTF-8."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _parse_key(text: str) -> Ed25519PrivateKey:
    text = text.strip()
    if text.startswith("-----BEGIN"):
        key = serialization.load_pem_private_key(text.encode(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError("TUNEMARKET_CARD_SIGNING_KEY is not an Ed25519 private key")
        return key
    raw = base64.b64decode(text)
    if len(raw) != 32:
        raise ValueError("TUNEMARKET_CARD_SIGNING_KEY must be PEM or base64 of 32 raw bytes")
    return Ed25519PrivateKey.from_private_bytes(raw)


def _dev_key() -> Ed25519PrivateKey:
    path: Path = conf.dev_key_path()
    with _lock:
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            key = Ed25519PrivateKey.generate()
            pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
            # Created private and renamed into place, so two processes never read half a key.
            tmp = path.with_name(f".{path.name}.{os.getpid()}")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(pem)
            try:
                os.link(tmp, path)  # fails if another process won the race; its key is kept
            except FileExistsError:
                pass
            finally:
                tmp.unlink(missing_ok=True)
        return _parse_key(path.read_text())


def private_key() -> Ed25519PrivateKey:
    configured = conf.signing_key_setting()
    return _parse_key(configured) if configured else _dev_key()


def public_key() -> Ed25519PublicKey:
    return private_key().public_key()


def public_key_b64(key: Ed25519PublicKey | None = None) -> str:
    key = key or public_key()
    return base64.b64encode(key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)).decode()


def key_id(key: Ed25519PublicKey | None = None) -> str:
    key = key or public_key()
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "ed25519:" + hashlib.sha256(raw).hexdigest()[:16]


def sign(manifest: dict) -> str:
    return base64.b64encode(private_key().sign(canonical_json(manifest))).decode()


def verify(manifest: dict, signature_b64: str, key: Ed25519PublicKey | None = None) -> bool:
    key = key or public_key()
    try:
        key.verify(base64.b64decode(signature_b64, validate=True), canonical_json(manifest))
    except (InvalidSignature, ValueError):
        return False
    return True


def directory_hashes(directory: Path) -> dict[str, str]:
    """SHA-256 of every file directly in ``directory`` (an adapter directory is flat)."""
    return {p.name: file_sha256(p) for p in sorted(Path(directory).iterdir()) if p.is_file()}
