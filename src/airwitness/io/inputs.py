"""Many input files read into one table of reports, with every reject and per-file counts.

The store returns the same :class:`Inputs` for what it holds, so everything above
(the pipeline, investigations, the web app) works alike on files and on a store.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from airwitness.errors import InputError
from airwitness.io import read
from airwitness.io.options import ReadOptions
from airwitness.schema import DETECTION_SCHEMA, Reject, concat


@dataclass(frozen=True)
class FileSummary:
    """One file's counts: ``records`` read = ``accepted`` + the ``rejects`` by reason
    (+ ``detections`` not yet tracked: the tracker makes each accepted or ``clutter``)."""

    path: str
    format: str
    records: int
    accepted: int
    rejects: dict[str, int]
    detections: int = 0


@dataclass
class Inputs:
    """Everything read from the input files, before any cleaning."""

    table: pa.Table
    rejects: list[Reject]
    files: list[FileSummary]
    #: anonymous detections, until the tracker (airwitness.tracking) makes reports of them
    detections: pa.Table = field(default_factory=DETECTION_SCHEMA.empty_table)
    #: what the tracker did, per sensor (airwitness.tracking.SensorStats), once it ran
    tracking: tuple[Any, ...] = ()
    #: radar sites by sensor id (``asterix:<SAC>/<SIC>`` and name): lon, lat and height
    #: above the ellipsoid (m); the sensors file's, else those the captures state (CAT034)
    sites: dict[str, tuple[float, float, float]] = field(default_factory=dict)


def read_inputs(
    paths: Sequence[str | Path],
    *,
    format: str | None = None,
    names: Sequence[str] | None = None,
    progress: Callable[[str], None] | None = None,
    options: ReadOptions | None = None,
) -> Inputs:
    """Read every file; an unreadable file raises :class:`~airwitness.errors.InputError`.

    ``names``, when given, is what each file is called in the table and in
    rejects (e.g. a path relative to a case file), instead of the path itself.
    ``progress`` is called with each file's name before it is read.
    """
    tables, detections, rejects, files = [], [], [], []
    sites: dict[str, tuple[float, float, float]] = {}
    for k, path in enumerate(paths):
        name = str(path) if names is None else names[k]
        if progress is not None:
            progress(name)
        result = _read_one(path, name, format, options)
        tables.append(result.table)
        detections.append(result.detections)
        rejects.extend(result.rejects)
        sites = result.sites | sites  # the first file to state a site gives it
        files.append(
            FileSummary(
                path=name,
                format=result.format,
                records=result.records,
                accepted=result.table.num_rows,
                rejects=dict(sorted(result.reject_counts().items())),
                detections=result.detections.num_rows,
            )
        )
    return Inputs(
        table=concat(tables),
        rejects=rejects,
        files=files,
        detections=concat(detections, DETECTION_SCHEMA),
        sites=sites,
    )


def _read_one(path: str | Path, name: str, format: str | None, options: ReadOptions | None):
    if name == str(path):
        return read(path, format=format, options=options)
    try:
        with open(path, "rb") as stream:
            return read(name, format=format, stream=stream, options=options)
    except OSError as exc:
        raise InputError(name, f"cannot open ({exc.strerror or exc.__class__.__name__})") from None
