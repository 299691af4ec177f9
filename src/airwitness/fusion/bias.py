"""A radar's systematic errors, estimated from the objects it shares with ADS-B.

A radar whose range reads long by a constant, whose azimuth is turned by a
constant (a misaligned north), or whose clock runs late by a constant, displaces
every plot in a way its own polar frame predicts. Where the radar's tracks are
associated with self-reported ones (ADS-B, whose GNSS positions and times have
no such error), each radar report can be compared with the self-reported path at
its instant, as seen from the radar's site: the differences in slant range (what
a radar measures: from the ground distance and the report's height above the
site, with the Earth's curvature; a report without a height is taken at the
site's) and in azimuth are

    Δslant = b_range − ṡ · Δt,    Δazimuth = b_azimuth − ȧ · Δt,

plus noise, where ṡ and ȧ are the path's rates of slant range and azimuth there
and Δt is the radar's time minus the truth (a late clock shows the object where it
was Δt earlier). Over at least ``min_tracks`` associated tracks and
``min_reports`` reports the three are fitted by weighted least squares (each
component weighted by its robust spread), dropping, over three rounds, reports more
than ``outlier_mads`` median absolute deviations off the fit (a spoofed stretch
must not pull it); their standard errors come from the fit. Objects flying every
way round the radar separate a time offset from a range bias; where they cannot,
its standard error says so. A bias is *applied* — the radar's reports moved back by
it in slant range and azimuth from the site, and their times by the time offset,
before crossings are found — when it is both larger than ``significance`` standard
errors and larger than ``min_range_m`` / ``min_azimuth_deg`` / ``min_time_s``: a
bias the data cannot tell from noise changes nothing.

The site (lon, lat, height) is the radar's in the sensors file
(``asterix:<SAC>/<SIC>`` or its name), else the one its capture states (CAT034
I034/120): without one, nothing is estimated for that radar.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from pyproj import Geod

from airwitness.fusion.align import align, velocity_at
from airwitness.fusion.associate import Pair
from airwitness.fusion.trackset import M_PER_DEG, TrackSet
from airwitness.geodesy import EARTH_RADIUS_M
from airwitness.schema import one_array

_GEOD = Geod(ellps="WGS84")
#: a site: lon, lat (degrees), height (m, as the sensors file gives it)
Site = tuple[float, float, float]


@dataclass(frozen=True)
class BiasRules:
    """When a radar's bias is estimated and applied (see the module docs)."""

    min_tracks: int = 3
    min_reports: int = 50
    outlier_mads: float = 5.0
    significance: float = 5.0
    min_range_m: float = 10.0
    min_azimuth_deg: float = 0.01
    min_time_s: float = 0.05
    max_interp_s: float = 30.0


@dataclass(frozen=True)
class RadarBias:
    """A radar's estimated biases (measured minus true) and what they rest on; each
    bias is taken out when ``applied`` says so."""

    sensor: str
    range_m: float
    range_se_m: float
    azimuth_deg: float
    azimuth_se_deg: float
    time_s: float
    time_se_s: float
    tracks: int
    reports: int
    applied_range: bool
    applied_azimuth: bool
    applied_time: bool

    @property
    def applied(self) -> bool:
        return self.applied_range or self.applied_azimuth or self.applied_time

    def describe(self) -> str:
        def part(name: str, value: str, done: bool) -> str:
            return f"{name} {value}" + ("" if done else " (not applied)")

        ranged = np.isfinite(self.range_se_m)
        in_range = f"{self.range_m:+.1f} ± {self.range_se_m:.1f} m" if ranged else ""
        parts = [
            part("range", in_range, self.applied_range)
            if ranged
            else "range not estimated (the radar measures no height)",
            part(
                "azimuth",
                f"{self.azimuth_deg:+.3f} ± {self.azimuth_se_deg:.3f}°",
                self.applied_azimuth,
            ),
            part("time", f"{self.time_s:+.2f} ± {self.time_se_s:.2f} s", self.applied_time),
        ]
        return (
            f"radar bias {self.sensor}: {', '.join(parts)} "
            f"(from {self.tracks} tracks, {self.reports} reports)"
        )


@dataclass(frozen=True)
class _Differences:
    """Per radar report: radar minus the self-reported path, and the path's rates."""

    slant_m: np.ndarray
    azimuth_deg: np.ndarray
    slant_rate: np.ndarray  # m/s (NaN: the path does not reach a baseline around it)
    azimuth_rate: np.ndarray  # deg/s
    has_height: np.ndarray  # the radar's report has a height (bool)

    @staticmethod
    def concat(parts: list[_Differences]) -> _Differences:
        return _Differences(
            *(np.concatenate([getattr(p, k) for p in parts]) for k in _Differences.__annotations__)
        )


def estimate_biases(
    ts: TrackSet,
    pairs: list[Pair],
    sites: Mapping[str, Site],
    rules: BiasRules | None = None,
) -> list[RadarBias]:
    """Each sited radar's biases, from its tracks associated with self-reported ones."""
    rules = rules or BiasRules()
    by_radar: dict[str, list[_Differences]] = {}
    for p in pairs:
        for radar, reported in ((p.a, p.b), (p.b, p.a)):
            sensor = ts.sensor[radar]
            if sensor in sites and ts.measured(radar) and ts.self_reported(reported):
                by_radar.setdefault(sensor, []).append(
                    _differences(ts, radar, reported, sites[sensor], rules)
                )
    out = []
    for sensor in sorted(by_radar):
        parts = [d for d in by_radar[sensor] if len(d.slant_m)]
        if len(parts) < rules.min_tracks:
            continue
        d = _Differences.concat(parts)
        ok = np.isfinite(d.slant_rate) & np.isfinite(d.azimuth_rate)
        if ok.sum() < rules.min_reports:
            continue
        # a radar that measures no height (a 2D primary radar: its tracks' reports have
        # none) places its plots in an assumed height band, which reads as a range bias
        with_range = bool(d.has_height[ok].mean() >= 0.5)
        (r, a, t), (r_se, a_se, t_se), used = _fit(d, ok, rules.outlier_mads, with_range)
        sig = rules.significance
        out.append(
            RadarBias(
                sensor, r, r_se, a, a_se, t, t_se, len(parts), used,
                abs(r) > sig * r_se and abs(r) >= rules.min_range_m,
                abs(a) > sig * a_se and abs(a) >= rules.min_azimuth_deg,
                abs(t) > sig * t_se and abs(t) >= rules.min_time_s,
            )
        )  # fmt: skip
    return out


def remove_biases(table: pa.Table, biases: list[RadarBias], sites: Mapping[str, Site]) -> pa.Table:
    """``table`` with the applied biases taken out of their radars' reports."""
    applied = [b for b in biases if b.applied]
    if not applied:
        return table
    lon = table["lon"].to_numpy().copy()
    lat = table["lat"].to_numpy().copy()
    alt = table["alt_m"].to_numpy(zero_copy_only=False).astype(np.float64)
    time_ns = np.asarray(one_array(table["time"]).cast(pa.int64()).to_numpy()).copy()
    sensor = pc.cast(table["sensor"], pa.string()).fill_null("")
    for b in applied:
        rows = np.flatnonzero(np.asarray(pc.equal(sensor, b.sensor).to_numpy(zero_copy_only=False)))
        if not len(rows):
            continue
        site_lon, site_lat, site_alt = sites[b.sensor]
        n = len(rows)
        az, _, dist = _GEOD.inv(np.full(n, site_lon), np.full(n, site_lat), lon[rows], lat[rows])
        dist = np.asarray(dist)
        height = alt[rows] - site_alt
        bias_r = b.range_m if b.applied_range else 0.0
        bias_a = b.azimuth_deg if b.applied_azimuth else 0.0
        ground = _ground(_slant(dist, height) - bias_r, height, dist)
        lon[rows], lat[rows], _ = _GEOD.fwd(
            np.full(n, site_lon), np.full(n, site_lat), az - bias_a, ground
        )
        if b.applied_time:
            time_ns[rows] -= round(b.time_s * 1e9)
    columns = (("lon", pa.array(lon)), ("lat", pa.array(lat)), ("time", _times(time_ns)))
    for name, values in columns:
        i = table.schema.get_field_index(name)
        table = table.set_column(i, table.schema.field(i), values)
    return table


def _times(ns: np.ndarray) -> pa.Array:
    return pa.array(ns, pa.int64()).cast(pa.timestamp("ns", tz="UTC"))


def _differences(
    ts: TrackSet, radar: int, reported: int, site: Site, rules: BiasRules
) -> _Differences:
    """Per radar report with the self-reported path around it: slant range and azimuth
    from the site, radar minus self-reported, and the path's rates of both there."""
    al = align(ts, reported, radar, rules.max_interp_s)  # the radar's reports on the path
    if not len(al):
        return _Differences(*(np.zeros(0) for _ in range(4)), np.zeros(0, dtype=bool))
    rows = al.rows
    lon_r, lat_r = ts.lon[rows], ts.lat[rows]
    # the path's point: the radar report moved back by its offset (east, north)
    lat_p = lat_r - al.north_m / M_PER_DEG
    lon_p = lon_r - al.east_m / (M_PER_DEG * np.cos(np.radians(lat_r)))
    n = len(rows)
    site_lon, site_lat = np.full(n, site[0]), np.full(n, site[1])
    az_r, _, d_r = _GEOD.inv(site_lon, site_lat, lon_r, lat_r)
    az_p, _, d_p = _GEOD.inv(site_lon, site_lat, lon_p, lat_p)
    d_az = (np.asarray(az_r) - np.asarray(az_p) + 540.0) % 360.0 - 180.0
    height = ts.alt[rows] - site[2]
    d_p = np.asarray(d_p)
    slant_p = _slant(d_p, height)
    d_slant = _slant(np.asarray(d_r), height) - slant_p
    ve, vn = velocity_at(ts, reported, al.time_ns, rules.max_interp_s)
    az = np.radians(np.asarray(az_p))
    ground_rate = ve * np.sin(az) + vn * np.cos(az)
    across = ve * np.cos(az) - vn * np.sin(az)  # clockwise, as azimuth grows
    slant_rate = ground_rate * d_p / np.maximum(slant_p, 1.0)
    azimuth_rate = np.degrees(across / np.maximum(d_p, 1.0))
    return _Differences(d_slant, d_az, slant_rate, azimuth_rate, np.isfinite(height))


def _slant(ground: np.ndarray, height: np.ndarray) -> np.ndarray:
    """Slant range to a point ``ground`` metres away at ``height`` above the site (NaN:
    at the site's height), the Earth's curvature included."""
    drop = ground**2 / (2.0 * EARTH_RADIUS_M)
    return np.hypot(ground, np.nan_to_num(height) + drop)


def _ground(slant: np.ndarray, height: np.ndarray, first: np.ndarray) -> np.ndarray:
    """The ground distance whose slant range at ``height`` is ``slant`` (fixed point from
    ``first``: the curvature term is small)."""
    ground = first
    h = np.nan_to_num(height)
    for _ in range(4):
        rise = h + ground**2 / (2.0 * EARTH_RADIUS_M)
        ground = np.sqrt(np.maximum(slant**2 - rise**2, 0.0))
    return ground


def _fit(
    d: _Differences, ok: np.ndarray, outlier_mads: float, with_range: bool
) -> tuple[tuple[float, float, float], tuple[float, float, float], int]:
    """(range, azimuth, time) biases, their standard errors, and the reports used: the
    weighted least-squares fit of the module docs, in three rounds that drop reports
    more than ``outlier_mads`` MADs off the fit (before the first, off the median:
    a least-squares fit is no defence against the outliers themselves). Without
    ``with_range`` only the azimuths are fitted (range 0, its error infinite)."""
    keep = ok & _near_median(d.azimuth_deg, ok, outlier_mads)
    if with_range:
        keep &= _near_median(d.slant_m, ok, outlier_mads)
    x = np.zeros(3)
    cov = np.full((3, 3), np.inf)
    for _ in range(3):
        scale_r = _mad(d.slant_m[keep] - _model(x, d, 0)[keep]) if with_range else 1.0
        scale_a = _mad(d.azimuth_deg[keep] - _model(x, d, 1)[keep])
        if not (scale_r > 0 and scale_a > 0):
            break
        rows = np.flatnonzero(keep)
        n = len(rows)
        az_rows = np.zeros((n, 3))
        az_rows[:, 1] = 1.0 / scale_a
        az_rows[:, 2] = -d.azimuth_rate[rows] / scale_a
        y = d.azimuth_deg[rows] / scale_a
        if with_range:
            range_rows = np.zeros((n, 3))
            range_rows[:, 0] = 1.0 / scale_r
            range_rows[:, 2] = -d.slant_rate[rows] / scale_r
            a_mat = np.vstack([range_rows, az_rows])
            y = np.r_[d.slant_m[rows] / scale_r, y]
        else:
            a_mat = az_rows
        x, *_ = np.linalg.lstsq(a_mat, y, rcond=None)
        res = y - a_mat @ x
        dof = max(len(y) - (3 if with_range else 2), 1)
        cov = np.linalg.pinv(a_mat.T @ a_mat) * float(res @ res) / dof
        off_a = np.abs(d.azimuth_deg - _model(x, d, 1)) / scale_a
        keep = ok & (off_a <= outlier_mads)
        if with_range:
            keep &= np.abs(d.slant_m - _model(x, d, 0)) / scale_r <= outlier_mads
    se = np.sqrt(np.diag(cov))
    if not with_range:
        se[0] = np.inf
    est = (float(x[0]), float(x[1]), float(x[2]))
    return est, (float(se[0]), float(se[1]), float(se[2])), int(keep.sum())


def _model(x: np.ndarray, d: _Differences, component: int) -> np.ndarray:
    """The fitted difference: slant range (0) or azimuth (1)."""
    if component == 0:
        return x[0] - d.slant_rate * x[2]
    return x[1] - d.azimuth_rate * x[2]


def _near_median(values: np.ndarray, ok: np.ndarray, outlier_mads: float) -> np.ndarray:
    """Where ``values`` lie within ``outlier_mads`` MADs of the median of ``values[ok]``."""
    med = float(np.median(values[ok])) if ok.any() else 0.0
    return np.abs(values - med) <= outlier_mads * max(_mad(values[ok]), 1e-12)


def _mad(values: np.ndarray) -> float:
    """The median absolute deviation from the median, as a σ."""
    if not len(values):
        return 0.0
    return float(np.median(np.abs(values - np.median(values)))) * 1.4826
