"""SHA-256 of files and bytes: how every input, boundary set and output is identified.

The store keys files by it, a boundary set's provenance and the evidence manifest
record it; one implementation, so the same bytes always give the same digest text.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

_CHUNK = 1 << 20  # files are hashed a MiB at a time: memory stays bounded


def sha256_and_size(path: str | Path) -> tuple[str, int]:
    """The hex SHA-256 of a file's bytes as held (compressed or not), and its size.

    Raises OSError as ``open`` does.
    """
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        while block := fh.read(_CHUNK):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def sha256_file(path: str | Path) -> str:
    """The hex SHA-256 of a file's bytes.

    >>> sha256_file("src/airwitness/py.typed")
    'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
    """
    return sha256_and_size(path)[0]


def sha256_bytes(data: bytes) -> str:
    """The hex SHA-256 of ``data``.

    >>> sha256_bytes(b"")
    'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
    """
    return hashlib.sha256(data).hexdigest()
