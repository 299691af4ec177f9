"""An on-disk cache of built label indexes, so each command does not rebuild one.

The key is a hash of everything the index depends on: the boundary file's
SHA-256, the code field, the source of the modules that build and store the
index, and the numpy/numba versions. A cached file carries its own SHA-256, so
a damaged file is rebuilt, never used.
The cache is an optimisation only: if it cannot be read or written (read-only
home, full disk), the index is simply built in memory. ``AIRWITNESS_CACHE=off``
disables it; ``AIRWITNESS_CACHE=/some/dir`` moves it.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import numba
import numpy as np

from airwitness.airspace import index_build, index_sweep, label_index, predicates
from airwitness.airspace.label_index import LabelIndex

_DIGEST = 32
#: the modules whose source decides the built index and its file format
_INDEX_SOURCES = (predicates, index_sweep, index_build, label_index)


def cache_dir() -> Path | None:
    setting = os.environ.get("AIRWITNESS_CACHE", "")
    if setting.lower() == "off":
        return None
    if setting:
        return Path(setting)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "airwitness"


def cache_key(boundary_sha256: str, code_field: str) -> str:
    h = hashlib.sha256()
    for part in (boundary_sha256, code_field, np.__version__, numba.__version__):
        h.update(part.encode() + b"\0")
    for module in _INDEX_SOURCES:
        h.update(Path(module.__file__).read_bytes())
    return h.hexdigest()[:32]


def cached_index(key: str, build: Callable[[], LabelIndex]) -> LabelIndex:
    """The index for ``key`` from the cache, or built and stored."""
    folder = cache_dir()
    if folder is None:
        return build()
    path = folder / f"labelindex-{key}.bin"
    loaded = _load(path)
    if loaded is not None:
        return loaded
    index = build()
    _store(path, index)
    return index


def _load(path: Path) -> LabelIndex | None:
    try:
        with open(path, "rb") as fh:
            blob = bytearray(os.fstat(fh.fileno()).st_size)
            got = fh.readinto(blob)
    except OSError:  # no cache entry yet, or unreadable: build instead
        return None
    if got < _DIGEST:
        return None
    view = memoryview(blob)
    payload, digest = view[: got - _DIGEST], view[got - _DIGEST : got]
    if hashlib.sha256(payload).digest() != digest:
        return None
    try:
        return LabelIndex.from_bytes(payload)  # views of the buffer: no copy
    except (ValueError, KeyError, TypeError):  # an entry of another layout: rebuild
        return None


def _store(path: Path, index: LabelIndex) -> None:
    payload = index.to_bytes()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".labelindex-")
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload + hashlib.sha256(payload).digest())
        os.replace(tmp, path)
    except OSError:  # a cache we cannot write is only a slower next run
        return
