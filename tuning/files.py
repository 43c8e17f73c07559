"""Dataset bytes: streamed in, encrypted, stored through Django's storage API, streamed out.

The upload handler encrypts each chunk as it arrives from the request and writes only
ciphertext to a temporary file, counting bytes as it goes: an upload over the limit is
stopped at the first chunk past it and nothing is kept. The plaintext never touches disk
and is never held whole in memory.
"""
from __future__ import annotations

import hashlib
import json
import secrets
import tempfile
from collections.abc import Iterator
from typing import Any

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload

from . import conf, crypto


class EncryptedUpload(UploadedFile):
    """The uploaded file as ciphertext in a temporary file, with what we learnt on the way."""

    def __init__(self, file, *, name: str, plaintext_bytes: int, sha256: str, wrapped_key: str, content_type: str):
        size = file.tell()
        file.seek(0)
        super().__init__(file, name=name, content_type=content_type, size=size)
        self.plaintext_bytes = plaintext_bytes
        self.sha256 = sha256
        self.wrapped_key = wrapped_key

    def temporary_file_path(self) -> str:
        return self.file.name


class EncryptingUploadHandler(FileUploadHandler):
    """Encrypts uploaded files while they stream in; stops an upload past `max_bytes`."""

    chunk_size = 64 * 1024

    def __init__(self, request=None, *, max_bytes: int | None = None):
        super().__init__(request)
        self.max_bytes = max_bytes if max_bytes is not None else int(conf.get("TUNEMARKET_FILE_MAX_BYTES"))
        self.too_large = False
        self._tmp = None

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        # A declared body far over the limit is refused before a byte of it is read.
        if content_length and content_length > self.max_bytes + 64 * 1024:
            self.too_large = True
            from django.http import QueryDict
            from django.utils.datastructures import MultiValueDict

            return QueryDict(), MultiValueDict()
        return None

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self._cleanup()
        self._tmp = tempfile.NamedTemporaryFile(prefix="tm-upload-", suffix=".enc")
        self._key = crypto.new_file_key()
        self._enc = crypto.StreamEncryptor(self._key)
        self._hash = hashlib.sha256()
        self._size = 0

    def receive_data_chunk(self, raw_data, start):
        self._size += len(raw_data)
        if self._size > self.max_bytes:
            self.too_large = True
            self._cleanup()
            raise StopUpload(connection_reset=False)
        self._hash.update(raw_data)
        self._tmp.write(self._enc.update(raw_data))
        return None

    def file_complete(self, file_size):
        self._tmp.write(self._enc.finalize())
        self._tmp.flush()
        upload = EncryptedUpload(
            self._tmp, name=self.file_name, plaintext_bytes=self._size, sha256=self._hash.hexdigest(),
            wrapped_key=crypto.wrap_key(self._key), content_type=self.content_type,
        )
        self._tmp = None
        return upload

    def upload_interrupted(self):
        self._cleanup()

    def _cleanup(self):
        if self._tmp is not None:
            self._tmp.close()  # NamedTemporaryFile deletes itself on close
            self._tmp = None


def new_storage_name(organization_public_id: str) -> str:
    # Server-chosen and unguessable; the customer's file name is kept only as metadata.
    return f"datasets/{organization_public_id}/{secrets.token_hex(16)}.jsonl.enc"


def store_upload(upload: EncryptedUpload, organization_public_id: str) -> str:
    """Save the ciphertext through the storage API (which streams it in chunks)."""
    return default_storage.save(new_storage_name(organization_public_id), upload)


def delete_blob(storage_name: str) -> None:
    if storage_name and default_storage.exists(storage_name):
        default_storage.delete(storage_name)


def plaintext_chunks(*, storage_name: str, wrapped_key: str) -> Iterator[bytes]:
    key = crypto.unwrap_key(wrapped_key)
    with default_storage.open(storage_name, "rb") as fh:
        yield from crypto.decrypt_stream(fh, key)


def file_chunks(file) -> Iterator[bytes]:
    return plaintext_chunks(storage_name=file.storage_name, wrapped_key=file.wrapped_key)


def file_examples(file) -> list[dict[str, Any]]:
    """The parsed examples of a validated file, in file order (blank lines skipped)."""
    from .validation import iter_lines

    examples = []
    for _, raw in iter_lines(file_chunks(file), int(conf.get("TUNEMARKET_DATASET_MAX_LINE_BYTES"))):
        if raw is None:
            continue
        text = raw.decode("utf-8")
        if text.strip():
            examples.append(json.loads(text))
    return examples
