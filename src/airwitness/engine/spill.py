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
latitudes, altitudes (float64, unknown NaN) and the low 32 bits of the record
numbers (uint32); then, as runs (the rows are grouped by track), the track
numbers, file numbers, the records' high 32 bits, the position errors (each
report's effective σ, :func:`airwitness.uncertainty.effective_sigma`, which is
float32-exact; constant along most tracks) and leg starts, each as run ends (int32,
counted from the segment's start) followed by the runs' values (int32, int32,
int32, float32, one byte): 36 bytes per report; zeros after them up to a
whole number of 8-byte words (the writer puts every value in place, each on
its own size: :mod:`airwitness.engine.spill_kernels`). Reading a segment is
one ``preadv`` (Arrow IPC batches cost a quarter of a millisecond each to
find, map and slice, most of pass 2's reading time at 100 M reports).

Where the disk lacks room for that, each segment is compressed whole
(:mod:`airwitness.engine.spill_codec`: about half the bytes, for CPU time in
both passes); its index then says how many bytes it takes in the file.

Local spill files bypass the page cache where the filesystem allows it
(:mod:`airwitness.engine.spill_io`): each flush is then padded to whole
4 KiB blocks, so segments after the first of a flush start on any 8-byte
word (their offsets say where).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import get_args

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from airwitness.engine.partition import COLUMNS
from airwitness.engine.sources import filesystem
from airwitness.engine.spill_codec import CODECS, Packer, Unpacker
from airwitness.engine.spill_columns import HeldBatch, encoded, held_batch, indices
from airwitness.engine.spill_io import Sink, reader
from airwitness.engine.spill_kernels import (
    RUN_COLUMNS,
    decode_segment,
    finish_segments,
    one_run_each,
    place_rows,
    place_runs,
    scatter,
    scatter_low,
    scatter_nullable,
)
from airwitness.engine.spill_layout import Buckets, Changes, Layout, Places
from airwitness.schema import POSITION_SCHEMA

#: Columns stored one value per row, in segment order, as these numpy types
#: (``record_lo``: the low 32 bits of ``source_record``).
_PLAIN = {"time": np.int64, "lon": np.float64, "lat": np.float64, "alt_m": np.float64,
          "record_lo": np.uint32}  # fmt: skip
#: Bytes each report takes in the spill (and a little more for the runs)
BYTES_PER_REPORT = sum(np.dtype(t).itemsize for t in _PLAIN.values())
#: Columns stored as runs, in segment order, and the type of their values:
#: text as numbers, ``leg_start`` as one byte (an unknown one as 0),
#: ``record_hi`` the high 32 bits of ``source_record`` (nearly always 0).
_RUNS = {"track_id": np.int32, "source_file": np.int32, "record_hi": np.int32,
         "pos_sigma_m": np.float32, "leg_start": np.uint8}  # fmt: skip
#: Bytes each run of the columns of :data:`_RUNS` takes: its end (int32) and its value
_RUN_BYTES = tuple(4 + np.dtype(t).itemsize for t in _RUNS.values())
#: The columns as numpy arrays while spilled: grouped before a flush, read back after.
_ARRAYS = {"track_id": np.int32, "time": np.int64, "lon": np.float64, "lat": np.float64,
           "alt_m": np.float64, "source_file": np.int32, "source_record": np.int64,
           "leg_start": np.uint8, "pos_sigma_m": np.float32}  # fmt: skip
assert tuple(_ARRAYS) == COLUMNS
_CODED = ("track_id", "source_file")
#: The arrays :func:`~airwitness.engine.spill_kernels.decode_segment` fills, in its order
_DECODED = ("time", "lon", "lat", "alt_m", "source_record", "track_id", "source_file",
            "leg_start", "pos_sigma_m")  # fmt: skip


def partition_of(track_id: str, partitions: int, salt: int = 0) -> int:
    """The partition of a track: ``blake2b(track_id, salt) mod partitions``."""
    return _blake(track_id, salt) % partitions


def _blake(value: str, salt: int) -> int:
    key = salt.to_bytes(8, "little")
    digest = hashlib.blake2b(value.encode(), digest_size=8, salt=key).digest()
    return int.from_bytes(digest, "little")


#: Where a segment lies: file offset, bytes there (compressed, in a compressed
#: spill), rows, and the number of runs of each column in :data:`_RUNS` (track,
#: file, record numbers' high bits, position error, leg start).
Segment = tuple[int, int, int, int, int, int, int, int]
#: The fields of a :data:`Segment` (a piece holds its segments as rows of that many)
SEGMENT_FIELDS = len(get_args(Segment))


def _no_segments() -> np.ndarray:
    return np.zeros((0, SEGMENT_FIELDS), dtype=np.int64)


@dataclass(slots=True)
class Piece:
    """Rows of one partition in spill file ``path`` (its ``segments``, compressed
    with ``codec`` unless None), whose ``track_id`` numbers index ``tracks`` and
    ``source_file`` numbers ``names``.

    A billion reports make 300 thousand pieces, held by the calling process
    until pass 2 is done: their 1.2 million segments are rows of an array,
    not tuples, and each piece's few track ids a tuple (an Arrow array costs
    a kilobyte even empty). Measured on that run: 0.32 GB as arrays of both.
    """

    path: str
    segments: np.ndarray = field(default_factory=_no_segments)  # int64, (segments, 8)
    names: list[str] = field(default_factory=list)
    rows: int = 0
    tracks: tuple[str, ...] = ()
    codec: str | None = None


@dataclass
class SpillWriter:
    """One spill file: a segment per partition per flush, each compressed with
    ``codec`` (:mod:`airwitness.engine.spill_codec`) unless it is None."""

    path: str
    partitions: int
    salt: int = 0
    #: rows held back before writing, so each partition gets few, larger segments
    buffer_rows: int = 500_000
    codec: str | None = None
    names: list[str] = field(default_factory=list)
    rows: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.rows = np.zeros(self.partitions, dtype=np.int64)
        self._index: dict[str, int] = {}
        #: track ids of each partition, in the order they were met
        self.tracks: list[list[str]] = [[] for _ in range(self.partitions)]
        #: track id -> its number among all tracks met here, and per number
        #: the track's partition, its place in that partition's list and its
        #: rows held now
        self._number: dict[str, int] = {}
        self._part_of: list[int] = []
        self._code_of: list[int] = []
        self._held_of = np.zeros(0, dtype=np.int64)
        self._held: list[HeldBatch] = []
        self._held_rows = 0
        self._places = Places()
        self.segments: list[list[Segment]] = [[] for _ in range(self.partitions)]
        self._sink: Sink | None = None
        self._packer = Packer() if self.codec is not None else None

    def write(self, table: pa.Table) -> None:
        """Append ``table`` (canonical columns; ``track_id`` plain or dictionary
        text); rows are cut by partition when flushed."""
        if table.num_rows == 0:
            return
        for batch in table.to_batches():
            if batch.num_rows:
                self._held.append(self._hold(batch))
        self._held_rows += table.num_rows
        if self._held_rows >= self.buffer_rows:
            self._flush()

    def _hold(self, batch: pa.RecordBatch) -> HeldBatch:
        """A batch's spill columns as numpy views of its buffers (no copy but for
        unusual types), text as numbers into small per-batch tables (``track_id``
        through each dictionary entry's track number here), its rows counted per
        track."""
        tracks = encoded(batch.column("track_id"))
        track = indices(tracks)
        values = tracks.dictionary.to_pylist()
        per_entry = np.bincount(track, minlength=len(values))
        number_of = np.zeros(len(values), dtype=np.int32)
        used = np.flatnonzero(per_entry)
        known = self._number.get  # most tracks were met before: one lookup each
        number_of[used] = [
            n if (n := known(values[k])) is not None else self._track_number(values[k])
            for k in used.tolist()
        ]
        if len(self._held_of) < len(self._part_of):
            grown = np.zeros(2 * len(self._part_of), dtype=np.int64)
            grown[: len(self._held_of)] = self._held_of
            self._held_of = grown
        np.add.at(self._held_of, number_of[used], per_entry[used])  # entries may repeat a track
        files = encoded(batch.column("source_file"))
        file_of = [self._name_index(v) for v in files.dictionary.to_pylist()]
        return held_batch(batch, track, number_of, files, np.asarray(file_of, dtype=np.int32))

    def _flush(self) -> None:
        """The held rows grouped by partition, then by track (input order kept
        within a track), one segment per partition, written straight into the
        buffer the sink writes: pass 2 then reads each track's reports in long
        runs."""
        if not self._held:
            return
        sink = self._open()
        offset = sink.position
        buckets = self._buckets()
        constant = {h.constant_runs() for h in self._held}
        values = constant.pop() if len(constant) == 1 else None
        if values is not None:  # every run column the same throughout: one run of each
            runs, counted = np.outer(buckets.rows > 0, np.ones(RUN_COLUMNS, np.int64)), None
        else:
            counted = Changes(buckets, self._held)
            runs = counted.runs
        layout = Layout(buckets.rows, buckets.track_runs, runs)
        block = sink.take(layout.size)
        out32 = block.view(np.int32)
        words = block.view(np.int64)
        cursor = buckets.first_row.copy()
        dest, part = self._places.take(max(len(h.track) for h in self._held), layout.size)
        for held, of in zip(self._held, buckets.of_held, strict=True):
            n = len(held.track)
            to = dest[:n], part[:n]
            if counted is None:
                place_rows(held.track, of, cursor, buckets.part_of, layout.word, *to)
            else:
                place_runs(
                    held.track, of, cursor, buckets.first_row, buckets.part_of, layout.word,
                    *to, counted.last, counted.merged, counted.slot, layout.ends_at,
                    layout.values_at, out32, out32.view(np.float32), block, *held.run_columns(),
                )  # fmt: skip
            scatter(held.time, *to, layout.shift[0], words)
            scatter(held.lon, *to, layout.shift[1], words.view(np.float64))
            scatter(held.lat, *to, layout.shift[2], words.view(np.float64))
            scatter_nullable(held.alt, held.alt_valid, held.alt_at, *to, layout.shift[3],
                             words.view(np.float64))  # fmt: skip
            scatter_low(held.record, *to, layout.shift[4], out32.view(np.uint32))
        if counted is None:
            one_run_each(*values, buckets.rows, layout.values_at, out32, out32.view(np.float32),
                         block)  # fmt: skip
        finish_segments(
            buckets.per_bucket, buckets.first_bucket, layout.track_at, runs, buckets.rows,
            layout.ends_at, layout.end, layout.stop, out32, block,
        )  # fmt: skip
        self._held.clear()
        self._held_rows = 0
        self._held_of[:] = 0
        self.rows += buckets.rows
        written = [block] if self._packer is None else []
        at = offset
        for p in np.flatnonzero(buckets.rows).tolist():
            rows, start, end = int(buckets.rows[p]), int(layout.start[p]), int(layout.end[p])
            if self._packer is None:
                where, stored = offset + start, end - start
            else:
                written.append(self._packer.pack(block[start:end], rows))
                where, stored = at, len(written[-1])
                at += stored
            counts = (int(buckets.track_runs[p]), *map(int, runs[p]))
            self.segments[p].append((where, stored, rows, *counts))
        sink.write(written)

    def _buckets(self) -> Buckets:
        """The held rows' buckets: every track met here, in (partition, number in
        the partition) order."""
        part_of = np.asarray(self._part_of, dtype=np.int64)
        tracks_per_part = np.bincount(part_of, minlength=self.partitions)
        first_bucket = np.zeros(self.partitions + 1, dtype=np.int64)
        np.cumsum(tracks_per_part, out=first_bucket[1:])
        bucket = first_bucket[:-1][part_of] + np.asarray(self._code_of, dtype=np.int64)
        part_of_bucket = np.repeat(np.arange(self.partitions), tracks_per_part)
        per_bucket = np.zeros(len(bucket), dtype=np.int64)
        per_bucket[bucket] = self._held_of[: len(bucket)]
        rows = np.bincount(part_of_bucket, weights=per_bucket, minlength=self.partitions)
        rows = rows.astype(np.int64)
        first_row = np.cumsum(per_bucket) - per_bucket
        first_row -= (np.cumsum(rows) - rows)[part_of_bucket]  # in the bucket's segment
        track_runs = np.bincount(part_of_bucket, weights=per_bucket > 0, minlength=self.partitions)
        return Buckets(
            part_of_bucket, first_bucket, per_bucket, rows, first_row,
            track_runs.astype(np.int64), [bucket[h.number_of] for h in self._held],
        )  # fmt: skip

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

    def _open(self) -> Sink:
        if self._sink is None:
            self._sink = Sink(self.path)
        return self._sink

    def close(self) -> list[Piece]:
        """Close the file; one :class:`Piece` per partition that has rows here."""
        self._flush()
        if self._sink is not None:
            self._sink.close()
        pieces = []
        for p, rows in enumerate(self.rows.tolist()):
            piece = Piece(self.path, names=self.names, codec=self.codec)
            if rows:
                piece.rows = rows
                piece.segments = np.array(self.segments[p], dtype=np.int64)
                piece.tracks = tuple(self.tracks[p])
            pieces.append(piece)
        return pieces


def new_path(folder: str, prefix: str) -> str:
    return f"{folder.rstrip('/')}/{prefix}-{uuid.uuid4().hex}.spill"


def _read_segment(
    read: Callable[[int, int], np.ndarray],
    unpacker: Unpacker | None,
    path: str,
    segment: list[int],
    into: dict[str, np.ndarray],
    track_at: np.ndarray,
    name_at: np.ndarray,
) -> None:
    """One segment into ``into`` (an array of its rows per column), track and
    file numbers translated by ``track_at`` and ``name_at``: one read, one
    compiled pass (a call into it costs microseconds: thousands of segments
    make a partition at 100 M reports), decompressed first by ``unpacker``
    when the spill is compressed."""
    offset, stored, rows, *runs = segment
    size = BYTES_PER_REPORT * rows + sum(k * b for k, b in zip(runs, _RUN_BYTES, strict=True))
    data: np.ndarray | None = read(offset, stored)
    if unpacker is not None:
        data = unpacker.unpack(data, size, rows)
    elif stored != size:
        data = None
    if data is None or not decode_segment(
        data, rows, *runs, track_at, name_at, *(into[name] for name in _DECODED)
    ):
        raise ValueError(f"spill file {path}: the segment at {offset} is damaged")


def iter_piece(piece: Piece) -> Iterator[pa.Table]:
    """A piece's segments one at a time, as :func:`read_pieces` gives them."""
    tracks = pa.array(piece.tracks, pa.string())
    names = pa.array(piece.names, pa.string())
    same_tracks = np.arange(len(piece.tracks), dtype=np.int32)
    same_names = np.arange(len(piece.names), dtype=np.int32)
    unpacker = _unpacker(piece)
    with reader(piece.path) as read:
        for segment in piece.segments.tolist():
            columns = {name: np.empty(segment[2], dtype) for name, dtype in _ARRAYS.items()}
            _read_segment(read, unpacker, piece.path, segment, columns, same_tracks, same_names)
            yield _restored(columns, tracks, names)


def read_pieces(pieces: Iterable[Piece]) -> pa.Table:
    """A partition's rows, from all its pieces, in one table.

    Each segment is read once into the partition's arrays, its text numbers
    translated on the way. ``track_id`` and ``source_file``
    come back as dictionary columns whose dictionaries are sorted and hold
    each value once. Up to :data:`READERS` threads read the pieces, each its
    share: a disk answers several reads at once sooner than one after the
    other (small ones above all: a billion reports make segments of a
    thousand rows).
    """
    pieces = [p for p in pieces if len(p.segments)]
    if not pieces:
        return _empty()
    tracks, track_at = _unified([p.tracks for p in pieces])
    names, name_at = _unified([p.names for p in pieces])
    n = sum(p.rows for p in pieces)
    rows = [int(p.segments[:, 2].sum()) for p in pieces]
    for piece, held in zip(pieces, rows, strict=True):
        if held != piece.rows:
            raise ValueError(f"spill file {piece.path}: {held} rows, its index says {piece.rows}")
    out = {name: np.empty(n, dtype) for name, dtype in _ARRAYS.items()}
    starts = np.cumsum([0, *rows[:-1]]).tolist()
    work = list(zip(pieces, starts, track_at, name_at, strict=True))
    threads = min(READERS, len(work))
    if threads == 1:
        _read_into(work, out)
    else:
        with ThreadPoolExecutor(threads, thread_name_prefix="airwitness-spill-read") as pool:
            shares = [work[k::threads] for k in range(threads)]
            list(pool.map(_read_into, shares, [out] * threads))
    return _restored(out, tracks, names)


#: Threads reading one partition's pieces (measured on this project's VM: 4
#: threads read 32 KiB blocks at 1.8x the rate of one)
READERS = 4


def _read_into(
    work: list[tuple[Piece, int, np.ndarray, np.ndarray]], out: dict[str, np.ndarray]
) -> None:
    """Pieces into the partition's arrays ``out``, each from its first row on,
    its track and file numbers translated by its tables."""
    unpackers: dict[str, Unpacker] = {}
    for piece, at, t_at, n_at in work:
        unpacker = _unpacker(piece, unpackers)
        with reader(piece.path) as read:
            for segment in piece.segments.tolist():
                end = at + segment[2]
                into = {name: column[at:end] for name, column in out.items()}
                _read_segment(read, unpacker, piece.path, segment, into, t_at, n_at)
                at = end


def _unpacker(piece: Piece, kept: dict[str, Unpacker] | None = None) -> Unpacker | None:
    """What decompresses ``piece``'s segments (None: they are plain); one kept
    per codec in ``kept``, so that its buffer serves the next piece."""
    if piece.codec is None:
        return None
    if piece.codec not in CODECS:
        raise ValueError(f"spill file {piece.path}: unknown compression {piece.codec!r}")
    if kept is None:
        return Unpacker()
    if piece.codec not in kept:
        kept[piece.codec] = Unpacker()
    return kept[piece.codec]


def _restored(columns: dict[str, np.ndarray], tracks: pa.Array, names: pa.Array) -> pa.Table:
    """Stored columns back in the canonical types: text as dictionaries of
    ``tracks`` and ``names`` (their numbers were checked on the way in:
    :func:`~airwitness.engine.spill_kernels.decode_segment`), time as timestamps."""
    arrays = []
    for name in COLUMNS:
        values = columns[name]
        if name in _CODED:
            text = tracks if name == "track_id" else names
            arrays.append(pa.DictionaryArray.from_arrays(pa.array(values), text, safe=False))
        elif name == "leg_start":
            arrays.append(pa.array(values.view(np.bool_)))
        else:
            arrays.append(pa.array(values, POSITION_SCHEMA.field(name).type))
    return pa.Table.from_arrays(arrays, names=list(COLUMNS))


def _unified(lists: list[Sequence[str]]) -> tuple[pa.Array, list[np.ndarray]]:
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
