"""The tasks the engines send to workers: plain, picklable arguments in, counts out.

Pass 1 (:func:`spill_unit`) reads one unit and hashes its reports by track into
the spill partitions; :func:`split_partition` cuts a partition that came out
too big with another hash; pass 2 (:func:`cross_partitions`) finds the
crossings of a run of partitions. Where the inputs may hold several sensors'
reports, the sketch pass (:func:`sketch_unit`) comes first, and pass 2 crosses
the tracks kept apart for fusion together (:func:`cross_fused`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Protocol

import pyarrow as pa

from airwitness.engine.associating import SideWriter, in_tracks, read_side
from airwitness.engine.chunks import SPILLED, Unit, read_unit
from airwitness.engine.fused import fused_crossings
from airwitness.engine.partition import (
    AirspaceSpec,
    Counts,
    CrossingOptions,
    crossings_of_partition,
)
from airwitness.engine.sketch import SKETCHED, Sketch, merged, sketch_of
from airwitness.engine.spill import Piece, SpillWriter, iter_piece, new_path, read_pieces
from airwitness.errors import InputError
from airwitness.io.options import ReadOptions
from airwitness.schema import DETECTION_SCHEMA, Reject, concat

#: Told ``(stage, done, total)`` as work finishes, in the calling process:
#: ``sketching`` counts units of the sketch pass (inputs of several sensors),
#: ``reading`` pass-1 units, ``splitting`` partitions cut again, ``crossing``
#: partitions whose crossings are known.
Progress = Callable[[str, int, int], None]


class Runner(Protocol):
    """Runs picklable tasks somewhere; yields (index, result) as they finish."""

    workers: int

    def map(self, fn: Callable[[Any], Any], items: Sequence[Any]) -> Iterator[tuple[int, Any]]: ...


@dataclass
class Failed:
    """An InputError raised in a worker (it does not survive pickling as itself)."""

    file: str
    reason: str
    record: int | None

    def error(self) -> InputError:
        return InputError(self.file, self.reason, self.record)


@dataclass
class UnitResult:
    """What pass 1 learnt about one unit (or, summed, one file)."""

    index: int
    records: int = 0
    accepted: int = 0
    rejects: Counter[str] = field(default_factory=Counter)
    reject_list: list[Reject] = field(default_factory=list)
    pieces: list[Piece] = field(default_factory=list)
    #: the unit's radar plots and other detections, tracked by the parent
    detections: pa.Table = field(default_factory=DETECTION_SCHEMA.empty_table)
    #: the side file of the unit's tracks kept apart for fusion, and its rows
    side: tuple[str, int] | None = None


@dataclass(frozen=True)
class SpillTask:
    index: int
    unit: Unit
    partitions: int
    folder: str
    batch_rows: int
    spill_rows: int
    chunk_bytes: int
    read_options: ReadOptions | None
    keep_rejects: bool
    #: tracks kept out of the spill, written whole to a side file for fusion
    #: (:mod:`airwitness.engine.associating`)
    apart: frozenset[str] = frozenset()
    #: the spill's compression (None: plain)
    codec: str | None = None


def spill_unit(task: SpillTask) -> UnitResult | Failed:
    """Pass 1: read one unit and write its reports into the partitions (those of
    ``task.apart`` to a side file)."""
    out = UnitResult(task.index)
    path = new_path(task.folder, f"u{task.index:06d}")
    writer = SpillWriter(path, task.partitions, buffer_rows=task.spill_rows, codec=task.codec)
    side = SideWriter(new_path(task.folder, f"f{task.index:06d}")) if task.apart else None
    apart = pa.array(sorted(task.apart), pa.string())
    only = None if side is not None else SPILLED  # the side files keep every column
    try:
        found = []
        for result in read_unit(
            task.unit, task.batch_rows, task.chunk_bytes, task.read_options, only
        ):
            if result.detections.num_rows:
                found.append(result.detections)
            out.records += result.records
            out.accepted += result.table.num_rows
            out.rejects.update(r.reason for r in result.rejects)
            if task.keep_rejects:
                out.reject_list.extend(result.rejects)
            if side is None:
                writer.write(result.table)
            else:
                kept_apart = in_tracks(result.table["track_id"], apart)
                side.write(result.table.filter(pa.array(kept_apart)))
                writer.write(result.table.filter(pa.array(~kept_apart)))
            del result
    except InputError as e:
        writer.close()
        if side is not None:
            side.close()
        return Failed(e.file, e.reason, e.record)
    out.pieces = writer.close()
    out.side = side.close() if side is not None else None
    out.detections = concat(found, DETECTION_SCHEMA)
    return out


@dataclass(frozen=True)
class SplitTask:
    pieces: tuple[Piece, ...]
    partitions: int
    salt: int
    folder: str
    batch_rows: int
    codec: str | None = None


def split_partition(task: SplitTask) -> list[Piece]:
    """Cut one partition into ``task.partitions`` with another hash, a batch at a time."""
    path = new_path(task.folder, f"s{task.salt}")
    writer = SpillWriter(
        path, task.partitions, task.salt, buffer_rows=task.batch_rows, codec=task.codec
    )
    for piece in task.pieces:
        for table in iter_piece(piece):
            writer.write(table)
    return writer.close()


@dataclass(frozen=True)
class CrossTask:
    #: the pieces of each partition, worked on in this order
    partitions: tuple[tuple[Piece, ...], ...]
    airspace: AirspaceSpec
    options: CrossingOptions


def packed(table: pa.Table) -> bytes:
    """``table`` as compressed Arrow IPC (zstd): the calling process holds every
    partition's crossings until the merge, a gigabyte at a billion reports as
    tables and a third of that packed (their source references repeat the file
    names)."""
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema, options=_PACKING) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def unpacked(data: bytes, fields: list[int] | None = None) -> pa.Table:
    """The table :func:`packed` packed, column for column; only its columns
    numbered ``fields`` where they are given."""
    options = pa.ipc.IpcReadOptions(included_fields=fields) if fields else None
    return pa.ipc.open_stream(pa.py_buffer(data), options=options).read_all()


_PACKING = pa.ipc.IpcWriteOptions(compression="zstd")


def cross_partitions(task: CrossTask) -> list[tuple[bytes, Counts]]:
    """Pass 2: the crossings of each partition, in order, :func:`packed`.

    The next partition is read while this one is worked on: spill reads wait
    for the disk (see :func:`airwitness.engine.spill.read_pieces`), and a
    thread waiting on the disk leaves the core to the crossings.
    """
    out = []
    with ThreadPoolExecutor(1, thread_name_prefix="airwitness-read-ahead") as reader:
        ahead = reader.submit(read_pieces, task.partitions[0]) if task.partitions else None
        for k in range(len(task.partitions)):
            table = ahead.result()
            if k + 1 < len(task.partitions):
                ahead = reader.submit(read_pieces, task.partitions[k + 1])
            crossings, counts = crossings_of_partition(table, task.airspace, task.options)
            del table
            out.append((packed(crossings), counts))
    return out


@dataclass(frozen=True)
class SketchTask:
    index: int
    unit: Unit
    batch_rows: int
    chunk_bytes: int
    read_options: ReadOptions | None


@dataclass
class UnitSketch:
    index: int
    sketch: Sketch
    #: the unit's detections (radar plots), tracked by the parent
    detections: pa.Table
    #: the radar sites the unit states (CAT034)
    sites: dict[str, tuple[float, float, float]]


def sketch_unit(task: SketchTask) -> UnitSketch | Failed:
    """The sketch pass: read one unit (every column) for the sketch of its tracks
    (:mod:`airwitness.engine.sketch`)."""
    sketches, found = [], []
    sites: dict[str, tuple[float, float, float]] = {}
    try:
        for result in read_unit(
            task.unit, task.batch_rows, task.chunk_bytes, task.read_options, SKETCHED
        ):
            sketches.append(sketch_of(result.table))
            sites = result.sites | sites
            if result.detections.num_rows:
                found.append(result.detections)
    except InputError as e:
        return Failed(e.file, e.reason, e.record)
    return UnitSketch(task.index, merged(sketches), concat(found, DETECTION_SCHEMA), sites)


@dataclass(frozen=True)
class FusedTask:
    #: the side files of the tracks kept apart for fusion
    sides: tuple[str, ...]
    airspace: AirspaceSpec
    options: CrossingOptions
    read_options: ReadOptions | None
    #: the radar sites the inputs state (CAT034)
    sites: dict[str, tuple[float, float, float]]


@dataclass
class FusedResult:
    crossings: pa.Table
    counts: Counts
    #: the summary's lines on fusion
    lines: tuple[str, ...]


def cross_fused(task: FusedTask) -> FusedResult:
    """Pass 2 of the tracks kept apart: crossed together, fused as the memory engine
    fuses them."""
    table = read_side(task.sides)
    crossings, counts, lines = fused_crossings(  # type: ignore[misc]
        table,
        task.airspace,
        task.options,
        task.read_options,
        partitioned=True,
        stated_sites=task.sites,
    )
    return FusedResult(crossings, counts, lines)


def cross_any(task: CrossTask | FusedTask) -> list[tuple[bytes, Counts]] | FusedResult:
    """Pass 2's tasks, of either kind, on one runner."""
    if isinstance(task, FusedTask):
        return cross_fused(task)
    return cross_partitions(task)


#: glibc mallopt parameters, and their defaults
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
_GLIBC_DEFAULT_THRESHOLD = 128 * 1024


def keep_freed_memory(limit: int = 1 << 30) -> None:
    """Let a worker reuse the memory its tasks free instead of handing it back.

    glibc gives every large array fresh pages from the system and returns them
    when the array is freed; a task allocates and frees many such arrays, and
    each fresh page costs a fault and its zeroing (on a VM, a quarter of each
    pass's time). Arrays up to ``limit`` come from the heap instead, and the
    heap is not trimmed between tasks: the next task reuses it. The plan
    bounds each worker's peak (see :mod:`airwitness.engine.plan`), which
    keeping freed memory for the next task does not raise.
    """
    _mallopt(limit)


def hand_back_freed_memory() -> None:
    """Undo :func:`keep_freed_memory`: glibc's default thresholds, and the
    heap's free memory returned to the system now, as is the memory Arrow's
    allocator kept."""
    if _mallopt(_GLIBC_DEFAULT_THRESHOLD):
        _libc().malloc_trim(0)
    pa.default_memory_pool().release_unused()


def _mallopt(limit: int) -> bool:
    try:
        libc = _libc()
        libc.mallopt(_M_MMAP_THRESHOLD, limit)
        libc.mallopt(_M_TRIM_THRESHOLD, limit)
    except (OSError, AttributeError):  # not glibc: its own policy stands
        return False
    return True


def _libc():  # type: ignore[no-untyped-def]
    import ctypes

    return ctypes.CDLL("libc.so.6")
