"""Turn raw position reports into clean track segments (docs/architecture.md §4).

Sort each track by time, drop exact duplicates, reject isolated position
outliers and split on gaps. Nothing is dropped silently: every removed report
becomes a :class:`~airwitness.schema.Reject` naming its file and record.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from airwitness import reasons, track_kernels
from airwitness.schema import Reject, one_array
from airwitness.uncertainty import effective_sigma

DEFAULT_MAX_GAP_S = 1800.0
DEFAULT_OUTLIER_MIN_SPEED_MPS = 50.0
DEFAULT_OUTLIER_FACTOR = 2.0
DEFAULT_OUTLIER_SIGMA_FACTOR = 5.0


@dataclass(frozen=True)
class OutlierRule:
    """Report *i* is an outlier when the speeds implied from *i−1* to *i* and from
    *i* to *i+1* both exceed ``max(factor × v, min_speed_mps)``, *v* being the
    speed implied from *i−1* to *i+1* directly: the neighbours agree with each
    other, the point does not — unless the stated position errors explain the
    jump: *i* lies within ``sigma_factor`` × σ_c of where its neighbours put it
    (σ_c their errors and its own, combined; :mod:`airwitness.uncertainty`).
    ``sigma_factor=0`` ignores the errors; ``enabled=False`` keeps every report."""

    factor: float = DEFAULT_OUTLIER_FACTOR
    min_speed_mps: float = DEFAULT_OUTLIER_MIN_SPEED_MPS
    enabled: bool = True
    sigma_factor: float = DEFAULT_OUTLIER_SIGMA_FACTOR


@dataclass
class PreparedTracks:
    """Accepted reports sorted by (track_id, time) with a ``segment`` column."""

    table: pa.Table
    rejects: list[Reject] = field(default_factory=list)
    #: track_id of each report removed here (duplicates, outliers), for per-track counts
    rejected_tracks: list[str] = field(default_factory=list)
    #: per row of ``table``: how many reports its segment has, rejected ones included
    #: (:func:`airwitness.track_kernels.kept_reports`; the N of the confidence)
    segment_reports: np.ndarray | None = None


def prepare_tracks(
    table: pa.Table,
    *,
    max_gap_s: float = DEFAULT_MAX_GAP_S,
    outliers: OutlierRule | None = None,
) -> PreparedTracks:
    """Sort, de-duplicate, reject outliers, and number segments split on gaps.

    Ties in time keep input order (file, then record), so the result does not
    depend on the order in which files were given.
    """
    cleaned = clean_tracks(track_columns(table), max_gap_s=max_gap_s, outliers=outliers)
    rejected_tracks: list[str] = []
    rejects = reject_records(table, cleaned, rejected_tracks)
    out = table.take(pa.array(cleaned.kept))
    out = out.append_column("segment", pa.array(cleaned.segment, type=pa.int32()))
    return PreparedTracks(
        table=out,
        rejects=rejects,
        rejected_tracks=sorted(rejected_tracks),
        segment_reports=cleaned.segment_reports,
    )


def reject_records(
    table: pa.Table, cleaned: CleanedTracks, tracks: list[str] | None = None
) -> list[Reject]:
    """One sorted Reject per report cleaning removed (track ids added to ``tracks``)."""
    rejects: list[Reject] = []
    for code, reason in REASONS.items():
        _collect(table, cleaned.rejected_rows(code), reason, rejects, tracks)
    rejects.sort()
    return rejects


REASONS = {
    track_kernels.DUPLICATE: reasons.DUPLICATE,
    track_kernels.SAME_TIME: reasons.SAME_TIME_OTHER_POSITION,
    track_kernels.OUTLIER: reasons.POSITION_OUTLIER,
}


@dataclass
class TrackColumns:
    """The columns cleaning needs, as arrays; text keys as ranks in text order."""

    track: np.ndarray  # int64 rank of track_id
    n_tracks: int
    time_ns: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    alt: np.ndarray  # float64, NaN where unknown
    file: np.ndarray  # int64 rank of source_file
    record: np.ndarray
    leg_start: np.ndarray  # bool
    sigma: np.ndarray  # float64: each report's position error (stated, else its default)


def track_columns(table: pa.Table) -> TrackColumns:
    track, n_tracks = _string_rank(table["track_id"])
    n = table.num_rows
    if "leg_start" in table.column_names:  # a source-declared new leg starts a segment
        legs = table["leg_start"].fill_null(False).to_numpy(zero_copy_only=False)
    else:
        legs = np.zeros(n, dtype=bool)
    return TrackColumns(
        track=track,
        n_tracks=n_tracks,
        time_ns=_time_ns(table),
        lon=_floats(table["lon"]),
        lat=_floats(table["lat"]),
        alt=_floats(table["alt_m"]),
        file=_text_rank(table["source_file"]),
        record=np.ascontiguousarray(table["source_record"].to_numpy(), dtype=np.int64),
        leg_start=np.ascontiguousarray(legs, dtype=bool),
        sigma=np.ascontiguousarray(effective_sigma(table), dtype=np.float64),
    )


@dataclass
class CleanedTracks:
    """What cleaning decided, in terms of the input's rows."""

    #: input rows in (track, time, file, record) order
    order: np.ndarray
    #: ``track_kernels`` reason code per position of ``order`` (KEEP = 0)
    reason: np.ndarray
    #: input rows kept, in order
    kept: np.ndarray
    #: segment number of each kept row
    segment: np.ndarray
    #: the kept rows' values, in order (``columns.x[kept]``, gathered once)
    track: np.ndarray
    time_ns: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    alt: np.ndarray
    #: per kept row: how many reports its segment has (the N of the confidence)
    segment_reports: np.ndarray
    #: per kept row: True where a track segment starts (a new track or segment)
    new_run: np.ndarray
    #: how many tracks have kept reports
    tracks: int

    def rejected_rows(self, code: int) -> np.ndarray:
        """Input rows removed for one reason, in sorted order."""
        return self.order[self.reason == code]


def clean_tracks(
    columns: TrackColumns,
    *,
    max_gap_s: float = DEFAULT_MAX_GAP_S,
    outliers: OutlierRule | None = None,
) -> CleanedTracks:
    """Order, de-duplicate, reject outliers and number segments (no table built)."""
    rule = outliers or OutlierRule()
    c = columns
    order = track_kernels.sort_order(c.track, c.n_tracks, c.time_ns, c.file, c.record)
    track, time_ns, lon, lat, alt, leg = track_kernels.gather(
        order, c.track, c.time_ns, c.lon, c.lat, c.alt, c.leg_start
    )
    reason, segment = track_kernels.clean(
        track,
        time_ns,
        lon,
        lat,
        alt,
        leg,
        order,
        c.sigma,
        float(rule.factor),
        float(rule.min_speed_mps),
        float(rule.sigma_factor),
        bool(rule.enabled),
        float(max_gap_s),
    )
    kept, track, time_ns, lon, lat, alt, sizes, new_run, tracks = track_kernels.kept_reports(
        reason, segment, order, track, time_ns, lon, lat, alt
    )
    return CleanedTracks(
        order, reason, kept, segment, track, time_ns, lon, lat, alt, sizes, new_run, int(tracks)
    )


def _floats(column: pa.ChunkedArray) -> np.ndarray:
    values = column.to_numpy(zero_copy_only=False)
    return np.ascontiguousarray(values, dtype=np.float64)


def _string_rank(column: pa.ChunkedArray | pa.Array) -> tuple[np.ndarray, int]:
    """Each value's rank among the column's distinct values, in text order,
    and the number of distinct values."""
    encoded = pc.dictionary_encode(one_array(column))
    size = len(encoded.dictionary)
    rank = np.empty(size, dtype=np.int64)
    rank[np.asarray(pc.sort_indices(encoded.dictionary))] = np.arange(size)
    return rank[np.asarray(encoded.indices)], size


def _text_rank(column: pa.ChunkedArray) -> np.ndarray:
    """Ranks of a column of few distinct strings (file names), dictionary or plain."""
    chunks = [
        c if pa.types.is_dictionary(c.type) else pc.dictionary_encode(c) for c in column.chunks
    ]
    names = sorted({v for c in chunks for v in c.dictionary.to_pylist()})
    rank = {name: i for i, name in enumerate(names)}
    parts = [
        np.asarray([rank[v] for v in c.dictionary.to_pylist()], dtype=np.int64)[
            c.indices.to_numpy(zero_copy_only=False)  # any integer type indexes
        ]
        for c in chunks
    ]
    if len(parts) == 1:  # a spilled partition: no copy
        return parts[0]
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def track_starts(track_id: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """Boolean array: True where a new track begins (input sorted by track)."""
    ids = pc.cast(track_id, pa.string())
    n = len(ids)
    start = np.ones(n, dtype=bool)
    if n > 1:
        same = pc.equal(ids[1:], ids[:-1])
        start[1:] = ~np.asarray(same.to_numpy(zero_copy_only=False), dtype=bool)
    return start


def _time_ns(table: pa.Table) -> np.ndarray:
    return np.ascontiguousarray(one_array(table["time"]).cast(pa.int64()).to_numpy())


def _collect(
    table: pa.Table, idx: np.ndarray, reason: str, rejects: list[Reject], tracks: list[str] | None
) -> None:
    if idx.size == 0:
        return
    if tracks is not None:
        tracks.extend(table["track_id"].take(idx).to_pylist())
    files = pc.cast(table["source_file"], pa.string()).take(idx).to_pylist()
    records = table["source_record"].take(idx).to_pylist()
    rejects.extend(Reject(f, r, reason) for f, r in zip(files, records, strict=True))
