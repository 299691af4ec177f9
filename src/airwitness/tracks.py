"""Turn raw position reports into clean track segments (ARCHITECTURE §4).

Sort each track by time, drop exact duplicates, reject isolated position
outliers and split on gaps. Nothing is dropped silently: every removed report
becomes a :class:`~airwitness.schema.Reject` naming its file and record.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from airwitness.geodesy import haversine_m
from airwitness.schema import Reject

DEFAULT_MAX_GAP_S = 1800.0
DEFAULT_OUTLIER_MIN_SPEED_MPS = 50.0
DEFAULT_OUTLIER_FACTOR = 2.0

REASON_DUPLICATE = "duplicate"
REASON_SAME_TIME = "same time, other position"
REASON_OUTLIER = "position outlier"


@dataclass(frozen=True)
class OutlierRule:
    """Report *i* is an outlier when the speeds implied from *i−1* to *i* and from
    *i* to *i+1* both exceed ``max(factor × v, min_speed_mps)``, *v* being the
    speed implied from *i−1* to *i+1* directly: the neighbours agree with each
    other, the point does not. ``enabled=False`` keeps every report."""

    factor: float = DEFAULT_OUTLIER_FACTOR
    min_speed_mps: float = DEFAULT_OUTLIER_MIN_SPEED_MPS
    enabled: bool = True


@dataclass
class PreparedTracks:
    """Accepted reports sorted by (track_id, time) with a ``segment`` column."""

    table: pa.Table
    rejects: list[Reject] = field(default_factory=list)
    #: track_id of each report removed here (duplicates, outliers), for per-track counts
    rejected_tracks: list[str] = field(default_factory=list)


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
    outliers = outliers or OutlierRule()
    table = _sorted(table)
    rejects: list[Reject] = []
    rejected_tracks: list[str] = []

    keep = _duplicate_mask(table, rejects, rejected_tracks)
    table = table.filter(pa.array(keep))

    if outliers.enabled and table.num_rows >= 3:
        keep = _outlier_mask(table, outliers)
        _collect(table, ~keep, REASON_OUTLIER, rejects, rejected_tracks)
        table = table.filter(pa.array(keep))

    segment = _segments(table, max_gap_s)
    table = table.append_column("segment", pa.array(segment, type=pa.int32()))
    rejects.sort()
    return PreparedTracks(table=table, rejects=rejects, rejected_tracks=sorted(rejected_tracks))


def _sorted(table: pa.Table) -> pa.Table:
    """Rows by (track_id, time, source_file, source_record), strings compared as text.

    Strings are replaced by their rank among the distinct values first, so the
    sort itself runs on integers (several times faster than on strings).
    """
    n = table.num_rows
    if n == 0:
        return table
    track = _string_rank(table["track_id"])
    file = _string_rank(pc.cast(table["source_file"], pa.string()))
    t = _time_ns(table)
    record = table["source_record"].to_numpy()
    order = np.lexsort((record, file, t, track))
    return table.take(pa.array(order))


def _string_rank(column: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """Each value's rank among the column's distinct values, in text order."""
    encoded = pc.dictionary_encode(
        column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    )
    rank = np.empty(len(encoded.dictionary), dtype=np.int64)
    rank[np.asarray(pc.sort_indices(encoded.dictionary))] = np.arange(len(encoded.dictionary))
    return rank[np.asarray(encoded.indices)]


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
    return np.asarray(table["time"].combine_chunks().cast(pa.int64()).to_numpy())


def _duplicate_mask(table: pa.Table, rejects: list[Reject], tracks: list[str]) -> np.ndarray:
    """Keep the first of reports sharing track and time; count the others."""
    n = table.num_rows
    keep = np.ones(n, dtype=bool)
    if n < 2:
        return keep
    start = track_starts(table["track_id"])
    t = _time_ns(table)
    lon = table["lon"].to_numpy()
    lat = table["lat"].to_numpy()
    alt = table["alt_m"].to_numpy(zero_copy_only=False).astype(np.float64)
    same_time = np.zeros(n, dtype=bool)
    same_time[1:] = (~start[1:]) & (t[1:] == t[:-1])
    if not same_time.any():
        return keep
    # Compare each report with the first report of its same-time run.
    run_first = np.arange(n)
    for i in np.flatnonzero(same_time):  # runs are rare and short
        run_first[i] = run_first[i - 1]
    f = run_first
    same_alt = (alt == alt[f]) | (np.isnan(alt) & np.isnan(alt[f]))
    exact = same_time & (lon == lon[f]) & (lat == lat[f]) & same_alt
    other = same_time & ~exact
    keep[same_time] = False
    _collect(table, exact, REASON_DUPLICATE, rejects, tracks)
    _collect(table, other, REASON_SAME_TIME, rejects, tracks)
    return keep


def _outlier_mask(table: pa.Table, rule: OutlierRule) -> np.ndarray:
    n = table.num_rows
    start = track_starts(table["track_id"])
    end = np.zeros(n, dtype=bool)
    end[:-1] = start[1:]
    end[-1] = True
    t = _time_ns(table) / 1e9
    lon = table["lon"].to_numpy()
    lat = table["lat"].to_numpy()

    interior = np.flatnonzero(~start & ~end)
    keep = np.ones(n, dtype=bool)
    if interior.size == 0:
        return keep
    prev, nxt = interior - 1, interior + 1
    v_in = _speed(lon[prev], lat[prev], t[prev], lon[interior], lat[interior], t[interior])
    v_out = _speed(lon[interior], lat[interior], t[interior], lon[nxt], lat[nxt], t[nxt])
    v_direct = _speed(lon[prev], lat[prev], t[prev], lon[nxt], lat[nxt], t[nxt])
    limit = np.maximum(rule.factor * v_direct, rule.min_speed_mps)
    keep[interior[(v_in > limit) & (v_out > limit)]] = False
    return keep


def _speed(lon0, lat0, t0, lon1, lat1, t1) -> np.ndarray:
    dt = np.maximum(t1 - t0, 1e-9)  # times are strictly increasing after de-duplication
    return haversine_m(lon0, lat0, lon1, lat1) / dt


def _segments(table: pa.Table, max_gap_s: float) -> np.ndarray:
    n = table.num_rows
    if n == 0:
        return np.zeros(0, dtype=np.int32)
    start = track_starts(table["track_id"])
    t = _time_ns(table)
    gap = np.zeros(n, dtype=bool)
    gap[1:] = (np.diff(t) > max_gap_s * 1e9) & ~start[1:]
    if "leg_start" in table.column_names:  # a source-declared new leg starts a segment
        legs = table["leg_start"].fill_null(False).to_numpy(zero_copy_only=False)
        gap |= np.asarray(legs, dtype=bool) & ~start
    # Segment number restarts at 0 on each track: cumulative gaps minus the
    # cumulative count at the track's first row.
    cum = np.cumsum(gap)
    first = np.maximum.accumulate(np.where(start, np.arange(n), 0))
    return (cum - cum[first]).astype(np.int32)


def _collect(
    table: pa.Table, mask: np.ndarray, reason: str, rejects: list[Reject], tracks: list[str]
) -> None:
    idx = np.flatnonzero(mask)
    if idx.size == 0:
        return
    tracks.extend(table["track_id"].take(idx).to_pylist())
    files = pc.cast(table["source_file"], pa.string()).take(idx).to_pylist()
    records = table["source_record"].take(idx).to_pylist()
    rejects.extend(Reject(f, r, reason) for f, r in zip(files, records, strict=True))
