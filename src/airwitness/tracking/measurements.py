"""One sensor's detections as the filter's measurements, in the sensor's local plane.

The plane is azimuthal-equidistant about the sensor (a radar's antenna, else
its first detection), so a radar's ground distance and azimuth are exact
functions of a position in it. A 2D radar measures slant range, not ground
distance: the target's height turns one into the other. A measured height
(Mode C, a CSV's ``alt_m``) is used as it is; otherwise the settings' assumed
band is, and the spread of ground distances over the band (as a uniform
variable: its width over √12) is added to the range error — stated, not hidden.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from pyproj import CRS, Transformer

from airwitness.tracking.motion import CARTESIAN, POLAR
from airwitness.tracking.settings import TrackerSettings

WGS84_A = 6_378_137.0
WGS84_E2 = 1.0 / 298.257223563 * (2.0 - 1.0 / 298.257223563)
#: a range error at most this many times the slant range error (near the antenna,
#: where ground distance hardly changes with slant range, the factor blows up)
_MAX_RANGE_GAIN = 10.0


@dataclass
class Measurements:
    """A sensor's detections, in time order, ready for the filter."""

    kind: int  # POLAR or CARTESIAN
    rows: np.ndarray  # row of each in the detection table
    t: np.ndarray  # s since ``t0_ns``
    t0_ns: int
    z: np.ndarray  # (n, 2): (ground distance m, azimuth rad) or (x, y) m
    R: np.ndarray  # (n, 2, 2): their covariance
    xy: np.ndarray  # (n, 2): where each puts the target in the plane
    code: np.ndarray  # Mode 3/A as an integer, -1 when none
    #: the part of each one's error that smoothing cannot average away, m: the spread
    #: of ground distances over the assumed height band (the same for every plot of a
    #: target flying level)
    bias_sigma: np.ndarray
    to_plane: Transformer  # lon/lat -> plane (x east, y north)
    to_lonlat: Transformer  # plane -> lon/lat

    def __len__(self) -> int:
        return len(self.t)


def measurements(det: pa.Table, rows: np.ndarray, settings: TrackerSettings) -> Measurements:
    """The detections ``rows`` of ``det`` (one sensor's, sorted by time, then record)."""
    sub = det.take(pa.array(rows))
    t_ns = sub["time"].cast(pa.int64()).to_numpy()
    t0 = int(t_ns[0])
    t = (t_ns - t0) / 1e9
    polar = sub["range_m"].null_count < sub.num_rows
    if polar:
        lat0 = float(_floats(sub["site_lat"])[0])
        lon0 = float(_floats(sub["site_lon"])[0])
    else:
        lat0, lon0 = float(_floats(sub["lat"])[0]), float(_floats(sub["lon"])[0])
    crs = CRS.from_proj4(f"+proj=aeqd +lat_0={lat0!r} +lon_0={lon0!r} +ellps=WGS84 +units=m")
    to_plane = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    to_lonlat = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    code = _codes(sub["mode3a"])
    if polar:
        z, R, bias = _polar(sub, lat0, settings)
        xy = np.column_stack([z[:, 0] * np.sin(z[:, 1]), z[:, 0] * np.cos(z[:, 1])])
        kind = POLAR
    else:
        x, y = to_plane.transform(_floats(sub["lon"]), _floats(sub["lat"]))
        z = np.column_stack([x, y])
        sigma = _floats(sub["pos_sigma_m"])
        sigma = np.where(np.isnan(sigma), settings.detection_sigma_m, sigma)
        R = np.zeros((len(z), 2, 2))
        R[:, 0, 0] = R[:, 1, 1] = sigma**2
        xy = z.copy()
        kind = CARTESIAN
        bias = np.zeros(len(z))
    return Measurements(kind, rows, t, t0, z, R, xy, code, bias, to_plane, to_lonlat)


def _polar(
    sub: pa.Table, lat0: float, settings: TrackerSettings
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rho = _floats(sub["range_m"])
    az = np.radians(_floats(sub["azimuth_deg"]))
    h0 = _floats(sub["site_alt_m"])
    height = _floats(sub["alt_m"])
    radius = _radius_along(lat0, az)
    low, high = settings.assumed_alt_m
    measured = ~np.isnan(height)
    h_mid = np.where(measured, height, 0.5 * (low + high))
    d_mid, gain = ground_distance(rho, h0, h_mid, radius)
    d_low, _ = ground_distance(rho, h0, np.where(measured, height, low), radius)
    d_high, _ = ground_distance(rho, h0, np.where(measured, height, high), radius)
    d = np.where(measured, d_mid, (d_low + 4.0 * d_mid + d_high) / 6.0)
    band = np.abs(d_high - d_low) / math.sqrt(12.0)
    sigma_d2 = (_floats(sub["sigma_range_m"]) * np.minimum(gain, _MAX_RANGE_GAIN)) ** 2 + band**2
    sigma_az = np.radians(_floats(sub["sigma_azimuth_deg"]))
    R = np.zeros((len(rho), 2, 2))
    R[:, 0, 0] = sigma_d2
    R[:, 1, 1] = sigma_az**2
    return np.column_stack([d, az]), R, band


def ground_distance(
    rho: np.ndarray, h0: np.ndarray, h: np.ndarray, radius: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Distance along the Earth (m) to a target at slant range ``rho`` and height
    ``h``, seen from an antenna at ``h0``, on a sphere of ``radius``; and its
    derivative by ``rho``. An impossible geometry (``rho`` shorter than the height
    difference) gives the distance 0.

    >>> d, g = ground_distance(np.array([10_000.0]), np.array([0.0]), np.array([0.0]),
    ...                        np.array([6_371_000.0]))
    >>> round(float(d[0]), 3), round(float(g[0]), 6)
    (10000.001, 1.0)
    """
    a, b = radius + h0, radius + h
    # sin²(γ/2) = (ρ² − (a − b)²) / 4ab: the haversine form, exact at short range
    half = np.sqrt(np.clip((rho * rho - (a - b) ** 2) / (4.0 * a * b), 0.0, 1.0))
    gamma = 2.0 * np.arcsin(half)
    sin_g = 2.0 * half * np.sqrt(1.0 - half * half)
    with np.errstate(divide="ignore", invalid="ignore"):
        gain = np.where(sin_g > 0, radius * rho / (a * b * sin_g), _MAX_RANGE_GAIN)
    return radius * gamma, gain


def _radius_along(lat_deg: float, azimuth: np.ndarray) -> np.ndarray:
    """The ellipsoid's radius of curvature along each azimuth at the site."""
    phi = math.radians(lat_deg)
    w = 1.0 - WGS84_E2 * math.sin(phi) ** 2
    n_radius = WGS84_A / math.sqrt(w)
    m_radius = WGS84_A * (1.0 - WGS84_E2) / w**1.5
    return m_radius * n_radius / (m_radius * np.sin(azimuth) ** 2 + n_radius * np.cos(azimuth) ** 2)


def _codes(column: pa.ChunkedArray) -> np.ndarray:
    """Mode 3/A codes as integers (octal text), -1 where there is none or it is not octal."""
    out = np.full(len(column), -1, dtype=np.int64)
    if column.null_count == len(column):
        return out
    for i, v in enumerate(column.to_pylist()):
        if v is not None:
            try:
                out[i] = int(v, 8)
            except ValueError:
                out[i] = -2 - zlib.crc32(v.encode()) % 65536  # not octal: still an identity
    return out


def _floats(column: pa.ChunkedArray) -> np.ndarray:
    return np.asarray(pc.cast(column, pa.float64()).to_numpy(zero_copy_only=False), dtype=float)
