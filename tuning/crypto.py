"""Dataset encryption at rest: a random key per file, wrapped by settings.DATASET_MASTER_KEY.

A file is encrypted as a stream of AES-256-GCM chunks (the STREAM construction of Hoang,
Reyhanitabar, Rogaway and Vizár, "Online authenticated-encryption and its nonce-reuse
misuse-resistance", 2015): each chunk's nonce is a random 7-byte prefix, a 4-byte chunk counter
and a 1-byte "last chunk" flag, and the file header is authenticated with every chunk. So
chunks cannot be reordered, dropped or truncated without decryption failing, and neither
encryption nor decryption ever holds more than one chunk in memory.

    header = MAGIC (5) | version (1) | chunk size (4, big-endian) | nonce prefix (7)
    body   = GCM(chunk 0) | GCM(chunk 1) | ... | GCM(last chunk, flag 1)   (each + 16-byte tag)

The file key is wrapped with AES-256-GCM under the master key (random 12-byte nonce, fixed
associated data), and only the wrapped form is stored, on the file's database row.
"""
from __future__ import annotations

import base64
import os
import struct
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"TMDS\x00"
VERSION = 1
CHUNK_SIZE = 64 * 1024
TAG = 16
PREFIX = 7
HEADER_LEN = len(MAGIC) + 1 + 4 + PREFIX
WRAP_AAD = b"tunemarket/dataset-key/v1"
MAX_CHUNKS = 2**32


class DecryptionError(Exception):
    """The ciphertext, its header or the wrapped key is not authentic."""


def _master_key() -> bytes:
    from django.conf import settings

    try:
        key = base64.b64decode(settings.DATASET_MASTER_KEY, validate=True)
    except (ValueError, TypeError) as exc:
        raise RuntimeError("DATASET_MASTER_KEY must be base64 of 32 random bytes") from exc
    if len(key) != 32:
        raise RuntimeError("DATASET_MASTER_KEY must be base64 of exactly 32 bytes (AES-256)")
    return key


def new_file_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


def wrap_key(file_key: bytes, master_key: bytes | None = None) -> str:
    nonce = os.urandom(12)
    sealed = AESGCM(master_key or _master_key()).encrypt(nonce, file_key, WRAP_AAD)
    return base64.b64encode(nonce + sealed).decode()


def unwrap_key(wrapped: str, master_key: bytes | None = None) -> bytes:
    raw = base64.b64decode(wrapped)
    try:
        return AESGCM(master_key or _master_key()).decrypt(raw[:12], raw[12:], WRAP_AAD)
    except InvalidTag as exc:
        raise DecryptionError("the dataset key does not unwrap under this master key") from exc


def _nonce(prefix: bytes, counter: int, last: bool) -> bytes:
    if counter >= MAX_CHUNKS:
        raise ValueError("file too large for one encryption stream")
    return prefix + struct.pack(">I", counter) + (b"\x01" if last else b"\x00")


class StreamEncryptor:
    """Feed plaintext with `update`, finish with `finalize`; each returns ciphertext bytes."""

    def __init__(self, key: bytes, chunk_size: int = CHUNK_SIZE):
        self._aead = AESGCM(key)
        self._prefix = os.urandom(PREFIX)
        self._chunk_size = chunk_size
        self.header = MAGIC + bytes([VERSION]) + struct.pack(">I", chunk_size) + self._prefix
        self._buffer = bytearray()
        self._counter = 0
        self._started = False
        self._done = False

    def _seal(self, data: bytes, last: bool) -> bytes:
        out = self._aead.encrypt(_nonce(self._prefix, self._counter, last), data, self.header)
        self._counter += 1
        return out

    def update(self, data: bytes) -> bytes:
        if self._done:
            raise ValueError("encryptor already finalized")
        out = bytearray()
        if not self._started:
            out += self.header
            self._started = True
        self._buffer += data
        # Keep at least one byte back: the last chunk must be sealed with the "last" flag.
        while len(self._buffer) > self._chunk_size:
            out += self._seal(bytes(self._buffer[: self._chunk_size]), last=False)
            del self._buffer[: self._chunk_size]
        return bytes(out)

    def finalize(self) -> bytes:
        out = bytearray()
        if not self._started:
            out += self.header
            self._started = True
        out += self._seal(bytes(self._buffer), last=True)
        self._buffer.clear()
        self._done = True
        return bytes(out)


def _read_exact(fh: BinaryIO, n: int) -> bytes:
    parts, got = [], 0
    while got < n:
        block = fh.read(n - got)
        if not block:
            break
        parts.append(block)
        got += len(block)
    return b"".join(parts)


def decrypt_stream(fh: BinaryIO, key: bytes) -> Iterator[bytes]:
    """Plaintext chunks of an encrypted file, authenticated chunk by chunk."""
    header = _read_exact(fh, HEADER_LEN)
    if len(header) != HEADER_LEN or not header.startswith(MAGIC) or header[len(MAGIC)] != VERSION:
        raise DecryptionError("not an encrypted dataset file")
    (chunk_size,) = struct.unpack(">I", header[len(MAGIC) + 1 : len(MAGIC) + 5])
    prefix = header[len(MAGIC) + 5 :]
    aead = AESGCM(key)
    block_len = chunk_size + TAG
    counter = 0
    current = _read_exact(fh, block_len)
    while True:
        following = _read_exact(fh, block_len) if len(current) == block_len else b""
        last = not following
        if len(current) < TAG:
            raise DecryptionError("truncated encrypted dataset file")
        try:
            yield aead.decrypt(_nonce(prefix, counter, last), current, header)
        except InvalidTag as exc:
            raise DecryptionError("encrypted dataset file is corrupt or truncated") from exc
        if last:
            return
        counter += 1
        current = following


def encrypt_chunks(chunks: Iterable[bytes], key: bytes) -> Iterator[bytes]:
    enc = StreamEncryptor(key)
    for chunk in chunks:
        out = enc.update(chunk)
        if out:
            yield out
    yield enc.finalize()
