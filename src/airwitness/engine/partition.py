"""The per-partition function every engine runs: clean tracks, find crossings, count.

A partition is a set of whole tracks, so the core functions give exactly the
rows they would give on the whole input (they never look across tracks). The
arguments are plain and picklable: the airspace travels as an
:class:`AirspaceSpec` and is opened once per worker process.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import cache

import numpy as np
import pyarrow as pa

from airwitness.crossings import DEFAULT_OBSERVED_GAP_S, CrossingFilter
from airwitness.schema import POSITION_SCHEMA, Reject
from airwitness.tracking import TrackerSettings
from airwitness.tracks import DEFAULT_MAX_GAP_S, OutlierRule

#: The columns the crossings need; spilled partitions keep only these
#: (``leg_start`` splits tracks where a source says so; ``pos_sigma_m`` is spilled
#: as each report's effective error: stated, else its source's default).
COLUMNS = (
    "track_id",
    "time",
    "lon",
    "lat",
    "alt_m",
    "source_file",
    "source_record",
    "leg_start",
    "pos_sigma_m",
)
assert set(COLUMNS) <= set(POSITION_SCHEMA.names)


@dataclass(frozen=True)
class AirspaceSpec:
    """How to open an airspace in any process: a built-in set by name, or a file and its
    code field."""

    path: str | None = None
    code_field: str | None = None
    name: str | None = None  # a built-in set; None with no path: the default one

    @classmethod
    def builtin(cls, name: str | None = None) -> AirspaceSpec:
        return cls(name=name)

    @classmethod
    def file(cls, path: str, code_field: str) -> AirspaceSpec:
        return cls(str(path), code_field)

    def open(self):
        """The :class:`~airwitness.airspace.Airspace`, cached per process."""
        return _open(self)


@cache
def _open(spec: AirspaceSpec):
    from airwitness.airspace import Airspace

    if spec.path is None:
        return Airspace.builtin() if spec.name is None else Airspace.builtin(spec.name)
    return Airspace.from_file(spec.path, spec.code_field or "")


def warm_up(airspace: AirspaceSpec) -> None:
    """Open the airspace and build everything it builds lazily (indexes, compiled kernels)."""
    from airwitness.schema import make_table

    t0 = 1_750_000_000 * 10**9
    tiny = make_table(
        {
            "track_id": ["warm-up"] * 3,
            "time": [t0, t0 + 10**10, t0 + 2 * 10**10],
            "lon": [5.0, 7.0, 9.0],
            "lat": [50.0, 50.5, 51.0],
            "source_record": [1, 2, 3],
        },
        source="csv",
        source_file="warm-up",
    )
    crossings_of_partition(tiny, airspace, CrossingOptions())


@dataclass(frozen=True)
class CrossingOptions:
    """The tunables of :func:`airwitness.pipeline.run_crossings`, in one picklable value."""

    max_gap_s: float = DEFAULT_MAX_GAP_S
    observed_gap_s: float = DEFAULT_OBSERVED_GAP_S
    outliers: OutlierRule | None = None
    where: CrossingFilter | None = None
    #: keep every Reject (memory grows with the rejects); counts are always kept
    keep_rejects: bool = False
    #: the boundary error the confidences assume (None: the set's stated one)
    boundary_sigma_m: float | None = None
    #: how radar plots and other detections become tracks (None: the defaults)
    tracker: TrackerSettings | None = None


@dataclass
class Counts:
    """What one partition adds to the summary."""

    reports: int = 0
    tracks: int = 0
    segments: int = 0
    rejects: Counter[str] = field(default_factory=Counter)
    reject_list: list[Reject] = field(default_factory=list)

    def add(self, other: Counts) -> None:
        self.reports += other.reports
        self.tracks += other.tracks
        self.segments += other.segments
        self.rejects.update(other.rejects)
        self.reject_list.extend(other.reject_list)


def crossings_of_partition(
    table: pa.Table, airspace: AirspaceSpec, options: CrossingOptions
) -> tuple[pa.Table, Counts]:
    """Crossings of the whole tracks in ``table`` (canonical columns, any row order).

    The same steps as :func:`airwitness.pipeline.run_crossings` after reading
    (``prepare_tracks`` then ``find_crossings``), on arrays: no sorted copy of
    the table is built, only the crossings' rows are looked up in it. For a set
    of whole tracks the rows are exactly those of the in-memory path.
    """
    from airwitness.crossings import TrackPoints, crossings_of_points
    from airwitness.tracks import REASONS, clean_tracks, reject_records, track_columns

    sky = airspace.open()
    columns = track_columns(table)
    cleaned = clean_tracks(columns, max_gap_s=options.max_gap_s, outliers=options.outliers)
    points = TrackPoints(
        rows=cleaned.kept,
        lon=cleaned.lon,
        lat=cleaned.lat,
        time_ns=cleaned.time_ns,
        alt=cleaned.alt,
        segment=cleaned.segment,
        new_run=cleaned.new_run,
        segment_reports=cleaned.segment_reports,
        row_sigma=columns.sigma,
    )
    crossings = crossings_of_points(
        table,
        points,
        sky,
        observed_gap_s=options.observed_gap_s,
        where=options.where,
        boundary_sigma_m=options.boundary_sigma_m,
    )
    per_reason = np.bincount(cleaned.reason, minlength=len(REASONS) + 1)
    counts = Counts(
        reports=len(cleaned.kept),
        tracks=cleaned.tracks,
        segments=int(np.count_nonzero(cleaned.new_run)),
        rejects=Counter({REASONS[k]: int(per_reason[k]) for k in REASONS if per_reason[k]}),
        reject_list=reject_records(table, cleaned) if options.keep_rejects else [],
    )
    return crossings, counts
