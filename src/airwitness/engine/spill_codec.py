"""Compressed spill segments, for a disk without room for the plain spill.

The plain spill takes 36 bytes a report (:mod:`airwitness.engine.spill`): 36 GB
for a billion reports. Compressed, a segment takes about half of that, for
about 80 ns a report of CPU in pass 1 and 60 in pass 2 (15 % more wall time at
100 M reports, BENCHMARKS.md): worth it only where the disk would otherwise run
out, so ``auto`` (the default) compresses when the spill folder has less room
than the plain spill needs (:func:`spill_codec`).

A segment is compressed whole, its bytes first made easy for LZ4: its first
``32 x rows`` bytes (times, longitudes, latitudes, altitudes: 64-bit words)
as differences of consecutive words, then its next ``4 x rows`` (the records'
low 32 bits) as differences of 32-bit words, each laid out byte plane by byte
plane (every word's lowest byte, then every word's next byte, …); the runs
after them as they are. Rows come grouped by track in time order, so the
differences are small and their high planes nearly all zeros. The
differences wrap around (integer arithmetic on the words' bits), so every
value, NaN included, comes back exactly.
"""

from __future__ import annotations

import os
import shutil

import numba as nb
import numpy as np
import pyarrow as pa

from airwitness.engine.sources import is_uri
from airwitness.errors import UsageError

#: What ``spill_compression`` may be: ``auto`` (compress when the disk lacks room)
CHOICES = ("auto", "lz4", "none")
#: The codecs a spill may be compressed with
CODECS = ("lz4",)
#: The codec a compressed spill uses (pyarrow's LZ4 block format, no frame)
_CODEC = "lz4_raw"
#: Room asked of the disk beyond the plain spill's 36 bytes a report (runs, padding)
_MARGIN = 1.1


def check_choice(choice: str) -> None:
    """A usage error for a ``spill_compression`` not among :data:`CHOICES`."""
    if choice not in CHOICES:
        known = ", ".join(CHOICES)
        raise UsageError(f"unknown spill compression {choice!r}; choose one of {known}")


def spill_codec(choice: str, folder: str, estimated_rows: int, bytes_per_report: int) -> str | None:
    """The codec of a run's spill in ``folder`` (None: plain): ``lz4`` or ``none``
    as asked; ``auto`` compresses a local folder whose disk has less free room
    than the plain spill of ``estimated_rows`` reports needs."""
    check_choice(choice)
    if choice == "none" or (choice == "auto" and is_uri(folder)):
        return None
    if choice == "lz4":
        return "lz4"
    free = shutil.disk_usage(os.fspath(folder)).free
    return "lz4" if free < _MARGIN * estimated_rows * bytes_per_report else None


class Packer:
    """Compresses segments, scratch buffers kept for the next."""

    def __init__(self) -> None:
        self._planes = np.empty(0, np.uint8)
        self._differences = np.empty(0, np.int64)
        self._codec = pa.Codec(_CODEC)

    def pack(self, segment: np.ndarray, rows: int) -> np.ndarray:
        """``segment``'s bytes (starting on an 8-byte boundary), compressed."""
        size, k = len(segment), rows
        if len(self._planes) < size:
            self._planes = np.empty(size, np.uint8)
        if len(self._differences) < 4 * k:
            self._differences = np.empty(4 * k, np.int64)
        planes, differences = self._planes[:size], self._differences
        _to_planes(segment[: 32 * k].view(np.int64), differences[: 4 * k], planes[: 32 * k])
        low = differences.view(np.int32)[:k]
        _to_planes(segment[32 * k : 36 * k].view(np.int32), low, planes[32 * k : 36 * k])
        planes[36 * k :] = segment[36 * k :]
        return np.frombuffer(self._codec.compress(planes), np.uint8)


class Unpacker:
    """Decompresses segments into a buffer kept for the next."""

    def __init__(self) -> None:
        self._scratch = np.empty(0, np.int64)
        self._codec = pa.Codec(_CODEC)

    def unpack(self, data: np.ndarray, size: int, rows: int) -> np.ndarray | None:
        """The ``size`` bytes of a segment of ``rows`` rows that ``data`` holds
        compressed (valid until the next call); None where LZ4 finds them
        damaged."""
        if size < 36 * rows:
            return None
        try:
            planes = np.frombuffer(self._codec.decompress(data, decompressed_size=size), np.uint8)
        except (OSError, pa.ArrowException):
            return None
        words, k = -(-size // 8), rows
        if len(self._scratch) < words:
            self._scratch = np.empty(words, np.int64)
        out = self._scratch[:words].view(np.uint8)[:size]
        _from_planes(planes[: 32 * k], out[: 32 * k].view(np.int64))
        _from_planes(planes[32 * k : 36 * k], out[32 * k : 36 * k].view(np.int32))
        out[36 * k :] = planes[36 * k :]
        return out


@nb.njit(cache=True, nogil=True)
def _to_planes(words, differences, out):  # pragma: no cover - compiled
    """Differences of consecutive ``words`` (wrapping at their width), byte plane
    by byte plane (``differences``: room for them, of the words' type; each
    plane is written in order)."""
    n = words.shape[0]
    if n == 0:
        return
    differences[0] = words[0]
    for i in range(1, n):
        differences[i] = words[i] - words[i - 1]
    width = out.shape[0] // n
    byte = differences.view(np.uint8)
    for b in range(width):
        plane = b * n
        for i in range(n):
            out[plane + i] = byte[i * width + b]


@nb.njit(cache=True, nogil=True)
def _from_planes(planes, words):  # pragma: no cover - compiled
    """:func:`_to_planes` undone: the differences put together from their
    planes, then summed (wrapping: each sum is stored at the words' width)."""
    n = words.shape[0]
    if n == 0:
        return
    width = planes.shape[0] // n
    byte = words.view(np.uint8)
    for b in range(width):
        plane = b * n
        for i in range(n):
            byte[i * width + b] = planes[plane + i]
    total = 0
    for i in range(n):
        total += words[i]
        words[i] = total
