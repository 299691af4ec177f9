"""Prepared tracks as per-track and per-report arrays, for comparing tracks.

A track's *sensor* is the ``sensor`` most of its reports carry (``unknown`` where
none says); its *identity* the ``identity`` most of them carry (None if none).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from airwitness.geodesy import EARTH_RADIUS_M
from airwitness.schema import SELF_REPORTED, one_array
from airwitness.tracks import track_starts
from airwitness.uncertainty import effective_sigma

#: The sensor of a track whose reports do not say
UNKNOWN = "unknown"
M_PER_DEG = EARTH_RADIUS_M * np.pi / 180.0


@dataclass(frozen=True)
class TrackSet:
    """Tracks ``k = 0..n-1`` are rows ``start[k]:stop[k]`` of the prepared table."""

    ids: list[str]
    start: np.ndarray
    stop: np.ndarray
    sensor: list[str]
    identity: list[str | None]
    #: per report
    time_ns: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    alt: np.ndarray  # m (NaN: unknown)
    sigma: np.ndarray
    segment: np.ndarray
    ground_speed: np.ndarray  # reported, m/s (NaN: not reported)
    track_deg: np.ndarray

    def __len__(self) -> int:
        return len(self.ids)

    def rows(self, k: int) -> slice:
        return slice(int(self.start[k]), int(self.stop[k]))

    def span(self, k: int) -> tuple[int, int]:
        return int(self.time_ns[self.start[k]]), int(self.time_ns[self.stop[k] - 1])

    def self_reported(self, k: int) -> bool:
        """Whether track ``k``'s positions come from the object's own navigation."""
        return self.sensor[k] in SELF_REPORTED

    def measured(self, k: int) -> bool:
        """Whether a sensor measured track ``k`` (independently of the object)."""
        return self.sensor[k] not in SELF_REPORTED and self.sensor[k] != UNKNOWN

    def index(self) -> dict[str, int]:
        return {t: k for k, t in enumerate(self.ids)}


def track_set(table: pa.Table) -> TrackSet:
    """The tracks of a prepared table (sorted by track and time, with ``segment``)."""
    n = table.num_rows
    starts = np.flatnonzero(track_starts(table["track_id"])) if n else np.zeros(0, np.int64)
    stops = np.r_[starts[1:], n].astype(np.int64) if n else np.zeros(0, np.int64)
    ids = pc.cast(table["track_id"], pa.string()).take(pa.array(starts)).to_pylist() if n else []
    return TrackSet(
        ids=ids,
        start=starts.astype(np.int64),
        stop=stops,
        sensor=_most_common(table, "sensor", starts, stops, UNKNOWN),
        identity=_most_common(table, "identity", starts, stops, None),
        time_ns=np.asarray(one_array(table["time"]).cast(pa.int64()).to_numpy()),
        lon=_floats(table, "lon"),
        lat=_floats(table, "lat"),
        alt=_floats(table, "alt_m"),
        sigma=effective_sigma(table) if n else np.zeros(0),
        segment=table["segment"].to_numpy() if n else np.zeros(0, np.int32),
        ground_speed=_floats(table, "ground_speed_mps"),
        track_deg=_floats(table, "track_deg"),
    )


def _floats(table: pa.Table, name: str) -> np.ndarray:
    column = one_array(table[name]).cast(pa.float64())
    return np.asarray(column.to_numpy(zero_copy_only=False), dtype=np.float64)


def _most_common(
    table: pa.Table, name: str, starts: np.ndarray, stops: np.ndarray, default: str | None
) -> list:
    """Per track, its reports' most common non-null value of ``name`` (ties: the
    smallest), else ``default``."""
    n_tracks = len(starts)
    if name not in table.column_names or not n_tracks:
        return [default] * n_tracks
    encoded = pc.dictionary_encode(pc.cast(table[name], pa.string())).combine_chunks()
    values = encoded.dictionary.to_pylist()
    if not values:
        return [default] * n_tracks
    codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    rank = np.empty(len(values), dtype=np.int64)
    rank[sorted(range(len(values)), key=values.__getitem__)] = np.arange(len(values))
    by_rank = sorted(values)
    track = np.repeat(np.arange(n_tracks), stops - starts)
    known = codes >= 0
    keys, counts = np.unique(track[known] * len(values) + rank[codes[known]], return_counts=True)
    owner, value = keys // len(values), keys % len(values)
    best = np.lexsort((value, -counts, owner))  # per track: most common, then smallest
    first = best[np.r_[True, owner[best][1:] != owner[best][:-1]]]
    out: list = [default] * n_tracks
    for t, v in zip(owner[first].tolist(), value[first].tolist(), strict=True):
        out[t] = by_rank[v]
    return out
