"""Spill files: reports cut by track into partitions, written once, read back per partition.

A track goes to partition ``blake2b(track_id) mod P``: the same in every
process, run and machine (Python's ``hash`` is salted per process; Arrow has
no stable public hash). Each unit of pass 1 writes one Arrow IPC file whose
record batches each belong to one partition, and returns which batch is
which; pass 2 reads a partition's batches from every unit file. Only the
columns the crossings need are kept, with ``source_file`` as an index into the
unit's list of file names (so one IPC file never needs two dictionaries).
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import numba as nb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from airwitness.engine.partition import COLUMNS
from airwitness.engine.sources import filesystem
from airwitness.schema import POSITION_SCHEMA

SPILL_SCHEMA = pa.schema(
    [POSITION_SCHEMA.field(c) for c in COLUMNS if c != "source_file"]
    + [pa.field("source_file", pa.int32(), nullable=False)]
)
#: Spill files are uncompressed (3x faster to write than lz4); set
#: AIRWITNESS_SPILL_COMPRESSION=lz4 or zstd when disk space is short.
_IPC = pa.ipc.IpcWriteOptions(compression=os.environ.get("AIRWITNESS_SPILL_COMPRESSION") or None)


def track_hash(track_id: pa.Array | pa.ChunkedArray, salt: int = 0) -> np.ndarray:
    """A stable 64-bit hash of each track id (one blake2b per distinct id)."""
    if isinstance(track_id, pa.ChunkedArray):
        track_id = track_id.combine_chunks()
    enc = pc.dictionary_encode(track_id)
    key = salt.to_bytes(8, "little")
    values = enc.dictionary.to_pylist()
    h = np.fromiter(
        (
            int.from_bytes(hashlib.blake2b(v.encode(), digest_size=8, salt=key).digest(), "little")
            for v in values
        ),
        dtype=np.uint64,
        count=len(values),
    )
    return h[enc.indices.to_numpy(zero_copy_only=False)]


@dataclass
class Piece:
    """Batches ``batches`` of spill file ``path``, whose file names are ``names``."""

    path: str
    batches: list[int]
    names: list[str]
    rows: int = 0


@dataclass
class SpillWriter:
    """One spill file: batches tagged with their partition."""

    path: str
    partitions: int
    salt: int = 0
    #: rows held back before writing, so each partition gets few, larger batches
    buffer_rows: int = 500_000
    names: list[str] = field(default_factory=list)
    #: partition of each written batch, in order
    tags: list[int] = field(default_factory=list)
    rows: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.rows = np.zeros(self.partitions, dtype=np.int64)
        self._index: dict[str, int] = {}
        self._held: list[pa.Table] = []
        self._held_parts: list[np.ndarray] = []
        self._held_rows = 0
        self._sink = None
        self._writer = None

    def write(self, table: pa.Table) -> None:
        """Append ``table`` (canonical columns); rows are cut by partition when flushed."""
        if table.num_rows == 0:
            return
        table = self._compact(table)
        part = (track_hash(table["track_id"], self.salt) % np.uint64(self.partitions)).astype(
            np.int64
        )
        self._held.append(table)
        self._held_parts.append(part)
        self._held_rows += table.num_rows
        if self._held_rows >= self.buffer_rows:
            self._flush()

    def _flush(self) -> None:
        """The held rows grouped by partition (one take), one batch per partition."""
        if not self._held:
            return
        part = np.concatenate(self._held_parts)
        counts = np.bincount(part, minlength=self.partitions)
        held = pa.concat_tables(self._held).combine_chunks()  # take is slow on chunks
        table = held.take(pa.array(_grouped(part, counts)))
        self.rows += counts
        start = 0
        for p in np.flatnonzero(counts):
            n = int(counts[p])
            for batch in table.slice(start, n).combine_chunks().to_batches():
                self._open().write_batch(batch)
                self.tags.append(int(p))
            start += n
        self._held.clear()
        self._held_parts.clear()
        self._held_rows = 0

    def _compact(self, table: pa.Table) -> pa.Table:
        """The spill columns, ``source_file`` as indices into :attr:`names`."""
        chunks = []
        for chunk in table["source_file"].chunks:
            if not pa.types.is_dictionary(chunk.type):
                chunk = pc.dictionary_encode(chunk)
            local = [self._name_index(v) for v in chunk.dictionary.to_pylist()]
            chunks.append(pa.array(np.asarray(local, dtype=np.int32)).take(chunk.indices))
        idx = pa.chunked_array(chunks, pa.int32())
        cols = [table[c] for c in COLUMNS if c != "source_file"] + [idx]
        return pa.Table.from_arrays(cols, schema=SPILL_SCHEMA)

    def _name_index(self, name: str) -> int:
        if name not in self._index:
            self._index[name] = len(self.names)
            self.names.append(name)
        return self._index[name]

    def _open(self):  # type: ignore[no-untyped-def]
        if self._writer is None:
            fs, path = filesystem(self.path)
            self._sink = fs.open_output_stream(path)
            self._writer = pa.ipc.new_file(self._sink, SPILL_SCHEMA, options=_IPC)
        return self._writer

    def close(self) -> list[Piece]:
        """Close the file; one :class:`Piece` per partition that has rows here."""
        self._flush()
        if self._writer is not None:
            self._writer.close()
            self._sink.close()
        tags = np.asarray(self.tags, dtype=np.int64)
        return [
            Piece(self.path, np.flatnonzero(tags == p).tolist(), self.names, int(self.rows[p]))
            if self.rows[p]
            else Piece(self.path, [], self.names, 0)
            for p in range(self.partitions)
        ]


@nb.njit(cache=True, nogil=True)
def _counting_order(part, counts):
    start = np.zeros(counts.shape[0], dtype=np.int64)
    for p in range(1, counts.shape[0]):
        start[p] = start[p - 1] + counts[p - 1]
    order = np.empty(part.shape[0], dtype=np.int64)
    for i in range(part.shape[0]):
        order[start[part[i]]] = i
        start[part[i]] += 1
    return order


def _grouped(part: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Rows grouped by partition, input order kept within each (a stable counting sort)."""
    return _counting_order(part, counts.astype(np.int64))


def new_path(folder: str, prefix: str) -> str:
    return f"{folder.rstrip('/')}/{prefix}-{uuid.uuid4().hex}.arrow"


def iter_piece(piece: Piece) -> Iterator[pa.Table]:
    """A piece's batches one at a time, ``source_file`` back as a dictionary column."""
    if not piece.batches:
        return
    fs, path = filesystem(piece.path)
    names = pa.array(piece.names, pa.string())
    with fs.open_input_file(path) as fh:
        reader = pa.ipc.open_file(fh)
        for i in piece.batches:
            t = pa.Table.from_batches([reader.get_batch(i)])
            files = pa.DictionaryArray.from_arrays(t["source_file"].combine_chunks(), names)
            k = t.schema.get_field_index("source_file")
            yield t.set_column(k, "source_file", files)


def read_pieces(pieces: Iterable[Piece]) -> pa.Table:
    """A partition's rows, from all its pieces, in one table."""
    from airwitness.schema import concat

    tables = [t for piece in pieces for t in iter_piece(piece)]
    return concat(tables) if tables else _empty()


def _empty() -> pa.Table:
    return pa.schema([POSITION_SCHEMA.field(c) for c in COLUMNS]).empty_table()


def delete(path: str) -> None:
    fs, p = filesystem(path)
    fs.delete_file(p)
