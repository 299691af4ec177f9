"""Inputs with their detections tracked: what every command reads through."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from airwitness import reasons
from airwitness.io.inputs import FileSummary, Inputs
from airwitness.io.sensors import Sensors
from airwitness.schema import DETECTION_SCHEMA, concat
from airwitness.tracking.run import track_detections
from airwitness.tracking.settings import TrackerSettings


def track_inputs(
    inputs: Inputs, settings: TrackerSettings | None = None, sensors: Sensors | None = None
) -> Inputs:
    """``inputs`` with its detections turned into reports and ``clutter`` rejects;
    each file's counts follow (its detections are now accepted or rejected); the
    sensors' sites go with them, for fusion's bias estimation."""
    sites = sensors.site_by_id() if sensors else {}
    if inputs.detections.num_rows == 0:
        return replace(inputs, sites=inputs.sites | sites)
    tracked = track_detections(inputs.detections, settings, sensors)
    reports = tracked.reports
    accepted = Counter(reports["source_file"].cast("string").to_pylist())
    clutter = Counter(r.file for r in tracked.rejects)
    files = [
        replace(
            f,
            accepted=f.accepted + accepted[f.path],
            rejects=_with_clutter(f, clutter[f.path]),
            detections=0,
        )
        for f in inputs.files
    ]
    return Inputs(
        table=concat([inputs.table, reports]),
        rejects=[*inputs.rejects, *tracked.rejects],
        files=files,
        detections=DETECTION_SCHEMA.empty_table(),
        tracking=tuple(tracked.stats),
        sites=inputs.sites | sites,
    )


def _with_clutter(f: FileSummary, n: int) -> dict[str, int]:
    if not n:
        return f.rejects
    counts = {**f.rejects, reasons.CLUTTER: f.rejects.get(reasons.CLUTTER, 0) + n}
    return dict(sorted(counts.items()))
