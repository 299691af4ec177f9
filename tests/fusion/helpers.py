"""Tracks of several sensors built by hand: straight flights along the equator."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa

from airwitness.fusion.trackset import M_PER_DEG
from airwitness.schema import concat, make_table
from airwitness.tracks import prepare_tracks
from tests.helpers import T0


def flight(
    track: str,
    sensor: str,
    *,
    times: Sequence[float],
    speed_mps: float = 100.0,
    lon0: float = 1.9,
    north_m: float | Sequence[float] = 0.0,
    east_m: float | Sequence[float] = 0.0,
    identity: str | None = None,
    alt_m: float | None = None,
    sigma_m: float = 30.0,
    reported_velocity: bool = False,
    source_file: str | None = None,
) -> pa.Table:
    """A flight due east along the equator from ``lon0`` at ``speed_mps``, seen by
    ``sensor`` at ``times`` (s after T0), displaced ``north_m`` and ``east_m`` (per
    report or all)."""
    t = np.asarray(times, dtype=np.float64)
    north = np.broadcast_to(np.asarray(north_m, dtype=np.float64), t.shape)
    east = np.broadcast_to(np.asarray(east_m, dtype=np.float64), t.shape)
    columns = {
        "track_id": [track] * len(t),
        "time": (T0 + np.round(t * 1e9)).astype(np.int64),
        "lon": lon0 + (speed_mps * t + east) / M_PER_DEG,
        "lat": north / M_PER_DEG,
        "pos_sigma_m": np.full(len(t), sigma_m),
        "alt_m": np.full(len(t), np.nan if alt_m is None else alt_m),
        "sensor": pa.array([sensor] * len(t), pa.string()),
        "identity": pa.array([identity] * len(t), pa.string()),
        "source_record": np.arange(1, len(t) + 1),
    }
    if reported_velocity:
        columns["ground_speed_mps"] = np.full(len(t), speed_mps)
        columns["track_deg"] = np.full(len(t), 90.0)
    return make_table(columns, source="csv", source_file=source_file or f"{track}.csv")


def prepared(*tables: pa.Table) -> pa.Table:
    """The tables together, as prepare_tracks gives them."""
    return prepare_tracks(concat(list(tables))).table
