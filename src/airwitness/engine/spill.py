"""Spill files: reports cut by track into partitions, written once, read back per partition.

A track goes to partition ``blake2b(track_id) mod P``: the same in every
process, run and machine (Python's ``hash`` is salted per process; Arrow has
no stable public hash). Only the columns the crossings need are kept, and no
text is written per row: ``track_id`` is a number into the piece's list of
track ids (one list per partition, so a track is hashed once per unit, not
once per report) and ``source_file`` a number into the unit's list of file
names.

The format is private to a run (its files are deleted at the end) and as
plain as it can be, because pass 2 reads it back in many small pieces. Each
unit of pass 1 writes one file of *segments*, one per partition each time it
flushes, and returns where its partitions' segments lie (:class:`Piece`). A
segment of ``k`` rows holds, back to back, uncompressed, in the machine's
byte order and without a header: ``k`` times (int64 nanoseconds), longitudes,
latitudes, altitudes (float64, unknown NaN) and record numbers (int64); then,
as runs (the rows are grouped by track), the track numbers, file numbers and
leg starts, each as run ends (int32, counted from the segment's start)
followed by the runs' values (int32, int32, one byte). Reading a segment is
one ``preadv`` straight into the partition's arrays (Arrow IPC batches cost a
quarter of a millisecond each to find, map and slice, most of pass 2's
reading time at 100 M reports).
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import numba as nb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from airwitness.engine.partition import COLUMNS
from airwitness.engine.sources import filesystem, is_uri
from airwitness.schema import POSITION_SCHEMA

#: Columns stored one value per row, in segment order, as these numpy types.
_PLAIN = {"time": np.int64, "lon": np.float64, "lat": np.float64, "alt_m": np.float64,
          "source_record": np.int64}  # fmt: skip
#: Columns stored as runs, in segment order, and the type of their values:
#: text as numbers, ``leg_start`` as one byte (an unknown one as 0).
_RUNS = {"track_id": np.int32, "source_file": np.int32, "leg_start": np.uint8}
assert sorted([*_PLAIN, *_RUNS]) == sorted(COLUMNS)
_CODED = ("track_id", "source_file")
#: Rows are written through a buffer of this size (a segment is many small writes).
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


#: Where a segment lies: file offset, rows, and runs of track, file and leg start.
Segment = tuple[int, int, int, int, int]


@dataclass
class Piece:
    """Rows of one partition in spill file ``path`` (its ``segments``), whose
    ``track_id`` numbers index ``tracks`` and ``source_file`` numbers ``names``."""

    path: str
    segments: list[Segment]
    names: list[str]
    rows: int = 0
    tracks: list[str] = field(default_factory=list)


@dataclass
class SpillWriter:
    """One spill file: a segment per partition per flush."""

    path: str
    partitions: int
    salt: int = 0
    #: rows held back before writing, so each partition gets few, larger segments
    buffer_rows: int = 500_000
    names: list[str] = field(default_factory=list)
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
        self.segments: list[list[Segment]] = [[] for _ in range(self.partitions)]
        self._offset = 0
        self._sink = None

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
        within a track), one segment per partition: pass 2 then reads each
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
        self._held.clear()
        self._held_rows = 0
        rows_of_track = per_bucket[bucket]
        counts = np.bincount(part_of, weights=rows_of_track, minlength=self.partitions)
        counts = counts.astype(np.int64)
        self.rows += counts
        ends = np.cumsum(counts)
        starts = ends - counts
        used = np.flatnonzero(counts)
        run_starts = {name: _run_starts(grouped[name], starts[used]) for name in _RUNS}
        sink = self._open()
        for p in used:
            start, end = int(starts[p]), int(ends[p])
            parts = [grouped[name][start:end] for name in _PLAIN]
            runs = []
            for name in _RUNS:
                at = run_starts[name]
                k0, k1 = np.searchsorted(at, [start, end])
                runs.append(len(at[k0:k1]))
                parts.append((np.append(at[k0 + 1 : k1], end) - start).astype(np.int32))
                parts.append(grouped[name][at[k0:k1]])
            for part in parts:
                sink.write(part)
            self.segments[p].append((self._offset, end - start, *runs))
            self._offset += sum(part.nbytes for part in parts)

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
        for name in (*_PLAIN, "leg_start"):
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
        if self._sink is None:
            fs, path = filesystem(self.path)
            self._sink = fs.open_output_stream(path, buffer_size=_WRITE_BUFFER)
        return self._sink

    def close(self) -> list[Piece]:
        """Close the file; one :class:`Piece` per partition that has rows here."""
        self._flush()
        if self._sink is not None:
            self._sink.close()
        return [
            Piece(self.path, self.segments[p], self.names, int(self.rows[p]), self.tracks[p])
            if self.rows[p]
            else Piece(self.path, [], self.names, 0)
            for p in range(self.partitions)
        ]


def _run_starts(values: np.ndarray, cuts: np.ndarray) -> np.ndarray:
    """Where runs of equal ``values`` start, a run also starting at each cut."""
    change = np.ones(len(values), dtype=bool)
    np.not_equal(values[1:], values[:-1], out=change[1:])
    change[cuts] = True
    return np.flatnonzero(change)


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
assert sorted(_PLACED) == sorted(COLUMNS)


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
    return f"{folder.rstrip('/')}/{prefix}-{uuid.uuid4().hex}.spill"


@contextmanager
def _reader(path: str) -> Iterator:  # type: ignore[type-arg]
    """A function reading file bytes at an offset into a list of arrays."""
    if is_uri(path):
        fs, name = filesystem(path)
        with fs.open_input_file(name) as f:

            def read_remote(offset: int, arrays: Sequence[np.ndarray]) -> None:
                size = sum(a.nbytes for a in arrays)
                data = np.frombuffer(f.read_at(size, offset), dtype=np.uint8)
                _check(path, offset, size, len(data))
                at = 0
                for a in arrays:
                    a.view(np.uint8)[:] = data[at : at + a.nbytes]
                    at += a.nbytes

            yield read_remote
        return
    fd = os.open(path, os.O_RDONLY)
    try:

        def read_local(offset: int, arrays: Sequence[np.ndarray]) -> None:
            size = sum(a.nbytes for a in arrays)
            _check(path, offset, size, os.preadv(fd, arrays, offset))

        yield read_local
    finally:
        os.close(fd)


def _check(path: str, offset: int, size: int, got: int) -> None:
    if got != size:
        raise ValueError(f"spill file {path}: {got} bytes at {offset}, its index says {size}")


def _segments(piece: Piece) -> Iterator[tuple[dict[str, np.ndarray], dict[str, tuple]]]:
    """Each segment of the piece: its plain columns, and per run column the
    run ends and values (text as numbers)."""
    with _reader(piece.path) as read:
        for offset, rows, *runs in piece.segments:
            plain = {name: np.empty(rows, dtype) for name, dtype in _PLAIN.items()}
            coded, arrays = _run_arrays(runs)
            read(offset, [*plain.values(), *arrays])
            yield plain, coded


def _run_arrays(runs: Sequence[int]) -> tuple[dict[str, tuple], list[np.ndarray]]:
    """Empty run ends and values for a segment with ``runs`` runs per run column."""
    coded, arrays = {}, []
    for (name, dtype), k in zip(_RUNS.items(), runs, strict=True):
        coded[name] = (np.empty(k, np.int32), np.empty(k, dtype))
        arrays.extend(coded[name])
    return coded, arrays


def iter_piece(piece: Piece) -> Iterator[pa.Table]:
    """A piece's segments one at a time, as :func:`read_pieces` gives them."""
    tracks = pa.array(piece.tracks, pa.string())
    names = pa.array(piece.names, pa.string())
    for plain, coded in _segments(piece):
        rows = len(plain["time"])
        columns = dict(plain)
        for name, (ends, values) in coded.items():
            columns[name] = np.empty(rows, dtype=values.dtype)
            _expand(columns[name], ends, values)
        yield _restored(columns, tracks, names)


def read_pieces(pieces: Iterable[Piece]) -> pa.Table:
    """A partition's rows, from all its pieces, in one table.

    Each segment is read once, straight into the partition's arrays, its
    text numbers translated on the way. ``track_id`` and ``source_file``
    come back as dictionary columns whose dictionaries are sorted and hold
    each value once.
    """
    pieces = [p for p in pieces if p.segments]
    if not pieces:
        return _empty()
    tracks, track_at = _unified([p.tracks for p in pieces])
    names, name_at = _unified([p.names for p in pieces])
    n = sum(p.rows for p in pieces)
    out = {name: np.empty(n, dtype) for name, dtype in {**_PLAIN, **_RUNS}.items()}
    at = 0
    for piece, t_at, n_at in zip(pieces, track_at, name_at, strict=True):
        with _reader(piece.path) as read:
            for offset, rows, *runs in piece.segments:
                end = at + rows
                if end > n:
                    raise ValueError(f"spill pieces hold more than the {n} rows their index says")
                coded, arrays = _run_arrays(runs)
                read(offset, [out[name][at:end] for name in _PLAIN] + arrays)
                for name, (ends, values) in coded.items():
                    if name == "track_id":
                        values = t_at[values]
                    elif name == "source_file":
                        values = n_at[values]
                    _expand(out[name][at:end], ends, values.astype(out[name].dtype, copy=False))
                at = end
    if at != n:
        raise ValueError(f"spill pieces hold {at} rows, their index says {n}")
    return _restored(out, tracks, names)


@nb.njit(cache=True, nogil=True)
def _expand(out, ends, values):
    """Runs (``ends``, ``values``) written out one value per row into ``out``."""
    start = 0
    for k in range(ends.shape[0]):
        for i in range(start, ends[k]):
            out[i] = values[k]
        start = ends[k]


def _restored(columns: dict[str, np.ndarray], tracks: pa.Array, names: pa.Array) -> pa.Table:
    """Stored columns back in the canonical types: text as dictionaries of
    ``tracks`` and ``names``, time as timestamps."""
    arrays = []
    for name in COLUMNS:
        values = columns[name]
        if name in _CODED:
            text = tracks if name == "track_id" else names
            arrays.append(pa.DictionaryArray.from_arrays(pa.array(values), text))
        elif name == "leg_start":
            arrays.append(pa.array(values.view(np.bool_)))
        else:
            arrays.append(pa.array(values, POSITION_SCHEMA.field(name).type))
    return pa.Table.from_arrays(arrays, names=list(COLUMNS))


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
