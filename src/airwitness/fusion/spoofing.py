"""Spoofing by disagreement: a self-reported track that departs from what a sensor
measured of the same object (docs/fusion.md).

For every associated pair of a self-reported track (ADS-B, Remote ID, a log: the
object's own navigation, which GNSS spoofing displaces) and a measured one
(radar, MLAT), the self-reported reports are compared with the measured path at
their instants (:mod:`.align`). One report's offset could be noise; the mean
offset of the reports within ``window_s`` around it is much less so. Its size in
units of its σ — the reports' combined σ over √m, with at most
``max_independent`` of the m reports taken as independent (GNSS and radar
errors drift: neighbouring errors are not independent) — above ``z_flag``
makes the report ``suspect``: with errors as stated, an honest report is
flagged with chance below exp(−z²/2) ≈ 0.03 % (Rayleigh tail, z 4). The default
4 rather than 3.5: on the fusion benchmark's scenarios both detect every report
displaced by 3 combined σ or more, and 4 flags no never-spoofed track where 3.5
flagged one, a 2D radar's track whose assumed height band (docs/tracking.md) is a
bias the window's averaging cannot remove (BENCHMARKS.md).

The reason says by how much, against which track, and whether the track's
*reported* velocity kept matching the motion the sensor measured while its
positions departed: a receiver that is fed false positions still reports its
true velocity from Doppler, or a spoofer replays a plausible one, and the
combination — position displaced, velocity true — is the signature of GNSS
spoofing rather than of a wrong association.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from airwitness.fusion.align import align, velocity_at
from airwitness.fusion.associate import Pair
from airwitness.fusion.trackset import TrackSet


@dataclass(frozen=True)
class SpoofRules:
    """The thresholds of spoofing by disagreement (see the module docs)."""

    window_s: float = 30.0
    max_independent: int = 4
    z_flag: float = 4.0
    #: the reported velocity "matches" the measured motion within this (m/s)
    velocity_match_mps: float = 15.0
    max_interp_s: float = 30.0


@dataclass
class Spoofing:
    """Suspect reports (rows of the track set) and, per suspect track, why."""

    suspect: np.ndarray  # bool per report
    offset_m: np.ndarray  # per report: its offset from the measured path (NaN: none)
    reasons: dict[int, str] = field(default_factory=dict)  # track -> reason
    against: dict[int, int] = field(default_factory=dict)  # track -> the measured track


def find_spoofing(ts: TrackSet, pairs: list[Pair], rules: SpoofRules | None = None) -> Spoofing:
    """The reports of self-reported tracks that the measured tracks contradict."""
    rules = rules or SpoofRules()
    n = len(ts.time_ns)
    out = Spoofing(np.zeros(n, dtype=bool), np.full(n, np.nan))
    for p in pairs:
        for measured, reported in ((p.a, p.b), (p.b, p.a)):
            if ts.measured(measured) and ts.self_reported(reported):
                _check(ts, measured, reported, rules, out)
    return out


def _check(ts: TrackSet, measured: int, reported: int, rules: SpoofRules, out: Spoofing) -> None:
    al = align(ts, measured, reported, rules.max_interp_s)
    if not len(al):
        return
    z = _window_z(al.time_ns, al.east_m, al.north_m, al.sigma_m, rules)
    offset = np.hypot(al.east_m, al.north_m)
    out.offset_m[al.rows] = np.fmin(out.offset_m[al.rows], offset)
    flagged = z > rules.z_flag
    if not flagged.any():
        return
    out.suspect[al.rows[flagged]] = True
    if reported in out.reasons and out.against[reported] != measured:
        return  # the first measured track that contradicts it names the reason
    out.against[reported] = measured
    sigma_units = offset[flagged] / al.sigma_m[flagged]
    times = al.time_ns[flagged]
    text = (
        f"{ts.sensor[reported]} positions depart from {ts.ids[measured]} "
        f"({ts.sensor[measured]}) by up to {_km(offset[flagged].max())} "
        f"(median {_km(np.median(offset[flagged]))}, {np.median(sigma_units):.0f} σ) "
        f"over {int(flagged.sum())} reports, {_hms(times[0])}–{_hms(times[-1])} UTC"
    )
    clause = _velocity_clause(ts, measured, al.rows[flagged], rules)
    out.reasons[reported] = text + clause


def _window_z(t, east, north, sigma, rules: SpoofRules) -> np.ndarray:
    """Per report: the mean offset of the reports within the window around it, in
    units of its σ (see the module docs)."""
    half = int(rules.window_s / 2 * 1e9)
    lo = np.searchsorted(t, t - half, side="left")
    hi = np.searchsorted(t, t + half, side="right")
    ce, cn, cs = (np.r_[0.0, np.cumsum(v)] for v in (east, north, sigma**2))
    m = (hi - lo).astype(np.float64)
    mean_e, mean_n = (ce[hi] - ce[lo]) / m, (cn[hi] - cn[lo]) / m
    mean_s2 = (cs[hi] - cs[lo]) / m
    sigma_mean = np.sqrt(mean_s2 / np.minimum(m, rules.max_independent))
    return np.hypot(mean_e, mean_n) / sigma_mean


def _velocity_clause(ts: TrackSet, measured: int, rows: np.ndarray, rules: SpoofRules) -> str:
    """Whether the suspect reports' own velocity matched the measured motion."""
    gs, trk = ts.ground_speed[rows], np.radians(ts.track_deg[rows])
    ve_m, vn_m = velocity_at(ts, measured, ts.time_ns[rows], rules.max_interp_s)
    diff = np.hypot(gs * np.sin(trk) - ve_m, gs * np.cos(trk) - vn_m)
    diff = diff[np.isfinite(diff)]
    if len(diff) < 3:
        return ""
    median = float(np.median(diff))
    if median <= rules.velocity_match_mps:
        return (
            f"; its reported velocity kept matching the measured motion (within "
            f"{median:.0f} m/s) while its positions departed: a GNSS spoofing signature"
        )
    return f"; its reported velocity differs from the measured motion too ({median:.0f} m/s)"


def _km(metres: float) -> str:
    return f"{metres / 1000:.1f} km" if metres >= 1000 else f"{metres:.0f} m"


def _hms(ns: int) -> str:
    return dt.datetime.fromtimestamp(int(ns) // 1_000_000_000, dt.UTC).strftime("%H:%M:%S")
