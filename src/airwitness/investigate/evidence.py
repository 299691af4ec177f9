"""Reading a case's evidence: every file, named relative to the case file, and the
radar plots and other detections of all of it tracked together."""

from __future__ import annotations

import os
from pathlib import Path

from airwitness.investigate.casefile import Case, CaseError
from airwitness.io.inputs import Inputs, read_inputs
from airwitness.io.sensors import Sensors, load_sensors
from airwitness.schema import DETECTION_SCHEMA, concat
from airwitness.tracking import track_inputs


def read_evidence(case: Case) -> Inputs:
    """Every evidence file read with its own options, then the detections of all of
    them tracked in one run (a target's plots may lie in several files), with the
    case's ``tracker:`` settings and the sensors files the entries name."""
    parts = [
        read_inputs(
            list(ev.paths),
            format=ev.format,
            names=[relative_name(p, case.base_dir) for p in ev.paths],
            options=ev.read_options,
        )
        for ev in case.evidence
    ]
    inputs = Inputs(
        table=concat([p.table for p in parts]),
        rejects=[r for p in parts for r in p.rejects],
        files=[f for p in parts for f in p.files],
        detections=concat([p.detections for p in parts], DETECTION_SCHEMA),
    )
    return track_inputs(inputs, case.tracker, _sensors(case))


def _sensors(case: Case) -> Sensors:
    """The sensors files of every entry as one; a sensor two files describe differently
    is a CaseError (which is right is the analyst's call)."""
    by_id: dict = {}
    seen: dict[str, Path] = {}
    for k, ev in enumerate(case.evidence):
        path = ev.read_options.sensors if ev.read_options is not None else None
        if path is None:
            continue
        for sensor_id, sensor in load_sensors(path).by_id.items():
            if sensor_id in by_id and by_id[sensor_id] != sensor:
                raise CaseError(
                    f"evidence[{k}].sensors: {sensor_id} differs from its row in "
                    f"{relative_name(seen[sensor_id], case.base_dir)}"
                )
            by_id.setdefault(sensor_id, sensor)
            seen.setdefault(sensor_id, path)
    return Sensors(by_id)


def relative_name(path: Path, base: Path) -> str:
    """``path`` relative to ``base``, with forward slashes (stable across machines)."""
    return Path(os.path.relpath(path, base)).as_posix()
