"""Crossings at any scale: partition the reports by track (pass 1), then crossings (pass 2).

Pass 1 cuts the inputs into units (row groups of a Parquet file, a text file
read in chunks, any other file whole); each unit's reports are hashed by track
into P spill partitions. A partition that turns out larger than its share of
memory is split again with another hash. Pass 2 runs
:func:`~airwitness.engine.partition.crossings_of_partition` on each partition,
in runs of partitions (:func:`guided`) so that a worker reads the next one
from the spill while it works on this one.
The merge concatenates the results by partition and sorts them stably by
``track_id``: within a track the rows already come in the in-memory order
(time, then position along the path), so the table equals the in-memory one
row for row.
"""

from __future__ import annotations

import errno
import os
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from airwitness.engine.apart import Apart, apart_note, kept_apart, track
from airwitness.engine.associating import SideWriter, in_tracks
from airwitness.engine.chunks import cut_units, read_whole
from airwitness.engine.fused import fused_crossings
from airwitness.engine.partition import (
    AirspaceSpec,
    Counts,
    CrossingOptions,
    crossings_of_partition,
)
from airwitness.engine.plan import FILL, Plan, share
from airwitness.engine.sources import InputFile, detect, estimated_rows, expand, filesystem, is_uri
from airwitness.engine.spill import BYTES_PER_REPORT, Piece, SpillWriter, new_path
from airwitness.engine.spill_codec import spill_codec
from airwitness.engine.spill_removal import remove, remove_later, wait_for_removals
from airwitness.engine.tasks import (
    CrossTask,
    Failed,
    FusedResult,
    FusedTask,
    Progress,
    Runner,
    SpillTask,
    SplitTask,
    UnitResult,
    cross_any,
    packed,
    spill_unit,
    split_partition,
    unpacked,
)
from airwitness.errors import SpillError
from airwitness.io.options import ReadOptions
from airwitness.schema import DETECTION_SCHEMA, Reject, concat
from airwitness.tracking import Tracked

MAX_SPLITS = 3  # a partition still too big after this many re-splits is one huge track


# --- the result -------------------------------------------------------------


@dataclass
class ScaledRun:
    """Like :class:`airwitness.pipeline.CrossingsRun`, without the reports themselves."""

    crossings: pa.Table
    summary: Any  # airwitness.pipeline.Summary
    files: list[Any]  # airwitness.pipeline.FileSummary, one per input file
    #: every rejected record, sorted, when asked for (``keep_rejects``); else empty
    rejects: list[Reject]
    engine: str
    plan: Plan | None = None
    #: partitions pass 2 ran (more than planned when some had to be split again)
    partitions: int = 1
    seconds: dict[str, float] = field(default_factory=dict)


def _summaries(
    files: list[InputFile],
    per_file: list[UnitResult],
    counts: Counts,
    crossings: pa.Table,
    tracked: Tracked | None,
):
    from airwitness.pipeline import FileSummary, Summary

    rejects: Counter[str] = Counter()
    summaries = []
    for f, r in zip(files, per_file, strict=True):
        rejects.update(r.rejects)
        summaries.append(
            FileSummary(f.name, f.format, r.records, r.accepted, dict(sorted(r.rejects.items())))
        )
    rejects.update(counts.rejects)
    summary = Summary(
        files=len(files),
        records=sum(r.records for r in per_file),
        reports=counts.reports,
        rejects=rejects,
        tracks=counts.tracks,
        segments=counts.segments,
        results=crossings.num_rows,
        result_name="crossings",
        tracking=tuple(stat.line() for stat in tracked.stats) if tracked else (),
    )
    return summary, summaries


def _sorted_rejects(per_file: list[UnitResult], counts: Counts) -> list[Reject]:
    return sorted([r for u in per_file for r in u.reject_list] + counts.reject_list)


# --- engines ----------------------------------------------------------------


def run_in_memory(
    files: list[InputFile],
    airspace: AirspaceSpec,
    options: CrossingOptions,
    read_options,
) -> ScaledRun:
    """Everything read at once, as :func:`airwitness.pipeline.run_crossings` does."""
    t0 = time.perf_counter()
    per_file, tables, detections = [], [], []
    sites: dict[str, tuple[float, float, float]] = {}
    for i, f in enumerate(files):
        result = read_whole(f, read_options)
        sites = result.sites | sites  # the first file to state a site gives it
        rejects = Counter(r.reason for r in result.rejects)
        kept = result.rejects if options.keep_rejects else []
        per_file.append(UnitResult(i, result.records, result.table.num_rows, rejects, kept))
        tables.append(result.table)
        detections.append(result.detections)
    tracked = track(concat(detections, DETECTION_SCHEMA), options.tracker, read_options)
    if tracked is not None:
        tables.append(tracked.reports)
        _count_tracked(files, per_file, tracked, options.keep_rejects)
    table = concat(tables)
    fused = fused_crossings(table, airspace, options, read_options, stated_sites=sites)
    if fused is None:
        crossings, counts = crossings_of_partition(table, airspace, options)
    else:  # several sensors: corroborated, as the pipeline does
        crossings, counts, _ = fused
    summary, summaries = _summaries(files, per_file, counts, crossings, tracked)
    if fused is not None:
        summary.fusion = fused[2]
    rejects = _sorted_rejects(per_file, counts) if options.keep_rejects else []
    seconds = {"total": time.perf_counter() - t0}
    return ScaledRun(crossings, summary, summaries, rejects, "memory", None, 1, seconds)


def _count_tracked(
    files: list[InputFile], per_file: list[UnitResult], tracked: Tracked, keep: bool
) -> None:
    """Each file's detections: accepted when in a track, else a ``clutter`` reject."""
    index = {f.name: i for i, f in enumerate(files)}
    names = tracked.reports["source_file"].cast(pa.string()).to_pylist()
    for name, n in Counter(names).items():
        per_file[index[name]].accepted += n
    for reject in tracked.rejects:
        unit = per_file[index[reject.file]]
        unit.rejects[reject.reason] += 1
        if keep:
            unit.reject_list.append(reject)


def run_partitioned(
    files: list[InputFile],
    airspace: AirspaceSpec,
    options: CrossingOptions,
    read_options: ReadOptions | None,
    plan: Plan,
    runner: Runner,
    spill_dir: str | None,
    engine: str,
    progress: Progress | None = None,
    spill_compression: str = "auto",
    let_go: Callable[[], None] | None = None,
) -> ScaledRun:
    """Pass 1, re-splits, pass 2 and the merge, on ``runner`` (the caller closes it).

    ``let_go`` is called once every partition is crossed, before the merge: the
    local engine stops its workers there and hands back the memory the calling
    process kept for its tasks, so that the merge (a gigabyte of crossings at a
    billion reports) does not come on top of the passes' memory.
    """
    tell = progress or _silent
    wait_for_removals()  # the last run's spill: gone before this one spills
    folder = _spill_folder(spill_dir)
    try:
        codec = spill_codec(spill_compression, folder, plan.estimated_rows, BYTES_PER_REPORT)
    except BaseException:
        remove(folder)
        raise
    plan = replace(plan, spill_codec=codec)
    with _room_for_the_spill(folder, plan):
        seconds: dict[str, float] = {}
        crossed_all = False
        try:
            t0 = time.perf_counter()
            apart = kept_apart(files, options, read_options, plan, runner, tell)
            if apart is not None:
                seconds["sketch"] = time.perf_counter() - t0
            t0 = time.perf_counter()
            per_file, parts, tracked, side_files = _read(
                files, options, read_options, plan, runner, folder, tell, apart
            )
            sides_rows = sum(rows for _, rows in side_files)
            sides = [path for path, _ in side_files]
            seconds["read"] = time.perf_counter() - t0
            t0 = time.perf_counter()
            parts = _fit(parts, plan, runner, folder, tell)
            seconds["split"] = time.perf_counter() - t0
            t0 = time.perf_counter()
            parts = [p for p in parts if p]
            runs = guided(len(parts), runner.workers)
            jobs: list[CrossTask | FusedTask] = [
                CrossTask(tuple(parts[k] for k in run), airspace, options) for run in runs
            ]
            if sides:  # the longest task, first
                stated = apart.sites if apart is not None else {}
                jobs.insert(0, FusedTask(tuple(sides), airspace, options, read_options, stated))
                runs.insert(0, range(len(parts), len(parts) + 1))
            total = len(parts) + bool(sides)
            outputs: list[tuple[bytes, Counts]] = [None] * total  # type: ignore[list-item]
            fusion: tuple[str, ...] = ()
            crossed = 0
            tell("crossing", crossed, total)
            for k, outs in runner.map(cross_any, jobs):
                if isinstance(outs, FusedResult):
                    fusion = outs.lines
                    outs = [(packed(outs.crossings), outs.counts)]
                outputs[runs[k].start : runs[k].stop] = outs
                crossed += len(outs)
                tell("crossing", crossed, total)
            seconds["cross"] = time.perf_counter() - t0
            crossed_all = True
            del parts, jobs  # the spill's index: the merge does without it
        finally:
            if crossed_all:  # the kernel deletes it while we merge, and after we return
                remove_later(folder)
            else:
                remove(folder)
    if let_go is not None:
        let_go()
    counts = Counts()
    for _, c in outputs:
        counts.add(c)
    partitions, packed_parts = len(outputs), [data for data, _ in outputs]
    del outputs
    crossings = merge(packed_parts)
    summary, summaries = _summaries(files, per_file, counts, crossings, tracked)
    summary.fusion = (*fusion, *apart_note(sides_rows, plan))
    rejects = _sorted_rejects(per_file, counts) if options.keep_rejects else []
    seconds["total"] = sum(seconds.values())
    return ScaledRun(crossings, summary, summaries, rejects, engine, plan, partitions, seconds)


@contextmanager
def _room_for_the_spill(folder: str, plan: Plan) -> Iterator[None]:
    """A full disk or quota under the spill becomes a :class:`SpillError`
    saying how much room the run needs, not a traceback."""
    try:
        yield
    except OSError as e:
        if e.errno not in (errno.ENOSPC, errno.EDQUOT):
            raise
        need = plan.estimated_rows * BYTES_PER_REPORT / 1e9
        if plan.spill_codec is None:
            need_there = f"about {need:.2g} GB there, half as much compressed"
            remedy = "compress it (--spill-compression lz4) or give a folder with more"
        else:
            need_there = f"about {need / 2:.2g} GB there, compressed"
            remedy = "give a folder with more"
        raise SpillError(
            f"the spill folder {folder} ran out of room ({os.strerror(e.errno)}): "
            f"these inputs need {need_there}; {remedy} (--spill-dir, spill_dir=)"
        ) from None


def _read(
    files: list[InputFile],
    options: CrossingOptions,
    read_options: ReadOptions | None,
    plan: Plan,
    runner: Runner,
    folder: str,
    tell: Progress,
    apart: Apart | None = None,
) -> tuple[list[UnitResult], list[tuple[Piece, ...]], Tracked | None, list[tuple[str, int]]]:
    """Pass 1: what was read from each file, each partition's pieces, the tracker's
    run, and the side files of the tracks kept ``apart`` for fusion.

    Detections come back from the workers whole (they are few: a radar's plots
    for a day are megabytes) and are tracked here, in one process, since a
    target's plots may lie in any unit; the tracks are spilled like reports.
    """
    keep_apart = apart.tracks if apart is not None else frozenset()
    work = cut_units(files, runner.workers, plan.batch_rows, plan.rows_per_unit)
    tasks = [
        SpillTask(
            k,
            u,
            plan.partitions,
            folder,
            plan.batch_rows,
            plan.spill_rows,
            plan.chunk_bytes,
            read_options,
            options.keep_rejects,
            keep_apart,
            plan.spill_codec,
        )
        for k, (_, u) in enumerate(work)
    ]
    results: list[UnitResult] = [None] * len(tasks)  # type: ignore[list-item]
    tell("reading", 0, len(tasks))
    for done, (k, r) in enumerate(runner.map(spill_unit, tasks), start=1):
        if isinstance(r, Failed):
            raise r.error()
        results[k] = r
        tell("reading", done, len(tasks))
    per_file = [UnitResult(i) for i in range(len(files))]
    for (i, _), r in zip(work, results, strict=True):
        per_file[i].records += r.records
        per_file[i].accepted += r.accepted
        per_file[i].rejects.update(r.rejects)
        per_file[i].reject_list.extend(r.reject_list)
    pieces = [r.pieces for r in results]
    sides = [r.side for r in results if r.side is not None]
    if apart is not None:
        tracked = apart.tracked
    else:
        detections = concat([r.detections for r in results], DETECTION_SCHEMA)
        tracked = track(detections, options.tracker, read_options)
    if tracked is not None:
        _count_tracked(files, per_file, tracked, options.keep_rejects)
        reports = tracked.reports
        if keep_apart:
            together = in_tracks(reports["track_id"], pa.array(sorted(keep_apart), pa.string()))
            side = SideWriter(new_path(folder, "tracked-apart"))
            side.write(reports.filter(pa.array(together)))
            if (written := side.close()) is not None:
                sides.append(written)
            reports = reports.filter(pa.array(~together))
        writer = SpillWriter(new_path(folder, "tracked"), plan.partitions, codec=plan.spill_codec)
        writer.write(reports)
        pieces.append(writer.close())
    parts = [tuple(u[p] for u in pieces if u[p].rows) for p in range(plan.partitions)]
    return per_file, parts, tracked, sides


def guided(count: int, workers: int) -> list[range]:
    """``count`` partitions cut into runs for pass 2, each a :func:`share` of
    those left: long runs first, where reading ahead hides the disk, single
    partitions last."""
    runs, start = [], 0
    while start < count:
        size = max(1, share(count - start, workers))
        runs.append(range(start, start + size))
        start += size
    return runs


def merge(parts: list[bytes]) -> pa.Table:
    """Partition results (each :func:`~airwitness.engine.tasks.packed`) in one
    table, in the in-memory order (a stable sort by track).

    Each partition lists its tracks' rows together, so only the runs of one
    track are sorted (by their track id, stably), not every row. At a billion
    reports the crossings take 0.86 GB: the result is made :data:`MERGED_AT_ONCE`
    columns at a time, each unpacked from every partition, put in order and let
    go before the next (unpacked all at once, freed a column at a time, the
    partitions' small buffers fragment the heap: 1.65 GB more, not 1.2). The
    list is emptied.
    """
    from airwitness.crossings import CROSSING_SCHEMA
    from airwitness.tracks import track_starts

    packed_parts, schema = list(parts), CROSSING_SCHEMA
    parts.clear()
    if packed_parts:
        schema = pa.ipc.open_stream(pa.py_buffer(packed_parts[0])).schema
    track_id = _unpacked_columns(packed_parts, schema, [0]).column(0)
    n = len(track_id)
    if n == 0:
        return schema.empty_table()
    starts = np.flatnonzero(track_starts(track_id))
    ends = np.append(starts[1:], n)
    order = np.asarray(pc.sort_indices(track_id.take(pa.array(starts))))
    lengths = (ends - starts)[order]
    first = np.repeat(starts[order] - (np.cumsum(lengths) - lengths), lengths)
    where = pa.array(first + np.arange(n))
    columns = [track_id.take(where).combine_chunks()]
    del track_id
    rest = list(range(1, len(schema)))
    for k in range(0, len(rest), MERGED_AT_ONCE):
        group = _unpacked_columns(packed_parts, schema, rest[k : k + MERGED_AT_ONCE])
        for name in group.column_names:
            columns.append(group[name].take(where).combine_chunks())
            group = group.drop_columns([name])
    return pa.Table.from_arrays(columns, schema=schema)


#: Columns :func:`merge` unpacks together (on 3 M crossings: 8 take as long as
#: all 25 at once, one at a time twice that)
MERGED_AT_ONCE = 8


def _unpacked_columns(parts: list[bytes], schema: pa.Schema, fields: list[int]) -> pa.Table:
    """Columns ``fields`` of every packed partition, a chunk each."""
    if not parts:
        return pa.schema([schema.field(f) for f in fields]).empty_table()
    return pa.concat_tables([unpacked(p, fields) for p in parts])


def _fit(
    parts: list[tuple[Piece, ...]], plan: Plan, runner: Runner, folder: str, tell: Progress
) -> list[tuple[Piece, ...]]:
    """Split again (new hash) every partition with more rows than a worker may hold."""
    for salt in range(1, MAX_SPLITS + 1):
        big = [k for k, p in enumerate(parts) if sum(x.rows for x in p) > plan.rows_per_partition]
        if not big:
            break
        tasks = []
        for k in big:
            rows = sum(x.rows for x in parts[k])
            n = int(np.ceil(rows / (FILL * plan.rows_per_partition)))
            split = SplitTask(parts[k], max(2, n), salt, folder, plan.batch_rows, plan.spill_codec)
            tasks.append(split)
        replaced: dict[int, list[tuple[Piece, ...]]] = {}
        tell("splitting", 0, len(tasks))
        for i, pieces in runner.map(split_partition, tasks):
            replaced[big[i]] = [(p,) if p.rows else () for p in pieces]
            tell("splitting", len(replaced), len(tasks))
        parts = [q for k, p in enumerate(parts) for q in replaced.get(k, [p])]
    return parts


def _silent(stage: str, done: int, total: int) -> None:
    return


def _spill_folder(spill_dir: str | None) -> str:
    """A fresh folder for this run's spill files, in ``spill_dir`` (a path or URI)."""
    try:
        return _new_spill_folder(spill_dir)
    except OSError as e:
        where = spill_dir or tempfile.gettempdir()
        raise SpillError(f"cannot make a spill folder in {where}: {e}") from None


def _new_spill_folder(spill_dir: str | None) -> str:
    if spill_dir is not None and is_uri(spill_dir):
        folder = new_path(spill_dir, "airwitness-spill").removesuffix(".spill")
        fs, path = filesystem(folder)
        fs.create_dir(path)
        return folder
    if spill_dir is not None:
        Path(spill_dir).mkdir(parents=True, exist_ok=True)
    return tempfile.mkdtemp(prefix="airwitness-spill-", dir=spill_dir)


def inspect(
    inputs: str | Path | Sequence[str | Path], format: str | None
) -> tuple[list[InputFile], int]:
    """The input files (formats detected) and the rows they are expected to give."""
    files = [detect(name, format) for name in expand(inputs)]
    return files, sum(estimated_rows(f) for f in files)
