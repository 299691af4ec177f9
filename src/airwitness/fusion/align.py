"""Two tracks at the same instants: where one track's reports lie from the other's path.

Track B's reports are compared with track A's path at B's own times: A's
position there is interpolated linearly between A's two reports around it (of
one segment, at most ``max_interp_s`` apart), its error likewise, plus what a
straight line may miss of a turning object (``manoeuvre_mps2 · Δt² / 8``). The
offset of B's report from that point, east and north in metres, against the
combined per-axis σ, is the evidence both association and spoofing weigh.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from airwitness.fusion.trackset import M_PER_DEG, TrackSet

#: the largest acceleration (m/s²) a straight line between two reports need allow for
MANOEUVRE_MPS2 = 10.0
#: A's velocity at a time is measured over this long a baseline (s), for comparison
#: with a reported velocity
VELOCITY_BASELINE_S = 20.0


@dataclass(frozen=True)
class Aligned:
    """B's reports that fall inside A's path, in time order."""

    rows: np.ndarray  # rows of B (in the track set)
    time_ns: np.ndarray
    east_m: np.ndarray  # B minus A
    north_m: np.ndarray
    sigma_m: np.ndarray  # combined σ per axis

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def z2(self) -> np.ndarray:
        """Squared offset in units of the combined σ (χ² with 2 degrees of freedom
        when both are the same object and the errors are as stated)."""
        return (self.east_m**2 + self.north_m**2) / self.sigma_m**2


def align(ts: TrackSet, a: int, b: int, max_interp_s: float) -> Aligned:
    """B's reports against A's path (see the module docs)."""
    rows_b = np.arange(ts.start[b], ts.stop[b])
    at = _interpolate(ts, a, ts.time_ns[rows_b], max_interp_s)
    ok = at.ok
    rows = rows_b[ok]
    lat0 = np.radians(ts.lat[rows])
    east = _dlon(ts.lon[rows], at.lon[ok]) * np.cos(lat0) * M_PER_DEG
    north = (ts.lat[rows] - at.lat[ok]) * M_PER_DEG
    sigma = np.sqrt(ts.sigma[rows] ** 2 + at.sigma[ok] ** 2)
    return Aligned(rows, ts.time_ns[rows], east, north, sigma)


def velocity_at(
    ts: TrackSet, a: int, time_ns: np.ndarray, max_interp_s: float
) -> tuple[np.ndarray, np.ndarray]:
    """A's velocity (east, north m/s) at each time, from its path half a baseline
    before and after (NaN where its path does not reach)."""
    half = int(VELOCITY_BASELINE_S / 2 * 1e9)
    before = _interpolate(ts, a, time_ns - half, max_interp_s)
    after = _interpolate(ts, a, time_ns + half, max_interp_s)
    ok = before.ok & after.ok
    lat0 = np.radians(before.lat)
    ve = _dlon(after.lon, before.lon) * np.cos(lat0) * M_PER_DEG / VELOCITY_BASELINE_S
    vn = (after.lat - before.lat) * M_PER_DEG / VELOCITY_BASELINE_S
    return np.where(ok, ve, np.nan), np.where(ok, vn, np.nan)


@dataclass(frozen=True)
class _At:
    ok: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    sigma: np.ndarray  # the interpolated σ and the straight line's allowance


def _interpolate(ts: TrackSet, a: int, time_ns: np.ndarray, max_interp_s: float) -> _At:
    """A's position at each time (``ok`` False where it has none to interpolate)."""
    lo, hi = int(ts.start[a]), int(ts.stop[a])
    ta = ts.time_ns[lo:hi]
    if hi - lo < 2:
        nan = np.full(len(time_ns), np.nan)
        return _At(np.zeros(len(time_ns), dtype=bool), nan, nan, nan)
    k = np.clip(np.searchsorted(ta, time_ns, side="right") - 1, 0, hi - lo - 2)
    i0 = lo + k
    i1 = i0 + 1
    dt = (ts.time_ns[i1] - ts.time_ns[i0]).astype(np.float64)
    frac = (time_ns - ts.time_ns[i0]) / np.where(dt > 0, dt, 1.0)
    ok = (frac >= 0.0) & (frac <= 1.0) & (dt > 0) & (dt <= max_interp_s * 1e9)
    ok &= ts.segment[i0] == ts.segment[i1]
    lon = ts.lon[i0] + frac * _dlon(ts.lon[i1], ts.lon[i0])
    lon = (lon + 180.0) % 360.0 - 180.0
    lat = ts.lat[i0] + frac * (ts.lat[i1] - ts.lat[i0])
    straight = MANOEUVRE_MPS2 * (dt / 1e9) ** 2 / 8.0
    sigma = ts.sigma[i0] + frac * (ts.sigma[i1] - ts.sigma[i0])
    return _At(ok, lon, lat, np.sqrt(sigma**2 + straight**2))


def _dlon(lon1: np.ndarray, lon0: np.ndarray) -> np.ndarray:
    """lon1 − lon0 the short way round (degrees)."""
    return (lon1 - lon0 + 540.0) % 360.0 - 180.0
