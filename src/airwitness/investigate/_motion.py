"""Per-report motion arrays shared by track classification and integrity checks.

Both need the reports of each segment in time order, the distance and time to
the previous report (and to the one before it), and the reported values as
float arrays with NaN for null. Computing them once, vectorised, keeps the two
modules short and in agreement.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from airwitness.geodesy import haversine_m
from airwitness.tracks import track_starts


@dataclass(frozen=True)
class Motion:
    """Reports sorted by (track_id, segment, time); arrays aligned with ``table``.

    ``prev1[i]`` is True when report *i−1* belongs to the same segment (so
    ``d1, dt1, v1`` describe the step *i−1 → i*, NaN otherwise); ``prev2`` and
    ``d2, dt2, v2`` the same for *i−2 → i*.
    """

    table: pa.Table
    track_start: np.ndarray  # bool: first report of a track
    seg_start: np.ndarray  # bool: first report of a segment
    t: np.ndarray  # seconds since the epoch
    lon: np.ndarray
    lat: np.ndarray
    alt: np.ndarray
    gs: np.ndarray
    vr: np.ndarray
    prev1: np.ndarray
    prev2: np.ndarray
    d1: np.ndarray
    dt1: np.ndarray
    v1: np.ndarray
    d2: np.ndarray
    dt2: np.ndarray
    v2: np.ndarray

    @property
    def n(self) -> int:
        return self.table.num_rows

    def track_index(self) -> np.ndarray:
        """0-based track number of each report."""
        return np.cumsum(self.track_start) - 1

    def records(self, idx: np.ndarray) -> list[str]:
        """``source_file:source_record`` of the given reports."""
        idx = pa.array(np.asarray(idx, dtype=np.int64))
        files = pc.cast(self.table["source_file"], pa.string()).take(idx).to_pylist()
        recs = self.table["source_record"].take(idx).to_pylist()
        return [f"{f}:{r}" for f, r in zip(files, recs, strict=True)]


def _floats(table: pa.Table, name: str) -> np.ndarray:
    col = table[name]
    if col.null_count == 0:
        return np.asarray(col.to_numpy(), dtype=np.float64)
    return np.asarray(pc.fill_null(col, np.nan).to_numpy(), dtype=np.float64)


def ordered(table: pa.Table) -> pa.Table:
    """Sort by (track_id, segment, time), ties by file and record; add ``segment`` = 0 if absent."""
    if "segment" not in table.column_names:
        table = table.append_column("segment", pa.array(np.zeros(table.num_rows, np.int32)))
    keys = pa.table(
        {
            "track_id": table["track_id"],
            "segment": table["segment"],
            "time": table["time"],
            "file": pc.cast(table["source_file"], pa.string()),
            "record": table["source_record"],
        }
    )
    order = pc.sort_indices(
        keys,
        sort_keys=[(k, "ascending") for k in ("track_id", "segment", "time", "file", "record")],
    )
    return table.take(order)


def motion(table: pa.Table) -> Motion:
    """Motion arrays of ``table`` (any canonical table, prepared or not)."""
    table = ordered(table)
    n = table.num_rows
    track_start = track_starts(table["track_id"]) if n else np.zeros(0, dtype=bool)
    seg = np.asarray(table["segment"].to_numpy(), dtype=np.int64)
    seg_start = track_start.copy()
    if n > 1:
        seg_start[1:] |= seg[1:] != seg[:-1]
    t = np.asarray(table["time"].combine_chunks().cast(pa.int64()).to_numpy()) / 1e9
    lon = _floats(table, "lon")
    lat = _floats(table, "lat")

    # prev1: i-1 in the same segment; prev2: i-2 as well.
    prev1 = np.zeros(n, dtype=bool)
    prev1[1:] = ~seg_start[1:]
    prev2 = np.zeros(n, dtype=bool)
    prev2[2:] = prev1[2:] & prev1[1:-1]

    def step(k: int, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        d = np.full(n, np.nan)
        dt = np.full(n, np.nan)
        if n > k:
            d[k:] = haversine_m(lon[:-k], lat[:-k], lon[k:], lat[k:])
            dt[k:] = t[k:] - t[:-k]
        d[~mask] = np.nan
        dt[~mask] = np.nan
        with np.errstate(divide="ignore", invalid="ignore"):
            v = np.where(dt > 0, d / dt, np.nan)  # equal times: no speed, not infinity
        return d, dt, v

    d1, dt1, v1 = step(1, prev1)
    d2, dt2, v2 = step(2, prev2)
    return Motion(
        table=table,
        track_start=track_start,
        seg_start=seg_start,
        t=t,
        lon=lon,
        lat=lat,
        alt=_floats(table, "alt_m"),
        gs=_floats(table, "ground_speed_mps"),
        vr=_floats(table, "vrate_mps"),
        prev1=prev1,
        prev2=prev2,
        d1=d1,
        dt1=dt1,
        v1=v1,
        d2=d2,
        dt2=dt2,
        v2=v2,
    )


def group_quantile(values: np.ndarray, group: np.ndarray, ngroups: int, q: float) -> np.ndarray:
    """Quantile ``q`` (linear, as ``np.percentile``) of ``values`` per group, NaNs ignored.

    ``group`` holds each value's group number (0 … ngroups−1). Groups without a
    finite value get NaN. One sort for all groups instead of a Python loop.
    """
    out = np.full(ngroups, np.nan)
    finite = np.isfinite(values)
    if not finite.any():
        return out
    v = values[finite]
    g = group[finite]
    order = np.lexsort((v, g))
    v = v[order]
    count = np.bincount(g, minlength=ngroups)
    first = np.concatenate([[0], np.cumsum(count)[:-1]])
    has = count > 0
    pos = q * (count[has] - 1)
    lo = np.floor(pos).astype(np.int64)
    hi = np.minimum(lo + 1, count[has] - 1)
    frac = pos - lo
    base = first[has]
    out[has] = v[base + lo] * (1 - frac) + v[base + hi] * frac
    return out
