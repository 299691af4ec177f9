"""The core pipeline as one API: read → tracks → label → crossings, with a summary.

The CLI, the web app and the engines call these functions; they hold no
logic of their own. Reading many files (:func:`read_inputs`) lives in
:mod:`airwitness.io.inputs`, below the store, which returns the same :class:`Inputs`.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from airwitness.airspace import INTL, Airspace
from airwitness.corroboration import crossings_across_sensors
from airwitness.crossings import DEFAULT_OBSERVED_GAP_S, CrossingFilter
from airwitness.fusion import UNKNOWN, Fusion, fuse, several_sensors
from airwitness.io import inputs as io_inputs
from airwitness.io.inputs import FileSummary, Inputs
from airwitness.io.options import ReadOptions
from airwitness.io.sensors import load_sensors
from airwitness.reasons import BENIGN_REASONS
from airwitness.tracking import TrackerSettings, track_inputs
from airwitness.tracks import DEFAULT_MAX_GAP_S, OutlierRule, PreparedTracks, prepare_tracks

__all__ = [
    "CrossingsRun",
    "FileSummary",
    "Inputs",
    "Summary",
    "check_codes",
    "crossings_of_inputs",
    "label_reports",
    "read_inputs",
    "run_crossings",
    "summarize",
    "track_summaries",
]


@dataclass
class Summary:
    """Counts that reconcile: records = reports kept + every reject."""

    files: int = 0
    records: int = 0
    reports: int = 0
    rejects: Counter[str] = field(default_factory=Counter)
    tracks: int = 0
    segments: int = 0
    results: int = 0
    result_name: str = "results"
    #: what the tracker made of each sensor's detections
    tracking: tuple[str, ...] = ()
    #: what fusion found across sensors (docs/fusion.md)
    fusion: tuple[str, ...] = ()

    def lines(self) -> list[str]:
        out = [
            f"files: {self.files}",
            f"records read: {self.records}",
            f"reports kept: {self.reports}",
            f"rejected: {sum(self.rejects.values())}",
        ]
        out += [f"  {reason}: {n}" for reason, n in sorted(self.rejects.items())]
        out += [f"tracker: {line}" for line in self.tracking]
        out += [f"tracks: {self.tracks} ({self.segments} segments)"]
        out += [f"fusion: {line}" for line in self.fusion]
        out += [f"{self.result_name}: {self.results}"]
        return out

    def harmful_rejects(self) -> int:
        return sum(n for r, n in self.rejects.items() if r not in BENIGN_REASONS)


def fusion_lines(fusion: Fusion) -> tuple[str, ...]:
    """What the summary says of fusion: associations, suspect tracks, radar biases
    (nothing where nothing was associated: the crossings are then one sensor's each)."""
    pairs = fusion.associations["method"].to_pylist()
    if not pairs and not fusion.biases:
        return ()
    lines = [
        f"{len(pairs)} pairs of tracks associated ({pairs.count('identity')} by identity, "
        f"{pairs.count('kinematic')} by kinematics); "
        f"{len(fusion.suspect_tracks())} track(s) contradicted by a measurement"
    ]
    return (*lines, *(b.describe() for b in fusion.biases))


def summarize(inputs: Inputs, prepared: PreparedTracks | None, results: int, name: str) -> Summary:
    """Counts for the stderr summary; without ``prepared``, of the raw reports."""
    rejects = Counter(r.reason for r in inputs.rejects)
    table = inputs.table
    n_segments = None
    if prepared is not None:
        rejects.update(r.reason for r in prepared.rejects)
        table = prepared.table
    n_tracks = pc.count_distinct(table["track_id"]).as_py() if table.num_rows else 0
    if prepared is not None and table.num_rows:
        keys = pa.table({"t": table["track_id"], "s": table["segment"]})
        n_segments = keys.group_by(["t", "s"]).aggregate([]).num_rows
    return Summary(
        files=len(inputs.files),
        records=sum(f.records for f in inputs.files),
        reports=table.num_rows,
        rejects=rejects,
        tracks=n_tracks,
        segments=n_tracks if n_segments is None else n_segments,
        results=results,
        result_name=name,
        tracking=tuple(stat.line() for stat in inputs.tracking),
    )


@dataclass
class CrossingsRun:
    crossings: pa.Table
    prepared: PreparedTracks
    inputs: Inputs
    summary: Summary
    #: the tracks associated across sensors (None: the reports come from one sensor)
    fusion: Fusion | None = None


def read_inputs(
    paths: Sequence[str | Path],
    *,
    format: str | None = None,
    names: Sequence[str] | None = None,
    progress: Callable[[str], None] | None = None,
    options: ReadOptions | None = None,
    tracker: TrackerSettings | None = None,
) -> Inputs:
    """Read every file (:func:`airwitness.io.inputs.read_inputs`) and make tracks of
    their anonymous detections (:func:`airwitness.tracking.track_inputs`, with the
    sensors file of ``options`` and the ``tracker`` settings): what every command reads."""
    inputs = io_inputs.read_inputs(
        paths, format=format, names=names, progress=progress, options=options
    )
    sensors = load_sensors(options.sensors) if options and options.sensors else None
    return track_inputs(inputs, tracker, sensors)


def run_crossings(
    paths: Sequence[str | Path],
    airspace: Airspace,
    *,
    format: str | None = None,
    max_gap_s: float = DEFAULT_MAX_GAP_S,
    observed_gap_s: float = DEFAULT_OBSERVED_GAP_S,
    outliers: OutlierRule | None = None,
    where: CrossingFilter | None = None,
    progress: Callable[[str], None] | None = None,
    options: ReadOptions | None = None,
    boundary_sigma_m: float | None = None,
    tracker: TrackerSettings | None = None,
) -> CrossingsRun:
    """Every crossing in the given files."""
    inputs = read_inputs(paths, format=format, progress=progress, options=options, tracker=tracker)
    return crossings_of_inputs(
        inputs,
        airspace,
        max_gap_s=max_gap_s,
        observed_gap_s=observed_gap_s,
        outliers=outliers,
        where=where,
        boundary_sigma_m=boundary_sigma_m,
    )


def crossings_of_inputs(
    inputs: Inputs,
    airspace: Airspace,
    *,
    max_gap_s: float = DEFAULT_MAX_GAP_S,
    observed_gap_s: float = DEFAULT_OBSERVED_GAP_S,
    outliers: OutlierRule | None = None,
    where: CrossingFilter | None = None,
    boundary_sigma_m: float | None = None,
) -> CrossingsRun:
    """Every crossing in reports already read (from files or a store), each with its
    confidence (``boundary_sigma_m``: instead of the set's stated boundary error)."""
    prepared = prepare_tracks(inputs.table, max_gap_s=max_gap_s, outliers=outliers)
    crossings, fusion = crossings_across_sensors(
        prepared.table,
        airspace,
        observed_gap_s=observed_gap_s,
        where=where,
        boundary_sigma_m=boundary_sigma_m,
        segment_reports=prepared.segment_reports,
        sites=inputs.sites,
    )
    summary = summarize(inputs, prepared, crossings.num_rows, "crossings")
    if fusion is not None:
        summary.fusion = fusion_lines(fusion)
    return CrossingsRun(crossings, prepared, inputs, summary, fusion)


def label_reports(table: pa.Table, airspace: Airspace) -> pa.Table:
    """The reports with an ``airspace`` column holding each one's code."""
    codes = airspace.label(table["lon"].to_numpy(), table["lat"].to_numpy())
    return table.append_column("airspace", codes.cast(pa.string()))


def track_summaries(
    prepared: PreparedTracks, airspace: Airspace, fusion: Fusion | None = None
) -> pa.Table:
    """One row per track: first/last seen, airspaces in order, reports, segments, rejects,
    its sensor and the tracks associated with it (docs/fusion.md; ``fusion`` as
    :class:`CrossingsRun` has it, else made here where the reports come from several
    sensors)."""
    table = prepared.table
    if fusion is None and several_sensors(table):
        fusion = fuse(table)
    rejected = Counter(prepared.rejected_tracks)
    columns: dict[str, list] = {
        "track_id": [],
        "first_seen": [],
        "last_seen": [],
        "reports": [],
        "segments": [],
        "rejects": [],
        "airspaces": [],
        "callsign": [],
    }
    if table.num_rows:
        ids = np.asarray(table["track_id"].to_pylist(), dtype=object)
        times = table["time"].combine_chunks().cast(pa.int64()).to_numpy()
        labels = airspace.label(table["lon"].to_numpy(), table["lat"].to_numpy())
        codes = airspace.decode_labels(labels)
        seg = table["segment"].to_numpy()
        calls = table["callsign"].to_pylist()
        bounds = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1], True])
        for a, b in itertools.pairwise(bounds):
            tid = ids[a]
            columns["track_id"].append(tid)
            columns["first_seen"].append(int(times[a]))
            columns["last_seen"].append(int(times[b - 1]))
            columns["reports"].append(int(b - a))
            columns["segments"].append(int(seg[a:b].max()) + 1)
            columns["rejects"].append(rejected.get(tid, 0))
            columns["airspaces"].append(" > ".join(_runs(codes[a:b])))
            columns["callsign"].append(next((c for c in calls[a:b] if c), None))
    sensor, associated = _sensors_of(table, columns["track_id"], fusion)
    return pa.table(
        {
            "track_id": pa.array(columns["track_id"], type=pa.string()),
            "first_seen": _timestamps(columns["first_seen"]),
            "last_seen": _timestamps(columns["last_seen"]),
            "reports": pa.array(columns["reports"], type=pa.int64()),
            "segments": pa.array(columns["segments"], type=pa.int64()),
            "rejects": pa.array(columns["rejects"], type=pa.int64()),
            "airspaces": pa.array(columns["airspaces"], type=pa.string()),
            "callsign": pa.array(columns["callsign"], type=pa.string()),
            "sensor": pa.array(sensor, type=pa.string()),
            "associated_with": pa.array(associated, type=pa.string()),
        }
    )


def _sensors_of(
    table: pa.Table, track_ids: list[str], fusion: Fusion | None
) -> tuple[list[str | None], list[str | None]]:
    """Per track: its sensor (null where unknown), and its associated tracks, comma-separated."""
    if fusion is None:  # one sensor (or none) for every report
        values = pc.unique(pc.cast(table["sensor"], pa.string())).drop_null().to_pylist()
        one = values[0] if values else None
        return [one] * len(track_ids), [None] * len(track_ids)
    of = dict(zip(fusion.tracks.ids, fusion.tracks.sensor, strict=True))
    partners = fusion.associated_with()
    sensors = [None if of[t] == UNKNOWN else of[t] for t in track_ids]
    return sensors, [",".join(partners[t]) if t in partners else None for t in track_ids]


def _timestamps(ns: list[int]) -> pa.Array:
    return pa.array(ns, type=pa.int64()).cast(pa.timestamp("ns", tz="UTC"))


def _runs(codes: Iterable[str]) -> list[str]:
    out: list[str] = []
    for c in codes:
        if not out or out[-1] != c:
            out.append(c)
    return out


def check_codes(airspace: Airspace, codes: Iterable[str]) -> list[str]:
    """The codes that the airspace set does not know (``INTL`` is always known)."""
    return [c for c in codes if c != INTL and not airspace.has_code(c)]
