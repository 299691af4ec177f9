"""Spill files: reports cut by track into partitions, written once, read back per partition.

A track goes to partition ``blake2b(track_id) mod P``: the same in every
process, run and machine (Python's ``hash`` is salted per process; Arrow has
no stable public hash). Each unit of pass 1 writes one Arrow IPC file whose
record batches each belong to one partition, and returns which batch is
which; pass 2 reads a partition's batches from every unit file. Only the
columns the crossings need are kept, and no text is written per row:
``track_id`` is a number into the piece's list of track ids (one list per
partition, so a track is hashed once per unit, not once per report) and
``source_file`` a number into the unit's list of file names.
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
from airwitness.engine.sources import filesystem, is_uri
from airwitness.schema import POSITION_SCHEMA

_CODED = ("track_id", "source_file")
#: How a spill file stores each column that is not plain numbers already:
#: text as numbers, time as int64 nanoseconds, ``leg_start`` as one byte (an
#: unknown one as 0), so that every column goes in and out as a numpy array
#: without conversion. An unknown altitude is NaN (all the crossings need).
_STORED = {"track_id": pa.int32(), "source_file": pa.int32(), "time": pa.int64(),
           "leg_start": pa.uint8()}  # fmt: skip
#: Columns stored as runs: a batch holds one partition's rows grouped by
#: track, so track, file and leg start change rarely (a fifth fewer bytes to
#: write and read back than one value per row).
_RUNS = ("track_id", "source_file", "leg_start")
SPILL_SCHEMA = pa.schema(
    [
        pa.field(
            c,
            pa.run_end_encoded(pa.int32(), _STORED[c])
            if c in _RUNS
            else _STORED.get(c, POSITION_SCHEMA.field(c).type),
            nullable=False,
        )
        for c in COLUMNS
    ]
)
#: Spill files are uncompressed (lz4 and zstd made 100 M reports 10-40 % slower
#: end to end); set AIRWITNESS_SPILL_COMPRESSION=lz4 or zstd when disk is short.
_IPC = pa.ipc.IpcWriteOptions(compression=os.environ.get("AIRWITNESS_SPILL_COMPRESSION") or None)
#: The IPC writer writes every buffer on its own; unbuffered, that is one
#: system call per column of every batch (53,610 calls for 16 M reports).
_WRITE_BUFFER = 4 << 20


def partition_of(track_id: str, partitions: int, salt: int = 0) -> int:
    """The partition of a track: ``blake2b(track_id, salt) mod partitions``."""
    return _blake(track_id, salt) % partitions


def _blake(value: str, salt: int) -> int:
    key = salt.to_bytes(8, "little")
    digest = hashlib.blake2b(value.encode(), digest_size=8, salt=key).digest()
    return int.from_bytes(digest, "little")


def _encoded(column: pa.Array) -> pa.DictionaryArray:
    return column if pa.types.is_dictionary(column.type) else pc.dictionary_encode(column)


@dataclass
class Piece:
    """Batches ``batches`` of spill file ``path``: rows of one partition, whose
    ``track_id`` numbers index ``tracks`` and ``source_file`` numbers ``names``."""

    path: str
    batches: list[int]
    names: list[str]
    rows: int = 0
    tracks: list[str] = field(default_factory=list)


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
        #: track ids of each partition, in the order they were met
        self.tracks: list[list[str]] = [[] for _ in range(self.partitions)]
        #: track id -> its number among all tracks met here, and per number
        #: the track's partition and its place in that partition's list
        self._number: dict[str, int] = {}
        self._part_of: list[int] = []
        self._code_of: list[int] = []
        self._held: list[dict[str, np.ndarray]] = []
        self._held_rows = 0
        self._sink = None
        self._writer = None

    def write(self, table: pa.Table) -> None:
        """Append ``table`` (canonical columns; ``track_id`` plain or dictionary
        text); rows are cut by partition when flushed."""
        if table.num_rows == 0:
            return
        self._held.append(self._compact(table))
        self._held_rows += table.num_rows
        if self._held_rows >= self.buffer_rows:
            self._flush()

    def _flush(self) -> None:
        """The held rows grouped by partition, then by track (input order kept
        within a track), one batch per partition: pass 2 then reads each
        track's reports in long runs."""
        if not self._held:
            return
        part_of = np.asarray(self._part_of, dtype=np.int64)
        code_of = np.asarray(self._code_of, dtype=np.int32)
        per_part = np.bincount(part_of, minlength=self.partitions)
        bucket = (np.cumsum(per_part) - per_part)[part_of] + code_of  # (partition, code) order
        per_bucket = np.zeros(len(bucket), dtype=np.int64)
        for held in self._held:
            _count(held["track_id"], bucket, per_bucket)
        cursor = np.cumsum(per_bucket) - per_bucket
        n = int(per_bucket.sum())
        grouped = {name: np.empty(n, dtype=self._held[0][name].dtype) for name in _PLACED}
        for held in self._held:
            _place(*(held[name] for name in _PLACED), bucket, code_of, cursor,
                   *(grouped[name] for name in _PLACED))  # fmt: skip
        rows_of_track = per_bucket[bucket]
        counts = np.bincount(part_of, weights=rows_of_track, minlength=self.partitions)
        counts = counts.astype(np.int64)
        self.rows += counts
        start = 0
        for p in np.flatnonzero(counts):
            end = start + int(counts[p])
            arrays = [_stored(grouped[f.name][start:end], f.type) for f in SPILL_SCHEMA]
            self._open().write_batch(pa.RecordBatch.from_arrays(arrays, schema=SPILL_SCHEMA))
            self.tags.append(int(p))
            start = end
        self._held.clear()
        self._held_rows = 0

    def _compact(self, table: pa.Table) -> dict[str, np.ndarray]:
        """The spill columns as arrays, text as numbers (``track_id`` as the
        track's number among those met here, until the flush)."""
        tracks = []
        for chunk in table["track_id"].chunks:
            chunk = _encoded(chunk)
            rows = chunk.indices.to_numpy(zero_copy_only=False)
            values = chunk.dictionary.to_pylist()
            number_of = np.zeros(len(values), dtype=np.int32)
            for k in np.flatnonzero(np.bincount(rows, minlength=len(values))):
                number_of[k] = self._track_number(values[k])
            tracks.append(number_of[rows])
        files = []
        for chunk in table["source_file"].chunks:
            chunk = _encoded(chunk)
            local = np.asarray([self._name_index(v) for v in chunk.dictionary.to_pylist()])
            files.append(local.astype(np.int32)[chunk.indices.to_numpy(zero_copy_only=False)])
        columns = {"track_id": _joined(tracks, np.int32), "source_file": _joined(files, np.int32)}
        for name in SPILL_SCHEMA.names:
            if name not in columns:
                columns[name] = _values(table[name])
        return columns

    def _track_number(self, track_id: str) -> int:
        """The track's number here; a new track is hashed to its partition."""
        number = self._number.get(track_id)
        if number is None:
            p = partition_of(track_id, self.partitions, self.salt)
            number = self._number[track_id] = len(self._part_of)
            self._part_of.append(p)
            self._code_of.append(len(self.tracks[p]))
            self.tracks[p].append(track_id)
        return number

    def _name_index(self, name: str) -> int:
        if name not in self._index:
            self._index[name] = len(self.names)
            self.names.append(name)
        return self._index[name]

    def _open(self):  # type: ignore[no-untyped-def]
        if self._writer is None:
            fs, path = filesystem(self.path)
            self._sink = fs.open_output_stream(path, buffer_size=_WRITE_BUFFER)
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
            Piece(
                self.path,
                np.flatnonzero(tags == p).tolist(),
                self.names,
                int(self.rows[p]),
                self.tracks[p],
            )
            if self.rows[p]
            else Piece(self.path, [], self.names, 0)
            for p in range(self.partitions)
        ]


def _joined(parts: list[np.ndarray], dtype: type) -> np.ndarray:
    return np.concatenate(parts).astype(dtype, copy=False) if parts else np.zeros(0, dtype)


def _values(column: pa.ChunkedArray) -> np.ndarray:
    """A column as one numpy array of its stored type: null altitudes NaN,
    null ``leg_start`` 0, time in nanoseconds."""
    if pa.types.is_boolean(column.type):
        column = column.fill_null(False)
    elif pa.types.is_timestamp(column.type):
        column = column.cast(pa.int64())
    values = column.combine_chunks().to_numpy(zero_copy_only=False)  # no copy for one chunk
    if values.dtype == np.bool_:
        values = values.view(np.uint8)
    return np.ascontiguousarray(values)


#: the spill columns in the order :func:`_place` takes them
_PLACED = ("track_id", "time", "lon", "lat", "alt_m", "source_file", "source_record", "leg_start")
assert sorted(_PLACED) == sorted(SPILL_SCHEMA.names)


@nb.njit(cache=True, nogil=True)
def _count(number, bucket, per_bucket):
    for i in range(number.shape[0]):
        per_bucket[bucket[number[i]]] += 1


@nb.njit(cache=True, nogil=True)
def _place(
    number, time, lon, lat, alt, file, record, leg, bucket, code, cursor,
    o_track, o_time, o_lon, o_lat, o_alt, o_file, o_record, o_leg,
):  # fmt: skip
    """Each held row into its place: rows grouped by ``bucket`` of their track
    number, input order kept within a bucket (``cursor``: each bucket's next
    free place; a stable counting sort in one pass over the rows). The track
    number becomes the track's ``code`` in its partition."""
    for i in range(number.shape[0]):
        g = number[i]
        b = bucket[g]
        d = cursor[b]
        cursor[b] = d + 1
        o_track[d] = code[g]
        o_time[d] = time[i]
        o_lon[d] = lon[i]
        o_lat[d] = lat[i]
        o_alt[d] = alt[i]
        o_file[d] = file[i]
        o_record[d] = record[i]
        o_leg[d] = leg[i]


def new_path(folder: str, prefix: str) -> str:
    return f"{folder.rstrip('/')}/{prefix}-{uuid.uuid4().hex}.arrow"


def _raw(piece: Piece) -> Iterator[pa.RecordBatch]:
    """The piece's batches as written (text as numbers); a local spill file is
    memory-mapped, so its batches are views of the page cache, not copies."""
    if not piece.batches:
        return
    if is_uri(piece.path):
        fs, path = filesystem(piece.path)
        source = fs.open_input_file(path)
    else:
        source = pa.memory_map(piece.path)
    with source:
        reader = pa.ipc.open_file(source)
        for i in piece.batches:
            yield reader.get_batch(i)


def iter_piece(piece: Piece) -> Iterator[pa.Table]:
    """A piece's batches one at a time, as :func:`read_pieces` gives them."""
    tracks = pa.array(piece.tracks, pa.string())
    names = pa.array(piece.names, pa.string())
    for batch in _raw(piece):
        columns = dict(zip(SPILL_SCHEMA.names, _numpy(batch), strict=True))
        yield _restored(columns, tracks, names)


def read_pieces(pieces: Iterable[Piece]) -> pa.Table:
    """A partition's rows, from all its pieces, in one table.

    Each batch is copied once, straight into the partition's arrays, its
    text numbers translated on the way. ``track_id`` and ``source_file``
    come back as dictionary columns whose dictionaries are sorted and hold
    each value once.
    """
    pieces = [p for p in pieces if p.batches]
    if not pieces:
        return _empty()
    tracks, track_at = _unified([p.tracks for p in pieces])
    names, name_at = _unified([p.names for p in pieces])
    n = sum(p.rows for p in pieces)
    out = {f.name: np.empty(n, dtype=_dtype(f.type)) for f in SPILL_SCHEMA}
    at = 0
    for piece, t_at, n_at in zip(pieces, track_at, name_at, strict=True):
        for batch in _raw(piece):
            end = at + batch.num_rows
            for name, column in zip(SPILL_SCHEMA.names, batch.columns, strict=True):
                if not pa.types.is_run_end_encoded(column.type):
                    out[name][at:end] = column.to_numpy(zero_copy_only=False)
                    continue
                values = column.values.to_numpy(zero_copy_only=False)
                if name == "track_id":
                    values = t_at[values]
                elif name == "source_file":
                    values = n_at[values]
                ends = column.run_ends.to_numpy(zero_copy_only=False)
                _expand(out[name][at:end], ends, values.astype(out[name].dtype, copy=False))
            at = end
    if at != n:
        raise ValueError(f"spill pieces hold {at} rows, their index says {n}")
    out["track_id"] = pa.DictionaryArray.from_arrays(pa.array(out["track_id"]), tracks)
    out["source_file"] = pa.DictionaryArray.from_arrays(pa.array(out["source_file"]), names)
    return _restored(out, tracks, names)


def _numpy(batch: pa.RecordBatch) -> list[np.ndarray]:
    """A spill batch's columns as numpy arrays (views of the batch, runs expanded)."""
    return [
        pc.run_end_decode(c).to_numpy(zero_copy_only=False)
        if pa.types.is_run_end_encoded(c.type)
        else c.to_numpy(zero_copy_only=False)
        for c in batch.columns
    ]


@nb.njit(cache=True, nogil=True)
def _expand(out, ends, values):
    """Runs (``ends``, ``values``) written out one value per row into ``out``."""
    start = 0
    for k in range(ends.shape[0]):
        for i in range(start, ends[k]):
            out[i] = values[k]
        start = ends[k]


def _stored(values: np.ndarray, type_: pa.DataType) -> pa.Array:
    """One column of a batch as the spill stores it (runs where the type says so)."""
    if not pa.types.is_run_end_encoded(type_):
        return pa.array(values, type_)
    if len(values) == 0:
        starts = np.zeros(0, dtype=np.int64)
    else:
        starts = np.flatnonzero(np.concatenate([[True], values[1:] != values[:-1]]))
    ends = np.append(starts[1:], len(values)).astype(np.int32)
    return pa.RunEndEncodedArray.from_arrays(ends, pa.array(values[starts]), type=type_)


def _dtype(type_: pa.DataType) -> np.dtype:
    if pa.types.is_run_end_encoded(type_):
        type_ = type_.value_type
    return np.dtype(type_.to_pandas_dtype())


def _restored(columns: dict, tracks: pa.Array, names: pa.Array) -> pa.Table:
    """Stored columns back in the canonical types: text as dictionaries (of
    ``tracks`` and ``names`` where given as numbers), time as timestamps."""
    arrays = []
    for name in SPILL_SCHEMA.names:
        values = columns[name]
        if isinstance(values, pa.Array):
            arrays.append(values)
        elif name in _CODED:
            text = tracks if name == "track_id" else names
            arrays.append(pa.DictionaryArray.from_arrays(pa.array(values), text))
        elif name == "leg_start":
            arrays.append(pa.array(values.view(np.bool_)))
        else:
            arrays.append(pa.array(values, POSITION_SCHEMA.field(name).type))
    return pa.Table.from_arrays(arrays, names=list(SPILL_SCHEMA.names))


def _unified(lists: list[list[str]]) -> tuple[pa.Array, list[np.ndarray]]:
    """The sorted distinct values of ``lists``, and for each list where its
    values are among them."""
    flat = pa.array([v for values in lists for v in values], pa.string())
    distinct = pc.unique(flat)
    distinct = distinct.take(pc.sort_indices(distinct))
    where = pc.index_in(flat, value_set=distinct).to_numpy(zero_copy_only=False)
    ends = np.cumsum([len(values) for values in lists])[:-1]
    return distinct, np.split(where.astype(np.int32), ends)


def _empty() -> pa.Table:
    return pa.schema([POSITION_SCHEMA.field(c) for c in COLUMNS]).empty_table()


def delete(path: str) -> None:
    fs, p = filesystem(path)
    fs.delete_file(p)
