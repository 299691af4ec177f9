"""The partitioned engines' sketch pass: which tracks are kept apart for fusion
(:mod:`airwitness.engine.sketch`, :mod:`airwitness.engine.associating`), and the
tracker's run on the inputs' detections, made once for it."""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from airwitness.engine.associating import FUSED_ROW_BYTES, may_hold_several_sensors
from airwitness.engine.chunks import cut_units
from airwitness.engine.partition import CrossingOptions
from airwitness.engine.plan import ROW_BYTES, Plan
from airwitness.engine.sketch import Sketch, fusion_tracks, merged, sketch_of
from airwitness.engine.sources import InputFile
from airwitness.engine.tasks import Failed, Progress, Runner, SketchTask, sketch_unit
from airwitness.io.options import ReadOptions
from airwitness.io.sensors import load_sensors
from airwitness.schema import DETECTION_SCHEMA, concat
from airwitness.tracking import Tracked, TrackerSettings, track_detections


def track(detections: pa.Table, tracker: TrackerSettings | None, read_options) -> Tracked | None:
    """The tracker's run on the inputs' detections (None without any)."""
    if detections.num_rows == 0:
        return None
    sensors = read_options.sensors if read_options is not None else None
    return track_detections(detections, tracker, load_sensors(sensors) if sensors else None)


@dataclass(frozen=True)
class Apart:
    """What the sketch pass decided: the tracks crossed together for fusion, and the
    tracker's run on the inputs' detections (made once, for the sketch)."""

    tracks: frozenset[str]
    tracked: Tracked | None
    #: the radar sites the inputs state (CAT034)
    sites: dict[str, tuple[float, float, float]]


def kept_apart(
    files: list[InputFile],
    options: CrossingOptions,
    read_options: ReadOptions | None,
    plan: Plan,
    runner: Runner,
    tell: Progress,
) -> Apart | None:
    """The sketch pass, where the inputs may hold reports of several sensors
    (:mod:`airwitness.engine.associating`); None where they cannot."""
    if not may_hold_several_sensors(files):
        return None
    work = cut_units(files, runner.workers, plan.batch_rows, plan.rows_per_unit)
    tasks = [
        SketchTask(k, u, plan.batch_rows, plan.chunk_bytes, read_options)
        for k, (_, u) in enumerate(work)
    ]
    sketches: list[Sketch] = [Sketch()] * len(tasks)
    stated: list[dict[str, tuple[float, float, float]]] = [{}] * len(tasks)
    detections = []
    tell("sketching", 0, len(tasks))
    for done, (k, r) in enumerate(runner.map(sketch_unit, tasks), start=1):
        if isinstance(r, Failed):
            raise r.error()
        sketches[k] = r.sketch
        stated[k] = r.sites
        detections.append(r.detections)
        tell("sketching", done, len(tasks))
    tracked = track(concat(detections, DETECTION_SCHEMA), options.tracker, read_options)
    if tracked is not None:
        sketches.append(sketch_of(tracked.reports))
    sites: dict[str, tuple[float, float, float]] = {}
    for unit_sites in stated:
        sites = unit_sites | sites  # the first unit to state a site gives it
    path = read_options.sensors if read_options is not None else None
    sited = sites | (load_sensors(path).site_by_id() if path else {})
    return Apart(frozenset(fusion_tracks(merged(sketches), sited)), tracked, sites)


def apart_note(rows: int, plan: Plan) -> tuple[str, ...]:
    """The summary's warning when the reports kept apart for fusion, crossed in one
    task, need more than a worker's share of the memory asked for."""
    need = rows * FUSED_ROW_BYTES
    share_bytes = plan.rows_per_partition * ROW_BYTES
    if need <= share_bytes:
        return ()
    return (
        f"{rows:,} reports kept apart for fusion were crossed together in one task: "
        f"about {need / 1e9:.2g} GB, more than a worker's share of --memory "
        f"({share_bytes / 1e9:.2g} GB)",
    )
