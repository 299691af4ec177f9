"""Tracks and crossings of an investigation, in the shape the drawings need.

Each report is labelled with its airspace once, here; the map and the profile
charts both colour by these labels and split at the crossing points.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from airwitness.geodesy import haversine_m

if TYPE_CHECKING:
    from airwitness.investigate.run import Investigation

ROLES = ("finding", "suspect", "other")


@dataclass(frozen=True)
class Crossing:
    track_id: str
    segment: int
    time_ns: int
    lon: float
    lat: float
    frm: str
    to: str
    kind: str
    gap_s: float
    suspect: bool  # made by an implausible segment, or contradicted by a measurement
    role: str  # finding, suspect (a relevant one that does not count), other
    sensors: int = 1  # independent sensors showing it (docs/fusion.md)
    corroborated_by: str | None = None
    reason: str | None = None  # why it is suspect


@dataclass(frozen=True)
class Track:
    track_id: str
    time_ns: np.ndarray  # int64, sorted
    lon: np.ndarray
    lat: np.ndarray
    alt_m: np.ndarray  # NaN where none
    speed_mps: np.ndarray  # reported ground speed, else implied from positions; NaN
    speed_reported: np.ndarray  # bool
    segment: np.ndarray
    label: np.ndarray  # airspace code of each report
    crossings: tuple[Crossing, ...]  # of this track, by time
    sensor: str | None = None  # who made its reports (docs/fusion.md)
    associated: tuple[str, ...] = ()  # the other tracks of the same object


def _keys(table: pa.Table) -> set[tuple[str, int]]:
    if table.num_rows == 0:
        return set()
    t = table["time"].combine_chunks().cast(pa.int64()).to_pylist()
    return set(zip(table["track_id"].to_pylist(), t, strict=True))


def crossings(inv: Investigation) -> list[Crossing]:
    """Every crossing, with its role in the case, sorted by (track, time)."""
    c = inv.crossings
    if c.num_rows == 0:
        return []
    found, suspect = _keys(inv.findings), _keys(inv.suspect)
    times = c["time"].combine_chunks().cast(pa.int64()).to_pylist()
    flags = c["suspect"].to_pylist() if "suspect" in c.column_names else [False] * c.num_rows
    names = ("segment", "lon", "lat", "from", "to", "kind", "gap_s")
    cols = [c[name].to_pylist() for name in names]
    fused = [
        c[name].to_pylist() if name in c.column_names else [default] * c.num_rows
        for name, default in (("sensors", 1), ("corroborated_by", None), ("suspect_reason", None))
    ]
    out = []
    for tid, ns, flag, seg, lon, lat, frm, to, kind, gap, n, by, why in zip(
        c["track_id"].to_pylist(), times, flags, *cols, *fused, strict=True
    ):
        key = (tid, ns)
        role = "finding" if key in found else "suspect" if key in suspect else "other"
        out.append(
            Crossing(
                tid,
                int(seg),
                int(ns),
                float(lon),
                float(lat),
                str(frm),
                str(to),
                str(kind),
                float(gap),
                bool(flag),
                role,
                int(n),
                by,
                why,
            )
        )
    return sorted(out, key=lambda x: (x.track_id, x.time_ns, x.frm, x.to))


def tracks(inv: Investigation, all_crossings: list[Crossing]) -> dict[str, Track]:
    """Every track of the prepared table, by id (ids sorted); where fusion took a radar's
    bias out, its reports where the crossings were found."""
    fusion = inv.fusion
    table = fusion.source if fusion is not None else inv.prepared.table
    if table.num_rows == 0:
        return {}
    sensor_of = dict(zip(fusion.tracks.ids, fusion.tracks.sensor, strict=True)) if fusion else {}
    partners = fusion.associated_with() if fusion else {}
    ids = np.asarray(table["track_id"].to_pylist(), dtype=object)
    t = np.asarray(table["time"].combine_chunks().cast(pa.int64()).to_numpy())
    lon = table["lon"].to_numpy()
    lat = table["lat"].to_numpy()
    alt = _floats(table, "alt_m")
    gs = _floats(table, "ground_speed_mps")
    seg = (
        table["segment"].to_numpy(zero_copy_only=False).astype(np.int64)
        if "segment" in table.column_names
        else np.zeros(len(t), dtype=np.int64)
    )
    label = inv.airspace.decode_labels(inv.airspace.label(lon, lat))
    by_track: dict[str, list[Crossing]] = {}
    for c in all_crossings:
        by_track.setdefault(c.track_id, []).append(c)
    order = np.lexsort((t, ids.astype(str)))
    ids, t, lon, lat, alt, gs, seg, label = (
        a[order] for a in (ids, t, lon, lat, alt, gs, seg, label)
    )
    cuts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1], True])
    out = {}
    for a, b in itertools.pairwise(cuts):
        tid = str(ids[a])
        speed, reported = ground_speeds(t[a:b], lon[a:b], lat[a:b], gs[a:b], seg[a:b])
        out[tid] = Track(
            tid,
            t[a:b],
            lon[a:b],
            lat[a:b],
            alt[a:b],
            speed,
            reported,
            seg[a:b],
            label[a:b],
            tuple(by_track.get(tid, ())),
            sensor_of.get(tid),
            tuple(partners.get(tid, ())),
        )
    return out


def _floats(table: pa.Table, name: str) -> np.ndarray:
    if name not in table.column_names:
        return np.full(table.num_rows, np.nan)
    return np.asarray(table[name].to_numpy(zero_copy_only=False), dtype=np.float64)


def ground_speeds(t, lon, lat, gs, seg) -> tuple[np.ndarray, np.ndarray]:
    """Reported ground speed, else the mean of the implied speeds on either side."""
    n = len(t)
    implied = np.full(n, np.nan)
    if n > 1:
        dt = np.diff(t) / 1e9
        d = haversine_m(lon[:-1], lat[:-1], lon[1:], lat[1:])
        ok = (dt > 0) & (seg[1:] == seg[:-1])
        step = np.where(ok, d / np.where(ok, dt, 1.0), np.nan)
        left = np.r_[np.nan, step]
        right = np.r_[step, np.nan]
        with np.errstate(invalid="ignore"):
            implied = np.where(
                np.isnan(left), right, np.where(np.isnan(right), left, (left + right) / 2)
            )
    reported = ~np.isnan(gs)
    return np.where(reported, gs, implied), reported


def label_runs(track: Track) -> list[tuple[int, int, str, int, int]]:
    """Runs of one label within a segment: (first, last index, label, start ns, end ns).

    A run starts and ends at the crossing that bounds it (or halfway between
    the two reports when no crossing was recorded there), so runs tile time.
    """
    n = len(track.time_ns)
    if n == 0:
        return []
    change = np.flatnonzero(
        (track.label[1:] != track.label[:-1]) | (track.segment[1:] != track.segment[:-1])
    )
    starts = np.r_[0, change + 1]
    ends = np.r_[change, n - 1]
    out = []
    for s, e in zip(starts.tolist(), ends.tolist(), strict=True):
        t0 = _boundary_time(track, s - 1) if s > 0 else int(track.time_ns[s])
        t1 = _boundary_time(track, e) if e < n - 1 else int(track.time_ns[e])
        if s > 0 and track.segment[s - 1] != track.segment[s]:
            t0 = int(track.time_ns[s])
        out.append((s, e, str(track.label[s]), t0, t1))
    return out


def boundary_point(track: Track, i: int) -> Crossing | None:
    """The recorded crossing between reports ``i`` and ``i+1``, if any."""
    if track.segment[i] != track.segment[i + 1]:
        return None
    t0, t1 = int(track.time_ns[i]), int(track.time_ns[i + 1])
    for c in track.crossings:
        if t0 <= c.time_ns <= t1 and c.segment == track.segment[i]:
            return c
    return None


def _boundary_time(track: Track, i: int) -> int:
    if track.segment[i] != track.segment[i + 1]:
        return int(track.time_ns[i])  # a run ends at the last report before a gap
    c = boundary_point(track, i)
    if c is not None:
        return c.time_ns
    return int((int(track.time_ns[i]) + int(track.time_ns[i + 1])) // 2)
