"""Raw Mode S messages as bytes: from hex text, checked by CRC, timed for decoding."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from airwitness.io._convert import Checks

LONG = 14  # bytes of a long (112-bit) Mode S message


@dataclass
class Messages:
    """Timed raw messages from a reader, one entry per record.

    ``frames`` holds the message bytes left-aligned in 14 columns; ``nbytes``
    is 2 (Mode A/C), 7 (short), 14 (long) or 0 (not a message: the reader
    has flagged it in ``checks``). ``checks`` carries the reader's own
    rejects (bad time, bad hex, ...); entries it flagged are left alone.
    """

    record: np.ndarray  # int64, 1-based record number
    time_ns: np.ndarray  # int64
    frames: np.ndarray  # uint8 (n, 14)
    nbytes: np.ndarray  # int8
    checks: Checks
    offset: np.ndarray | None = None  # int64 byte offset of each record

    def __len__(self) -> int:
        return len(self.record)


# --- hex text -------------------------------------------------------------

_HEX = np.full(256, 255, dtype=np.uint8)
for _i, _c in enumerate(b"0123456789abcdef"):
    _HEX[_c] = _i
for _i, _c in enumerate(b"ABCDEF"):
    _HEX[_c] = 10 + _i


def hex_frames(values: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Hex text -> ``(frames uint8[n, 14], nbytes int8[n])``, vectorised.

    ``values`` is a string or binary array, already trimmed. Accepted lengths
    are 4 (Mode A/C), 14 and 28 hex digits; anything else, any non-hex
    character or a null gives ``nbytes = 0``.
    """
    n = len(values)
    frames = np.zeros((n, LONG), dtype=np.uint8)
    nbytes = np.zeros(n, dtype=np.int8)
    for digits in (4, 14, 28):
        got, ok = hex_fixed(values, digits)
        frames[ok, : digits // 2] = got[ok]
        nbytes[ok] = digits // 2
    return frames, nbytes


def hex_fixed(values: pa.Array, digits: int) -> tuple[np.ndarray, np.ndarray]:
    """Values of exactly ``digits`` hex digits -> ``(bytes uint8[n, digits/2], ok mask)``."""
    arr = values if pa.types.is_large_binary(values.type) else values.cast(pa.large_binary())
    n = len(arr)
    out = np.zeros((n, digits // 2), dtype=np.uint8)
    ok = np.zeros(n, dtype=bool)
    if n == 0:
        return out, ok
    bufs = arr.buffers()
    offsets = np.frombuffer(bufs[1], dtype=np.int64)[arr.offset : arr.offset + n + 1]
    data = np.frombuffer(bufs[2], dtype=np.uint8) if bufs[2] is not None else np.zeros(0, np.uint8)
    valid = arr.is_valid().to_numpy(zero_copy_only=False)
    sel = np.flatnonzero(valid & (np.diff(offsets) == digits))
    if len(sel) == 0:
        return out, ok
    nib = _HEX[data[offsets[sel, None] + np.arange(digits)[None, :]]]
    good = ~(nib == 255).any(axis=1)
    sel, nib = sel[good], nib[good]
    out[sel] = (nib[:, 0::2] << 4) | nib[:, 1::2]
    ok[sel] = True
    return out, ok


# --- CRC ------------------------------------------------------------------


def _crc_table() -> np.ndarray:
    table = np.zeros(256, dtype=np.uint32)
    for i in range(256):
        c = i << 16
        for _ in range(8):
            c = ((c << 1) ^ 0xFFF409) if c & 0x800000 else (c << 1)
        table[i] = c & 0xFFFFFF
    return table


_CRC = _crc_table()


def crc_residual(frames: np.ndarray, nbytes: int) -> np.ndarray:
    """Mode S CRC-24 residual of the first ``nbytes`` of every frame (0 = intact)."""
    crc = np.zeros(len(frames), dtype=np.uint32)
    for k in range(nbytes - 3):
        crc = ((crc << 8) & 0xFFFFFF) ^ _CRC[((crc >> 16) ^ frames[:, k]) & 0xFF]
    parity = (
        (frames[:, nbytes - 3].astype(np.uint32) << 16)
        | (frames[:, nbytes - 2].astype(np.uint32) << 8)
        | frames[:, nbytes - 1]
    )
    return crc ^ parity
