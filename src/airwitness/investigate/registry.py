"""State of registry of an aircraft from its ICAO 24-bit address.

ICAO allocates blocks of 24-bit addresses to states (Annex 10 Vol III,
Appendix to Chapter 9); a state assigns addresses from its block to the
aircraft on its register. The block therefore names the state of registry, not
the operator, nor where the aircraft flies. Some allocations are to no state
("Unassigned …", "ICAO (temporary)", "ICAO (special use)"); addresses there,
addresses outside every block, and track ids that are not six hex digits
(``UAV-1``, ``radar:17``) have no state of registry: ``None``.

The table ``data/icao_blocks.csv`` is built by ``scripts/build_icao_blocks.py``
from the ``traffic`` 2.13 wheel (MIT), which cites the ICAO assignment table;
``data/icao_blocks.provenance.json`` records the SHA-256 of the wheel and of
the CSV. Nested blocks are already resolved to the most specific one, so the
table is a sorted list of disjoint ranges and a lookup is one binary search.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

CSV_NAME = "icao_blocks.csv"
PROVENANCE_NAME = "icao_blocks.provenance.json"

__all__ = ["BlockTable", "block_table", "provenance", "state_of_registry"]


@dataclass(frozen=True)
class BlockTable:
    """Disjoint address ranges sorted by start; ``iso3`` is None for non-state blocks."""

    start: np.ndarray  # int64, inclusive
    end: np.ndarray  # int64, inclusive
    state: tuple[str, ...]
    iso3: np.ndarray  # object: str or None


def _data_bytes(name: str) -> bytes:
    return resources.files("airwitness").joinpath("data", name).read_bytes()


@cache
def block_table() -> BlockTable:
    """The shipped table, parsed once (checked sorted and non-overlapping)."""
    rows = list(csv.DictReader(io.StringIO(_data_bytes(CSV_NAME).decode("utf-8"))))
    start = np.array([int(r["start_hex"], 16) for r in rows], dtype=np.int64)
    end = np.array([int(r["end_hex"], 16) for r in rows], dtype=np.int64)
    if np.any(end < start) or np.any(start[1:] <= end[:-1]):
        raise ValueError(f"{CSV_NAME}: blocks are not sorted and disjoint")
    iso3 = np.array([r["iso3"] or None for r in rows], dtype=object)
    return BlockTable(start, end, tuple(r["state"] for r in rows), iso3)


@cache
def provenance() -> dict:
    """Where the table comes from (source wheel, SHA-256s, method)."""
    return json.loads(_data_bytes(PROVENANCE_NAME))


# Hex digit value of each byte; -1 for bytes that are not hex digits.
_NIBBLE = np.full(256, -1, dtype=np.int64)
for _i, _c in enumerate(b"0123456789abcdef"):
    _NIBBLE[_c] = _i
for _i, _c in enumerate(b"ABCDEF", start=10):
    _NIBBLE[_c] = _i
_WEIGHTS = 16 ** np.arange(5, -1, -1, dtype=np.int64)


def parse_icao24(ids: Sequence[str | None] | pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Addresses as int64; -1 where the id is not exactly six hex digits (or null)."""
    arr = ids if isinstance(ids, pa.Array | pa.ChunkedArray) else pa.array(ids, type=pa.string())
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    arr = pc.cast(arr, pa.string())
    n = len(arr)
    out = np.full(n, -1, dtype=np.int64)
    six = pc.fill_null(pc.equal(pc.binary_length(arr), 6), False).to_numpy(zero_copy_only=False)
    idx = np.flatnonzero(six)
    if idx.size == 0:
        return out
    # Every kept value is 6 bytes long and non-null, so the data buffer between
    # the first and last offsets is exactly the (k, 6) byte matrix.
    text = pc.cast(arr.take(pa.array(idx)), pa.binary())
    offsets = np.frombuffer(text.buffers()[1], dtype=np.int32)[
        text.offset : text.offset + len(text) + 1
    ]
    data = np.frombuffer(text.buffers()[2], dtype=np.uint8)
    raw = data[offsets[0] : offsets[-1]].reshape(-1, 6)
    nib = _NIBBLE[raw]
    ok = (nib >= 0).all(axis=1)
    out[idx[ok]] = nib[ok] @ _WEIGHTS
    return out


def state_of_registry(
    icao24: Sequence[str | None] | pa.Array | pa.ChunkedArray,
) -> list[str | None]:
    """ISO 3166-1 alpha-3 code of the state of registry for each id, or None.

    None for ids that are not six hex digits, for addresses in blocks ICAO
    allocated to no state, and for unallocated addresses.

    >>> state_of_registry(["4b43ac", "600a1c", "UAV-1", "ddb056"])
    ['CHE', 'AZE', None, None]
    """
    addr = parse_icao24(icao24)
    table = block_table()
    pos = np.searchsorted(table.start, addr, side="right") - 1
    safe = np.clip(pos, 0, None)
    hit = (addr >= 0) & (pos >= 0) & (addr <= table.end[safe])
    result = np.where(hit, table.iso3[safe], None)
    return result.tolist()
